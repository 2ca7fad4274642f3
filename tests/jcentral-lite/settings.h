/* settings.h - server settings remembered in the catalogue database.
 *
 * Like JCentral, whose storage elements live in its database, jcentral-lite stores the --se list
 * and the --token-ca-cert/--token-ca-key paths in the catalogue (table `settings`). A start
 * without --se (or without the token CA options) uses the stored ones, so a restart with the same
 * --db (scripts/stack restart-central) keeps its SEs and token CA. Options given on the command
 * line replace what is stored.
 */
#ifndef JCL_SETTINGS_H
#define JCL_SETTINGS_H

#include "catalogue.h"

/* Store the given settings, or load the stored ones for those not given. 0 or negative errno
 * (err set). srv's token path pointers then point into storage owned by settings.c. */
int settings_apply(struct jcl_server *srv, char *err, size_t errsz);

#endif
