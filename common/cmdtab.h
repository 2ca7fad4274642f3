/* cmdtab.h - the one table of commands (cmdtab.def): what each verb is, for
 * the shim and the daemon alike. This part is pure data (names, where a
 * command runs, flags); the daemon binds each row's policy, upstream form,
 * handler and help (daemon/command/cmdbind.c), the shim its own handlers
 * (client/exec.c), both by expanding the same cmdtab.def, so row i is row i
 * everywhere. docs/ARCHITECTURE.md shows the table and one command's path. */
#ifndef JALIEND_CMDTAB_H
#define JALIEND_CMDTAB_H

/* Where a command is answered. */
enum cmdtab_where {
	CMDTAB_SHIM,  /* by the shim itself (exit, checkAddr, cat/less/edit/run) */
	CMDTAB_LOCAL, /* by the daemon, without JCentral or with its own calls to it */
	CMDTAB_UP,    /* by JCentral, through the daemon's pool */
	CMDTAB_REG, /* by a layer above command/ that binds its handler at start-up (cp, daemon) */
};

/* flags of a row */
#define CMDTAB_LINK 0x01u    /* alien-<name> and alien_<name> links for its word names */
#define CMDTAB_LIST 0x02u    /* completion and "Similar commands" offer its word names */
#define CMDTAB_HELP 0x04u    /* `help` lists its names (besides JCentral's commandlist) */
#define CMDTAB_NEEDARG 0x08u /* without arguments its help text is the answer (alien.py) */
#define CMDTAB_OWNHELP 0x10u /* its handler answers -h itself (not the help text) */
#define CMDTAB_CWD \
	0x20u /* a reply's currentdir becomes the terminal's cwd; `-` is the one before */
#define CMDTAB_NOW 0x40u  /* shim: it runs before the segment's pipe and timing (exit, exitcode) */
#define CMDTAB_XFER 0x80u /* shim: Ctrl-C cancels its transfers, and the shim says so (cp) */

/* A row's names: space-separated, the first one is the command's own. */
struct cmdtab_row {
	const char *names;
	enum cmdtab_where where;
	unsigned flags;
};

#define CMDTAB_ROWS_MAX 256 /* rows in cmdtab.def (checked by cmdtab.c at compile time) */
#define CMDTAB_NAME_MAX 32  /* bytes of one name, NUL included */

extern const struct cmdtab_row cmdtab_rows[];
extern const int cmdtab_nrows;

/* The row that has verb among its names: its index, or -1. */
int cmdtab_find(const char *verb);
/* Whether name is a word (letters, digits, - and _): only those get links
 * and completion ("$?" and "?" do not). */
int cmdtab_is_word(const char *name, unsigned long len);
/* Each name of the rows whose flags have any of want, in table order:
 * fn(name, len, ctx) (names are not NUL-terminated). */
void cmdtab_each_name(unsigned want, void (*fn)(const char *name, unsigned long len, void *ctx),
		      void *ctx);

#endif
