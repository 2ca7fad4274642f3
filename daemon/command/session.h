/* session.h - terminal sessions: the grid cwd of each terminal.
 *
 * A terminal is named by the key its shim sends (getsid(0), or
 * ALIEN_SESSION). At most LIM_SESSIONS_MAX are kept; the least recently used
 * one is forgotten beyond that (it then starts again at home). */
#ifndef JALIEND_SESSION_H
#define JALIEND_SESSION_H

#define LIM_SESSIONS_MAX 1024 /* terminal sessions remembered (LRU beyond) */

struct session_term {
	char *key;
	char *cwd;  /* NULL until the first cd: home */
	char *prev; /* for cd - ; NULL if none */
	struct session_term *next;
};

/* Find or create the terminal for key; NULL on ENOMEM. */
struct session_term *session_get(const char *key);
/* Only find; NULL if unknown. */
struct session_term *session_find(const char *key);
/* Record a new cwd (the old one becomes prev); returns 0 or -ENOMEM. */
int session_set_cwd(struct session_term *t, const char *cwd);
unsigned session_count(void);
void session_free_all(void);

#endif
