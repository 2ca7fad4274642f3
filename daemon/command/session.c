/* session.c - see session.h. A most-recently-used list: short, and every
 * request touches the head, so a linear search is cheap at this cap. */
#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"

static struct session_term *session_head;
static unsigned session_n, session_forked_n;

static void session_term_free(struct session_term *t)
{
	free(t->key);
	free(t->cwd);
	free(t->prev);
	free(t);
}

struct session_term *session_find(const char *key)
{
	struct session_term **pp;

	for (pp = &session_head; *pp; pp = &(*pp)->next) {
		struct session_term *t = *pp;

		if (strcmp(t->key, key) == 0) {
			*pp = t->next; /* move to front */
			t->next = session_head;
			session_head = t;
			return t;
		}
	}
	return NULL;
}

/* Unlink and free the least recently used session (a forked one if
 * forked_only), counting it out. */
static void session_forget_last(int forked_only)
{
	struct session_term **pp, **last = NULL;

	for (pp = &session_head; *pp; pp = &(*pp)->next)
		if (!forked_only || (*pp)->forked)
			last = pp;
	if (!last)
		return;
	pp = last;
	{
		struct session_term *t = *pp;

		*pp = t->next;
		session_n--;
		session_forked_n -= t->forked != 0;
		session_term_free(t);
	}
}

static struct session_term *session_new(const char *key, int forked)
{
	struct session_term *t;

	if (forked && session_forked_n >= LIM_SESSIONS_FORKED_MAX)
		session_forget_last(1);
	if (session_n >= LIM_SESSIONS_MAX) /* forget the least recently used */
		session_forget_last(session_forked_n > 0);
	t = calloc(1, sizeof(*t));
	if (!t || !(t->key = strdup(key))) {
		free(t);
		return NULL;
	}
	t->forked = forked;
	t->next = session_head;
	session_head = t;
	session_n++;
	session_forked_n += forked != 0;
	return t;
}

struct session_term *session_get(const char *key)
{
	struct session_term *t = session_find(key);

	return t ? t : session_new(key, 0);
}

struct session_term *session_fork(const char *key, const char *from)
{
	struct session_term *t = session_find(key), *f;
	char *cwd = NULL, *prev = NULL;

	if (t)
		return t;
	f = session_find(from); /* touched: a batch keeps its terminal's session recent */
	if (f && ((f->cwd && !(cwd = strdup(f->cwd))) || (f->prev && !(prev = strdup(f->prev)))))
		goto nomem;	 /* never a line started at home instead of its terminal's folder */
	t = session_new(key, 1); /* forgets the least recent, never f (now the most recent) */
	if (!t)
		goto nomem;
	t->cwd = cwd;
	t->prev = prev;
	return t;
nomem:
	free(cwd);
	free(prev);
	return NULL;
}

int session_set_cwd(struct session_term *t, const char *cwd)
{
	char *n = strdup(cwd);

	if (!n)
		return -ENOMEM;
	if (t->cwd && strcmp(t->cwd, cwd) == 0) {
		free(n);
		return 0;
	}
	free(t->prev);
	t->prev = t->cwd;
	t->cwd = n;
	return 0;
}

unsigned session_count(void)
{
	return session_n;
}

void session_free_all(void)
{
	while (session_head) {
		struct session_term *t = session_head;

		session_head = t->next;
		session_term_free(t);
	}
	session_n = 0;
	session_forked_n = 0;
}
