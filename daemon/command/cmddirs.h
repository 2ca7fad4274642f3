/* cmddirs.h - alien.py's directory stack, pushd / popd / dirs, kept per
 * terminal beside its cwd: the cwd is the top, cmddirs keeps the rest. */
#ifndef JALIEND_CMDDIRS_H
#define JALIEND_CMDDIRS_H

#include <cjson/cJSON.h>

#define CMDDIRS_MAX 32 /* folders below a terminal's cwd; the bottom one falls off */

struct command;

/* Run pushd, popd or dirs (argv[0]); 1 (answered or under way) or -ENOMEM. */
int cmddirs_run(struct command *cmd, cJSON *argv);

#endif
