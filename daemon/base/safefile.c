/* safefile.c - see safefile.h. */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* fd opened with O_NONBLOCK: kept if it is a regular file (blocking again), else closed */
static int safefile_regular(int fd, struct stat *st)
{
	int fl;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int safefile_create(const char *path)
{
	struct stat st;

	return safefile_regular(
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0666),
		&st);
}

int safefile_open(const char *path, int flags, struct stat *st)
{
	struct stat own;

	if (!st)
		st = &own;
	return safefile_regular(open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
						   (flags & SAFEFILE_FOLLOW ? 0 : O_NOFOLLOW)),
				st);
}

FILE *safefile_fopen(const char *path, int flags)
{
	int fd = safefile_open(path, flags, NULL);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	if (!(f = fdopen(fd, "re"))) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

int safefile_read(const char *path, int flags, size_t max, char **out, size_t *len)
{
	struct stat st;
	size_t n = 0;
	int fd = safefile_open(path, flags, &st), r = 0;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return fd;
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	if (!(*out = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -ENOMEM;
	}
	while (n < (size_t)st.st_size) { /* a file that grows meanwhile is cut at its size then */
		ssize_t k = read(fd, *out + n, (size_t)st.st_size - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			r = -errno;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (r < 0) {
		free(*out);
		*out = NULL;
		return r;
	}
	(*out)[n] = '\0';
	*len = n;
	return 0;
}

const char *safefile_strerror(int r)
{
	if (r == -ELOOP)
		return "a symbolic link (not followed)";
	if (r == -EINVAL)
		return "not a regular file (a FIFO, a device or a folder)";
	if (r == -EFBIG)
		return "too big";
	return strerror(-r);
}
