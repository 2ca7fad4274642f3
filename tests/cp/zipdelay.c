/* zipdelay.c - LD_PRELOAD for jaliend in cp.zip (RELIABILITY finding 23): holds
 * libXrdCl's thread in the window where 5.5.3 crashed the daemon, so a test sees
 * it every time instead of 1 run in 25 under load.
 *
 * libXrdCl inflates a ZIP member's bytes (ZipCache::Decompress) on one of its
 * threads, tells the copy the chunk is ready (a sem_post), then goes on with its
 * cache, which the copy may have deleted by then. A thread whose last zlib
 * inflate() call came from libXrdCl sleeps ZIPDELAY_MS after its next sem_post,
 * writing "delay" before and "woke" after into ZIPDELAY_LOG. Only in a process
 * named jaliend; the daemon's own inflate calls (xfer_zip.cc) are left alone. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h> /* program_invocation_short_name */
#include <fcntl.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static __thread int zipdelay_armed;

static int zipdelay_active(void)
{
	static int on = -1;

	if (on < 0)
		on = strcmp(program_invocation_short_name, "jaliend") == 0 &&
		     getenv("ZIPDELAY_MS") && getenv("ZIPDELAY_LOG");
	return on;
}

static void zipdelay_log(const char *what)
{
	int fd = open(getenv("ZIPDELAY_LOG"), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd >= 0) {
		ssize_t n = write(fd, what, strlen(what));

		(void)n;
		close(fd);
	}
}

int inflate(z_streamp s, int flush)
{
	static int (*real)(z_streamp, int);
	Dl_info caller;

	if (!real)
		real = (int (*)(z_streamp, int))dlsym(RTLD_NEXT, "inflate");
	if (zipdelay_active() && dladdr(__builtin_return_address(0), &caller) && caller.dli_fname &&
	    strstr(caller.dli_fname, "libXrdCl"))
		zipdelay_armed = 1;
	return real(s, flush);
}

int sem_post(sem_t *sem)
{
	static int (*real)(sem_t *);
	int rc;

	if (!real)
		real = (int (*)(sem_t *))dlsym(RTLD_NEXT, "sem_post");
	rc = real(sem);
	if (zipdelay_armed) {
		long ms = atol(getenv("ZIPDELAY_MS"));
		struct timespec t = { ms / 1000, ms % 1000 * 1000000L };

		zipdelay_armed = 0;
		zipdelay_log("delay\n");
		nanosleep(&t, NULL);
		zipdelay_log("woke\n");
	}
	return rc;
}
