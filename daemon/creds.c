/* creds.c - see creds.h. */
#include "creds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define CREDS_NAMES 64     /* vhost names kept (lws keeps the pointer, not a copy) */
#define CREDS_PEM_MAX 65536 /* bytes of a certificate or key file handed over in memory */

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

/* The whole file, NUL-terminated, in *out (NULL if unreadable or too big). */
static unsigned creds_slurp(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;

	*out = f ? malloc(CREDS_PEM_MAX + 1) : NULL;
	if (*out) {
		n = fread(*out, 1, CREDS_PEM_MAX + 1, f);
		if (n == 0 || n > CREDS_PEM_MAX) {
			explicit_bzero(*out, n > CREDS_PEM_MAX ? CREDS_PEM_MAX + 1 : n);
			free(*out);
			*out = NULL;
			n = 0;
		} else {
			(*out)[n] = '\0';
		}
	}
	if (f)
		fclose(f);
	return (unsigned)n;
}

static void creds_wipe(char *pem, unsigned n)
{
	if (pem)
		explicit_bzero(pem, n);
	free(pem);
}

/*
 * lws (4.x) shares one client SSL_CTX between vhosts whose settings hash the
 * same, and the hash covers file names, not their contents: a token renewed
 * into the same files, or a user certificate replaced and reloaded, would
 * keep presenting the first one loaded. So an unencrypted credential goes to
 * lws in memory (the hash covers the bytes). File names are kept for an
 * encrypted key (lws cannot decrypt one in memory) and for a certificate file
 * holding a chain (lws loads one certificate from memory).
 */
struct lws_vhost *creds_vhost(const char *cert, const char *key, const char *pass, char *err, size_t errn)
{
	struct lws_context_creation_info info;
	char *name = creds.names[creds.serial % CREDS_NAMES];
	char *cert_pem = NULL, *key_pem = NULL;
	unsigned cert_len = 0, key_len = 0;
	struct lws_vhost *vh;

	/* a slot is reused only 64 credentials later, long after its vhost went */
	snprintf(name, sizeof(creds.names[0]), "cred-%u", ++creds.serial);
	memset(&info, 0, sizeof(info));
	info.vhost_name = name;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = creds.protocols;
	info.extensions = creds.extensions;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	if (!pass && (cert_len = creds_slurp(cert, &cert_pem)) && (key_len = creds_slurp(key, &key_pem)) &&
	    strstr(cert_pem, "-----BEGIN CERTIFICATE-----") &&
	    !strstr(strstr(cert_pem, "-----BEGIN CERTIFICATE-----") + 1, "-----BEGIN CERTIFICATE-----")) {
		info.client_ssl_cert_mem = cert_pem;
		info.client_ssl_cert_mem_len = cert_len;
		info.client_ssl_key_mem = key_pem;
		info.client_ssl_key_mem_len = key_len;
	} else {
		info.client_ssl_cert_filepath = cert;
		info.client_ssl_private_key_filepath = key;
		info.client_ssl_private_key_password = pass;
	}
	vh = lws_create_vhost(creds.ctx, &info);
	creds_wipe(cert_pem, cert_len);
	creds_wipe(key_pem, key_len);
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
