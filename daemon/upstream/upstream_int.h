/* upstream_int.h - the pool's state and what the files of the pool share;
 * for daemon/upstream/ only (the rest of the daemon has upstream.h).
 *   upstream.c         requests, their FIFOs, the state machine: pump, dispatch,
 *                      growth, submit, cancel, the events of usession.c
 *   upstream_retry.c   reconnect backoff, --connect-wait, --request-timeout, and
 *                      the one retry of a lost or refused request
 *   upstream_life.c    configure, start, stop, fini, credentials, keepalives, lws' log
 *   upstream_cmds.c    what replies taught: the command list, home, user
 *   upstream_status.c  the status texts, why a connection failed
 *   upstream_site.c    a terminal's close site (ALIEN_SITE): setSite before its requests
 * Functions of upstream.c are up_*, those of upstream_<x>.c upstream_<x>_*. */
#ifndef JALIEND_UPSTREAM_INT_H
#define JALIEND_UPSTREAM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libwebsockets.h>
#include <cjson/cJSON.h>

#include "caps.h"
#include "upstream.h"
#include "usession.h"

/* The pool: one, defined in upstream.c. */
struct upstream_pool {
	struct lws_context *ctx;
	/* token for new shared sessions (NULL: the user certificate) */
	struct lws_vhost *vh;
	/* the user certificate (NULL: the default vhost's, from start) */
	struct lws_vhost *login_vh;
	const struct jd_config *cfg;
	struct usession sess[LIM_POOL_MAX];
	int min, max;		       /* sessions kept / grown to on demand */
	struct up_req *qhead, **qtail; /* shared FIFO */
	unsigned qlen;
	struct up_req *phead, **ptail; /* private requests waiting for a slot */
	struct up_req *dhead, **dtail; /* finished: their done() is called from sul_deliver */
	unsigned dlen;		       /* ... how many (at most every request that exists) */
	char *home, *user;
	char **cmds; /* the server's commandlist, NULL-terminated */
	int ncmds;
	time_t cmds_at; /* when it was learned */
	uint16_t backoff_try;
	int auth_failed;       /* last failure was the credential: no background retries */
	int ever_up;	       /* a shared session was ready once: ride over outages */
	double down_since;     /* monotonic: no shared session serving since (0: serving) */
	int reconnect_pending; /* the backoff timer will connect: up_pump must not */
	int watch_armed;
	int locked; /* the user key waits for its passphrase */
	lws_sorted_usec_list_t sul_reconnect, sul_keepalive, sul_watch, sul_deliver;
	unsigned long connects, connect_failures, lost, retried, timeouts, poisoned;
	char last_error[512];
	int last_code;
};
extern struct upstream_pool up;

/* upstream.c: requests and their FIFOs */
void up_req_free(struct up_req *r);
/* The outcome: done() is called from the loop (sul_deliver), then the
 * request is freed; at once for a cancelled one or inline_done. */
void up_req_finish(struct up_req *r, cJSON *reply, int code, const char *msg);
void up_fifo_push(struct up_req ***tail, struct up_req *r);
struct up_req *up_fifo_pop(struct up_req **head, struct up_req ***tail);
int up_fifo_remove(struct up_req **head, struct up_req ***tail, struct up_req *r);
struct up_req *up_queue_pop(void); /* the shared FIFO's first */
/* Drop the completions not delivered yet (upstream_fini). */
void up_deliver_drop(void);

/* upstream.c: sessions */
int up_count(int (*pred)(const struct usession *)); /* how many sessions pred holds for */
int up_shared_alive(const struct usession *s);
int up_shared_serving(const struct usession *s);
struct usession *up_free_slot(void);
/* Whether s could log in now (a locked user key cannot). */
int up_can_login(const struct usession *s);
void up_connect(struct usession *s);
void up_dispatch(struct usession *s, struct up_req *r);
/* Give queued work to idle sessions; grow the pool when all are busy. */
void up_pump(void);

/* upstream_retry.c */
/* The request s should take next from the shared FIFO (a retry waits for a fresh session). */
struct up_req *upstream_retry_take_for(const struct usession *s, double now);
/* Reconnect after the backoff (failed: one more step of it; else from the start). */
void upstream_retry_reconnect(int failed);
/* Whether requests may keep waiting for a session that cannot be connected now. */
int upstream_retry_in_grace(double now);
/* Arm the watch timer (timeouts, --connect-wait) if there is something to watch. */
void upstream_retry_watch_arm(void);
/* A reply that says the session is broken: 1 when it took the request (retried or failed). */
int upstream_retry_poisoned(struct usession *s, struct up_req *r, cJSON *reply);
void upstream_retry_lost(const struct usession *s, struct up_req *lost, int code, const char *msg);

/* upstream_site.c: a terminal's ALIEN_SITE on a shared session */
/* 1: a setSite went out first and r waits parked on s (usession.site_next). */
int upstream_site_detour(struct usession *s, struct up_req *r);
/* s went down: its parked request is first in line again; its site is forgotten. */
void upstream_site_requeue(struct usession *s);

/* upstream_status.c: the message (and exit code) of a connection that failed */
void upstream_status_connect_error(const struct usession *s, char *msg, size_t n, const char *why,
				   int http, const char *tls, int *code);

#endif
