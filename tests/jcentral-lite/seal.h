/* seal.h - encrypted ("sealed") access envelopes, framed as JCentral's.
 *
 * The measured reference SE "needs encrypted envelopes": access answers
 *   -----BEGIN SEALED CIPHER-----\n<base64, 76 per line>\n-----END SEALED CIPHER-----\n
 *   -----BEGIN SEALED ENVELOPE-----\n<base64>\n-----END SEALED ENVELOPE-----\n&scitag.flow=...
 * and the client hands that whole text back in commit. Same framing and about the same size here,
 * with jcentral-lite's own crypto (JAliEn's is not reproduced; the SEs check nothing): the cipher
 * block is a random AES-128 key + IV sealed with RSA-OAEP for the token CA key, the envelope
 * block is be32(signature length) + SHA-256/RSA signature + AES-128-CBC of the signed key=value
 * envelope (storage.h). Base64 uses '-' for '/', as the reference does.
 * Caps: SEAL_MAX bytes of sealed text.
 */
#ifndef JCL_SEAL_H
#define JCL_SEAL_H

#include "jcl.h"

#include <stdbool.h>
#include <stddef.h>

#define SEAL_MAX 8192

bool seal_is_sealed(const char *env);
/* Seal plain (a signed key=value envelope, without its scitag tail) and append tail. */
int seal_envelope(const struct jcl_server *srv, const char *plain, const char *tail, char *out,
		  size_t outsz);
/* Open a sealed envelope back into its key=value text (signature checked). 0 or negative errno. */
int seal_open(const struct jcl_server *srv, const char *sealed, char *out, size_t outsz);

#endif
