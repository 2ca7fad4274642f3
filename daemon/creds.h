/* creds.h - client credentials as libwebsockets vhosts. lws fixes a vhost's
 * client certificate when it builds the vhost's SSL_CTX, so each credential
 * (the user certificate, each token) gets a vhost of its own; sessions pick
 * one when they connect. */
#ifndef JALIEND_CREDS_H
#define JALIEND_CREDS_H

#include <stddef.h>

#include <libwebsockets.h>

void creds_init(struct lws_context *ctx, const struct lws_protocols *protocols,
		const struct lws_extension *extensions);
/* A new vhost whose client connections present cert/key (pass: the key's
 * passphrase, or NULL; lws needs it only while it builds the vhost); NULL on failure
 * (err says why). The CA folder is loaded into it by usession.c. */
struct lws_vhost *creds_vhost(const char *cert, const char *key, const char *pass, char *err, size_t errn);
/* Free a vhost no session uses any more. */
void creds_vhost_drop(struct lws_vhost *vh);

#endif
