/* safefile.h - opening a file by a name another local user could have
 * planted (threat model, docs/RELIABILITY.md): in a shared /tmp or $TMPDIR a
 * FIFO at a token file's name would block open() and read() for good and
 * freeze the daemon's only loop; a device could be read without end; a
 * symbolic link could send us elsewhere. Every open by name of a file the
 * daemon reads goes through here: O_NONBLOCK (a FIFO never blocks the open),
 * fstat, regular files only, then O_NONBLOCK cleared. */
#ifndef JALIEND_SAFEFILE_H
#define JALIEND_SAFEFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* a symbolic link the user made is followed (a certificate they named); without it the last
 * component is never followed (-ELOOP) */
#define SAFEFILE_FOLLOW 1

/* Open path read-only. The descriptor (O_CLOEXEC, blocking again), its stat in
 * *st when st is not NULL; -errno, -EINVAL for what is not a regular file. */
int safefile_open(const char *path, int flags, struct stat *st);
/* Create or truncate path for writing (mode 0666 less the umask) the same way:
 * a FIFO or a device at that name is refused (-EINVAL), never waited for. */
int safefile_create(const char *path);
/* The same as a stdio stream (NULL with errno set). */
FILE *safefile_fopen(const char *path, int flags);
/* The whole file, at most max bytes (-EFBIG past it), NUL-terminated, in
 * *out (malloc'ed; the caller frees it); its length in *len. */
int safefile_read(const char *path, int flags, size_t max, char **out, size_t *len);
/* safefile's errors in words: "a symbolic link (not followed)", "not a
 * regular file (a FIFO, a device or a folder)", else strerror. */
const char *safefile_strerror(int r);

#endif
