/* commander.h - one JCentral request in, one reply out (JAliEnCOMMander semantics). */
#ifndef JCL_COMMANDER_H
#define JCL_COMMANDER_H

#include <stddef.h>
#include "jcl.h"

/* Handle one complete request text. Returns the malloc'd reply (possibly "" with *outlen 0),
 * or NULL on out-of-memory. */
char *commander_handle(struct jcl_session *s, const char *msg, size_t len, size_t *outlen);

/* The reply of JCentral's writeBackError (bad JSON, too big, cp): metadata exitcode, error, user,
 * currentdir; results []. */
char *commander_backerror_reply(struct jcl_session *s, int code, const char *text, size_t *outlen);

/* Initialise a fresh session for account (home dir, cwd). */
int commander_session_init(struct jcl_session *s, const struct jcl_server *srv,
			   const char *account);

#endif
