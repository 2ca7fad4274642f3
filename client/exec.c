/* exec.c - see exec.h. */
#include "exec.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checkaddr.h"
#include "cmdtab.h"
#include "conn.h"
#include "gridfile.h"
#include "line.h"

/* The shim's column of common/cmdtab.def: a handler (argv, argc, the fd its
 * output goes to) returns an exit code, or EXEC_PASS: jaliend answers. The
 * rows of cat, less, edit, run ... name gridfile_run (gridfile.h). */
#define EXEC_PASS (-1)
typedef int (*exec_shim_fn)(struct exec *x, char **argv, int argc, int out);
static int exec_exit(struct exec *x, char **argv, int argc, int out);
static int exec_exitcode(struct exec *x, char **argv, int argc, int out);
static int exec_time(struct exec *x, char **argv, int argc, int out);
static int exec_checkaddr(struct exec *x, char **argv, int argc, int out);

static const exec_shim_fn exec_shims[] = {
#define CMDTAB(names, where, policy, flags, up, run, shim, help) shim,
#include "cmdtab.def"
#undef CMDTAB
};

/* row's shim handler, or NULL */
static exec_shim_fn exec_shim(int row)
{
	return row < 0 ? NULL : exec_shims[row];
}

void exec_init(struct exec *x, const char *prog)
{
	memset(x, 0, sizeof(*x));
	x->prog = prog;
	rpc_init(&x->rpc, prog);
}

int exec_spawn(struct exec *x, char *const *argv, char *const *alt, int in_fd, int out_fd)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: cannot start %s: %s\n", x->prog, argv[0], strerror(errno));
		return 1;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if ((in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0) ||
		    (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0))
			_exit(JD_EXIT_NOEXEC);
		execvp(argv[0], argv);
		if (errno == ENOENT && alt)
			execvp(alt[0], alt);
		fprintf(stderr, "%s: cannot run %s: %s\n", x->prog, argv[0], strerror(errno));
		_exit(errno == ENOENT ? JD_EXIT_NOTFOUND : JD_EXIT_NOEXEC);
	}
	sigaction(SIGINT, &ign, &old); /* the child gets Ctrl-C, we wait for it */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old, NULL);
	if (WIFSIGNALED(status)) {
		if (x->interactive && WTERMSIG(status) == SIGINT)
			fputc('\n', stdout); /* the prompt starts on a line of its own */
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

int exec_shell(struct exec *x, const char *cmd, int in_fd)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };

	return exec_spawn(x, argv, NULL, in_fd, -1);
}

/* `exit [code [stderr|err] message...]` (alien.py 1.5): the chain stops. */
static int exec_exit(struct exec *x, char **argv, int argc, int out)
{
	int i = 2, to_err;

	(void)out;
	if (argc > 1)
		x->last = atoi(argv[1]) & 0xff;
	if (argc > 2 && (strcmp(argv[2], "stderr") == 0 || strcmp(argv[2], "err") == 0))
		i = 3;
	to_err = i == 3 || x->last != 0;
	for (int j = i; j < argc; j++)
		fprintf(to_err ? stderr : stdout, "%s%s", argv[j], j + 1 < argc ? " " : "\n");
	x->exit_requested = 1;
	return x->last;
}

/* exitcode, $?: this process's own last code; before its first command the
 * terminal's, from jaliend. */
static int exec_exitcode(struct exec *x, char **argv, int argc, int out)
{
	(void)argv, (void)argc, (void)out;
	if (!x->ran)
		return EXEC_PASS;
	printf("%d\n", x->last);
	return 0;
}

/* time CMD ...: exec_segment runs CMD timed; alone or with -h jaliend
 * prints alien.py's usage. */
static int exec_time(struct exec *x, char **argv, int argc, int out)
{
	(void)x, (void)argv, (void)argc, (void)out;
	return EXEC_PASS;
}

/* the user's network, not jaliend's */
static int exec_checkaddr(struct exec *x, char **argv, int argc, int out)
{
	(void)x;
	return checkaddr_run(argv, argc, out);
}

static double exec_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One command for jaliend; its output to stdout, or through shcmd. */
static int exec_remote(struct exec *x, char **argv, int argc, int timed, const char *shcmd)
{
	struct rpc_sink out = { .fd = STDOUT_FILENO };
	FILE *tmp = NULL;
	double t0 = exec_now_ms();
	exec_shim_fn shim = exec_shim(cmdtab_find(argv[0]));
	int code = EXEC_PASS;

	if (shcmd) {
		tmp = tmpfile();
		if (!tmp) {
			fprintf(stderr, "%s: no temporary file for the pipe: %s\n", x->prog,
				strerror(errno));
			return 1;
		}
		out.fd = fileno(tmp);
	}
	if (shim)
		code = shim(x, argv, argc, out.fd);
	if (code == EXEC_PASS)
		code = rpc_request(&x->rpc, argv, argc, x->json, NULL, &out);
	if (timed && code == 0) {
		char line[80];
		int n = snprintf(line, sizeof(line), ">>>ProcessInput time: %.3f ms\n",
				 exec_now_ms() - t0);

		fflush(stdout);
		if (write(out.fd, line, (size_t)n) < 0)
			code = 1;
	}
	if (tmp) {
		/* alien.py: the shell part runs only after a success with output */
		if (code == 0 && lseek(out.fd, 0, SEEK_END) > 0 && lseek(out.fd, 0, SEEK_SET) == 0)
			code = exec_shell(x, shcmd, out.fd);
		fclose(tmp);
	}
	return code;
}

