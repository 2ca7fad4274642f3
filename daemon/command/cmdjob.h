/* cmdjob.h - alien.py's jobInfo: `ps -j ID -trace -jdl` shown as alien.py
 * shows it (the header row, machine, state, trace and proc lines with local
 * times, or the JDL as a JSON object). */
#ifndef JALIEND_CMDJOB_H
#define JALIEND_CMDJOB_H

#include <cjson/cJSON.h>

struct command;

/* Run jobInfo (argv[0] is "jobInfo"); 1 (answered or under way) or -ENOMEM. */
int cmdjob_info(struct command *cmd, cJSON *argv);
/* getCE [-name S] [-host S] [-part S]: listCEs as alien.py's table;
 * siteJobs SITE [-id] [-running] [-status S] [-user S]: the jobs of the CEs
 * named like SITE (ps -s CEs -a). 1 or -ENOMEM. */
int cmdjob_ce(struct command *cmd, cJSON *argv);

#endif
