/* cmduri.h - alien.py's lfn2uri: `access` envelopes as xrdcp-ready URIs.
 *   lfn2uri LFN[@specs] [strict] [http]        access read: one repr()'d URI a line
 *   lfn2uri LFN[@specs] [local] meta [...]      access read: a .meta4 metalink over every
 *                                               replica, written in the shim's folder as
 *                                               <uuid5(URL namespace, LFN)>.meta4; its path
 *   lfn2uri LFN[@specs] LOCAL write|upload      access write for LOCAL's size and md5 (md5
 *                                               on the transfer workers): the write URIs
 * Messages and exit codes are alien.py 1.6.3's. */
#ifndef JALIEND_CMDURI_H
#define JALIEND_CMDURI_H

#include <cjson/cJSON.h>

/* .sh .C .jdl .xml below this get disk:4 without specs (alien.py) */
#define CMDURI_SMALL_MAX 1048576

struct command;

/* Run lfn2uri (argv[0]; with arguments, help already answered); 1 or -ENOMEM. */
int cmduri_run(struct command *cmd, cJSON *argv);

#endif