void exec_fini(struct exec *x)
{
	for (int i = 0; i < x->nalias; i++) {
		free(x->alias_name[i]);
		free(x->alias_value[i]);
	}
	x->nalias = 0;
	rpc_close(&x->rpc);
}

/* ~/.alienpy_aliases: `name=value` lines, `#` starts a comment, the value's
 * surrounding double quotes go (alien.py 1.4). */
static void exec_load_aliases(struct exec *x)
{
	const char *home = getenv("HOME");
	char path[4096], line[EXEC_ALIAS_LINE_MAX];
	FILE *f;

	x->aliases_loaded = 1;
	if (!home || snprintf(path, sizeof(path), "%s/.alienpy_aliases", home) >= (int)sizeof(path))
		return;
	f = fopen(path, "r");
	while (f && x->nalias < EXEC_ALIAS_MAX && fgets(line, sizeof(line), f)) {
		char *eq, *name = line, *val, *end;

		line[strcspn(line, "#\n")] = '\0';
		if (!(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		val = eq + 1;
		while (*name == ' ' || *name == '\t')
			name++;
		for (end = eq; end > name && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		while (*val == ' ' || *val == '\t')
			val++;
		for (end = val + strlen(val);
		     end > val && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r');)
			*--end = '\0';
		if (*val == '"' && end - val >= 2 && end[-1] == '"') {
			end[-1] = '\0';
			val++;
		}
		if (!*name || strpbrk(name, " \t") || !*val)
			continue;
		x->alias_name[x->nalias] = strdup(name);
		x->alias_value[x->nalias] = strdup(val);
		if (x->alias_name[x->nalias] && x->alias_value[x->nalias])
			x->nalias++;
	}
	if (f)
		fclose(f);
}

static int exec_segment(char *seg, void *ctx);

/* An alias as the first word: run its value (which may be a chain) with the
 * rest of the segment appended. Unlike alien.py only a whole first word is
 * replaced, never a piece of another word. Returns 1 if it was an alias. */
static int exec_alias(struct exec *x, const char *seg)
{
	size_t wl = strcspn(seg, " \t");

	if (!x->aliases_loaded)
		exec_load_aliases(x);
	if (x->alias_depth)
		return 0; /* no alias inside an alias */
	for (int i = 0; i < x->nalias; i++) {
		char *text;

		if (strlen(x->alias_name[i]) != wl || strncmp(seg, x->alias_name[i], wl) != 0)
			continue;
		text = malloc(strlen(x->alias_value[i]) + strlen(seg + wl) + 1);
		if (!text)
			return 0;
		strcpy(stpcpy(text, x->alias_value[i]), seg + wl);
		x->alias_depth++;
		line_split_chain(text, exec_segment, x);
		x->alias_depth--;
		free(text);
		return 1;
	}
	return 0;
}

static int exec_segment(char *seg, void *ctx)
{
	struct exec *x = ctx;
	char *pipe, *shcmd = NULL, **argv = NULL, **args;
	int argc, timed = 0, row;

	if (exec_alias(x, seg))
		return x->exit_requested;

	/* `!cmd` or `sh: cmd`: the local shell */
	if (seg[0] == '!' || strncmp(seg, "sh:", 3) == 0) {
		x->last = exec_shell(x, seg + (seg[0] == '!' ? 1 : 3), -1);
		x->ran = 1;
		return 0;
	}
	if ((pipe = line_find_pipe(seg))) {
		*pipe = '\0';
		shcmd = pipe + 3;
	}
	argc = line_tokenize(seg, &argv);
	if (argc == -EINVAL) {
		char shown[256];

		fprintf(stderr, "%s: unbalanced quotes in: %s\n", x->prog,
			line_escape(seg, shown, sizeof(shown)));
		x->last = JD_EXIT_USAGE;
		x->ran = 1;
		return 0;
	}
	if (argc > 0)
		argc = line_resplit(&argv, argc);
	if (argc < 0) {
		fprintf(stderr, "%s: %s\n", x->prog, exitcode_meaning(JD_EXIT_NOMEM));
		x->last = 1;
		return 1;
	}
	args = argv;
	row = argc > 0 ? cmdtab_find(args[0]) : -1;
	if (argc > 1 && exec_shim(row) == exec_time && strcmp(args[1], "-h") &&
	    strcmp(args[1], "-help") &&
	    strcmp(args[1], "--help")) { /* `time -h`: jaliend prints alien.py's help */
		timed = 1;
		args++, argc--;
		row = cmdtab_find(args[0]);
	}
	if (argc == 0) {
		line_free(argv);
		return 0;
	}
	/* exit, exitcode: before the pipe and the timing, and not a command run */
	if (row >= 0 && (cmdtab_rows[row].flags & CMDTAB_NOW) &&
	    exec_shim(row)(x, args, argc, STDOUT_FILENO) != EXEC_PASS) {
		line_free(argv);
		return x->exit_requested;
	}
	x->last = args[0] ? exec_remote(x, args, argc, timed, shcmd) : 1;
	x->ran = 1;
	line_free(argv);
	fflush(stdout);
	return 0;
}

int exec_chain(struct exec *x, const char *text)
{
	if (strlen(text) > LINE_MAX_BYTES) {
		fprintf(stderr, "%s: command text of %zu bytes is over the %u-byte limit\n",
			x->prog, strlen(text), LINE_MAX_BYTES);
		x->last = JD_EXIT_USAGE;
		return x->last;
	}
	if (line_split_chain(text, exec_segment, x) == -ENOMEM) {
		fprintf(stderr, "%s: %s\n", x->prog, exitcode_meaning(JD_EXIT_NOMEM));
		x->last = 1;
	}
	return x->last;
}
