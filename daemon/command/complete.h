/* complete.h - completion answers for the shell and bash: command names and
 * grid paths, from a short-lived cache of directory listings
 * (`ls -nomsg -a -F <dir>`), so a Tab on a fresh listing costs no round trip.
 * Also keeps the server's command list for help and suggestions. */
#ifndef JALIEND_COMPLETE_H
#define JALIEND_COMPLETE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define COMPLETE_TTL_S 5	    /* a cached listing is used this long */
#define COMPLETE_CACHE_MAX 64	    /* directories cached (oldest dropped) */
#define COMPLETE_ENTRIES_MAX 100000 /* names kept per directory */
#define COMPLETE_CMDLIST_TTL_S 600  /* the command list is fetched again after this */

struct command;

/* Answer a REQUEST {"complete":{"kind":"command"|"path","word":"..."}}:
 * candidates on stdout, one a line. Returns 0 or -ENOMEM. */
int complete_run(struct command *cmd, const cJSON *req);
/* Drop the cached listings (after a command that may change the catalogue). */
void complete_forget(void);
/* The cached server command list (NULL-terminated), or NULL if not fresh. */
const char *const *complete_cmdlist(void);
/* Store the command list from a `commandlist` reply (not consumed). */
void complete_cmdlist_store(const cJSON *reply);

#endif
