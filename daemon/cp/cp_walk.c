/* cp_walk.c - an upload's local folder, walked off the loop (DESIGN 1: a
 * big tree would stall every other terminal).
 *
 * cp_plan.c hands the folder over with cp_walk_start(); a worker thread runs
 * nftw() and keeps, in nftw's order, each regular file that passes the
 * pair's filters (cp_plan_match): its path and size, or the errno of
 * access(R_OK) when it cannot be read. Once done it queues the walk and wakes
 * the loop as xfer.cc does: a locked list plus lws_cancel_service(), drained
 * on LWS_CALLBACK_EVENT_WAIT_CANCELLED (cp_walk_lws_callback, in main.c's
 * protocol list beside xfer's). The loop then goes on in cp_plan_walk_done(), which turns the
 * list into files exactly as the walk on the loop did.
 *
 * The filters are the cp's (read-only while it plans). The worker reads them
 * only under cp_walk.mu and only while the walk has an owner; a cp that goes
 * away (cancel, shutdown) disowns its walk under the same lock
 * (cp_walk_abandon), so the worker stops at the next file and frees what it
 * gathered itself.
 *
 * Test hook: JALIEND_TEST_WALK_HOLD=<file> in the daemon's environment holds
 * each finished walk on its worker until <file> exists (at most
 * CP_WALK_HOLD_MAX_S), creating <file>.held when it starts waiting, so a
 * test can show the loop answers other terminals while a walk runs
 * (tests/cp/test_cp_walk.sh). */
#include "cp_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define CP_WALK_THREADS_MAX 4 /* walks running at once; more wait for a thread in order */
#define CP_WALK_UNREADABLE_MAX \
	10000		      /* "cannot read" lines kept per walk; past it they are counted */
#define CP_WALK_FDS 32	      /* folders nftw keeps open (as the walk on the loop did) */
#define CP_WALK_HOLD_MAX_S 60 /* the test hook waits at most this long */

struct cp_walk {
	struct cp_walk *next; /* in cp_walk.waiting or cp_walk.done */
	struct cp *c;	      /* the owner (under cp_walk.mu); NULL: abandoned */
	char *root, *base;    /* the folder walked; what paths are relative to */
	int room;	      /* files the cp can still take (CP_FILES_MAX) */
	struct cp_walk_entry *ents;
	int n, cap, nfiles;  /* entries, of which files (not "cannot read") */
	int unreadable_more; /* "cannot read" past CP_WALK_UNREADABLE_MAX: only counted */
	int err;	     /* 0, -E2BIG (more than room), -ENOMEM */
	int stopped;	     /* the owner went: stop walking */
};

static struct {
	pthread_mutex_t mu;
	struct cp_walk *waiting, **waiting_tail; /* for a thread */
	struct cp_walk *done, **done_tail;	 /* for the loop, oldest first */
	int threads;				 /* running */
	struct lws_context *ctx;		 /* woken (NULL once it is being destroyed) */
} cp_walk = { .mu = PTHREAD_MUTEX_INITIALIZER,
	      .waiting_tail = &cp_walk.waiting,
	      .done_tail = &cp_walk.done };

/* Take w off the list head/tail (under cp_walk.mu): 1 if it was there. */
static int cp_walk_unlink(struct cp_walk **head, struct cp_walk ***tail, struct cp_walk *w)
{
	for (struct cp_walk **pp = head; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			if (!(*pp = w->next))
				*tail = pp;
			return 1;
		}
	return 0;
}

/* The first of the list head/tail, taken off (under cp_walk.mu), or NULL. */
static struct cp_walk *cp_walk_pop(struct cp_walk **head, struct cp_walk ***tail)
{
	struct cp_walk *w = *head;

	if (w && !(*head = w->next))
		*tail = head;
	return w;
}

static _Thread_local struct cp_walk *cp_walk_cur; /* nftw has no user pointer */

