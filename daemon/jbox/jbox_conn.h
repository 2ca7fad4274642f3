/* jbox_conn.h - one local websocket connection of the JBox endpoint
 * (used by jbox.c only).
 *
 * It behaves as a JCentral terminal session of its own: its own cwd
 * (starting at home, then whatever metadata.currentdir says after each
 * reply, as on JCentral), one request at a time, later requests queued and
 * answered in order. Requests go through the pool with that cwd.
 *
 * States: IDLE (nothing running) -> BUSY (a request at the pool) -> SENDING
 * (its reply being written) -> IDLE; any -> CLOSING (the socket went).
 *
 * Caps: JBOX_QUEUE_MAX requests queued per connection (reading pauses
 * there; past JBOX_QUEUE_HARD they are answered with exit code 16); a
 * request of at most JBOX_REQUEST_MAX_UNITS UTF-16 units, as JCentral
 * (larger: exit code 22 "Message too big, limit is at 133120"). */
#ifndef JALIEND_JBOX_CONN_H
#define JALIEND_JBOX_CONN_H

#include <stddef.h>

#include <libwebsockets.h>

#include "base/strbuf.h"

#define JBOX_QUEUE_MAX 64
#define JBOX_QUEUE_HARD 128
#define JBOX_REQUEST_MAX_UNITS 133120
#define JBOX_REPLY_MAX (1024u << 20) /* a 512 MiB reply grows a little when escaped */

enum jbox_state { JB_IDLE, JB_BUSY, JB_SENDING, JB_CLOSING };

struct jbox_item;
struct up_req;

struct jbox_conn {
	struct jbox_conn *next; /* all connections (jbox.c) */
	struct lws *wsi;
	enum jbox_state state;
	unsigned long serial;
	char *cwd; /* NULL: home, until the first reply */
	/* its setSite (alien.py sends ALIEN_SITE so); NULL: JCentral's choice */
	char *site;
	struct strbuf rx; /* request being assembled */
	size_t rx_units;
	int rx_too_big;
	struct jbox_item *qhead, **qtail;
	unsigned qlen;
	int paused;	     /* reading paused (queue full) */
	struct up_req *ureq; /* at the pool */
	char *tx;	     /* reply being written */
	size_t tx_len, tx_off;
	int tx_started;
	unsigned long requests;
};

struct jbox_conn *jbox_conn_new(struct lws *wsi, unsigned long serial);
/* Events from the lws callback; negative: close the connection. */
int jbox_conn_on_rx(struct jbox_conn *c, const void *in, size_t len, int final, int binary);
int jbox_conn_on_writable(struct jbox_conn *c);
void jbox_conn_free(struct jbox_conn *c); /* cancels what runs */
/* From now on, requests are answered "stopping" (exit code 107). */
void jbox_conn_set_draining(void);

#endif
