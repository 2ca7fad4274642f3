/* resolve.h - JCentral's host name looked up off the loop (DESIGN 1: with
 * a host name, lws_client_connect_via_info() would call getaddrinfo() on the
 * loop, which can block for seconds while DNS is slow or down).
 *
 * A lookup runs on a thread of its own (at most RESOLVE_THREADS_MAX at once;
 * a session has at most one, so LIM_POOL_MAX bounds them in practice). Its
 * result comes back as xfer.h's do: a locked list, lws_cancel_service(), and
 * resolve_drain() on the loop (usession_callback on
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED) calls the owner's callback there. The
 * addresses serve one connection attempt: nothing is cached. */
#ifndef JALIEND_RESOLVE_H
#define JALIEND_RESOLVE_H

#include <net/if.h>
#include <netinet/in.h>

#include <libwebsockets.h>

#define RESOLVE_THREADS_MAX 16 /* lookups running at once (past it: resolve_start fails) */
/* addresses of one lookup kept, tried in turn (getaddrinfo's order) */
#define RESOLVE_ADDRS_MAX 16
#define RESOLVE_ADDR_LEN (INET6_ADDRSTRLEN + IF_NAMESIZE + 2) /* numeric, with a %scope */

struct resolve_result {
	int gai;	/* 0, or getaddrinfo()'s EAI_* */
	char why[160];	/* with gai: gai_strerror() (or errno's text for EAI_SYSTEM) */
	int vhost_gone; /* the vhost the lookup was for was destroyed meanwhile */
	int n;
	char addr[RESOLVE_ADDRS_MAX][RESOLVE_ADDR_LEN];
};

struct resolve_job;
/* res is the callee's (free(res) frees it). */
typedef void (*resolve_done_fn)(void *owner, struct resolve_result *res);

/* 1 if host is a numeric IPv4 or IPv6 address: nothing to look up. */
int resolve_numeric(const char *host);
/* Look host up as libwebsockets 4.1.6 would for a client of vhost vh
 * (SOCK_STREAM, AF_UNSPEC, AI_V4MAPPED unless vh has IPv6 off). done() is
 * called once on the loop (the owner outlives it: sessions are slots). NULL when no
 * thread can be started (out of memory, RESOLVE_THREADS_MAX). */
struct resolve_job *resolve_start(struct lws_context *ctx, struct lws_vhost *vh, const char *host,
				  resolve_done_fn done, void *owner);
/* On the loop: deliver finished lookups (idempotent). */
void resolve_drain(void);
/* LWS_CALLBACK_PROTOCOL_DESTROY of vhost vh: lookups for it say vhost_gone;
 * when it is the context's own vhost (the context goes), no thread wakes the
 * loop any more. */
void resolve_vhost_gone(struct lws_vhost *vh);

#endif
