/* jbox_tls.h - TLS for the JBox endpoint: the server identity the daemon
 * makes at start, and who may connect.
 *
 * Server identity: a self-signed EC P-256 certificate made in memory at
 * start (subject O=jaliend, CN=localhost; SAN DNS localhost,
 * localhost.localdomain, 127.0.0.1, ::1 like a JAliEn token, plus IP
 * 127.0.0.1 and ::1; 365 days). Nothing trusts it: alien.py does not verify
 * a local server when it presents its token. The key never leaves memory.
 *
 * Client authentication (replaces OpenSSL's chain check on the server
 * SSL_CTX, see jbox_tls_setup_ctx): the client's leaf certificate must be
 *   - byte for byte the user certificate (X509_USER_CERT, as the daemon
 *     uses it) or the current token certificate file, read at each
 *     handshake so renewals and SIGHUP apply at once; or
 *   - a certificate with the same subject and issuer as the current token
 *     (an older token the daemon renewed) whose chain verifies against the
 *     CA folder (so a look-alike made by someone else is refused);
 * and within its validity dates. Anything else fails the TLS handshake. */
#ifndef JALIEND_JBOX_TLS_H
#define JALIEND_JBOX_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "config.h"

/* Make the server certificate and key (kept until jbox_tls_fini). 0 or -errno. */
int jbox_tls_init(const struct jd_config *cfg);
void jbox_tls_fini(void);
/* Install the identity and the client check on lws' server SSL_CTX. 0 or -errno. */
int jbox_tls_setup_ctx(SSL_CTX *ctx);
/* 1 if this leaf (with the untrusted chain the peer sent, may be NULL)
 * may use the endpoint, else 0 with the reason in why. */
int jbox_tls_client_ok(X509 *leaf, STACK_OF(X509) *chain, char *why, size_t whyn);
/* The token certificate file alien.py and the daemon use. */
const char *jbox_tls_token_cert_path(void);

#endif
