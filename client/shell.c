/* shell.c - see shell.h.
 *
 * libedit is opened with dlopen only here, so `alien <cmd>` never loads it
 * and ldd of the shim stays libc + cJSON (docs/COMPAT.md says why). We use
 * its readline-compatible API through dlsym. Without libedit the shell
 * still works, with plain line input and no history or completion. */
#include "shell.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "complete.h"
#include "conn.h"
#include "envfwd.h"
#include "line.h"

#define SHELL_HISTORY_LOAD_MAX 10000 /* history lines loaded at start (the newest) */
#define SHELL_PROMPT_MAX (LIM_PATH_MAX + 4096 + 256) /* grid cwd, local cwd, the rest */

typedef char *rl_compentry_fn(const char *, int);
typedef char **rl_completion_fn(const char *, int, int);

static struct {
	void *lib;
	char *(*readline)(const char *);
	int (*add_history)(const char *);
	char **(*completion_matches)(const char *, rl_compentry_fn *);
	rl_completion_fn **attempted_completion_function;
	int *attempted_completion_over;
	char **line_buffer;
	char **word_break;
	int *append_character;
	int *catch_signals;
	int (**getc_function)(FILE *);
} rl;

static struct exec *sh_x;
static int shell_prompt_date, shell_prompt_pwd; /* `prompt date`, `prompt pwd` */
static volatile sig_atomic_t shell_sigint;
static char shell_hist_path[4096];
static char **shell_matches; /* candidates of the current Tab */
static size_t shell_match_i;

static void shell_on_sigint(int sig)
{
	(void)sig;
	shell_sigint = 1;
	rpc_interrupted = 1;
}

static int shell_load_libedit(void)
{
	rl.lib = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!rl.lib)
		return -ENOENT;
	*(void **)&rl.readline = dlsym(rl.lib, "readline");
	*(void **)&rl.add_history = dlsym(rl.lib, "add_history");
	*(void **)&rl.completion_matches = dlsym(rl.lib, "rl_completion_matches");
	rl.attempted_completion_function = dlsym(rl.lib, "rl_attempted_completion_function");
	rl.attempted_completion_over = dlsym(rl.lib, "rl_attempted_completion_over");
	rl.line_buffer = dlsym(rl.lib, "rl_line_buffer");
	rl.word_break = dlsym(rl.lib, "rl_completer_word_break_characters");
	rl.append_character = dlsym(rl.lib, "rl_completion_append_character");
	rl.catch_signals = dlsym(rl.lib, "rl_catch_signals");
	rl.getc_function = dlsym(rl.lib, "rl_getc_function");
	if (!rl.readline || !rl.add_history) {
		dlclose(rl.lib);
		memset(&rl, 0, sizeof(rl));
		return -ENOENT;
	}
	return 0;
}

/* Read one byte for libedit; Ctrl-C ends the line being typed (it is
 * then thrown away) instead of ending the shell. */
static int shell_getc(FILE *f)
{
	unsigned char c;

	for (;;) {
		ssize_t n = read(fileno(f), &c, 1);

		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR) {
			if (shell_sigint)
				return '\n';
			continue;
		}
		return EOF;
	}
}

/* The history file, in GNU readline's plain format (alien.py's), which
 * libedit's read_history does not accept: load it line by line. */
static void shell_history_load(void)
{
	const char *home = getenv("HOME");
	char *line = NULL, **ring;
	size_t cap = 0, n = 0;
	FILE *f;

	if (!home || !*home || getenv("ALIENPY_NO_HISTORY"))
		return;
	snprintf(shell_hist_path, sizeof(shell_hist_path), "%s/.alienpy_history", home);
	f = fopen(shell_hist_path, "r");
	ring = calloc(SHELL_HISTORY_LOAD_MAX, sizeof(*ring));
	if (!f || !ring) {
		if (f)
			fclose(f);
		free(ring);
		return;
	}
	for (ssize_t len; (len = getline(&line, &cap, f)) >= 0;) {
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len || strcmp(line, "_HiStOrY_V2_") == 0 || (size_t)len > LINE_MAX_BYTES)
			continue;
		free(ring[n % SHELL_HISTORY_LOAD_MAX]);
		ring[n % SHELL_HISTORY_LOAD_MAX] = strdup(line);
		n++;
	}
	for (size_t i = n > SHELL_HISTORY_LOAD_MAX ? n - SHELL_HISTORY_LOAD_MAX : 0; i < n; i++) {
		char *h = ring[i % SHELL_HISTORY_LOAD_MAX];

		if (h)
			rl.add_history(h);
		free(h);
	}
	free(ring);
	free(line);
	fclose(f);
}

