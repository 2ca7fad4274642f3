/* token.h - token certificates (protocol reference 6): issued by the stack's token CA,
 * accepted for websocket authentication. */
#ifndef JCL_TOKEN_H
#define JCL_TOKEN_H

#include <openssl/x509.h>
#include "jcl.h"

#define TOKEN_PEM_MAX 8192 /* one PEM certificate or key */

/* Load --token-ca-cert / --token-ca-key into srv (no-op when not configured).
 * 0 or negative errno with a one-line message in err. */
int token_load_ca(struct jcl_server *srv, char *err, size_t errsz);
void token_free_ca(struct jcl_server *srv);

struct token_out {
	char cert_pem[TOKEN_PEM_MAX];
	char key_pem[TOKEN_PEM_MAX];
	char slash_dn[JCL_DN_MAX];
	long long not_after; /* epoch seconds */
};

/* Issue a user token: subject C=ch, O=AliEn2, CN=Users, CN=<cn>, OU=<role>, RSA 2048,
 * notBefore = now - 2 h (now - 60 s with --token-seconds), notAfter = min(now + life_s, cap).
 * 0, -ENOSYS (no token CA) or another negative errno. */
int token_issue(const struct jcl_server *srv, const char *cn, const char *role, long long life_s,
		long long cap_not_after, struct token_out *out);

/* If cert is a token issued by the token CA with the subject form above, copy <cn> to account
 * and return 0; else -ENOENT. */
int token_account(const struct jcl_server *srv, X509 *cert, char *account, size_t accsz);

#endif
