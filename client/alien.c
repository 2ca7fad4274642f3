/* alien.c - the multi-call shim: alien <cmd> [args], alien-<cmd>, alien_<cmd>.
 *
 * It turns its arguments into alien.py's command text (alienpy-behaviour.md
 * 1.1, 1.2), runs each command of the chain through jaliend over one local
 * connection (exec.c, rpc.c), and exits with the last exit code. With no
 * arguments it is the interactive shell on a terminal (shell.c), or reads
 * commands from stdin; a script file argument is run as a chain (when it
 * is named as a path, or is the user's own and not a command name).
 * Links libc and cJSON only (libedit is dlopen'ed by the shell). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "complete.h"
#include "conn.h"
#include "envfwd.h"
#include "exec.h"
#include "line.h"
#include "proc.h"
#include "shell.h"
#include "version.h"

static const char *alien_prog = "alien";

/* 2: the name has _json (results only), 1: _json_all (the whole reply) */
static int alien_name_json;

/* "alien-ls" -> "ls", "alien_ls" -> "ls", "alien" -> NULL; "alien_json",
 * "alien_json_all" (and "alien_json_ls", "alien_json_all_ls"): JSON output. */
static const char *alien_verb_from_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	alien_prog = base;
	if (strncmp(base, "alien_json", 10) == 0 && (base[10] == '\0' || base[10] == '_')) {
		base += 10;
		alien_name_json = 2;
		if (strncmp(base, "_all", 4) == 0 && (base[4] == '\0' || base[4] == '_')) {
			base += 4;
			alien_name_json = 1;
		}
		return base[0] == '_' && base[1] ? base + 1 : NULL;
	}
	if (strncmp(base, "alien", 5) == 0 && (base[5] == '-' || base[5] == '_') && base[6])
		return base + 6;
	return NULL;
}

/* alien --direct ...: the one-shot client beside this binary. */
static int alien_direct(char **argv)
{
	char self[PATH_MAX], *slash;
	int n = proc_self_exe(self, sizeof(self) - 32);

	if (n <= 0) {
		fprintf(stderr, "%s: --direct: cannot find my own location: %s\n", alien_prog,
			strerror(-n));
		return JD_EXIT_NOTFOUND;
	}
	slash = strrchr(self, '/');
	strcpy(slash ? slash + 1 : self, "alien-direct");
	argv[0] = "alien-direct";
	execv(self, argv);
	fprintf(stderr, "%s: --direct needs %s: %s\n", alien_prog, self, strerror(errno));
	return JD_EXIT_NOTFOUND;
}

/* Read a whole local file (at most LINE_MAX_BYTES); NULL with errno. */
static char *alien_slurp(FILE *f)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t got = fread(buf + len, 1, cap - len - 1, f);

		len += got;
		if (got == 0)
			break;
		if (len + 1 >= cap) {
			char *nb = cap > LINE_MAX_BYTES ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				errno = cap > LINE_MAX_BYTES ? EFBIG : ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Script lines starting with `#` are comments (alien.py would run them
 * as unknown commands); blank them before the chain is split. */
static void alien_drop_comments(char *s)
{
	for (char *line = s; line && *line;) {
		char *p = line, *nl = strchr(line, '\n');

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#')
			memset(p, ' ', nl ? (size_t)(nl - p) : strlen(p));
		line = nl ? nl + 1 : NULL;
	}
}

/* alien.py's batch mode: a script file given as the only argument, already
 * open (alien_script_open). */
static int alien_script(struct exec *x, int fd, const char *path)
{
	FILE *f = fdopen(fd, "r");
	char *text = f ? alien_slurp(f) : NULL;

	if (!text) {
		int e = errno;

		fprintf(stderr, "%s: cannot read script %s: %s\n", alien_prog, path,
			e == EFBIG ? "over the 1 MiB limit" : strerror(e));
		if (f)
			fclose(f);
		else
			close(fd);
		return e == EFBIG ? JD_EXIT_USAGE : 1;
	}
	fclose(f);
	alien_drop_comments(text);
	exec_chain(x, text);
	free(text);
	return x->last;
}

/* Commands on a stdin that is not a terminal: one chain per line, no prompts. */
static int alien_stdin(struct exec *x)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (!x->exit_requested && (n = getline(&line, &cap, stdin)) >= 0) {
		if ((size_t)n > LINE_MAX_BYTES) {
			fprintf(stderr, "%s: input line of %zd bytes is over the %u-byte limit\n",
				alien_prog, n, LINE_MAX_BYTES);
			x->last = JD_EXIT_USAGE;
			continue;
		}
		alien_drop_comments(line);
		exec_chain(x, line);
	}
	free(line);
	return x->last;
}

/* alien --complete command|path WORD: candidates, one a line (bash completion). */
static int alien_complete(struct exec *x, int argc, char **argv)
{
	char **cands;
	int rc;

	if (argc != 4 || (strcmp(argv[2], "command") && strcmp(argv[2], "path"))) {
		fprintf(stderr, "%s: usage: alien --complete command|path WORD\n", alien_prog);
		return JD_EXIT_USAGE;
	}
	rc = complete_query(&x->rpc, argv[2], argv[3], &cands);
	for (char **c = cands; c && *c; c++)
		puts(*c);
	line_free(cands);
	return rc;
}

