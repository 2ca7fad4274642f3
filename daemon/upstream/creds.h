/* creds.h - client credentials as libwebsockets vhosts. lws fixes a vhost's
 * client certificate when it builds the vhost's SSL_CTX, so each credential
 * (the user certificate, each token) gets a vhost of its own; sessions pick
 * one when they connect. */
#ifndef JALIEND_CREDS_H
#define JALIEND_CREDS_H

#include <stddef.h>

#include <libwebsockets.h>

#define CREDS_PEM_MAX 65536 /* bytes of a certificate or key file */

void creds_init(struct lws_context *ctx, const struct lws_protocols *protocols,
		const struct lws_extension *extensions);
/* A new vhost whose client connections present cert/key (pass: the key's
 * passphrase, or NULL; lws needs it only while it builds the vhost); NULL on failure
 * (err says why). The CA folder is loaded into it by usession.c. */
struct lws_vhost *creds_vhost(const char *cert, const char *key, const char *pass, char *err,
			      size_t errn);
/* The same from PEM text in memory (one certificate, an unencrypted key);
 * what names it in messages. */
struct lws_vhost *creds_vhost_mem(const char *cert_pem, unsigned cert_len, const char *key_pem,
				  unsigned key_len, const char *what, char *err, size_t errn);
/* Read a credential file whole (at most CREDS_PEM_MAX bytes, NUL-terminated)
 * without following a symbolic link. A private one (a token, which lives in a
 * shared folder) must be a regular file owned by the user with no access for
 * group or others. 0 with *out (free it with creds_wipe), or -errno with a
 * one-line reason naming the file in why. */
int creds_read(const char *path, int private_, char **out, unsigned *len, char *why, size_t whyn);
/* Zero and free what creds_read returned (NULL is fine). */
void creds_wipe(char *pem, unsigned n);
/* Free a vhost no session uses any more. */
void creds_vhost_drop(struct lws_vhost *vh);

#endif
