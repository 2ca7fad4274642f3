/* gridfile.c - see gridfile.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "gridfile.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "complete.h"
#include "conn.h"
#include "line.h"

#define GRIDFILE_IO_CHUNK (64u << 10)  /* bytes copied to stdout per write */
#define GRIDFILE_RMDIR_TRIES 8         /* removal tries (naps of 10 ms doubling, 1.3 s in all) */
#define GRIDFILE_GRACE_TRIES 4         /* checks for a folder made again after a cancel (20 ms doubling) */
#define GRIDFILE_EXIT_USAGE 64         /* alien.py's code for a bad edit specification (EX_USAGE) */

struct gridfile {
	struct exec *x;
	const char *verb;
	int out;                          /* where stdout output goes */
	char dir[PATH_MAX];               /* the private folder, "" before the first download */
	char *path[GRIDFILE_LFNS_MAX];    /* the downloaded files, in order */
	int n;
	int cancelled;                    /* a download was cancelled: jaliend may still touch the folder */
	struct sigaction old[3];          /* what SIGINT, SIGTERM, SIGHUP did before */
	int mine[3];                      /* 1 where our handler is installed */
};

static const int gridfile_signals[3] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t gridfile_sig; /* the signal that asks us to stop, 0 none */

static void gridfile_on_signal(int sig)
{
	gridfile_sig = sig;
	rpc_interrupted = 1; /* a download in flight is cancelled (CANCEL frame) */
}

/* Our handler where the default (ending the process) would leave the
 * temporary folder behind; the interactive shell's own SIGINT handler is
 * kept (it sets rpc_interrupted too). No SA_RESTART: waits see EINTR. */
static void gridfile_signals_on(struct gridfile *g)
{
	struct sigaction sa = { .sa_handler = gridfile_on_signal };

	sigemptyset(&sa.sa_mask);
	gridfile_sig = 0;
	for (int i = 0; i < 3; i++) {
		sigaction(gridfile_signals[i], NULL, &g->old[i]);
		g->mine[i] = g->old[i].sa_handler == SIG_DFL;
		if (g->mine[i])
			sigaction(gridfile_signals[i], &sa, NULL);
	}
}

static void gridfile_signals_off(struct gridfile *g)
{
	for (int i = 0; i < 3; i++)
		if (g->mine[i])
			sigaction(gridfile_signals[i], &g->old[i], NULL);
}

static int gridfile_stopped(void)
{
	return gridfile_sig || rpc_interrupted;
}

static int gridfile_rm_cb(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	remove(p);
	return 0;
}

static void gridfile_nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Remove a folder and everything in it; a copy being cancelled may still
 * write its partial file there (jaliend removes it, asynchronously): retry
 * with a short doubling backoff. 0 or -errno. */
static int gridfile_rmtree(const char *dir)
{
	for (int t = 0;; t++) {
		nftw(dir, gridfile_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (t + 1 == GRIDFILE_RMDIR_TRIES)
			return -errno;
		gridfile_nap(10L << t);
	}
}

/* Remove the private folder. After a cancel, a copy that had already
 * started may make the folder again (XrdCl's makeDir): look a few times. */
static void gridfile_cleanup(struct gridfile *g)
{
	struct stat st;
	int rc;

	for (int i = 0; i < g->n; i++)
		free(g->path[i]);
	g->n = 0;
	if (!g->dir[0])
		return;
	rc = gridfile_rmtree(g->dir);
	for (int t = 0; rc == 0 && g->cancelled && t < GRIDFILE_GRACE_TRIES; t++) {
		gridfile_nap(20L << t);
		if (stat(g->dir, &st) == 0)
			rc = gridfile_rmtree(g->dir);
	}
	if (rc < 0)
		fprintf(stderr, "%s: could not remove the temporary folder %s: %s\n", g->x->prog, g->dir,
			strerror(-rc));
	g->dir[0] = '\0';
}

static int gridfile_mkdir(struct gridfile *g)
{
	const char *tmp = getenv("TMPDIR");

	if (g->dir[0])
		return 0;
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	if (snprintf(g->dir, sizeof(g->dir), "%s/alien-%s.XXXXXX", tmp, g->verb) >= (int)sizeof(g->dir)) {
		g->dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(g->dir)) { /* mode 0700: only we read what is downloaded there */
		int e = errno;

		g->dir[0] = '\0';
		return -e;
	}
	return 0;
}

/* The file's name in the folder: the LFN's last component (without
 * @specs), so pagers and editors show it; prefixed by its number when two
 * LFNs share a name. */
static char *gridfile_local_name(struct gridfile *g, const char *lfn)
{
	const char *base = strrchr(lfn, '/');
	int len, num = 0;
	char *path;

	base = base ? base + 1 : lfn;
	if (strncmp(base, "alien:", 6) == 0)
		base += 6;
	len = (int)strcspn(base, "@");
	if (len == 0 || len > NAME_MAX - 8 || (len == 1 && base[0] == '.') ||
	    (len == 2 && base[0] == '.' && base[1] == '.'))
		base = "file", len = 4;
	for (int i = 0; i < g->n; i++) {
		const char *other = strrchr(g->path[i], '/') + 1;

		if ((int)strlen(other) == len && strncmp(other, base, (size_t)len) == 0)
			num = g->n + 1;
	}
	path = malloc(strlen(g->dir) + (size_t)len + 16);
	if (!path)
		return NULL;
	if (num)
		sprintf(path, "%s/%d-%.*s", g->dir, num, len, base);
	else
		sprintf(path, "%s/%.*s", g->dir, len, base);
	return path;
}

/* Print what a failed command said on stderr, without cp's summary line
 * (alien.py's temporary downloads are quiet apart from the errors). */
static int gridfile_print_errors(const struct rpc_sink *err)
{
	int printed = 0;

	for (const char *line = err->buf; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);

		if (strncmp(line, "Succesful jobs", 14) != 0 && strncmp(line, "Successful jobs", 15) != 0) {
			fwrite(line, 1, n, stderr);
			if (line[n - 1] != '\n')
				fputc('\n', stderr);
			printed = 1;
		}
		line += n;
	}
	return printed;
}

