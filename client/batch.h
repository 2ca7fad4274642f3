/* batch.h - alien --jobs N [FILE]: a parallel batch.
 *
 * Command lines (alien.py syntax, one chain a line; blank lines and `#`
 * comments skipped) are read from FILE or stdin and run up to N at a time,
 * each in a child process with its own connection to jaliend, which spreads
 * them over its pool. Each command's stdout, then its stderr, is printed
 * whole and in input order, as soon as it and every command before it have
 * ended. The exit code is that of the first failing command in input order
 * (0 when none failed).
 *
 * Caps: N is 1..BATCH_JOBS_MAX; at most BATCH_WINDOW_PER_JOB * N commands are
 * started and not yet printed (a slow command holds back only that many);
 * a line is at most LINE_MAX_BYTES. Output waiting its turn is kept in
 * anonymous memory files (memfd), not on the heap: at most BATCH_HELD_MAX
 * bytes for the whole window, that is BATCH_HELD_MAX / (2 * 4 * N) for one
 * line's stdout and as much for its stderr (32 MiB each with -j 8). A line
 * that writes more loses the rest (its writes fail), and fails with one line
 * on stderr after its output.
 *
 * Each line runs in a grid session of its own, started as a copy of the
 * terminal's (its cwd): a `cd` moves only that line, and the terminal's cwd
 * is the same afterwards (ALIEN_SESSION_FROM, docs/PROTOCOL.md). */
#ifndef ALIEN_BATCH_H
#define ALIEN_BATCH_H

#include <stdio.h>

#define BATCH_JOBS_MAX 64
#define BATCH_WINDOW_PER_JOB 4
#define BATCH_HELD_MAX (2048ull << 20) /* bytes of waiting output, all lines together */

/* Run the batch read from in; returns the exit code. */
int batch_run(const char *prog, int jobs, FILE *in, int json);
/* Parse N of --jobs N / -j N: 1..BATCH_JOBS_MAX, else -1. */
int batch_parse_jobs(const char *s);

#endif
