/* gridfile.c - see gridfile.h; the downloads and the folder: gridfetch.c. */
#define _XOPEN_SOURCE 700 /* dprintf, localtime_r */
#include "gridfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "gridfetch.h"

#define GRIDFILE_IO_CHUNK (64u << 10) /* bytes copied to stdout per write */

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

		if (n < 0 && errno == EINTR && !gridfetch_stopped())
			continue;
		if (n <= 0 || gridfetch_stopped()) {
			rc = n < 0 ? -errno : gridfetch_stopped() ? -EINTR : 0;
			break;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0 && errno == EINTR && !gridfetch_stopped())
				continue;
			if (w < 0) {
				rc = gridfetch_stopped() ? -EINTR : -errno;
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
		dprintf(g->out,
			"%s <LFN>\nDownload specified LFN as temporary and pass it to system %s "
			"command.\n",
			g->verb, g->verb);
		(void)pager;
		return 0;
	}
	tool[ntool++] = (char *)g->verb;
	for (int i = 1; i < argc; i++) {
		/* alien.py's own: we always download afresh, output is never held back */
		if (strcmp(argv[i], "-force") == 0 || strcmp(argv[i], "-noout") == 0)
			continue;
		if ((argv[i][0] == '-' || argv[i][0] == '+') && argv[i][1]) {
			if (nopt == GRIDFILE_TOOL_ARGS_MAX) {
				fprintf(stderr, "%s: at most %d options\n", g->x->prog,
					GRIDFILE_TOOL_ARGS_MAX);
				return JD_EXIT_USAGE;
			}
			tool[ntool++] = argv[i];
			nopt++;
			continue;
		}
		rc = gridfetch_get(g, argv[i]);
		if (rc)
			return rc;
	}
	if (g->n == 0) {
		fprintf(stderr, "%s: no LFN given\n", g->verb);
		return JD_EXIT_USAGE;
	}
	if (!pager && nopt == 0) {
		for (int i = 0; i < g->n; i++) {
			rc = gridfile_write_out(g->out, g->path[i]);
			if (rc == -EINTR)
				return JD_EXIT_INTERRUPTED;
			if (rc == -EPIPE)
				return 128 + SIGPIPE;
			if (rc < 0) {
				fprintf(stderr, "%s: writing %s: %s\n", g->x->prog, g->path[i],
					strerror(-rc));
				return 1;
			}
		}
		return 0;
	}
	/* a pager that is not installed: $PAGER, else the other one */
	alt[0] = "/bin/sh", alt[1] = "-c", alt[3] = "sh";
	alt[2] = getenv("PAGER") && *getenv("PAGER") ? "exec $PAGER \"$@\""
		 : strcmp(g->verb, "less") == 0	     ? "exec more \"$@\""
						     : "exec less \"$@\"";
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

	if (gridfetch_quiet(g, argv, 2, 1, &out, &err) == 0 &&
	    (o = cJSON_Parse(out.buf ? out.buf : ""))) {
		cJSON_ArrayForEach (it, cJSON_GetObjectItemCaseSensitive(o, "results"))
			n += cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "pfn"));
		cJSON_Delete(o);
	}
	free(out.buf);
	free(err.buf);
	return n;
}

/* rm/mv on the grid, quiet unless it fails. */
static int gridfile_grid(struct gridfile *g, const char *verb, const char *a, const char *b,
			 int show)
{
	struct rpc_sink out = { .fd = -1 }, err;
	char *argv[] = { (char *)verb, (char *)a, (char *)b };
	int rc = gridfetch_quiet(g, argv, 3, 0, &out, &err);

	if (rc && show)
		gridfetch_print_errors(&err);
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
		dprintf(g->out, "Command format: edit lfn\nAfter editor termination the file will "
				"be uploaded if md5 differs\n"
				"-datebck : the backup filename will be date based\n"
				"N.B. EDITOR env var must be set or fallback will be mcedit (not "
				"checking if exists)\n");
		return 0;
	}
	for (const char *p = lfn; *p; p++)
		seps += *p == ',' || *p == '@';
	if (seps > 1) {
		fprintf(stderr,
			"At most one of >,< or >@< tokens used for copy specification can be "
			"present in the "
			"argument. The offender is: %s\n",
			lfn);
		return JD_EXIT_EDIT_USAGE;
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
		dprintf(g->out, "EDITOR env variable not set, we will fallback to mcedit (no check "
				"if exists)\n");
		sh_cmd = "exec mcedit -u \"$@\"";
	}
	rc = gridfetch_get(g, lfn);
	if (rc) {
		if (rc != JD_EXIT_INTERRUPTED)
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
		rc = rc == JD_EXIT_INTERRUPTED ? rc : 1;
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
		dprintf(g->out, "%s",
			run ? "Command format: shell_command arguments lfn\n" /* alien.py 1.7.0's */
			      "N.B.!! the lfn must be the last element of the command!!\n"
			      "N.B.! The output and error streams will be captured and printed at "
			      "the end of execution!\n"
			      "for working within application use <edit> or -noout argument\n"
			      "additional arguments recognized independent of the shell command:\n"
			      "-force : will re-download the lfn even if already present\n"
			      "-noout : will not capture output, the actual application can be "
			      "used\n"
			    : "Command format: exec lfn list_of_arguments\n"
			      "N.B.! The output and error streams will be captured and printed at "
			      "the end of execution!\n"
			      "for working within application use <edit>\n");
		return 0;
	}
	if (argc > GRIDFILE_TOOL_ARGS_MAX) {
		fprintf(stderr, "%s: at most %d arguments\n", g->verb, GRIDFILE_TOOL_ARGS_MAX);
		return JD_EXIT_USAGE;
	}
	lfn_at = run ? argc - 1 : 1;
	rc = gridfetch_get(g, argv[lfn_at]);
	if (rc)
		return rc;
	if (!run && chmod(g->path[0], 0700) < 0) {
		fprintf(stderr, "%s: cannot make %s executable: %s\n", g->verb, g->path[0],
			strerror(errno));
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

	gridfetch_signals_on(&g);
	sigaction(SIGPIPE, &ign,
		  &oldpipe); /* a closed pipe is an error we see, after which we clean up */
	if (strcmp(g.verb, "cat") == 0 || strcmp(g.verb, "less") == 0 ||
	    strcmp(g.verb, "more") == 0)
		rc = gridfile_view(&g, argv, argc);
	else if (strcmp(g.verb, "run") == 0 || strcmp(g.verb, "exec") == 0)
		rc = gridfile_runexec(&g, argv, argc);
	else
		rc = gridfile_edit(&g, argv, argc);
	fflush(stdout);
	gridfetch_cleanup(&g);
	sigaction(SIGPIPE, &oldpipe, NULL);
	sig = gridfetch_signals_off(&g);
	if (rc == 128 + SIGPIPE && !x->interactive)
		raise(SIGPIPE); /* as cat: the reader went away */
	if (sig && !x->interactive) {
		raise(sig); /* end as the signal asked, now that the files are gone */
		rc = 128 + sig;
	}
	return rc;
}