/* One command for jaliend with its output kept: stdout discarded, stderr
 * in *err (the caller frees err->buf). */
static int gridfile_quiet(struct gridfile *g, char **argv, int argc, int json, struct rpc_sink *out,
			  struct rpc_sink *err)
{
	*err = (struct rpc_sink){ .fd = -1, .capture = 1 };
	if (!out->capture)
		*out = (struct rpc_sink){ .fd = -1 };
	out->err = err;
	return rpc_request(&g->x->rpc, argv, argc, json, NULL, out);
}

/* Download lfn into the private folder: `cp <lfn> file:<path>` through
 * jaliend. 0, or the exit code to give (the errors are printed). */
static int gridfile_fetch(struct gridfile *g, const char *lfn)
{
	struct rpc_sink out = { .fd = -1 }, err = { .fd = -1 };
	char *argv[3], *dst = NULL, *path = NULL, **none = NULL;
	struct stat st;
	int rc;

	if (g->n >= GRIDFILE_LFNS_MAX) {
		fprintf(stderr, "%s: at most %d files at a time\n", g->x->prog, GRIDFILE_LFNS_MAX);
		return ALIEN_EXIT_USAGE;
	}
	rc = gridfile_mkdir(g);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot make a temporary folder in %s: %s\n", g->x->prog,
			getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(-rc));
		return 1;
	}
	path = gridfile_local_name(g, lfn);
	dst = path ? malloc(strlen(path) + 6) : NULL;
	if (!dst) {
		fprintf(stderr, "%s: out of memory\n", g->x->prog);
		rc = 1;
		goto out;
	}
	sprintf(dst, "file:%s", path);
	argv[0] = "cp", argv[1] = (char *)lfn, argv[2] = dst;
	rc = gridfile_quiet(g, argv, 3, 0, &out, &err);
	if (gridfile_stopped() || rc == 130) {
		/* one more round trip: jaliend has then handled the CANCEL, and its
		 * loop makes no folder for this download any more */
		g->cancelled = 1;
		complete_query(&g->x->rpc, "command", "-", &none);
		line_free(none);
		rc = 130;
	} else if (rc == ALIEN_EXIT_NOCONN) {
		/* rpc said why */
	} else if (rc != 0) {
		if (!gridfile_print_errors(&err))
			fprintf(stderr, "Could not download %s\n", lfn);
		rc = 1; /* alien.py's code for a failed temporary download */
	} else {
		g->path[g->n++] = path; /* removed with the folder */
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			fprintf(stderr, "%s: %s is not a file\n", g->verb, lfn);
			rc = 1;
		}
		path = NULL;
	}
out:
	free(err.buf);
	free(dst);
	free(path);
	return rc;
}

/* Copy a downloaded file to stdout. 0, -EPIPE (the reader went away),
 * -EINTR (stopped by a signal) or another -errno. */
