/* proc.h - what jaliend reads from /proc (Linux), behind two calls: the
 * running program's own path, and the owner of another process. */
#ifndef JALIEND_PROC_H
#define JALIEND_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* The absolute path of the running executable into buf (n bytes, NUL ended):
 * its length, or -errno (-ENOSYS where the system cannot tell; -ENAMETOOLONG
 * if it does not fit). */
int proc_self_exe(char *buf, size_t n);
/* The real uid of live process pid into *uid: 0, or -errno (-ESRCH: none). */
int proc_owner(pid_t pid, uid_t *uid);

#endif