static void cp_walk_free(struct cp_walk *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->n; i++)
		free(w->ents[i].path);
	free(w->ents);
	free(w->root);
	free(w->base);
	free(w);
}

static int cp_walk_push(struct cp_walk *w, const char *path, long long size, int err)
{
	struct cp_walk_entry *e;

	if (w->n == w->cap) { /* doubled: at most w->room files and CP_WALK_UNREADABLE_MAX others */
		e = reallocarray(w->ents, w->cap ? 2 * (size_t)w->cap : 64, sizeof(*e));
		if (!e)
			return -ENOMEM;
		w->ents = e;
		w->cap = w->cap ? 2 * w->cap : 64;
	}
	e = &w->ents[w->n];
	e->size = size;
	e->err = err;
	if (!(e->path = strdup(path)))
		return -ENOMEM;
	w->n++;
	return 0;
}

/* One entry of nftw, on the worker: the filters, then readable or not. */
static int cp_walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct cp_walk *w = cp_walk_cur;
	const char *below = path + strlen(w->base);
	int match = 0;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	while (*below == '/')
		below++;
	pthread_mutex_lock(&cp_walk.mu);
	if (w->c)
		match = cp_plan_match(w->c, path, below, (long long)st->st_size, 0);
	else
		w->stopped = 1;
	pthread_mutex_unlock(&cp_walk.mu);
	if (w->stopped)
		return 1;
	if (!match)
		return 0;
	if (access(path, R_OK) < 0) {
		if (w->n - w->nfiles >= CP_WALK_UNREADABLE_MAX) {
			w->unreadable_more++;
			return 0;
		}
		return (w->err = cp_walk_push(w, path, 0, errno)) < 0;
	}
	if (w->nfiles >= w->room) {
		w->err = -E2BIG;
		return 1;
	}
	if ((w->err = cp_walk_push(w, path, (long long)st->st_size, 0)) < 0)
		return 1;
	w->nfiles++;
	return 0;
}

/* The test hook (see the top of the file). */
static void cp_walk_hold(void)
{
	const char *gate = getenv("JALIEND_TEST_WALK_HOLD");
	char held[4200];
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int fd;

	if (!gate || !*gate)
		return;
	snprintf(held, sizeof(held), "%s.held", gate);
	fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < CP_WALK_HOLD_MAX_S * 100 && access(gate, F_OK) < 0; i++)
		nanosleep(&ts, NULL);
}

static void cp_walk_run(struct cp_walk *w)
{
	cp_walk_cur = w;
	nftw(w->root, cp_walk_cb, CP_WALK_FDS, FTW_PHYS);
	cp_walk_cur = NULL;
	if (!w->stopped)
		cp_walk_hold();
}

/* A worker: walks until none is waiting. */
static void *cp_walk_thread(void *arg)
{
	struct cp_walk *w = arg;

	while (w) {
		cp_walk_run(w);
		pthread_mutex_lock(&cp_walk.mu);
		if (!w->c) {
			pthread_mutex_unlock(&cp_walk.mu);
			cp_walk_free(w);
			pthread_mutex_lock(&cp_walk.mu);
		} else {
			w->next = NULL;
			*cp_walk.done_tail = w;
			cp_walk.done_tail = &w->next;
			if (cp_walk.ctx)
				lws_cancel_service(cp_walk.ctx);
		}
		w = cp_walk_pop(&cp_walk.waiting, &cp_walk.waiting_tail);
		if (!w)
			cp_walk.threads--;
		pthread_mutex_unlock(&cp_walk.mu);
	}
	return NULL;
}

/* On the loop: hand the finished walks to their cps, oldest first, one at
 * a time (going on with one cp's plan may end another cp, which then takes
 * its walk off the list itself). */
