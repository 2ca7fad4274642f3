/* test_session.c - per-terminal cwd table and its cap. */
#include <stdio.h>

#include "caps.h"
#include "check.h"
#include "command/session.h"

int main(void)
{
	struct session_term *a = session_get("a"), *b = session_get("b");
	char key[32];

	CHECK(a && b && a != b);
	CHECK(a->cwd == NULL); /* home until the first cd */
	CHECK(session_set_cwd(a, "/home/") == 0 && session_set_cwd(a, "/home/x/") == 0);
	CHECK_STR(a->cwd, "/home/x/");
	CHECK_STR(a->prev, "/home/");
	CHECK(session_set_cwd(a, "/home/x/") == 0); /* same dir: prev unchanged */
	CHECK_STR(a->prev, "/home/");
	CHECK(b->cwd == NULL);
	CHECK(session_find("a") == a && session_count() == 2);

	/* past the cap the least recently used terminal is forgotten */
	for (int i = 0; i < LIM_SESSIONS_MAX; i++) {
		snprintf(key, sizeof(key), "t%d", i);
		CHECK(session_get(key) != NULL);
		if (i == 10)
			session_find("a"); /* keep "a" fresh */
	}
	CHECK(session_count() == LIM_SESSIONS_MAX);
	CHECK(session_find("b") == NULL);
	CHECK(session_find("a") != NULL);
	session_free_all();
	CHECK(session_count() == 0);

	/* alien -j: a line's session starts as a copy of its terminal's (issue 26, item 6) */
	a = session_get("term");
	CHECK(a && session_set_cwd(a, "/home/") == 0 && session_set_cwd(a, "/home/d/") == 0);
	b = session_fork("term~j1", "term");
	CHECK(b && b != a);
	CHECK_STR(b->cwd, "/home/d/");
	CHECK_STR(b->prev, "/home/");
	CHECK(session_set_cwd(b, "/home/other/") == 0);
	CHECK_STR(a->cwd, "/home/d/");		     /* the terminal did not move */
	CHECK(session_fork("term~j1", "term") == b); /* known: not copied again */
	CHECK_STR(b->cwd, "/home/other/");
	b = session_fork("lone~j1", "nosuch"); /* an unknown terminal: home */
	CHECK(b && b->cwd == NULL);
	/* a long batch forgets its own lines first, never the terminals */
	for (int i = 0; i < 3 * LIM_SESSIONS_MAX; i++) {
		snprintf(key, sizeof(key), "other%d~j%d", i % 7, i);
		CHECK(session_fork(key, "term") != NULL);
		if (i == LIM_SESSIONS_MAX / 2)
			CHECK(session_get("idle") !=
			      NULL); /* another terminal, idle from here on */
	}
	CHECK(session_count() <= LIM_SESSIONS_MAX);
	CHECK(session_find("idle") != NULL);
	CHECK(session_find("term") == a);
	CHECK_STR(a->cwd, "/home/d/");
	session_free_all();
	return check_report();
}
