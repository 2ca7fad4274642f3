/* upstream.h - the pool of websocket sessions to JCentral.
 *
 * Each session is a strict serial queue: one request in flight (spec 4.4).
 * A request runs in the terminal's cwd: the session's server-side cwd is
 * moved with the -pwd= pseudo-option when it differs (spec 4.2, 4.6).
 * Requests wait in one FIFO (cap LIM_UPSTREAM_QUEUE_MAX) for an idle session. */
#ifndef JALIEND_UPSTREAM_H
#define JALIEND_UPSTREAM_H

#include <time.h>

#include <libwebsockets.h>
#include <cjson/cJSON.h>

#include "base/config.h"
#include "exitcodes.h" /* a request that got no reply fails with a JD_EXIT_* code */

#define LIM_UPSTREAM_QUEUE_MAX 1024 /* requests waiting for a free session */
#define LIM_POOL_MAX 16		    /* websocket sessions per daemon (--pool-max) */

/* What JCentral answers to a request it cannot parse: to ours, only once its
 * session is broken (see upstream_retry.c, upstream_retry_poisoned). */
#define UP_POISON_TEXT "Incoming JSON is not ok"

struct up_req;
/* Called once per request that was not cancelled: reply (owned by the
 * callee) on success, or reply == NULL with an exit code and a message.
 * Always from the loop, never inside an upstream_* call its owner made (a
 * request failed at once, by a full queue or a dead pool, is delivered on the
 * loop's next turn), so an owner needs no re-entry guard. */
typedef void (*up_done_fn)(struct up_req *req, cJSON *reply, int code, const char *msg);

/* up_req.flags */
#define UP_REQ_READONLY 0x1 /* safe to send again on a fresh session if one is lost mid-request */
/* changes session state (user, token -u, setSite, timing, -debug=): must not run on a shared
 * session */
#define UP_REQ_PRIVATE 0x2
/* with PRIVATE: log that session in with the user certificate (not the token), e.g. to ask for a
 * new token */
#define UP_REQ_LOGIN 0x4
/* the reply is only printed: parsed by leanjson_parse, which keeps a big results array as text (a
 * reply of N bytes costs N, not 4 N) */
#define UP_REQ_PRINT 0x8

struct up_req {
	struct up_req *next; /* queue link */
	unsigned flags;	     /* UP_REQ_* */
	char *command;
	cJSON *options; /* array of strings, owned */
	char *cwd;	/* run here (absolute, trailing /); NULL = home */
	/* the terminal's ALIEN_SITE ("": none, JCentral's choice; NULL: any, for the daemon's own
	 * requests); upstream_site.c */
	char *site;
	up_done_fn done;
	void *owner; /* caller's context; NULL once cancelled */
	int queued;
	int finished; /* its outcome waits on the pool's list of completions (upstream.c) */
	/* the pool's own setSite: done() runs in the reply's event, before its session takes other
	 * work (upstream_site.c) */
	int inline_done;
	cJSON *out_reply; /* finished: the outcome done() gets (reply owned, msg copied) */
	int out_code;
	char *out_msg;
	int internal;	  /* the daemon's own (keepalive, token), not a user's */
	int retried;	  /* already sent again once after a lost session */
	double lost_at;	  /* monotonic: when its session was lost (0: never) */
	double queued_at; /* monotonic, when submitted (--connect-wait counts from here) */
	/* JALIENPY_DEBUG (command.c): the JSON text as sent (received 0) and as
	 * received (1); NULL for none */
	void (*trace)(struct up_req *r, int received, const char *text, size_t len);
};

/* Before the lws context exists (it loads the CA folder while it is made):
 * remember cfg and route lws' log (at lws_levels) into ours. */
void upstream_configure(const struct jd_config *cfg, int lws_levels);
/* The lws context exists: requests can be submitted from now on. */
void upstream_attach(struct lws_context *ctx);
/* Connect the pool's minimum of sessions and start keepalives. */
int upstream_start(void);
void upstream_stop(void); /* before lws_context_destroy: cancel the timers */
void upstream_fini(void);
/* The lws protocol callback (first protocol of the vhost: it also loads the CA folder). */
/* libwebsockets' log lines, into ours (keeps the TLS failure reason). */
void upstream_lws_log(int level, const char *line);
/* New shared sessions log in with this token's vhost; sessions on an older
 * token are closed when idle (the server would close them at its end). */
void upstream_use_token(struct lws_vhost *vh);
/* The user certificate changed (SIGHUP): log in with this vhost from now on. */
void upstream_use_login(struct lws_vhost *vh);
/* Locked: the user key waits for its passphrase; nothing logs in with it
 * (sessions on a token still may). Unlocking connects the pool. */
void upstream_lock(int locked);
int upstream_has_token(void);
/* Fail every request waiting for a session (shared and private). */
void upstream_fail_waiting(int code, const char *msg);

/* Make a request (options taken over); NULL on ENOMEM. */
struct up_req *upstream_req_new(const char *command, cJSON *options, const char *cwd,
				up_done_fn done, void *owner);
#define UP_SITE_MAX 64 /* bytes of a site name (ALIEN_SITE) */
/* The request runs on a session set to this close site (NULL or "": the one
 * JCentral chose). 0, or -1 on ENOMEM. */
int upstream_req_site(struct up_req *r, const char *site);
/* Queue it. done() comes later from the loop, also when the queue is full
 * (exit JD_EXIT_BUSY) or the pool cannot connect: never before this returns. */
void upstream_submit(struct up_req *req);
/* The owner goes away: drop the request, or its reply when it comes, or its
 * completion when it waits to be delivered: no done() after this. */
void upstream_cancel(struct up_req *req);

/* What the first reply of a session told (NULL until then). */
const char *upstream_home(void);
const char *upstream_user(void);
/* Learn the command list from a `commandlist` reply's results (names ending
 * in _csd dropped, as alien.py); sessions do it when they start. */
void upstream_learn_commands(const cJSON *results);
/* The command list (NULL-terminated, NULL if never learned) and when it was learned. */
const char *const *upstream_commands(time_t *learned_at);
/* Whether cmd is in the server's commandlist: 1 yes, 0 no, -1 not known yet. */
int upstream_knows(const char *cmd);
/* One status line: sessions by state, queue length, counters. */
void upstream_describe(char *buf, size_t n);
/* Several lines: each session's state and current request, queues, errors. */
struct strbuf;
void upstream_status(struct strbuf *out);
/* No user request queued or in flight. */
int upstream_idle(void);

#endif
