/* batch.c - see batch.h. */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"
#include "exec.h"
#include "line.h"
#include "memfd.h"
#include "rpc.h"

struct batch_job {
	pid_t pid;    /* 0 once it ended */
	int out, err; /* memfds holding its stdout and stderr */
	int status;   /* exit code once ended */
	long lineno;
};

struct batch {
	const char *prog;
	int jobs, json;
	char session[LIM_SESSION_KEY_MAX]; /* the terminal's: each line's starts as a copy */
	off_t held_cap;	       /* bytes of stdout, and of stderr, one line may hold (batch.h) */
	struct batch_job *win; /* ring of started, unprinted jobs */
	int cap, head, count, running;
	int first_fail; /* exit code of the first failing command in input order */
	long lineno;
};

int batch_parse_jobs(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < 1 || n > BATCH_JOBS_MAX)
		return -1;
	return (int)n;
}

/* Skip blank lines and comments; strip the newline. 1 if line is a command. */
static int batch_is_command(char *line)
{
	size_t n = strlen(line);
	const char *p = line;

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	return *p && *p != '#';
}

/* Copy what was written to a memfd (up to its offset) to fd, then close it.
 * Returns 1 if the writer reached the memfd's size (cap): it lost the rest. */
static int batch_drain(int mfd, int fd, off_t cap)
{
	char buf[65536];
	off_t left = lseek(mfd, 0, SEEK_CUR);
	int full = left >= cap;
	ssize_t n;

	if (left > 0 && lseek(mfd, 0, SEEK_SET) == 0)
		while (left > 0 &&
		       (n = read(mfd, buf,
				 (size_t)(left < (off_t)sizeof(buf) ? left : (off_t)sizeof(buf)))) >
			       0) {
			left -= n;
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(fd, buf + off, (size_t)(n - off));

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					goto out;
				off += w;
			}
		}
out:
	close(mfd);
	return full;
}

/* The child's own grid session, a copy of the terminal's made by jaliend at
 * its first request: a `cd` on one line moves neither the others nor the
 * terminal (issue 26, item 6). */
static void batch_session(const struct batch *b, const struct batch_job *j)
{
	char key[LIM_SESSION_KEY_MAX], tail[48];
	int keep;

	snprintf(tail, sizeof(tail), "~j%ld.%ld", j->lineno, (long)getpid());
	keep = (int)(sizeof(key) - 1 - strlen(tail));
	if (keep > (int)strlen(b->session))
		keep = (int)strlen(b->session);
	while (keep > 0 && ((unsigned char)b->session[keep] & 0xc0) == 0x80)
		keep--; /* not inside a UTF-8 sequence */
	snprintf(key, sizeof(key), "%.*s%s", keep, b->session, tail);
	if (setenv("ALIEN_SESSION_FROM", b->session, 1) < 0 || setenv("ALIEN_SESSION", key, 1) < 0)
		_exit(1);
}

/* The child: run one chain with stdout/stderr into the job's memfds. */
static void batch_child(const struct batch *b, const struct batch_job *j, const char *line)
{
	struct exec x;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(j->out, STDOUT_FILENO) < 0 ||
	    dup2(j->err, STDERR_FILENO) < 0)
		_exit(1);
	batch_session(b, j);
	exec_init(&x, b->prog);
	x.json = b->json;
	exec_chain(&x, line);
	fflush(stdout);
	fflush(stderr);
	_exit(x.last & 0xff);
}

static int batch_start(struct batch *b, const char *line)
{
	struct batch_job *j = &b->win[(b->head + b->count) % b->cap];

	memset(j, 0, sizeof(*j));
	j->lineno = b->lineno;
	j->out = memfd_open_capped("alien-batch-out", b->held_cap);
	j->err = j->out < 0 ? -1 : memfd_open_capped("alien-batch-err", b->held_cap);
	if (j->out < 0 || j->err < 0) {
		fprintf(stderr, "%s: --jobs: cannot keep the output of line %ld: %s\n", b->prog,
			b->lineno, strerror(-(j->out < 0 ? j->out : j->err)));
		goto fail;
	}
	fflush(stdout);
	fflush(stderr);
	j->pid = fork();
	if (j->pid < 0) {
		fprintf(stderr, "%s: --jobs: cannot start line %ld: %s\n", b->prog, b->lineno,
			strerror(errno));
		goto fail;
	}
	if (j->pid == 0)
		batch_child(b, j, line);
	b->count++;
	b->running++;
	return 0;
fail:
	if (j->out >= 0)
		close(j->out);
	if (j->err >= 0)
		close(j->err);
	return -1;
}

/* Wait for one child to end and record its status. */
static void batch_reap(struct batch *b)
{
	int st;
	pid_t pid;

	do
		pid = waitpid(-1, &st, 0);
	while (pid < 0 && errno == EINTR);
	if (pid <= 0) {
		b->running = 0; /* none left: cannot happen while running > 0 */
		return;
	}
	for (int i = 0; i < b->count; i++) {
		struct batch_job *j = &b->win[(b->head + i) % b->cap];

		if (j->pid != pid)
			continue;
		j->pid = 0;
		j->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		b->running--;
		return;
	}
}

/* Print every ended job at the head of the window, in order. */
static void batch_flush(struct batch *b)
{
	while (b->count && b->win[b->head].pid == 0) {
		struct batch_job *j = &b->win[b->head];

		int full = batch_drain(j->out, STDOUT_FILENO, b->held_cap);

		full |= batch_drain(j->err, STDERR_FILENO, b->held_cap);
		if (full) {
			fprintf(stderr,
				"%s: --jobs: line %ld wrote over the %lld MiB an output may hold "
				"while it waits "
				"its turn (-j %d); the rest was lost\n",
				b->prog, j->lineno, (long long)b->held_cap >> 20, b->jobs);
			fflush(stderr);
			if (!j->status)
				j->status = 1;
		}
		if (j->status && !b->first_fail)
			b->first_fail = j->status;
		b->head = (b->head + 1) % b->cap;
		b->count--;
	}
}

int batch_run(const char *prog, int jobs, FILE *in, int json)
{
	struct batch b = { .prog = prog, .jobs = jobs, .json = json };
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	int eof = 0;

	rpc_session_key(b.session, sizeof(b.session));
	b.cap = jobs * BATCH_WINDOW_PER_JOB;
	b.held_cap = (off_t)(BATCH_HELD_MAX / (2u * (unsigned)b.cap));
	b.win = calloc((size_t)b.cap, sizeof(*b.win));
	if (!b.win) {
		fprintf(stderr, "%s: --jobs: %s\n", prog, exitcode_meaning(JD_EXIT_NOMEM));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	while (!eof || b.count) {
		while (!eof && b.running < jobs && b.count < b.cap) {
			if ((n = getline(&line, &lcap, in)) < 0) {
				eof = 1;
				break;
			}
			b.lineno++;
			if ((size_t)n > LINE_MAX_BYTES) {
				fprintf(stderr,
					"%s: line %ld: %zd bytes, over the %u-byte limit; not "
					"run\n",
					prog, b.lineno, n, LINE_MAX_BYTES);
				if (!b.first_fail)
					b.first_fail = JD_EXIT_USAGE;
				continue;
			}
			if (batch_is_command(line) && batch_start(&b, line) < 0) {
				if (!b.first_fail)
					b.first_fail = 1;
				eof = 1; /* cannot start more: finish what runs */
			}
		}
		if (b.running)
			batch_reap(&b);
		batch_flush(&b);
		if (!b.running && b.count) /* cannot happen: every job in the window ran */
			break;
	}
	free(line);
	free(b.win);
	return b.first_fail;
}
