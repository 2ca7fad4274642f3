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

struct batch_job {
	pid_t pid;      /* 0 once it ended */
	int out, err;   /* memfds holding its stdout and stderr */
	int status;     /* exit code once ended */
	long lineno;
};

struct batch {
	const char *prog;
	int jobs, json;
	struct batch_job *win; /* ring of started, unprinted jobs */
	int cap, head, count, running;
	int first_fail;        /* exit code of the first failing command in input order */
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

/* Copy a memfd to fd (from its start), then close it. */
static void batch_drain(int mfd, int fd)
{
	char buf[65536];
	ssize_t n;

	if (lseek(mfd, 0, SEEK_SET) == 0)
		while ((n = read(mfd, buf, sizeof(buf))) > 0)
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(fd, buf + off, (size_t)(n - off));

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					goto out;
				off += w;
			}
out:
	close(mfd);
}

/* The child: run one chain with stdout/stderr into the job's memfds. */
static void batch_child(const struct batch *b, const struct batch_job *j, const char *line)
{
	struct exec x;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(j->out, STDOUT_FILENO) < 0 ||
	    dup2(j->err, STDERR_FILENO) < 0)
		_exit(1);
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
	j->out = memfd_open("alien-batch-out");
	j->err = memfd_open("alien-batch-err");
	if (j->out < 0 || j->err < 0) {
		fprintf(stderr, "%s: --jobs: cannot keep the output of line %ld: %s\n", b->prog, b->lineno,
			strerror(-(j->out < 0 ? j->out : j->err)));
		goto fail;
	}
	fflush(stdout);
	fflush(stderr);
	j->pid = fork();
	if (j->pid < 0) {
		fprintf(stderr, "%s: --jobs: cannot start line %ld: %s\n", b->prog, b->lineno, strerror(errno));
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

		batch_drain(j->out, STDOUT_FILENO);
		batch_drain(j->err, STDERR_FILENO);
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

	b.cap = jobs * BATCH_WINDOW_PER_JOB;
	b.win = calloc((size_t)b.cap, sizeof(*b.win));
	if (!b.win) {
		fprintf(stderr, "%s: --jobs: out of memory\n", prog);
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
				fprintf(stderr, "%s: line %ld: %zd bytes, over the %u-byte limit; not run\n", prog,
					b.lineno, n, LINE_MAX_BYTES);
				if (!b.first_fail)
					b.first_fail = ALIEN_EXIT_USAGE;
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
