/* exec.h - run alien.py-style command chains: each segment is a command for
 * jaliend, a `!cmd` for /bin/sh, or `cmd | shell-pipeline`; aliases
 * (~/.alienpy_aliases) are expanded here, and the rows of the command table
 * (common/cmdtab.def) that run in the shim are answered here: `time`, `exit`,
 * `exitcode`/`$?`, checkAddr, and the grid file commands of gridfile.c (cat,
 * less, edit, run...) (alienpy-behaviour.md 1.3, 1.5, 1.11). */
#ifndef ALIEN_EXEC_H
#define ALIEN_EXEC_H

#include "rpc.h"

struct exec {
	struct rpc rpc;
	const char *prog;   /* for messages */
	int last;	    /* exit code of the last command (0 before any) */
	int ran;	    /* a command ran in this process */
	int json;	    /* global -json / ALIENPY_JSON */
	int interactive;    /* SIGINT cancels a command instead of ending us */
	int exit_requested; /* `exit`/`quit`/`logout` was run: stop, exit with `last` */
	/* ~/.alienpy_aliases, read on first use (EXEC_ALIAS_MAX entries) */
	int aliases_loaded, nalias, alias_depth;
	char *alias_name[64], *alias_value[64];
};

#define EXEC_ALIAS_MAX 64	 /* aliases read from ~/.alienpy_aliases */
#define EXEC_ALIAS_LINE_MAX 4096 /* bytes of one line of that file */

void exec_init(struct exec *x, const char *prog);
/* Run every command of text; returns the last exit code. */
int exec_chain(struct exec *x, const char *text);
/* Free what exec_init and the chains kept. */
void exec_fini(struct exec *x);
/* Run cmd with /bin/sh -c, stdin from in_fd (-1: inherited); its status. */
int exec_shell(struct exec *x, const char *cmd, int in_fd);
/* Run argv (a PATH search), or alt when argv[0] is not installed (alt may
 * be NULL), stdin from in_fd and stdout to out_fd (-1: inherited). Ctrl-C
 * goes to the program, we wait. Its status: 128 + N when killed by signal
 * N, 127 when not installed. */
int exec_spawn(struct exec *x, char *const *argv, char *const *alt, int in_fd, int out_fd);

#endif
