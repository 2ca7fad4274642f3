/* cmdlocal_int.h - what the files of the local commands share; outside
 * them only cmdbind.c includes it (it binds their handlers to the rows of
 * common/cmdtab.def).
 *   cmdlocal.c    the name lists, exit codes, path expansion, help, and the helpers below
 *   cmdcert.c     cert-info, token-info, token-init, token-destroy, *-verify, *key-match
 *   cmdquota.c    quota: jquota + fquota, alien.py's report
 *   cmdping.c     ping: round trips through a session
 *   cmdtrace.c    ps -trace: epochs into local time
 *   cmdsuggest.c  the unknown command and its "Similar commands" */
#ifndef JALIEND_CMDLOCAL_INT_H
#define JALIEND_CMDLOCAL_INT_H

#include <cjson/cJSON.h>

#include "command.h"

/* cmdlocal.c */
/* Get the command list (cached, or one `commandlist`), then call then(cmd, arg, ...). */
int cmdlocal_with_cmdlist(struct command *cmd, command_then_fn then, void *arg);
/* The first row of a reply's results, or NULL. */
const cJSON *cmdlocal_row0(const cJSON *reply);

/* cmdcert.c; each returns as a handler (cmdbind.h) */
int cmdcert_info(struct command *cmd, int token);	      /* cert-info (0), token-info (1) */
int cmdcert_check(struct command *cmd, int token, int match); /* *-verify (0), *key-match (1) */
int cmdcert_token_new(struct command *cmd, const cJSON *argv, int destroy); /* token-init */
int cmdcert_token_destroy(struct command *cmd);

/* cmdquota.c, cmdping.c, cmdtrace.c; each returns as a handler (cmdbind.h) */
int cmdquota_run(struct command *cmd, cJSON *argv);
int cmdping_run(struct command *cmd, cJSON *argv);
int cmdtrace_run(struct command *cmd, const cJSON *argv);

/* cmdsuggest.c: command_then_fn's for cmdlocal_with_cmdlist */
/* The verb in arg (a string) is not a command: the warning and difflib's suggestions. */
void cmdsuggest_unknown_done(struct command *cmd, void *arg, cJSON *reply, int code,
			     const char *msg);
/* arg is argv as JSON text, its verb not known yet: check it against the list. */
void cmdsuggest_verify_done(struct command *cmd, void *arg, cJSON *reply, int code,
			    const char *msg);

#endif
