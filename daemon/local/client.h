/* client.h - one shim connection on the local socket.
 *
 * States: HELLO (waiting for the shim's HELLO) -> IDLE <-> BUSY (a request
 * runs); IDLE -> PASSPHRASE (asked for the user key's passphrase before its
 * request can run) -> BUSY; any -> CLOSING (flush what is queued, then close). Output is a
 * queue of framed blocks written one lws_write per WRITEABLE callback. */
#ifndef JALIEND_CLIENT_H
#define JALIEND_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <libwebsockets.h>
#include <cjson/cJSON.h>

#include "base/obj.h"
#include "exitcodes.h"

#define LIM_CLIENT_OUTBUF_MAX (4u << 20) /* queued output per shim before we stop rendering */
/* --write-timeout: seconds a shim may read nothing while output waits */
#define CL_WRITE_TIMEOUT_DEFAULT 300

enum client_state { CL_HELLO, CL_IDLE, CL_PASSPHRASE, CL_BUSY, CL_CLOSING };

struct cl_block;
struct command;

struct client {
	struct jd_obj obj;
	struct lws *wsi;
	enum client_state state;
	unsigned long serial; /* for logs */
	uid_t uid;
	pid_t pid;
	char client_version[32];
	unsigned char *in; /* partial frames */
	size_t in_len, in_cap;
	struct cl_block *out_head, *out_tail;
	size_t out_bytes;
	struct command *cmd; /* the running request, if any */
	char *held;	     /* a REQUEST waiting for the passphrase */
	size_t held_len;
	uint32_t held_id;
	int tries; /* passphrases tried */
	/* the slow-reader policy (client.c): output waiting since out_wait (0:
	 * none) with nothing written; out_over: a frame did not fit in the queue */
	time_t out_wait;
	int out_over;
	lws_sorted_usec_list_t sul_slow;
};

struct client *client_new(struct lws *wsi, uid_t uid, pid_t pid);
/* Events from the lws loop; a negative return asks lws to close. */
int client_on_rx(struct client *c, const void *in, size_t len);
int client_on_writable(struct client *c);
void client_on_close(struct client *c); /* frees c */

/* The write timeout (seconds, > 0) of every connection. */
void client_configure(int write_timeout);
/* Queue one frame; returns 0, or -ENOBUFS past LIM_CLIENT_OUTBUF_MAX: then
 * nothing is dropped silently: the running request fails (exit 105, one
 * line to the shim) from the loop, as when the shim reads nothing for the
 * write timeout while output waits. */
int client_send(struct client *c, uint16_t type, uint32_t id, const void *p, size_t n);
/* Queue a JSON control frame (obj is consumed). */
int client_send_json(struct client *c, uint16_t type, uint32_t id, cJSON *obj);
/* Queue an ERROR frame {"code","message"} and close once it is written. */
void client_fail(struct client *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ask for a WRITEABLE callback (new output may be ready); starts the write
 * timeout if it is not running. */
void client_wake(struct client *c);
size_t client_count(void);
/* Connections with output waiting to be written. */
size_t client_waiting_count(void);
/* Connections with a request running. */
size_t client_busy_count(void);
/* When a client last connected, started or ended a request, or left. */
time_t client_last_activity(void);

#endif
