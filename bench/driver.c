/* driver.c - run a command many times and report its latency.
 *
 *   driver [-n RUNS] [-k WORKERS] [-w WARMUP] [-s SESSION] [-x CODE] [-t SECONDS] [-p NAME] [-j]
 *          -- command [args...]
 *
 * Each of WORKERS processes (default 1) runs the command RUNS times in a row
 * (fork, exec, wait4), stdout and stderr to /dev/null, and records each
 * latency with CLOCK_MONOTONIC and each child's peak RSS (ru_maxrss).
 * -s SESSION gives worker i ALIEN_SESSION=SESSION-i (a terminal of its own).
 * -w runs WARMUP unrecorded commands per worker first. A run counts as
 * failed when its exit status is not CODE (default 0). -t stops starting
 * runs after SECONDS (a time budget); NAME_runs then tells how many ran.
 *
 * Output, one line: NAME_runs=.. NAME_fail=.. NAME_median=.. NAME_p10=..
 * NAME_p90=.. NAME_min=.. NAME_max=.. NAME_mean=.. NAME_wall=.. NAME_rate=..
 * NAME_rss_kb=.. (milliseconds; rate in commands per second; for `eval` in
 * sh), or with -j the same as one JSON object.
 *
 * Caps: RUNS x WORKERS <= DRIVER_SAMPLES_MAX; WORKERS <= DRIVER_WORKERS_MAX. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DRIVER_SAMPLES_MAX 1000000
#define DRIVER_WORKERS_MAX 256

struct driver_sample {
	double ms;
	long rss_kb;
	int ok;
	int ran;
};

static double driver_deadline; /* monotonic ms; 0: none */

static double driver_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One run; returns 0 and fills s, or -errno when fork fails. */
static int driver_run_once(char **cmd, const char *session, int expect, struct driver_sample *s)
{
	struct rusage ru;
	double t0 = driver_now_ms();
	int st = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (session)
			setenv("ALIEN_SESSION", session, 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -errno;
	s->ms = driver_now_ms() - t0;
	s->ran = 1;
	s->rss_kb = ru.ru_maxrss;
	s->ok = WIFEXITED(st) && WEXITSTATUS(st) == expect;
	return 0;
}

static void driver_worker(char **cmd, const char *prefix, int idx, int runs, int warmup, int expect,
			  struct driver_sample *out)
{
	char session[128];
	struct driver_sample junk;

	if (prefix)
		snprintf(session, sizeof(session), "%s-%d", prefix, idx);
	for (int i = 0; i < warmup; i++)
		driver_run_once(cmd, prefix ? session : NULL, expect, &junk);
	for (int i = 0; i < runs && !(driver_deadline > 0 && driver_now_ms() >= driver_deadline);
	     i++)
		if (driver_run_once(cmd, prefix ? session : NULL, expect, &out[i]) < 0)
			out[i] = (struct driver_sample){ .ran = 1 }; /* fork failed: a failed run */
}

static int driver_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of sorted v (nearest rank, interpolated). */
static double driver_quantile(const double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

static void driver_report(const char *name, int json, size_t total, size_t nfail, const double *ms,
			  size_t n, double sum, double wall, long rss)
{
	const char *keys[] = { "median", "p10", "p90", "min", "max", "mean", "wall", "rate" };
	double vals[] = { driver_quantile(ms, n, 0.5),
			  driver_quantile(ms, n, 0.1),
			  driver_quantile(ms, n, 0.9),
			  ms[0],
			  ms[n - 1],
			  sum / (double)n,
			  wall,
			  (double)total * 1e3 / wall };

	if (json)
		printf("{\"name\":\"%s\",\"runs\":%zu,\"fail\":%zu", name, total, nfail);
	else
		printf("%s_runs=%zu %s_fail=%zu", name, total, name, nfail);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (json)
			printf(",\"%s\":%.3f", keys[k], vals[k]);
		else
			printf(" %s_%s=%.3f", name, keys[k], vals[k]);
	}
	if (json)
		printf(",\"rss_kb\":%ld}\n", rss);
	else
		printf(" %s_rss_kb=%ld\n", name, rss);
}

static int driver_usage(void)
{
	fputs("usage: driver [-n RUNS] [-k WORKERS] [-w WARMUP] [-s SESSION] [-x CODE] [-t "
	      "SECONDS] [-p NAME] [-j] -- command [args...]\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *name = "run", *session = NULL;
	int runs = 100, workers = 1, warmup = 0, expect = 0, json = 0, c;
	struct driver_sample *samples;
	double *ok_ms, wall, sum = 0;
	size_t total, nok = 0, nfail;
	long rss = 0;
	double budget = 0;

	while ((c = getopt(argc, argv, "n:k:w:s:x:t:p:j")) != -1) {
		switch (c) {
		case 'n': runs = atoi(optarg); break;
		case 'k': workers = atoi(optarg); break;
		case 'w': warmup = atoi(optarg); break;
		case 's': session = optarg; break;
		case 'x': expect = atoi(optarg); break;
		case 't': budget = atof(optarg); break;
		case 'p': name = optarg; break;
		case 'j': json = 1; break;
		default: return driver_usage();
		}
	}
	if (optind >= argc || runs < 1 || workers < 1 || workers > DRIVER_WORKERS_MAX ||
	    warmup < 0 || (long)runs * workers > DRIVER_SAMPLES_MAX)
		return driver_usage();
	total = (size_t)runs * (size_t)workers;
	samples = mmap(NULL, total * sizeof(*samples), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ok_ms = malloc(total * sizeof(*ok_ms));
	if (samples == MAP_FAILED || !ok_ms) {
		fprintf(stderr, "driver: out of memory for %zu samples\n", total);
		return 1;
	}

	wall = driver_now_ms();
	if (budget > 0)
		driver_deadline = wall + budget * 1e3;
	if (workers == 1) {
		driver_worker(argv + optind, session, 0, runs, warmup, expect, samples);
	} else {
		for (int w = 0; w < workers; w++) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("driver: fork");
				return 1;
			}
			if (pid == 0) {
				driver_worker(argv + optind, session, w, runs, warmup, expect,
					      samples + (size_t)w * runs);
				_exit(0);
			}
		}
		while (wait(NULL) > 0 || errno == EINTR)
			;
	}
	wall = driver_now_ms() - wall;

	for (size_t i = 0, n = total; i < n; i++) {
		if (!samples[i].ran) { /* not started: the time budget ran out */
			total--;
			continue;
		}
		if (samples[i].rss_kb > rss)
			rss = samples[i].rss_kb;
		if (samples[i].ok) {
			ok_ms[nok++] = samples[i].ms;
			sum += samples[i].ms;
		}
	}
	nfail = total - nok;
	if (!nok) {
		fprintf(stderr, "driver: all %zu runs of %s failed (expected exit %d)\n", total,
			argv[optind], expect);
		ok_ms[nok++] = 0;
	}
	qsort(ok_ms, nok, sizeof(*ok_ms), driver_cmp);
	driver_report(name, json, total, nfail, ok_ms, nok, sum, wall, rss);
	return 0;
}
