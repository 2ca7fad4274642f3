/* creds.c - see creds.h. */
#include "creds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcodes.h"
#include "log.h"
#include "base/safefile.h"

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

int creds_read(const char *path, int private_, char **out, unsigned *len, char *why, size_t whyn)
{
	struct stat st;
	int fd = safefile_open(path, 0, &st), r = 0; /* a FIFO planted there does not block us */
	ssize_t n = 0;

	*out = NULL;
	*len = 0;
	if (fd < 0) {
		snprintf(why, whyn, "%s: %s", path, safefile_strerror(fd));
		return fd == -EINVAL ? -EINVAL : fd;
	}
	if (private_ && st.st_uid != getuid()) {
		r = -EPERM;
		snprintf(why, whyn, "%s is owned by uid %u, not by you (uid %u); not used", path,
			 (unsigned)st.st_uid, (unsigned)getuid());
	} else if (private_ && (st.st_mode & 077)) {
		r = -EPERM;
		snprintf(why, whyn, "%s has mode %04o: others may read or change it; not used",
			 path, (unsigned)(st.st_mode & 07777));
	} else if (st.st_size <= 0 || st.st_size > CREDS_PEM_MAX) {
		r = -EINVAL;
		snprintf(why, whyn, "%s: %lld bytes (at most %d)", path, (long long)st.st_size,
			 CREDS_PEM_MAX);
	} else if (!(*out = malloc((size_t)st.st_size + 1))) {
		r = -ENOMEM;
		snprintf(why, whyn, "%s", exitcode_meaning(JD_EXIT_NOMEM));
	} else {
		while ((size_t)n < (size_t)st.st_size) {
			ssize_t k = read(fd, *out + n, (size_t)st.st_size - (size_t)n);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			n += k;
		}
		if (n != st.st_size) {
			r = -EIO;
			snprintf(why, whyn, "%s: short read", path);
			creds_wipe(*out, (unsigned)n);
			*out = NULL;
		} else {
			(*out)[n] = '\0';
			*len = (unsigned)n;
		}
	}
	close(fd);
	return r;
}

void creds_wipe(char *pem, unsigned n)
{
	if (pem)
		explicit_bzero(pem, n);
	free(pem);
}

static struct lws_vhost *creds_make(struct lws_context_creation_info *info, const char *what,
				    char *err, size_t errn)
{
	char *name = creds.names[creds.serial % CREDS_NAMES];
	struct lws_vhost *vh;

	/* a slot is reused only 64 credentials later, long after its vhost went */
	snprintf(name, sizeof(creds.names[0]), "cred-%u", ++creds.serial);
	info->vhost_name = name;
	info->port = CONTEXT_PORT_NO_LISTEN;
	info->protocols = creds.protocols;
	info->extensions = creds.extensions;
	info->options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	vh = lws_create_vhost(creds.ctx, info);
	if (!vh) {
		snprintf(err, errn, "cannot use %s", what);
		return NULL;
	}
	log_debug("credential vhost %s: %s", lws_get_vhost_name(vh), what);
	return vh;
}

struct lws_vhost *creds_vhost_mem(const char *cert_pem, unsigned cert_len, const char *key_pem,
				  unsigned key_len, const char *what, char *err, size_t errn)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.client_ssl_cert_mem = cert_pem;
	info.client_ssl_cert_mem_len = cert_len;
	info.client_ssl_key_mem = key_pem;
	info.client_ssl_key_mem_len = key_len;
	return creds_make(&info, what, err, errn);
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
struct lws_vhost *creds_vhost(const char *cert, const char *key, const char *pass, char *err,
			      size_t errn)
{
	struct lws_context_creation_info info;
	char *cert_pem = NULL, *key_pem = NULL, what[2100], why[300];
	unsigned cert_len = 0, key_len = 0;
	struct lws_vhost *vh;
	const char *first;

	snprintf(what, sizeof(what), "certificate %s with key %s", cert, key);
	if (!pass && creds_read(cert, 0, &cert_pem, &cert_len, why, sizeof(why)) == 0 &&
	    creds_read(key, 0, &key_pem, &key_len, why, sizeof(why)) == 0 &&
	    (first = strstr(cert_pem, "-----BEGIN CERTIFICATE-----")) &&
	    !strstr(first + 1, "-----BEGIN CERTIFICATE-----")) {
		vh = creds_vhost_mem(cert_pem, cert_len, key_pem, key_len, what, err, errn);
	} else {
		memset(&info, 0, sizeof(info));
		info.client_ssl_cert_filepath = cert;
		info.client_ssl_private_key_filepath = key;
		info.client_ssl_private_key_password = pass;
		vh = creds_make(&info, what, err, errn);
	}
	creds_wipe(cert_pem, cert_len);
	creds_wipe(key_pem, key_len);
	return vh;
}

void creds_vhost_drop(struct lws_vhost *vh)
{
	if (vh)
		lws_vhost_destroy(vh);
}
