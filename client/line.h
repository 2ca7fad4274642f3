/* line.h - alien.py's command-line text rules (alienpy-behaviour.md 1.2, 1.3):
 * a chain split on `;` and newlines, `!` shell escapes, the first ` | `
 * pipe, POSIX-shell tokenising, and the single-argument re-split quirk.
 * Unlike alien.py, `;` and ` | ` inside quotes do not split (alien.py would
 * then fail on the unbalanced halves). */
#ifndef ALIEN_LINE_H
#define ALIEN_LINE_H

#include <stddef.h>

#define LINE_MAX_BYTES (1u << 20) /* a chain, a script or a stdin line: at most 1 MiB */

/* Call cb for each trimmed, non-empty segment of text (split on `;` and
 * newlines outside quotes); stops when cb returns non-zero and returns that. */
int line_split_chain(const char *text, int (*cb)(char *seg, void *ctx), void *ctx);
/* The first ` | ` outside quotes in seg, or NULL. */
char *line_find_pipe(char *seg);
/* POSIX shell words (quotes, backslashes; no expansions). *argv is a
 * malloc'ed NULL-terminated vector (free with line_free). Returns the word
 * count, -EINVAL for an unbalanced quote, -ENOMEM. */
int line_tokenize(const char *s, char ***argv);
/* alien.py's quirk: when exactly one argument follows the verb, it is split
 * again on blanks, quotes kept (`find '/dir .log'` = `find /dir .log`).
 * Returns the new count or -ENOMEM. */
int line_resplit(char ***argv, int argc);
/* Shell-quote and join words with spaces (Python shlex.quote). */
char *line_join(char *const *argv, int argc);
/* One level of matching outer quotes removed, in place. */
void line_unquote_outer(char *s);
void line_free(char **argv);
/* s as one word of a command line: every character but letters, digits,
 * UTF-8 and "/._-+,:=@%^~" backslash-escaped, so a
 * name with `;`, `!`, `|`, quotes or blanks stays one argument (Tab
 * completion of names the service sends). malloc'ed, NULL on ENOMEM. */
char *line_quote_word(const char *s);
/* s for a terminal: valid UTF-8 stays, other bytes and control characters
 * become \xNN; cut to fit out (n >= 4). Returns out. */
char *line_escape(const char *s, char *out, size_t n);

#endif
