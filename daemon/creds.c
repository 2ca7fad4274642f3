/* creds.c - see creds.h. */
#include "creds.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

#define CREDS_NAMES 64 /* vhost names kept (lws keeps the pointer, not a copy) */

static struct {
	char names[CREDS_NAMES][16];
	struct lws_context *ctx;
	const struct lws_protocols *protocols;
	const struct lws_extension *extensions;
	unsigned serial;
} creds;

void creds_init(struct lws_context *ctx, const struct lws_protocols *protocols,
		const struct lws_extension *extensions)
{
	creds.ctx = ctx;
	creds.protocols = protocols;
	creds.extensions = extensions;
}

struct lws_vhost *creds_vhost(const char *cert, const char *key, const char *pass, char *err, size_t errn)
{
	struct lws_context_creation_info info;
	char *name = creds.names[creds.serial % CREDS_NAMES];
	struct lws_vhost *vh;

	/* a slot is reused only 64 credentials later, long after its vhost went */
	snprintf(name, sizeof(creds.names[0]), "cred-%u", ++creds.serial);
	memset(&info, 0, sizeof(info));
	info.vhost_name = name;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = creds.protocols;
	info.extensions = creds.extensions;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_cert_filepath = cert;
	info.client_ssl_private_key_filepath = key;
	info.client_ssl_private_key_password = pass;
	vh = lws_create_vhost(creds.ctx, &info);
	if (!vh) {
		snprintf(err, errn, "cannot use certificate %s with key %s", cert, key);
		return NULL;
	}
	log_debug("credential vhost %s: %s", lws_get_vhost_name(vh), cert);
	return vh;
}

void creds_vhost_drop(struct lws_vhost *vh)
{
	if (vh)
		lws_vhost_destroy(vh);
}
