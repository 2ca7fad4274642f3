/* cmd.h - interface between the commander (request dispatch) and the command implementations. */
#ifndef JCL_CMD_H
#define JCL_CMD_H

#include "jcl.h"
#include "opts.h"
#include "reply.h"
#include "catalogue.h"

struct cmd_ctx {
	struct jcl_session *s;
	const struct jcl_server *srv;
	struct catalogue *cat;
	struct reply *r;
	const char *name; /* command name */
	char **argv;	  /* arguments after pseudo-option removal */
	size_t argc;
};

/* How a command reacts to a bad option (mirrors where JAliEn catches OptionException). */
enum cmd_opterr {
	OPTERR_EINVAL,	 /* 22 "Invalid argument : <parser message>" (constructor catches) */
	OPTERR_ILLEGAL,	 /* help text + 22 "Invalid argument : Illegal command options" */
	OPTERR_NOTFOUND, /* 2 "Command not found or not implemented yet" (listSEs, type) */
};

struct cmd_def {
	const char *name;
	/* NULL: no option parsing at all, every argument is positional */
	const struct opt_spec *spec;
	size_t nspec;
	enum cmd_opterr opterr;
	bool no_args_ok; /* canRunWithoutArguments() */
	void (*run)(struct cmd_ctx *c, const struct opt_result *o);
	void (*help)(struct cmd_ctx *c);
};

/* Help text helpers (JAliEnBaseCommand.helpUsage / helpOption / helpStartOptions). */
void cmd_help_usage(struct reply *r, const char *name, const char *desc);
void cmd_help_options(struct reply *r);
void cmd_help_option(struct reply *r, const char *opt, const char *desc);
void cmd_help_param(struct reply *r, const char *desc);

/* Resolve a user argument to an absolute normalised path (reports ENAMETOOLONG itself). */
int cmd_abs(struct cmd_ctx *c, const char *arg, char *out, size_t outsz);
/* The folder of abs_file exists or its nearest existing ancestor is a folder the session may
 * write to (cmd_parents_writable: 0 or -EPERM/-ENOENT); cmd_make_parents also creates the
 * missing folders, as mkdir -p (JCentral's touch and commit do that). */
int cmd_parents_writable(struct cmd_ctx *c, const char *abs_file);
int cmd_make_parents(struct cmd_ctx *c, const char *abs_file);

/* Content of a file from the first replica found on a local SE folder (cmd_replica.c);
 * malloc'd, NUL-terminated; 0 or -ENOENT. */
int cmd_read_file(struct cmd_ctx *c, const struct cat_entry *e, char **buf, size_t *len);
/* s is one or more decimal digits and nothing else (cmd_ps.c). */
bool cmd_is_number(const char *s);

/* "97.66 KB" (lazyj Format.size) */
void cmd_fmt_size(long long n, char *out, size_t outsz);

/* Command tables, one per file. */
extern const struct cmd_def cmd_info_defs[]; /* cmd_info.c: session/information */
extern const size_t cmd_info_ndefs;
extern const struct cmd_def cmd_browse_defs[]; /* cmd_browse.c: cd ls stat type */
extern const size_t cmd_browse_ndefs;
extern const struct cmd_def cmd_modify_defs[]; /* cmd_modify.c: mkdir rmdir rm touch mv */
extern const size_t cmd_modify_ndefs;
extern const struct cmd_def cmd_find_defs[]; /* cmd_find.c: find du */
extern const size_t cmd_find_ndefs;
extern const struct cmd_def cmd_misc_defs[]; /* cmd_misc.c: users, quotas, SEs */
extern const size_t cmd_misc_ndefs;

extern const struct cmd_def cmd_token_defs[]; /* cmd_token.c: token */
extern const size_t cmd_token_ndefs;

extern const struct cmd_def cmd_access_defs[]; /* cmd_access.c: access commit */
extern const size_t cmd_access_ndefs;
extern const struct cmd_def cmd_replica_defs[]; /* cmd_replica.c: whereis md5sum cat listSEs ... */
extern const size_t cmd_replica_ndefs;

extern const struct cmd_def cmd_jobs_defs[]; /* cmd_jobs.c: submit kill resubmit masterjob */
extern const size_t cmd_jobs_ndefs;
extern const struct cmd_def cmd_ps_defs[]; /* cmd_ps.c: ps */
extern const size_t cmd_ps_ndefs;

/* The 2024 JCentral command list, in commandlist order. */
extern const char *const cmd_names[];
extern const size_t cmd_nnames;

#endif
