/* memfd.h - an anonymous file in memory, gone when its last fd closes.
 * Linux: memfd_create(2); elsewhere an unlinked mkstemp file in $TMPDIR. */
#ifndef JALIEND_MEMFD_H
#define JALIEND_MEMFD_H

#include <sys/types.h>

/* A new anonymous read-write file (close-on-exec), named name where the system
 * shows names: its fd, or -errno. */
int memfd_open(const char *name);

/* As memfd_open, of size cap: on Linux sealed against growing and shrinking,
 * so a write past cap fails (EPERM) and pages exist only once written;
 * elsewhere a sparse file of that size that can still grow (its reader reads
 * at most cap bytes). Its fd, or -errno. */
int memfd_open_capped(const char *name, off_t cap);

#endif
