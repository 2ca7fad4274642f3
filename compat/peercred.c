/* peercred.c - see peercred.h. */
#include "peercred.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef SO_PEERCRED /* Linux (struct ucred needs _GNU_SOURCE, set by CMake) */

const char peercred_how[] = "SO_PEERCRED";

int peercred_get(int fd, uid_t *uid, pid_t *pid)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return -errno;
	*uid = uc.uid;
	*pid = uc.pid;
	return 0;
}

#else /* the BSDs, macOS: not built or tested here (docs/PLATFORMS.md) */

const char peercred_how[] = "getpeereid";

int peercred_get(int fd, uid_t *uid, pid_t *pid)
{
	gid_t gid;

	if (getpeereid(fd, uid, &gid) < 0)
		return -errno;
	*pid = -1;
	return 0;
}

#endif
