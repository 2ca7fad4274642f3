/* cmdlocal.h - what the commands alien.py answers itself (alienpy-behaviour.md
 * section 3) share, now that jaliend answers them for the shims: the name
 * lists of the command table (common/cmdtab.def; cmdbind.c dispatches by
 * it), help, exitcode, the grid path expansion. The files that answer them
 * are listed in cmdlocal_int.h. */
#ifndef JALIEND_CMDLOCAL_H
#define JALIEND_CMDLOCAL_H

#include <cjson/cJSON.h>

#include "cmdtab.h"

struct command;

#define CMDLOCAL_NAMES_MAX 128 /* names in one list of cmdlocal_names (more are left out) */

/* help, and exitcode / $?: handlers of their rows (cmdbind.h) */
int cmdlocal_help(struct command *cmd, cJSON *argv);
int cmdlocal_exitcode(struct command *cmd, cJSON *argv);
/* Remember a terminal's last exit code (for `exitcode` / `$?`). */
void cmdlocal_record_exit(const char *session, int code);
/* alien.py's grid path expansion (%ALIEN, ~, ., relative) against cwd and
 * home (both absolute with a trailing /); malloc'ed, NULL on ENOMEM. */
char *cmdlocal_expand(const char *path, const char *cwd, const char *home);
/* The names of the table's rows, NULL-terminated, in table order:
 * want CMDTAB_LIST, the word names completion and suggestions offer;
 * CMDTAB_HELP, every name `help` lists besides JCentral's. */
const char *const *cmdlocal_names(unsigned want);

#endif