static int gridfile_write_out(int out, const char *path)
{
	char *buf = malloc(GRIDFILE_IO_CHUNK);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || !buf) {
		rc = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, GRIDFILE_IO_CHUNK);
		char *p = buf;

		if (n < 0 && errno == EINTR && !gridfile_stopped())
			continue;
		if (n <= 0 || gridfile_stopped()) {
			rc = n < 0 ? -errno : gridfile_stopped() ? -EINTR : 0;
			break;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0 && errno == EINTR && !gridfile_stopped())
				continue;
			if (w < 0) {
				rc = gridfile_stopped() ? -EINTR : -errno;
				goto out;
			}
			p += w;
			n -= w;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static int gridfile_is_help(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "-help") == 0 || strcmp(a, "--help") == 0;
}

/* cat, less, more: options for the tool, every other argument an LFN. */
static int gridfile_view(struct gridfile *g, char **argv, int argc)
{
	char *tool[GRIDFILE_TOOL_ARGS_MAX + GRIDFILE_LFNS_MAX + 2], *alt[GRIDFILE_LFNS_MAX + 5];
	int ntool = 0, nopt = 0, rc = 0, pager = strcmp(g->verb, "cat") != 0;

	for (int i = 1; i < argc; i++)
		if (gridfile_is_help(argv[i]))
			argc = 1;
	if (argc == 1) {
		/* alien.py's words (it takes one LFN; these take options and several) */
		dprintf(g->out, "%s <LFN>\nDownload specified LFN as temporary and pass it to system %s command.\n",
			g->verb, g->verb);
		(void)pager;
		return 0;
	}
	tool[ntool++] = (char *)g->verb;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-force") == 0 || strcmp(argv[i], "-noout") == 0)
			continue; /* alien.py's own: we always download afresh, output is never held back */
		if ((argv[i][0] == '-' || argv[i][0] == '+') && argv[i][1]) {
			if (nopt == GRIDFILE_TOOL_ARGS_MAX) {
				fprintf(stderr, "%s: at most %d options\n", g->x->prog, GRIDFILE_TOOL_ARGS_MAX);
				return ALIEN_EXIT_USAGE;
			}
			tool[ntool++] = argv[i];
			nopt++;
			continue;
		}
		rc = gridfile_fetch(g, argv[i]);
		if (rc)
			return rc;
	}
	if (g->n == 0) {
		fprintf(stderr, "%s: no LFN given\n", g->verb);
		return ALIEN_EXIT_USAGE;
	}
	if (!pager && nopt == 0) {
		for (int i = 0; i < g->n; i++) {
			rc = gridfile_write_out(g->out, g->path[i]);
			if (rc == -EINTR)
				return 130;
			if (rc == -EPIPE)
				return 128 + SIGPIPE;
			if (rc < 0) {
				fprintf(stderr, "%s: writing %s: %s\n", g->x->prog, g->path[i], strerror(-rc));
				return 1;
			}
		}
		return 0;
	}
	/* a pager that is not installed: $PAGER, else the other one */
	alt[0] = "/bin/sh", alt[1] = "-c", alt[3] = "sh";
	alt[2] = getenv("PAGER") && *getenv("PAGER") ? "exec $PAGER \"$@\""
		 : strcmp(g->verb, "less") == 0 ? "exec more \"$@\"" : "exec less \"$@\"";
	for (int i = 0; i < g->n; i++)
		tool[ntool++] = alt[4 + i] = g->path[i];
	tool[ntool] = alt[4 + g->n] = NULL;
	return exec_spawn(g->x, tool, pager ? alt : NULL, -1, g->out);
}

/* FNV-1a over the file: tells whether the editor changed it. */
static int gridfile_digest(const char *path, uint64_t *h)
{
	unsigned char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	*h = 1469598103934665603ull;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		for (ssize_t i = 0; i < n; i++)
			*h = (*h ^ buf[i]) * 1099511628211ull;
	close(fd);
	return n < 0 ? -EIO : 0;
}

/* The replica count of lfn (`whereis`), 0 if unknown. */
static int gridfile_replicas(struct gridfile *g, const char *lfn)
{
	struct rpc_sink out = { .fd = -1, .capture = 1 }, err;
	char *argv[] = { "whereis", (char *)lfn };
	const cJSON *it;
	cJSON *o;
	int n = 0;

	if (gridfile_quiet(g, argv, 2, 1, &out, &err) == 0 && (o = cJSON_Parse(out.buf ? out.buf : ""))) {
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "results"))
			n += cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "pfn"));
		cJSON_Delete(o);
	}
	free(out.buf);
	free(err.buf);
	return n;
}

