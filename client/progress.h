/* progress.h - the transfer progress bar of PROGRESS frames (docs/PROTOCOL.md,
 * docs/cp.md): one line on stderr, redrawn in place with '\r'
 * and cleared before any other output, only while stderr is a terminal. */
#ifndef ALIEN_PROGRESS_H
#define ALIEN_PROGRESS_H

#include <stddef.h>

#define PROGRESS_LINE_MAX 512 /* bytes of one drawn bar (longer ones are cut) */

/* 1 if a bar may be drawn: stderr is a terminal (asked once per process). */
int progress_enabled(void);
/* Draw the bar from a PROGRESS payload ({"bar":"..."}); ignored when
 * stderr is not a terminal or the payload has no bar. Control and non-ASCII
 * bytes are shown as '?', the line is cut to the terminal width - 1. */
void progress_draw(const char *payload, size_t len);
/* Clear the bar if one is shown (before other output, and at the end). */
void progress_clear(void);

#endif
