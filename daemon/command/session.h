/* session.h - terminal sessions: the grid cwd of each terminal.
 *
 * A terminal is named by the key its shim sends (getsid(0), or
 * ALIEN_SESSION). At most LIM_SESSIONS_MAX are kept; the least recently used
 * one is forgotten beyond that (it then starts again at home).
 *
 * A line of `alien -j N` is a session of its own, forked from its terminal's
 * (REQUEST "session_from"): it starts in the terminal's cwd and its `cd`
 * moves only itself. At most LIM_SESSIONS_FORKED_MAX of those are kept (the
 * least recently used forgotten first), so a long batch never pushes a
 * terminal's own session out. */
#ifndef JALIEND_SESSION_H
#define JALIEND_SESSION_H

#define LIM_SESSIONS_MAX 1024	    /* terminal sessions remembered (LRU beyond) */
#define LIM_SESSIONS_FORKED_MAX 512 /* of them forked for `alien -j` lines (LRU beyond) */

struct session_term {
	char *key;
	char *cwd;  /* NULL until the first cd: home */
	char *prev; /* for cd - ; NULL if none */
	int forked; /* made by session_fork */
	struct session_term *next;
};

/* Find or create the terminal for key; NULL on ENOMEM. */
struct session_term *session_get(const char *key);
/* Find key, or create it as a copy of the terminal from (its cwd and cd -
 * folder; home if from is unknown); NULL on ENOMEM. */
struct session_term *session_fork(const char *key, const char *from);
/* Only find; NULL if unknown. */
struct session_term *session_find(const char *key);
/* Record a new cwd (the old one becomes prev); returns 0 or -ENOMEM. */
int session_set_cwd(struct session_term *t, const char *cwd);
unsigned session_count(void);
void session_free_all(void);

#endif