static void cp_walk_drain(void)
{
	for (;;) {
		struct cp_walk *w;
		struct cp *c;

		pthread_mutex_lock(&cp_walk.mu);
		w = cp_walk_pop(&cp_walk.done, &cp_walk.done_tail);
		c = w ? w->c : NULL; /* its worker is done with it: only the loop looks now */
		pthread_mutex_unlock(&cp_walk.mu);
		if (!w)
			return;
		c->walk = NULL;
		cp_plan_walk_done(c, w->base, w->ents, w->n, w->err, w->unreadable_more);
		cp_walk_free(w);
	}
}

int cp_walk_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len)
{
	(void)wsi;
	(void)user;
	(void)in;
	(void)len;
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
		cp_walk_drain(); /* spurious ones too: an empty drain does nothing */
	} else if (reason == LWS_CALLBACK_PROTOCOL_DESTROY) {
		/* the context goes: a worker still walking wakes nobody */
		pthread_mutex_lock(&cp_walk.mu);
		cp_walk.ctx = NULL;
		pthread_mutex_unlock(&cp_walk.mu);
	}
	return 0;
}

/* The loop to wake (the context lives as long as the daemon's loop). */
static int cp_walk_attach(struct lws_context *ctx)
{
	if (!ctx)
		return -1;
	pthread_mutex_lock(&cp_walk.mu);
	cp_walk.ctx = ctx;
	pthread_mutex_unlock(&cp_walk.mu);
	return 0;
}

/* Start a thread for w, or queue it for the next one free. 0, or -1 (none started). */
static int cp_walk_submit(struct cp_walk *w)
{
	pthread_attr_t at;
	pthread_t th;
	sigset_t all, old;
	int r = 0;

	pthread_mutex_lock(&cp_walk.mu);
	if (cp_walk.threads >= CP_WALK_THREADS_MAX) {
		*cp_walk.waiting_tail = w;
		cp_walk.waiting_tail = &w->next;
		pthread_mutex_unlock(&cp_walk.mu);
		return 0;
	}
	cp_walk.threads++;
	pthread_mutex_unlock(&cp_walk.mu);
	/* the worker takes no signals (the loop's signal pipe gets them) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_attr_init(&at) != 0) {
		r = -1;
	} else {
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		r = pthread_create(&th, &at, cp_walk_thread, w) == 0 ? 0 : -1;
		pthread_attr_destroy(&at);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		pthread_mutex_lock(&cp_walk.mu);
		cp_walk.threads--;
		pthread_mutex_unlock(&cp_walk.mu);
	}
	return r;
}

int cp_walk_start(struct cp *c, const char *root, const char *base)
{
	struct cp_walk *w = calloc(1, sizeof(*w));

	if (!w || !(w->root = strdup(root)) || !(w->base = strdup(base))) {
		cp_walk_free(w);
		return -ENOMEM;
	}
	w->c = c;
	w->room = CP_FILES_MAX - c->nfiles;
	if (cp_walk_attach(c->ctx) == 0) {
		c->walk = w; /* before a worker can finish it */
		if (cp_walk_submit(w) == 0)
			return 0;
		c->walk = NULL;
	}
	/* no thread or no way to wake the loop: walk here, as before */
	log_warn("cp: walking %s on the loop (no worker thread)", root);
	cp_walk_run(w);
	cp_plan_walk_done(c, w->base, w->ents, w->n, w->err, w->unreadable_more);
	cp_walk_free(w);
	return 0;
}

void cp_walk_abandon(struct cp *c)
{
	struct cp_walk *w = c->walk;
	int ours;

	if (!w)
		return;
	c->walk = NULL;
	pthread_mutex_lock(&cp_walk.mu);
	w->c = NULL; /* a worker on it stops at its next file and frees it */
	/* finished but not drained, or not started: ours to free */
	ours = cp_walk_unlink(&cp_walk.done, &cp_walk.done_tail, w) ||
	       cp_walk_unlink(&cp_walk.waiting, &cp_walk.waiting_tail, w);
	pthread_mutex_unlock(&cp_walk.mu);
	if (ours)
		cp_walk_free(w);
}