/* rm/mv on the grid, quiet unless it fails. */
static int gridfile_grid(struct gridfile *g, const char *verb, const char *a, const char *b, int show)
{
	struct rpc_sink out = { .fd = -1 }, err;
	char *argv[] = { (char *)verb, (char *)a, (char *)b };
	int rc = gridfile_quiet(g, argv, 3, 0, &out, &err);

	if (rc && show)
		gridfile_print_errors(&err);
	free(err.buf);
	return rc;
}

/* edit [-datebck] LFN[@specs] (and vi, vim, nano, mcedit): alien.py's DO_edit. */
static int gridfile_edit(struct gridfile *g, char **argv, int argc)
{
	const char *sh_cmd, *at, *editor = getenv("EDITOR");
	char *lfn = NULL, *backup = NULL, *up = NULL, *dst = NULL, specs[256] = "";
	int datebck = 0, rc = 1, seps = 0, reps;
	uint64_t before, after;
	char cmd[64], date[32];

	for (int i = 1; i < argc; i++) {
		if (gridfile_is_help(argv[i]))
			break;
		if (strcmp(argv[i], "-datebck") == 0)
			datebck = 1;
		else
			lfn = argv[i]; /* the last argument is the LFN */
	}
	if (!lfn) {
		dprintf(g->out, "Command format: edit lfn\nAfter editor termination the file will be uploaded if md5 differs\n"
		       "-datebck : the backup filename will be date based\n"
		       "N.B. EDITOR env var must be set or fallback will be mcedit (not checking if exists)\n");
		return 0;
	}
	for (const char *p = lfn; *p; p++)
		seps += *p == ',' || *p == '@';
	if (seps > 1) {
		fprintf(stderr, "At most one of >,< or >@< tokens used for copy specification can be present in the "
			"argument. The offender is: %s\n", lfn);
		return GRIDFILE_EXIT_USAGE;
	}
	lfn = strdup(lfn);
	if (!lfn)
		return 1;
	at = strpbrk(lfn, ",@");
	if (at) {
		snprintf(specs, sizeof(specs), "%s", at + 1);
		lfn[at - lfn] = '\0';
	}
	if (strcmp(g->verb, "edit") != 0) {
		snprintf(cmd, sizeof(cmd), "exec %s \"$@\"", g->verb);
		sh_cmd = cmd;
	} else if (editor && *editor) {
		sh_cmd = "exec $EDITOR \"$@\"";
	} else {
		dprintf(g->out, "EDITOR env variable not set, we will fallback to mcedit (no check if exists)\n");
		sh_cmd = "exec mcedit -u \"$@\"";
	}
	rc = gridfile_fetch(g, lfn);
	if (rc) {
		if (rc != 130)
			fprintf(stderr, "Error downloading %s, editing could not be done.\n", lfn);
		goto out;
	}
	if (gridfile_digest(g->path[0], &before) < 0) {
		rc = 1;
		goto out;
	}
	{
		char *ed[] = { "/bin/sh", "-c", (char *)sh_cmd, "sh", g->path[0], NULL };

		rc = exec_spawn(g->x, ed, NULL, -1, -1);
	}
	if (rc || gridfile_digest(g->path[0], &after) < 0 || after == before)
		goto out;
	/* changed: keep the old file as lfn~ (or lfn.YYYYmmdd_HHMMSS), upload the new one */
	reps = specs[0] ? 0 : gridfile_replicas(g, lfn);
	backup = malloc(strlen(lfn) + 32);
	up = malloc(strlen(lfn) + strlen(specs) + 32);
	dst = malloc(strlen(g->path[0]) + 8);
	if (!backup || !up || !dst) {
		rc = 1;
		goto out;
	}
	if (datebck) {
		time_t now = time(NULL);
		struct tm tm;

		strftime(date, sizeof(date), "%Y%m%d_%H%M%S", localtime_r(&now, &tm));
		sprintf(backup, "%s.%s", lfn, date);
	} else {
		sprintf(backup, "%s~", lfn);
		gridfile_grid(g, "rm", "-f", backup, 0);
	}
	if (gridfile_grid(g, "mv", lfn, backup, 1) != 0) {
		fprintf(stderr, "Error uploading %s\n", lfn);
		rc = 1;
		goto out;
	}
	if (specs[0])
		sprintf(up, "%s@%s", lfn, specs);
	else if (reps > 0)
		sprintf(up, "%s@disk:%d", lfn, reps);
	else
		strcpy(up, lfn);
	sprintf(dst, "file:%s", g->path[0]);
	{
		char *cp[] = { "cp", "-f", dst, up };
		struct rpc_sink out = { .fd = g->out };

		rc = rpc_request(&g->x->rpc, cp, 4, 0, NULL, &out);
	}
	if (rc == 0) {
		dprintf(g->out, "Uploaded %s\n", lfn);
	} else {
		gridfile_grid(g, "mv", backup, lfn, 1); /* put the old file back */
		fprintf(stderr, "Error uploading %s\n", lfn);
		rc = rc == 130 ? rc : 1;
	}
out:
	free(dst);
	free(up);
	free(backup);
	free(lfn);
	return rc;
}

