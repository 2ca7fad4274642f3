/* cmdbind.h - the daemon's columns of the command table (common/cmdtab.def):
 * each row's upstream form, handler and help text, and the dispatch of a
 * request's argv by its row. The handlers the rows name are declared here,
 * from the table itself. */
#ifndef JALIEND_CMDBIND_H
#define JALIEND_CMDBIND_H

#include <cjson/cJSON.h>

#include "cmdtab.h"

struct command;

/* A row's handler: 1 (answered, or under way), 0 (forward argv to JCentral,
 * after checking that JCentral knows the verb; argv may have been rewritten),
 * CMDBIND_SEND (forward at once), CMDBIND_AGAIN (argv was rewritten to
 * another command: dispatch it once more), or -ENOMEM. */
typedef int (*cmdbind_run_fn)(struct command *cmd, cJSON *argv);
#define CMDBIND_SEND 2
#define CMDBIND_AGAIN 3

#define CMDTAB(names, where, policy, flags, up, run, shim, help) \
	int run(struct command *cmd, cJSON *argv);
#include "cmdtab.def"
#undef CMDTAB

/* Run argv (a non-empty array of strings) by its row: as a handler returns,
 * but 0 once forwarded. */
int cmdbind_dispatch(struct command *cmd, cJSON *argv);
/* The words JCentral gets for verb: its row's `up` ("ls -F -l") or NULL. */
const char *cmdbind_up(const char *verb);
/* Whether argv has -h, --h, -help or --help after its verb. */
int cmdbind_has_help_flag(const cJSON *argv);

#endif
