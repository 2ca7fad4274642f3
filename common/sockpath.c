/* sockpath.c - resolve the daemon socket path (see sockpath.h). */
#include "sockpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int sockpath_fits(const char *p)
{
	struct sockaddr_un sun;

	return strlen(p) < sizeof(sun.sun_path) ? 0 : -ENAMETOOLONG;
}

int sockpath_resolve(char *out, size_t n)
{
	const char *env = getenv("JALIEND_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int w;

	if (env && *env)
		w = snprintf(out, n, "%s", env);
	else if (xdg && xdg[0] == '/')
		w = snprintf(out, n, "%s/jaliend/%s", xdg, SOCKPATH_NAME);
	else
		w = snprintf(out, n, "/tmp/jaliend-%u/%s", (unsigned)getuid(), SOCKPATH_NAME);
	if (w < 0 || (size_t)w >= n)
		return -ENAMETOOLONG;
	return sockpath_fits(out);
}

int sockpath_dir(const char *sock, char *out, size_t n)
{
	const char *slash = strrchr(sock, '/');
	size_t len;

	if (!slash)
		return -EINVAL;
	len = slash == sock ? 1 : (size_t)(slash - sock);
	if (len >= n)
		return -ENAMETOOLONG;
	memcpy(out, sock, len);
	out[len] = '\0';
	return 0;
}

int sockpath_check_dir(const char *dir, char *why, size_t n)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		int e = errno;

		snprintf(why, n, "socket folder %s: %s", dir, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, n, "socket folder %s is not a folder (a symlink?)", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != getuid() || (st.st_mode & 077)) {
		snprintf(why, n,
			 "socket folder %s has owner uid %u and mode %04o; it must be owned by uid "
			 "%u "
			 "with mode 0700",
			 dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			 (unsigned)getuid());
		return -EPERM;
	}
	return 0;
}
