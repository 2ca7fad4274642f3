/* autostart.c - see autostart.h. */
#include "autostart.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "proc.h"
#include "sockpath.h"

#define AUTOSTART_ERR_MAX 8192 /* bytes of a failed start's stderr that are shown */
#define AUTOSTART_WAIT_MS 5000 /* give up on a daemon that does not listen by then */

static void autostart_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* out = dir + suffix if that is an executable file. */
static int autostart_try(char *out, size_t n, const char *dir, const char *suffix)
{
	int w = snprintf(out, n, "%s%s", dir, suffix);

	return w > 0 && (size_t)w < n && access(out, X_OK) == 0;
}

/* The daemon program to start. */
static void autostart_program(char *out, size_t n)
{
	const char *env = getenv("JALIEND_PROGRAM");
	char self[PATH_MAX], *slash;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return;
	}
	if (proc_self_exe(self, sizeof(self)) > 0) {
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (autostart_try(out, n, self, "/jaliend") ||
			    autostart_try(out, n, self, "/../daemon/jaliend")) /* a build tree */
				return;
		}
	}
	snprintf(out, n, "jaliend");
}

/* Start the daemon; it detaches once it listens. Returns its exit status.
 * Its stderr until then goes to a pipe: on success its start-up lines are
 * not shown (stderr is the command's; they are in its log), on failure
 * they are the reason and go to ours (at most AUTOSTART_ERR_MAX bytes). */
static int autostart_spawn(void)
{
	char prog[PATH_MAX], buf[AUTOSTART_ERR_MAX];
	int p[2], st;
	ssize_t got = 0, n;
	pid_t pid;

	autostart_program(prog, sizeof(prog));
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		dup2(p[1], STDERR_FILENO);
		execlp(prog, "jaliend", (char *)NULL);
		fprintf(stderr, "alien: cannot start %s: %s\n", prog, strerror(errno));
		_exit(JD_EXIT_NOTFOUND);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	/* read while the starting process lives (the detached daemon's stderr
	 * becomes its log file, but nothing here waits for that) */
	for (int done = 0;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		pid_t w;

		poll(&pf, 1, 50);
		while ((n = read(p[0], got < (ssize_t)sizeof(buf) ? buf + got : prog,
				 got < (ssize_t)sizeof(buf) ? sizeof(buf) - (size_t)got
							    : sizeof(prog))) > 0)
			/* beyond the cap: read and dropped */
			got += got < (ssize_t)sizeof(buf) ? n : 0;
		if (done)
			break;
		w = waitpid(pid, &st, WNOHANG);
		if (w < 0 && errno != EINTR) {
			close(p[0]);
			return -errno;
		}
		done = w == pid; /* one more read for its last lines */
	}
	close(p[0]);
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	if (st != 0 && got > 0 && write(STDERR_FILENO, buf, (size_t)got) < 0)
		st = st ? st : 1;
	return st;
}

/* The socket folder as tmux checks it; made (0700) first if missing and we
 * may start the daemon. 0, or -errno with the reason in why. */
static int autostart_check_dir(const char *sock, const char *dir, int may_create, char *why,
			       size_t n)
{
	int r = sockpath_check_dir(dir, why, n);

	if (r == -ENOENT && may_create) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(why, n, "cannot create socket folder %s: %s", dir,
				 strerror(errno));
			return -errno;
		}
		r = sockpath_check_dir(dir, why, n); /* whoever made it, it must pass */
	}
	if (r == -ENOENT) {
		why[0] = '\0'; /* nothing there: the caller's "is jaliend running?" */
		return -ENOENT;
	}
	if (r < 0) {
		char reason[400];

		snprintf(reason, sizeof(reason), "%s", why);
		snprintf(why, n, "refusing to use %s: %s", sock, reason);
	}
	return r;
}

/* Connect while nobody is there yet: ENOENT / ECONNREFUSED. */
static int autostart_absent(int fd)
{
	return fd == -ENOENT || fd == -ECONNREFUSED;
}

int autostart_connect(const char *sock, char *why, size_t n)
{
	const char *env = getenv("JALIEND_AUTOSTART");
	int may_start = !(env && strcmp(env, "0") == 0);
	char dir[512], lock[600];
	int fd, lfd, st;
	long waited = 0, step = 5;

	why[0] = '\0';
	if (sockpath_dir(sock, dir, sizeof(dir)) < 0) {
		snprintf(why, n, "socket path %s has no folder part", sock);
		return -EINVAL;
	}
	if ((fd = autostart_check_dir(sock, dir, may_start, why, n)) < 0)
		return fd;
	fd = conn_open(sock, why, n);
	if (fd >= 0 || !autostart_absent(fd) || !may_start)
		return fd;
	snprintf(lock, sizeof(lock), "%s.start", sock);
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lfd < 0)
		return fd;
	if (flock(lfd, LOCK_EX) < 0) {
		close(lfd);
		return fd;
	}
	fd = conn_open(sock, why, n); /* someone may have started it while we waited */
	if (autostart_absent(fd)) {
		st = autostart_spawn();
		if (st == 0) {
			while (autostart_absent(fd = conn_open(sock, why, n)) &&
			       waited < AUTOSTART_WAIT_MS) {
				autostart_sleep_ms(step);
				waited += step;
				step = step * 2 > 500 ? 500 : step * 2;
			}
		}
	}
	close(lfd); /* releases the lock */
	return fd;
}
