/* resolve.c - see resolve.h. */
#include "resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

struct resolve_job {
	struct resolve_result res; /* first: the owner frees the job as its result */
	struct resolve_job *next;  /* in resolve.done */
	/* under resolve.mu */
	resolve_done_fn done; /* NULL: cancelled */
	void *owner;
	struct lws_vhost *vh; /* the connection's (NULL: the context's own) */
	int vh_gone;	      /* vh was destroyed meanwhile */
	char host[256];
};

static struct {
	pthread_mutex_t mu;
	struct resolve_job *done, **done_tail;	       /* for the loop, oldest first */
	struct resolve_job *live[RESOLVE_THREADS_MAX]; /* running */
	struct lws_context *ctx;		       /* woken; NULL once the context goes */
} resolve = { .mu = PTHREAD_MUTEX_INITIALIZER, .done_tail = &resolve.done };

int resolve_numeric(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* getaddrinfo() with libwebsockets 4.1.6's hints for a client connection of
 * a vhost with IPv6 on (all of ours): its results, numeric, in its order. */
static void resolve_lookup(const char *host, struct resolve_result *res)
{
	struct addrinfo hints, *ai = NULL, *p;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_V4MAPPED;
	res->gai = getaddrinfo(host, NULL, &hints, &ai);
	if (res->gai) {
		snprintf(res->why, sizeof(res->why), "%s",
			 res->gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(res->gai));
		return;
	}
	for (p = ai; p && res->n < RESOLVE_ADDRS_MAX; p = p->ai_next) {
		if ((p->ai_family != AF_INET && p->ai_family != AF_INET6) ||
		    getnameinfo(p->ai_addr, p->ai_addrlen, res->addr[res->n], RESOLVE_ADDR_LEN,
				NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		res->n++;
	}
	freeaddrinfo(ai);
	if (!res->n) {
		res->gai = EAI_NONAME;
		snprintf(res->why, sizeof(res->why), "no IPv4 or IPv6 address");
	}
}

static void *resolve_thread(void *arg)
{
	struct resolve_job *j = arg;

	resolve_lookup(j->host, &j->res);
	pthread_mutex_lock(&resolve.mu);
	for (int i = 0; i < RESOLVE_THREADS_MAX; i++)
		if (resolve.live[i] == j)
			resolve.live[i] = NULL;
	if (j->done && resolve.ctx) {
		j->next = NULL;
		*resolve.done_tail = j;
		resolve.done_tail = &j->next;
		lws_cancel_service(resolve.ctx);
		j = NULL;
	}
	pthread_mutex_unlock(&resolve.mu);
	free(j); /* cancelled, or nobody left to tell (NULL: queued) */
	return NULL;
}

struct resolve_job *resolve_start(struct lws_context *ctx, struct lws_vhost *vh, const char *host,
				  resolve_done_fn done, void *owner)
{
	struct resolve_job *j = calloc(1, sizeof(*j));
	pthread_attr_t at;
	pthread_t th;
	sigset_t all, old;
	int slot = -1, r = -1;

	if (!j || snprintf(j->host, sizeof(j->host), "%s", host) >= (int)sizeof(j->host)) {
		free(j);
		return NULL;
	}
	j->done = done;
	j->owner = owner;
	j->vh = vh;
	pthread_mutex_lock(&resolve.mu);
	resolve.ctx = ctx;
	for (int i = 0; i < RESOLVE_THREADS_MAX && slot < 0; i++)
		if (!resolve.live[i])
			slot = i;
	if (slot >= 0)
		resolve.live[slot] = j;
	pthread_mutex_unlock(&resolve.mu);
	if (slot < 0) {
		free(j);
		return NULL;
	}
	/* the thread takes no signals (the loop's signal pipe gets them) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_attr_init(&at) == 0) {
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		r = pthread_create(&th, &at, resolve_thread, j);
		pthread_attr_destroy(&at);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		pthread_mutex_lock(&resolve.mu);
		resolve.live[slot] = NULL;
		pthread_mutex_unlock(&resolve.mu);
		free(j);
		return NULL;
	}
	return j;
}

void resolve_drain(void)
{
	for (;;) {
		struct resolve_job *j;

		pthread_mutex_lock(&resolve.mu);
		if ((j = resolve.done) && !(resolve.done = j->next))
			resolve.done_tail = &resolve.done;
		if (j)
			j->res.vhost_gone = j->vh_gone;
		pthread_mutex_unlock(&resolve.mu);
		if (!j)
			return;
		/* one at a time, the lock not held: the callback may start or cancel lookups */
		j->done(j->owner, &j->res); /* it frees j */
	}
}

void resolve_vhost_gone(struct lws_vhost *vh)
{
	const char *name = vh ? lws_get_vhost_name(vh) : NULL;

	pthread_mutex_lock(&resolve.mu);
	for (int i = 0; i < RESOLVE_THREADS_MAX; i++)
		if (vh && resolve.live[i] && resolve.live[i]->vh == vh)
			resolve.live[i]->vh_gone = 1;
	for (struct resolve_job *j = resolve.done; vh && j; j = j->next)
		if (j->vh == vh)
			j->vh_gone = 1;
	if (name && strcmp(name, "default") == 0) /* lws_create_context's vhost: the context goes */
		resolve.ctx = NULL;
	pthread_mutex_unlock(&resolve.mu);
}
