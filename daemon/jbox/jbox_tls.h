/* jbox_tls.h - TLS for the JBox endpoint: the server identity, and who may
 * connect.
 *
 * Server identity: the token the daemon holds in memory (token.c), as
 * JAliEn's own JBox serves with the user's token: it is issued by the JAliEn
 * CA for localhost (SAN DNS localhost, localhost.localdomain, 127.0.0.1, ::1)
 * with serverAuth, so alien.py 1.6.3, which verifies the server's chain
 * against the CA folder, accepts it. Chosen at each handshake, so a renewed
 * token serves the next connection; with no token yet, handshakes fail (and
 * the JBox is not advertised, see jbox.c).
 *
 * Client authentication (replaces OpenSSL's chain check on the server
 * SSL_CTX, see jbox_tls_setup_ctx): the client's leaf certificate must be
 *   - byte for byte the user certificate (as read at start or reload) or the
 *     token the daemon holds: never a file another local user could have
 *     planted in a shared folder; or
 *   - a certificate with the same subject and issuer as the current token
 *     (an older token the daemon renewed) whose chain verifies against the
 *     CA folder (its certificates as read at start, reload or the last new
 *     token: so a look-alike made by someone else is refused);
 * and within its validity dates. Anything else fails the TLS handshake. */
#ifndef JALIEND_JBOX_TLS_H
#define JALIEND_JBOX_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/config.h"

/* Read the user certificate and the CA folder's certificates into memory
 * (kept until jbox_tls_fini): a handshake reads no file. 0 or -errno. */
int jbox_tls_init(const struct jd_config *cfg);
/* Both again (SIGHUP, alien-daemon reload; the CA folder also with each new
 * token, token_on_new). What cannot be read keeps what was read before, with
 * one line in the log. Nothing while the JBox is off. */
void jbox_tls_reload(const char *user_cert);
/* 1 when there is a token to serve with. */
int jbox_tls_ready(void);
void jbox_tls_fini(void);
/* Install the identity and the client check on lws' server SSL_CTX. 0 or -errno. */
int jbox_tls_setup_ctx(SSL_CTX *ctx);
/* 1 if this leaf (with the untrusted chain the peer sent, may be NULL)
 * may use the endpoint, else 0 with the reason in why. */
int jbox_tls_client_ok(X509 *leaf, STACK_OF(X509) * chain, char *why, size_t whyn);

#endif
