/* session.c - see session.h. A most-recently-used list: short, and every
 * request touches the head, so a linear search is cheap at this cap. */
#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"

static struct session_term *session_head;
static unsigned session_n;

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

struct session_term *session_get(const char *key)
{
	struct session_term *t = session_find(key);

	if (t)
		return t;
	if (session_n >= LIM_SESSIONS_MAX) { /* forget the least recently used */
		struct session_term **pp = &session_head;

		while ((*pp)->next)
			pp = &(*pp)->next;
		session_term_free(*pp);
		*pp = NULL;
		session_n--;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->key = strdup(key))) {
		free(t);
		return NULL;
	}
	t->next = session_head;
	session_head = t;
	session_n++;
	return t;
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
}
