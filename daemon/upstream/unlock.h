/* unlock.h - an encrypted user key: the daemon asks the shim whose request
 * first needs a login for the passphrase (a PASSPHRASE frame; the shim reads
 * it from its terminal without echo), then logs in with it. The passphrase is
 * handed to OpenSSL once and wiped; it is never logged or stored. */
#ifndef JALIEND_UNLOCK_H
#define JALIEND_UNLOCK_H

#include <stddef.h>

#include "auth.h"

#define UNLOCK_TRIES 3 /* wrong passphrases before the request fails */

/* af->key_encrypted: nothing logs in with the user certificate until unlocked. */
void unlock_init(const struct auth_files *af);
/* A request should first ask for the passphrase (locked, no token to use,
 * and nobody is being asked already). */
int unlock_should_ask(void);
/* The prompt to send (names the key file). */
void unlock_prompt(char *out, size_t n, int attempt);
/* Mark that a shim is being asked (1) or no longer (0). */
void unlock_asking(int on);
/* Try a passphrase: 0 (logged in from now on), -EKEYREJECTED (wrong), or
 * another -errno; err says why. pass is wiped. */
int unlock_try(char *pass, char *err, size_t errn);
/* Nobody could give the passphrase: fail the requests that wait for a login. */
void unlock_give_up(const char *why);

#endif
