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
	return check_report();
}
