/* xrdq.h - XRootD queries of a storage element (ping, query config, query
 * stats, stat) with libXrdCl, behind a C API, off the daemon's loop.
 *
 * The queries run on a small pool of worker threads of their own (workers.h:
 * at most XRDQ_THREADS_MAX, made as needed and kept, and at most
 * XRDQ_QUEUE_MAX queries queued or running), never on the lws loop: each
 * XrdCl call is synchronous there and has a timeout (XRDQ_TIMEOUT_S), so a
 * dead or silent SE fails the query within about that time and cannot hang a
 * command. Results come back as xfer.h's do: a locked queue,
 * lws_cancel_service(), and xrdq_drain() on the loop (from
 * xrdq_lws_callback on LWS_CALLBACK_EVENT_WAIT_CANCELLED) calls the owners'
 * callbacks on the loop thread.
 *
 * Only URLs built here are used: root://<host[:port]> from a checked
 * host[:port] (xrdq_hostport_ok) and a checked absolute path; nothing the
 * server or the user sent can add XrdCl options to them. */
#ifndef JALIEND_XRDQ_H
#define JALIEND_XRDQ_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XRDQ_THREADS_MAX 4 /* worker threads = queries running at once */
#define XRDQ_QUEUE_MAX 256 /* queries queued or running; past it xrdq_submit fails */
#define XRDQ_TIMEOUT_S 5   /* each XrdCl request of a query (as alien.py's query config) */
#define XRDQ_PING_MAX 100  /* pings of one XRDQ_PING query (xrd_ping -c N) */
/* bytes of a query's answer (query stats is ~2 KiB); past it the query fails */
#define XRDQ_ANSWER_MAX (4u << 20)
#define XRDQ_ANSWER_MAX_TEXT "4 MiB"
#define XRDQ_HOSTPORT_MAX 255 /* bytes of host[:port] */
#define XRDQ_PATH_MAX 4096    /* bytes of a stat's path */

enum xrdq_kind {
	/* count pings after one to warm the connection (alien.py's order); when that one fails, the
	 * query ends with its reason (at most XRDQ_TIMEOUT_S) */
	XRDQ_PING = 0,
	XRDQ_CONFIG = 1, /* query config of each word of arg (space separated), one answer a line */
	XRDQ_STATS = 2,	 /* query stats "a" */
	XRDQ_STAT = 3,	 /* stat of path */
};

struct xrdq_req {
	enum xrdq_kind kind;
	const char *hostport; /* host[:port]: must pass xrdq_hostport_ok */
	const char *arg;      /* CONFIG: the keys; STAT: the absolute path */
	int count;	      /* PING: 1..XRDQ_PING_MAX */
};

struct xrdq_result {
	int ok;			  /* the whole query was answered */
	int status, code, xerrno; /* XrdCl's status of the failure (or of the last request) */
	char msg[600];		  /* XrdCl's message of the failure, "" when ok */
	int pings;		  /* PING: round trips measured (the rest failed) */
	double rtt_ms[XRDQ_PING_MAX];
	/* CONFIG / STATS: the answer (NUL-terminated, valid during the callback) */
	const char *answer;
	size_t answer_len;
	uint64_t size, modtime; /* STAT */
	uint32_t flags;		/* STAT: XrdCl::StatInfo flags (XRDQ_F_*) */
	char modtimestr[32];	/* STAT: "YYYY-MM-DD HH:MM:SS", local time, as XrdCl prints it */
};

/* XrdCl::StatInfo::Flags (alien.py's names) */
#define XRDQ_F_X_BIT_SET 1
#define XRDQ_F_IS_DIR 2
#define XRDQ_F_OTHER 4
#define XRDQ_F_OFFLINE 8
#define XRDQ_F_IS_READABLE 16
#define XRDQ_F_IS_WRITABLE 32
#define XRDQ_F_POSC_PENDING 64
#define XRDQ_F_BACKUP_EXISTS 128

struct xrdq_job;
typedef void (*xrdq_done_fn)(void *owner, struct xrdq_job *job, const struct xrdq_result *res);

/* Remember the context to wake (and set XrdCl's defaults, xfer_init). Idempotent. */
int xrdq_init(struct lws_context *ctx);
/* 1 when s is host[:port] that may go into a root:// URL: a DNS name or IPv4
 * address ([A-Za-z0-9.-], not starting with '-') or a bracketed IPv6 address,
 * and an optional port 1..65535; at most XRDQ_HOSTPORT_MAX bytes. */
int xrdq_hostport_ok(const char *s);
/* 1 when p may be a stat's path: starts with '/', no '?', '#', space or control byte. */
int xrdq_path_ok(const char *p);
/* Queue a query (strings copied); done() is called once on the loop unless
 * cancelled first. NULL when a string is refused (errno EINVAL), the queue is
 * full (EAGAIN), on ENOMEM, or after xrdq_fini. */
struct xrdq_job *xrdq_submit(const struct xrdq_req *req, xrdq_done_fn done, void *owner);
/* Forget the job's owner: no callback will come (the worker finishes its request). */
void xrdq_cancel(struct xrdq_job *job);
/* On the loop thread: deliver the finished queries (idempotent). */
void xrdq_drain(void);
/* Cancel everything and join the workers (each waits at most its request's timeout). */
void xrdq_fini(void);
/* Its lws protocol (beside xfer's): drains on LWS_CALLBACK_EVENT_WAIT_CANCELLED. */
int xrdq_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		      size_t len);

#ifdef __cplusplus
}
#endif

#endif
