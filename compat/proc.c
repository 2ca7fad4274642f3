/* proc.c - see proc.h. Linux reads /proc; a port adds its own branch here
 * (sysctl KERN_PROC_PATHNAME on FreeBSD, proc_pidpath on macOS). */
#include "proc.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__

int proc_self_exe(char *buf, size_t n)
{
	ssize_t len;

	if (n < 2)
		return -ENAMETOOLONG;
	len = readlink("/proc/self/exe", buf, n - 1);
	if (len < 0)
		return -errno;
	if ((size_t)len >= n - 1) /* readlink truncates silently */
		return -ENAMETOOLONG;
	buf[len] = '\0';
	return (int)len;
}

/* /proc/PID belongs to the process's uid (its real one, as kill(2) checks) */
int proc_owner(pid_t pid, uid_t *uid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%ld", (long)pid);
	if (stat(path, &st) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	*uid = st.st_uid;
	return 0;
}

#else /* no /proc: callers fall back (PATH for the program, "not taken") */

int proc_self_exe(char *buf, size_t n)
{
	(void)buf;
	(void)n;
	return -ENOSYS;
}

int proc_owner(pid_t pid, uid_t *uid)
{
	(void)pid;
	(void)uid;
	return -ENOSYS;
}

#endif