/* run CMD [ARGS] LFN: CMD with the downloaded LFN as its last argument;
 * exec LFN [ARGS]: the downloaded LFN itself, made executable, with ARGS.
 * The output goes straight out (alien.py holds it until the end). */
static int gridfile_runexec(struct gridfile *g, char **argv, int argc)
{
	char *args[GRIDFILE_TOOL_ARGS_MAX + 2];
	int run = strcmp(g->verb, "run") == 0, n = 0, rc, lfn_at;

	for (int i = 1; i < argc; i++)
		if (gridfile_is_help(argv[i]))
			argc = 1;
	if (argc < (run ? 3 : 2)) {
		dprintf(g->out, "%s", run ? "Command format: shell_command arguments lfn\n" /* alien.py 1.7.0's */
			"N.B.!! the lfn must be the last element of the command!!\n"
			"N.B.! The output and error streams will be captured and printed at the end of execution!\n"
			"for working within application use <edit> or -noout argument\n"
			"additional arguments recognized independent of the shell command:\n"
			"-force : will re-download the lfn even if already present\n"
			"-noout : will not capture output, the actual application can be used\n"
			: "Command format: exec lfn list_of_arguments\n"
			"N.B.! The output and error streams will be captured and printed at the end of execution!\n"
			"for working within application use <edit>\n");
		return 0;
	}
	if (argc > GRIDFILE_TOOL_ARGS_MAX) {
		fprintf(stderr, "%s: at most %d arguments\n", g->verb, GRIDFILE_TOOL_ARGS_MAX);
		return ALIEN_EXIT_USAGE;
	}
	lfn_at = run ? argc - 1 : 1;
	rc = gridfile_fetch(g, argv[lfn_at]);
	if (rc)
		return rc;
	if (!run && chmod(g->path[0], 0700) < 0) {
		fprintf(stderr, "%s: cannot make %s executable: %s\n", g->verb, g->path[0], strerror(errno));
		return 1;
	}
	if (!run)
		args[n++] = g->path[0];
	for (int i = run ? 1 : 2; i < argc; i++) {
		if (i == lfn_at || strcmp(argv[i], "-force") == 0 || strcmp(argv[i], "-noout") == 0)
			continue;
		args[n++] = argv[i];
	}
	if (run)
		args[n++] = g->path[0];
	args[n] = NULL;
	return exec_spawn(g->x, args, NULL, -1, g->out);
}

int gridfile_run(struct exec *x, char **argv, int argc, int out)
{
	struct gridfile g = { .x = x, .verb = argv[0], .out = out };
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldpipe;
	int rc, sig;

	gridfile_signals_on(&g);
	sigaction(SIGPIPE, &ign, &oldpipe); /* a closed pipe is an error we see, after which we clean up */
	if (strcmp(g.verb, "cat") == 0 || strcmp(g.verb, "less") == 0 || strcmp(g.verb, "more") == 0)
		rc = gridfile_view(&g, argv, argc);
	else if (strcmp(g.verb, "run") == 0 || strcmp(g.verb, "exec") == 0)
		rc = gridfile_runexec(&g, argv, argc);
	else
		rc = gridfile_edit(&g, argv, argc);
	fflush(stdout);
	gridfile_cleanup(&g);
	sigaction(SIGPIPE, &oldpipe, NULL);
	gridfile_signals_off(&g);
	sig = gridfile_sig;
	gridfile_sig = 0;
	rpc_interrupted = 0;
	if (rc == 128 + SIGPIPE && !x->interactive)
		raise(SIGPIPE); /* as cat: the reader went away */
	if (sig && !x->interactive) {
		raise(sig); /* end as the signal asked, now that the files are gone */
		rc = 128 + sig;
	}
	return rc;
}
