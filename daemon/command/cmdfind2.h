/* cmdfind2.h - alien.py's find2: the server's `find -f -a -s` with cp's
 * selections (path glob, -glob, -select, -name verbs) and the client-side
 * filters (-exclude, -exclude_re, -minsize/-maxsize, -mindepth/-maxdepth,
 * -min-ctime/-max-ctime, -user, -group, -jobid) applied to its results;
 * alien.py 1.6.3's lines and exit codes. */
#ifndef JALIEND_CMDFIND2_H
#define JALIEND_CMDFIND2_H

#include <cjson/cJSON.h>

#define CMDFIND2_ARGS_MAX 256	/* words of one find2 command line */
#define CMDFIND2_FILTERS_MAX 32 /* -exclude / -exclude_re given */

struct command;

/* Run `find2 ...` (argv[0] is the verb; help: its text and the server's
 * `find -h`). Returns 1 (answered or under way) or -ENOMEM. */
int cmdfind2_run(struct command *cmd, const cJSON *argv, int help);

#endif
