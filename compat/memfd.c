/* memfd.c - see memfd.h. */
#include "memfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef MFD_CLOEXEC /* Linux, glibc 2.27+ (also FreeBSD 13+) */

int memfd_open(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

#else /* an unlinked temporary file: the same to its users */

int memfd_open(const char *name)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd, e;

	if (!dir || !*dir)
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/%s.XXXXXX", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	e = unlink(path) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ? errno : 0;
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}

#endif