static void shell_history_add(const char *line)
{
	FILE *f;

	if (!rl.readline || !shell_hist_path[0])
		return;
	rl.add_history(line);
	f = fopen(shell_hist_path, "a");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

static char *shell_next_match(const char *text, int state)
{
	(void)text;
	if (state == 0)
		shell_match_i = 0;
	if (!shell_matches || !shell_matches[shell_match_i])
		return NULL;
	/* a name the service sent: one word */
	return line_quote_word(shell_matches[shell_match_i++]);
}

static char **shell_complete(const char *text, int start, int end)
{
	(void)end;
	*rl.attempted_completion_over = 1; /* never libedit's local file names */
	line_free(shell_matches);
	shell_matches = NULL;
	if (complete_query(&sh_x->rpc, start == 0 ? "command" : "path", text, &shell_matches) < 0 ||
	    !shell_matches || !shell_matches[0])
		return NULL;
	/* a single directory (trailing /) goes on; anything else gets a space */
	*rl.append_character =
		shell_matches[1] == NULL && shell_matches[0][strlen(shell_matches[0]) - 1] == '/'
			? '\0'
			: ' ';
	return rl.completion_matches(text, shell_next_match);
}

static void shell_setup(void)
{
	if (shell_load_libedit() < 0)
		return;
	if (rl.catch_signals)
		*rl.catch_signals = 0;
	if (rl.getc_function)
		*rl.getc_function = shell_getc;
	if (rl.word_break)
		*rl.word_break = " ";
	if (rl.attempted_completion_function && rl.completion_matches &&
	    rl.attempted_completion_over && rl.append_character && !getenv("ALIENPY_NO_HISTORY"))
		*rl.attempted_completion_function = shell_complete;
	shell_history_load();
}

/* AliEn[user]:cwd >, with alien.py's optional date prefix and local cwd. */
static void shell_prompt(struct exec *x, char *out, size_t n)
{
	char date[32] = "", local[4096] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (shell_prompt_date && localtime_r(&now, &tm))
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S ", &tm);
	if (shell_prompt_pwd && getcwd(local + 7, sizeof(local) - 7))
		memcpy(local, " local:", 7);
	snprintf(out, n, "%sAliEn[%s]:%s%s >", date, x->rpc.user[0] ? x->rpc.user : "?",
		 x->rpc.cwd[0] ? x->rpc.cwd : "?", local);
}

/* `prompt date` / `prompt pwd` toggle the prompt's parts; 1 if it was one. */
static int shell_prompt_cmd(const char *line)
{
	char word[16], what[16], extra;
	int n = sscanf(line, " %15s %15s %c", word, what, &extra);

	if (n != 2 || strcmp(word, "prompt") != 0)
		return 0;
	if (strcmp(what, "date") == 0)
		shell_prompt_date = !shell_prompt_date;
	else if (strcmp(what, "pwd") == 0)
		shell_prompt_pwd = !shell_prompt_pwd;
	else
		return 0;
	return 1;
}

/* One line from the user, malloc'ed; NULL at end of input. */
static char *shell_read(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;

	if (rl.readline)
		return rl.readline(prompt);
	fputs(prompt, stdout);
	fflush(stdout);
	if (getline(&line, &cap, stdin) < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

int shell_run(struct exec *x)
{
	/* no SA_RESTART: reads see EINTR */
	struct sigaction sa = { .sa_handler = shell_on_sigint };
	char prompt[SHELL_PROMPT_MAX];
	char *argv[] = { "pwd", NULL };
	struct rpc_sink discard = { .fd = -1 };

	sh_x = x;
	x->interactive = 1;
	shell_prompt_date = getenv("ALIENPY_PROMPT_DATE") != NULL;
	shell_prompt_pwd = getenv("ALIENPY_PROMPT_CWD") != NULL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	/* connect first, and learn user and cwd for the prompt (as alien.py, fail fast);
	 * ALIENPY_NO_CWD_RESTORE: start in the home folder, not the terminal's cwd */
	if (envfwd_flag("ALIENPY_NO_CWD_RESTORE"))
		argv[0] = "cd";
	x->last = rpc_request(&x->rpc, argv, 1, 0, NULL, &discard);
	if (x->last == JD_EXIT_NOCONN)
		return x->last;
	x->last = 0;
	shell_setup();
	printf("Welcome to the ALICE GRID\nsupport mail: adrian.sevcenco@cern.ch\n%s\n",
	       rl.readline ? ""
			   : "(libedit.so.2 not found: no line editing, history or completion)\n");
	for (;;) {
		char *line;
		char *p;

		shell_prompt(x, prompt, sizeof(prompt));
		shell_sigint = 0;
		rpc_interrupted = 0;
		line = shell_read(prompt);
		if (!line) { /* Ctrl-D: as alien.py, but with the last exit code */
			printf("Exit\n");
			break;
		}
		if (shell_sigint) { /* Ctrl-C while typing: drop the line */
			free(line);
			continue;
		}
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p) {
			shell_history_add(line);
			if (!shell_prompt_cmd(p))
				exec_chain(x, line);
			if (shell_sigint)
				fputc('\n', stdout);
		}
		free(line);
		fflush(stdout);
		if (x->exit_requested)
			break;
	}
	line_free(shell_matches);
	shell_matches = NULL;
	return x->last;
}