/* alien --jobs N [FILE]: a parallel batch (batch.h). */
static int alien_batch(int argc, char **argv)
{
	int jobs = argc > 2 ? batch_parse_jobs(argv[2]) : -1, rc;
	FILE *in = stdin;

	if (jobs < 0 || argc > 4) {
		fprintf(stderr,
			"%s: usage: alien --jobs N [FILE] (N from 1 to %d; commands from FILE or "
			"stdin)\n",
			alien_prog, BATCH_JOBS_MAX);
		return JD_EXIT_USAGE;
	}
	if (argc == 4 && strcmp(argv[3], "-") != 0 && !(in = fopen(argv[3], "re"))) {
		fprintf(stderr, "%s: --jobs: cannot read %s: %s\n", alien_prog, argv[3],
			strerror(errno));
		return 1;
	}
	rc = batch_run(alien_prog, jobs, in, envfwd_json());
	if (in != stdin)
		fclose(in);
	return rc;
}

static int alien_is_help_flag(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--h") == 0 || strcmp(a, "-help") == 0 ||
	       strcmp(a, "--help") == 0;
}

/* 1 if name is one of jaliend's commands (the server's or its own). */
static int alien_is_command(struct exec *x, const char *name)
{
	char **cands;
	int hit = 0;

	if (complete_query(&x->rpc, "command", name, &cands) == 0)
		for (char **c = cands; c && *c && !hit; c++)
			hit = strcmp(*c, name) == 0;
	line_free(cands);
	return hit;
}

/* Is the only argument a script to run (alien.py's batch mode)? A file
 * never shadows a command name, and a file someone else could have put or
 * changed is not run unless the user named it as a path (issue 26, item 1).
 * Returns an open descriptor of the script, ALIEN_SCRIPT_NONE (a command:
 * send it), or ALIEN_SCRIPT_REFUSED (one line said why). */
#define ALIEN_SCRIPT_NONE (-1)
#define ALIEN_SCRIPT_REFUSED (-2)
static int alien_script_open(struct exec *x, const char *arg)
{
	int as_path = strchr(arg, '/') != NULL, fd;
	struct stat st;
	const char *why = NULL;

	/* no symbolic link followed for a bare name; never blocks on a FIFO */
	fd = open(arg, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (as_path ? 0 : O_NOFOLLOW));
	if (fd < 0 && !as_path && errno == ELOOP && !alien_is_command(x, arg)) {
		fprintf(stderr,
			"%s: %s here is a symbolic link; not run as a script (name it ./%s to run "
			"it)\n",
			alien_prog, arg, arg);
		return ALIEN_SCRIPT_REFUSED;
	}
	if (fd < 0)
		return ALIEN_SCRIPT_NONE;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (!as_path && alien_is_command(x, arg))) {
		close(fd);
		return ALIEN_SCRIPT_NONE;
	}
	if (!as_path && st.st_uid != geteuid())
		why = "is owned by another user";
	else if (!as_path && (st.st_mode & (S_IWGRP | S_IWOTH)))
		why = st.st_mode & S_IWOTH ? "is writable by others" : "is writable by its group";
	if (why) {
		close(fd);
		fprintf(stderr,
			"%s: the file %s in this folder %s; not run as a script (name it ./%s to "
			"run it)\n",
			alien_prog, arg, why, arg);
		return ALIEN_SCRIPT_REFUSED;
	}
	if (fcntl(fd, F_SETFL, 0) < 0) { /* blocking reads from here */
		close(fd);
		return ALIEN_SCRIPT_NONE;
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *verb = alien_verb_from_name(argc ? argv[0] : "alien");
	struct exec x;
	char **args, *text;
	int n = 0;

	if (argc > 1 && strcmp(argv[1], "--direct") == 0)
		return alien_direct(argv + 1);
	if (!verb && argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("alien (jaliend) %s\n", JALIEND_VERSION);
		return 0;
	}
	if (!verb && argc > 1 && (strcmp(argv[1], "-j") == 0 || strcmp(argv[1], "--jobs") == 0))
		return alien_batch(argc, argv);
	exec_init(&x, alien_prog);
	if (argc > 1 && strcmp(argv[1], "--complete") == 0)
		return alien_complete(&x, argc, argv);
	x.json = alien_name_json ? alien_name_json : envfwd_json();
	/* args = [verb] + argv[1..] minus -json, -debug, -debugfile F (alien.py 1.1) */
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args)
		return 1;
	if (verb)
		args[n++] = (char *)verb;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-json") == 0)
			x.json = x.json ? x.json : 1;
		else if (strcmp(argv[i], "-debug") == 0)
			continue;
		else if (strcmp(argv[i], "-debugfile") == 0 && i + 1 < argc)
			i++;
		else
			args[n++] = argv[i];
	}
	if (n == 0 && argc > 1) {
		free(args);
		fprintf(stderr,
			"%s: no command given, only options (usage: alien <command> "
			"[arguments...])\n",
			alien_prog);
		return JD_EXIT_USAGE;
	}
	if (n == 0) {
		free(args);
		n = isatty(STDIN_FILENO) ? shell_run(&x) : alien_stdin(&x);
		exec_fini(&x);
		return n;
	}
	if (!verb && alien_is_help_flag(args[0]))
		args[0] = "help";
	if (!verb && n == 1) {
		const char *path = args[0];
		int fd = alien_script_open(&x, path);

		if (fd != ALIEN_SCRIPT_NONE) {
			free(args);
			n = fd == ALIEN_SCRIPT_REFUSED ? JD_EXIT_REFUSED
						       : alien_script(&x, fd, path);
			exec_fini(&x);
			return n;
		}
	}
	if (n == 1) {
		text = strdup(args[0]);
		if (text)
			line_unquote_outer(text);
	} else {
		text = line_join(args, n);
	}
	free(args);
	if (!text)
		return 1;
	exec_chain(&x, text);
	free(text);
	exec_fini(&x);
	return x.last;
}
