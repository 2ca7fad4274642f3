/* memfd.h - an anonymous file in memory, gone when its last fd closes.
 * Linux: memfd_create(2); elsewhere an unlinked mkstemp file in $TMPDIR. */
#ifndef JALIEND_MEMFD_H
#define JALIEND_MEMFD_H

/* A new anonymous read-write file (close-on-exec), named name where the system
 * shows names: its fd, or -errno. */
int memfd_open(const char *name);

#endif
