/* cmdlocal.h - the commands alien.py answers itself (alienpy-behaviour.md
 * section 3) that jaliend answers for the shims: help, exitcode, cert-info,
 * token-info, token-destroy, quota, ping, submit's path expansion, and the
 * unknown-command message with its suggestions. cmdlocal.c dispatches them;
 * the files that answer them are listed in cmdlocal_int.h. */
#ifndef JALIEND_CMDLOCAL_H
#define JALIEND_CMDLOCAL_H

#include <cjson/cJSON.h>

struct command;

/* Run argv if it is a local command: 1 (answered or under way), 0 (not
 * ours: forward it; argv may have been rewritten, e.g. `help ls` -> `ls -h`),
 * or -ENOMEM. */
int cmdlocal_run(struct command *cmd, cJSON *argv);
/* Remember a terminal's last exit code (for `exitcode` / `$?`). */
void cmdlocal_record_exit(const char *session, int code);
/* alien.py's grid path expansion (%ALIEN, ~, ., relative) against cwd and
 * home (both absolute with a trailing /); malloc'ed, NULL on ENOMEM. */
char *cmdlocal_expand(const char *path, const char *cwd, const char *home);
/* Names jaliend answers without JCentral (for help and completion). */
extern const char *const cmdlocal_names[];

#endif
