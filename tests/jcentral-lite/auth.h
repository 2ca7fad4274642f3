/* auth.h - client certificate -> account mapping (users file). */
#ifndef JCL_AUTH_H
#define JCL_AUTH_H

#include <openssl/x509.h>
#include "jcl.h"

/* Load "<account> <slash subject>" lines ('#' comments, blank lines ignored).
 * 0, or negative errno with a one-line message in err. */
int auth_load_users(const char *path, struct jcl_user **users, size_t *n, char *err, size_t errsz);

/* "/C=ch/O=JAliEn-lite/OU=Users/CN=jalien": each RDN in certificate order as /SN=value. */
int auth_slash_subject(X509_NAME *name, char *out, size_t outsz);
/* Java X500Principal.toString() style: reversed, ", " separated ("CN=jalien, OU=Users, ..."). */
int auth_comma_subject(X509_NAME *name, char *out, size_t outsz);
/* RFC 2253 string (OpenSSL XN_FLAG_RFC2253: reversed, "," separated, no spaces). */
int auth_rfc2253_subject(X509_NAME *name, char *out, size_t outsz);
/* notAfter as epoch seconds */
long long auth_not_after(const X509 *cert);

/* Account for a certificate, or NULL. */
const struct jcl_user *auth_lookup(const struct jcl_server *srv, X509 *cert);

#endif
