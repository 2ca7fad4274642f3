/* cmdxrd.h - alien.py's commands that query storage elements over XRootD:
 * xrd_ping, xrd_config, xrd_stats (an SE name, number or endpoint looked up
 * in listSEs as getSE does, else the argument taken as host[:port]) and
 * pfn-status (stat of PFNs, or of an LFN's replicas from `whereis -r`).
 * The queries run off the loop (xrdq.h); the output is alien.py 1.6.3's. */
#ifndef JALIEND_CMDXRD_H
#define JALIEND_CMDXRD_H

#include <cjson/cJSON.h>

#define CMDXRD_TARGETS_MAX 256 /* SEs or PFNs one command queries (at most XRDQ_QUEUE_MAX) */
#define CMDXRD_PING_DEFAULT 3  /* xrd_ping's count without -c (alien.py's) */

struct command;

/* Run xrd_ping, xrd_config, xrd_stats or pfn-status (argv[0]; with arguments,
 * help already answered); 1 (under way or answered) or -ENOMEM. */
int cmdxrd_run(struct command *cmd, cJSON *argv);

#endif
