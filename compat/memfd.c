/* memfd.c - see memfd.h. */
#include "memfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* fd made to size cap, then sealed where seals exists; closed on failure */
static int memfd_size(int fd, off_t cap, int seal)
{
	int e = 0;

	if (fd < 0)
		return fd;
	if (ftruncate(fd, cap) < 0)
		e = errno;
#ifdef F_ADD_SEALS
	else if (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)
		e = errno;
#endif
	(void)seal;
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}

#ifdef MFD_CLOEXEC /* Linux, glibc 2.27+ (also FreeBSD 13+) */

int memfd_open(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int memfd_open_capped(const char *name, off_t cap)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	return memfd_size(fd < 0 ? -errno : fd, cap, 1);
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

int memfd_open_capped(const char *name, off_t cap)
{
	return memfd_size(memfd_open(name), cap, 0);
}

#endif
