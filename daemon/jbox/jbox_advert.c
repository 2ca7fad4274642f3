/* jbox_advert.c - see jbox_advert.h. */
#include "jbox_advert.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/safefile.h"
#include "log.h"
#include "proc.h"

#define JBOX_ADVERT_MAX 4096 /* bytes of the file we write or read */

static struct {
	char path[1024];
	int written; /* we made the file now at path */
} ja;

const char *jbox_advert_path(void)
{
	if (!ja.path[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(ja.path, sizeof(ja.path), "%s/jclient_token_%u",
			 tmp && *tmp ? tmp : "/tmp", (unsigned)getuid());
	}
	return ja.path;
}

/* JALIEN_PID of the file now at path, 0 if none or unreadable. */
static long jbox_advert_pid(void)
{
	char buf[JBOX_ADVERT_MAX + 1], *p;
	int fd = safefile_open(jbox_advert_path(), 0, NULL); /* never blocks on a planted FIFO */
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, JBOX_ADVERT_MAX);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "JALIEN_PID=", 11) == 0)
			return strtol(p + 11, NULL, 10);
	return 0;
}

/* Another live process of our uid advertises here. */
static int jbox_advert_taken(void)
{
	long pid = jbox_advert_pid();
	uid_t uid;

	if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) < 0)
		return 0;
	return proc_owner((pid_t)pid, &uid) == 0 && uid == getuid();
}

static int jbox_advert_write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EIO;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int jbox_advert_write(int port, const char *user, const char *home)
{
	char text[JBOX_ADVERT_MAX], tmp[1100];
	int n, fd, r = 0;

	if (!ja.written && jbox_advert_taken()) {
		log_warn("jbox: %s names another live process (pid %ld); not advertising this "
			 "endpoint",
			 jbox_advert_path(), jbox_advert_pid());
		return 1;
	}
	n = snprintf(text, sizeof(text),
		     "JALIEN_HOST=127.0.0.1\nJALIEN_WSPORT=%d\nJALIEN_PID=%ld\n%s%s%s%s%s%s", port,
		     (long)getpid(), user ? "JALIEN_USER=" : "", user ? user : "", user ? "\n" : "",
		     home ? "JALIEN_HOME=" : "", home ? home : "", home ? "\n" : "");
	if (n < 0 || (size_t)n >= sizeof(text))
		return -E2BIG;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", jbox_advert_path()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0)
		return -errno;
	r = jbox_advert_write_all(fd, text, (size_t)n);
	if (r == 0 && fchmod(fd, 0600) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, jbox_advert_path()) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		log_warn("jbox: cannot write %s: %s", jbox_advert_path(), strerror(-r));
		return r;
	}
	ja.written = 1;
	log_debug("jbox: wrote %s (port %d%s%s)", jbox_advert_path(), port, user ? ", user " : "",
		  user ? user : "");
	return 0;
}

void jbox_advert_remove(void)
{
	if (!ja.written)
		return;
	ja.written = 0;
	if (jbox_advert_pid() == (long)getpid() && unlink(jbox_advert_path()) == 0)
		log_info("jbox: removed %s", jbox_advert_path());
}
