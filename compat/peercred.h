/* peercred.h - who is at the other end of a connected Unix socket.
 * Linux: SO_PEERCRED (uid and pid). Elsewhere getpeereid(3) (the BSDs,
 * macOS): the uid only, pid -1. */
#ifndef JALIEND_PEERCRED_H
#define JALIEND_PEERCRED_H

#include <sys/types.h>

/* The peer's uid and pid (-1 where the system cannot tell) of the Unix
 * stream socket fd: 0, or -errno with nothing set. */
int peercred_get(int fd, uid_t *uid, pid_t *pid);
/* The name of the call peercred_get uses, for error messages. */
extern const char peercred_how[];

#endif
