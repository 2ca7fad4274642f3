/* cmdxml.h - alien.py's toXml client side: `toXml -h` (the server's text and
 * alien.py's lines about -local) and `toXml -local [-x FILE] FILE...` /
 * `toXml -local -l LIST`: an AliEn XML collection of local files (their
 * md5 computed on xfer's workers, off the loop), printed and, with -x,
 * written to a local file. The grid forms go to the server. */
#ifndef JALIEND_CMDXML_H
#define JALIEND_CMDXML_H

#include <cjson/cJSON.h>

#define CMDXML_FILES_MAX 10000	   /* files of one collection */
#define CMDXML_NAMES_MAX 256	   /* files named on the command line */
#define CMDXML_LIST_MAX (4u << 20) /* bytes of a -l list file */

struct command;

/* toXml: 1 (answered or under way), 0 (a grid form: forward it), -ENOMEM. */
int cmdxml_run(struct command *cmd, const cJSON *argv, int help);

#endif
