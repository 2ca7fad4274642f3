/* gridfetch.c - see gridfetch.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "gridfetch.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "complete.h"
#include "conn.h"
#include "line.h"

#define GRIDFETCH_RMDIR_TRIES 8 /* removal tries (naps of 10 ms doubling, 1.3 s in all) */
#define GRIDFETCH_GRACE_TRIES 4 /* looks for a folder made again after a cancel (20 ms doubling) */

static const int gridfetch_signals[3] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t gridfetch_sig; /* the signal that asks us to stop, 0 none */

static void gridfetch_on_signal(int sig)
{
	gridfetch_sig = sig;
	rpc_interrupted = 1; /* a download in flight is cancelled (CANCEL frame) */
}

/* Our handler where the default (ending the process) would leave the
 * temporary folder behind; the interactive shell's own SIGINT handler is
 * kept (it sets rpc_interrupted too). No SA_RESTART: waits see EINTR. */
void gridfetch_signals_on(struct gridfile *g)
{
	struct sigaction sa = { .sa_handler = gridfetch_on_signal };

	sigemptyset(&sa.sa_mask);
	gridfetch_sig = 0;
	for (int i = 0; i < 3; i++) {
		sigaction(gridfetch_signals[i], NULL, &g->old[i]);
		g->mine[i] = g->old[i].sa_handler == SIG_DFL;
		if (g->mine[i])
			sigaction(gridfetch_signals[i], &sa, NULL);
	}
}

int gridfetch_signals_off(struct gridfile *g)
{
	int sig = gridfetch_sig;

	for (int i = 0; i < 3; i++)
		if (g->mine[i])
			sigaction(gridfetch_signals[i], &g->old[i], NULL);
	gridfetch_sig = 0;
	rpc_interrupted = 0;
	return sig;
}

int gridfetch_stopped(void)
{
	return gridfetch_sig || rpc_interrupted;
}

static int gridfetch_rm_cb(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	remove(p);
	return 0;
}

static void gridfetch_nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Remove a folder and everything in it; a copy being cancelled may still
 * write its partial file there (jaliend removes it, asynchronously): retry
 * with a short doubling backoff. 0 or -errno. */
static int gridfetch_rmtree(const char *dir)
{
	for (int t = 0;; t++) {
		nftw(dir, gridfetch_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (t + 1 == GRIDFETCH_RMDIR_TRIES)
			return -errno;
		gridfetch_nap(10L << t);
	}
}

/* Remove the private folder. After a cancel, a copy that had already
 * started may make the folder again (XrdCl's makeDir): look a few times. */
void gridfetch_cleanup(struct gridfile *g)
{
	struct stat st;
	int rc;

	for (int i = 0; i < g->n; i++)
		free(g->path[i]);
	g->n = 0;
	if (!g->dir[0])
		return;
	rc = gridfetch_rmtree(g->dir);
	for (int t = 0; rc == 0 && g->cancelled && t < GRIDFETCH_GRACE_TRIES; t++) {
		gridfetch_nap(20L << t);
		if (stat(g->dir, &st) == 0)
			rc = gridfetch_rmtree(g->dir);
	}
	if (rc < 0)
		fprintf(stderr, "%s: could not remove the temporary folder %s: %s\n", g->x->prog,
			g->dir, strerror(-rc));
	g->dir[0] = '\0';
}

static int gridfetch_mkdir(struct gridfile *g)
{
	const char *tmp = getenv("TMPDIR");

	if (g->dir[0])
		return 0;
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	if (snprintf(g->dir, sizeof(g->dir), "%s/alien-%s.XXXXXX", tmp, g->verb) >=
	    (int)sizeof(g->dir)) {
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
static char *gridfetch_local_name(struct gridfile *g, const char *lfn)
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
int gridfetch_print_errors(const struct rpc_sink *err)
{
	int printed = 0;

	for (const char *line = err->buf; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);

		if (strncmp(line, "Succesful jobs", 14) != 0 &&
		    strncmp(line, "Successful jobs", 15) != 0) {
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
int gridfetch_quiet(struct gridfile *g, char **argv, int argc, int json, struct rpc_sink *out,
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
int gridfetch_get(struct gridfile *g, const char *lfn)
{
	struct rpc_sink out = { .fd = -1 }, err = { .fd = -1 };
	char *argv[3], *dst = NULL, *path = NULL, **none = NULL;
	struct stat st;
	int rc;

	if (g->n >= GRIDFILE_LFNS_MAX) {
		fprintf(stderr, "%s: at most %d files at a time\n", g->x->prog, GRIDFILE_LFNS_MAX);
		return JD_EXIT_USAGE;
	}
	rc = gridfetch_mkdir(g);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot make a temporary folder in %s: %s\n", g->x->prog,
			getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(-rc));
		return 1;
	}
	path = gridfetch_local_name(g, lfn);
	dst = path ? malloc(strlen(path) + 6) : NULL;
	if (!dst) {
		fprintf(stderr, "%s: %s\n", g->x->prog, exitcode_meaning(JD_EXIT_NOMEM));
		rc = 1;
		goto out;
	}
	sprintf(dst, "file:%s", path);
	argv[0] = "cp", argv[1] = (char *)lfn, argv[2] = dst;
	rc = gridfetch_quiet(g, argv, 3, 0, &out, &err);
	if (gridfetch_stopped() || rc == JD_EXIT_INTERRUPTED) {
		/* one more round trip: jaliend has then handled the CANCEL, and its
		 * loop makes no folder for this download any more */
		g->cancelled = 1;
		complete_query(&g->x->rpc, "command", "-", &none);
		line_free(none);
		rc = JD_EXIT_INTERRUPTED;
	} else if (rc == JD_EXIT_NOCONN) {
		/* rpc said why */
	} else if (rc != 0) {
		if (!gridfetch_print_errors(&err))
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
