/* cmdlocal.h - the commands alien.py answers itself (alienpy-behaviour.md
 * section 3) that jaliend answers for the shims: help, exitcode, cert-info,
 * token-info, token-destroy, quota, ping, submit's path expansion, and the
 * unknown-command message with its suggestions. */
#ifndef JALIEND_CMDLOCAL_H
#define JALIEND_CMDLOCAL_H

#include <cjson/cJSON.h>

#define CMDLOCAL_PING_MAX 100       /* `ping N`: at most this many round trips */
#define CMDLOCAL_SUGGEST_MAX 3      /* names after `Similar commands:` (difflib's n) */
#define CMDLOCAL_WORD_MAX 64        /* longer verbs get no suggestions */

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
