/* jbox_tls.c - see jbox_tls.h. */
#include "jbox_tls.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/safefile.h"
#include "upstream/creds.h"
#include "exitcodes.h"
#include "log.h"
#include "upstream/token.h"

/* certificate files read from the CA folder (a grid folder has ~300) */
#define JBOX_TLS_CAS_MAX 4096

static struct {
	X509 *user;	 /* the user certificate, as read at start or reload */
	X509_STORE *cas; /* the CA folder's certificates, in memory, for renewed tokens */
	char *ca_dir;
	int said_no_token; /* "no token yet" logged once until there is one */
} jt;

/* The user certificate file: its first certificate, NULL if it has none. */
static X509 *jbox_tls_read_user(const char *path)
{
	char *pem = NULL, why[1200];
	unsigned n = 0;
	X509 *x = NULL;
	BIO *b;

	if (!path || creds_read(path, 0, &pem, &n, why, sizeof(why)) < 0) {
		/* a symbolic link is fine for a certificate the user named */
		FILE *f = path ? safefile_fopen(path, SAFEFILE_FOLLOW) : NULL;

		x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
		if (f)
			fclose(f);
	} else if ((b = BIO_new_mem_buf(pem, (int)n))) {
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	creds_wipe(pem, n);
	ERR_clear_error();
	return x;
}

/* A hashed certificate name (<8 hex>.<digits>), the files OpenSSL's
 * hashed-folder lookup reads: links to the CAs, not CRLs (.r0) or the
 * folder's other files. */
static int jbox_tls_hashed_name(const char *n)
{
	int i = 0;

	while (i < 8 && ((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
		i++;
	if (i != 8 || n[8] != '.' || !n[9])
		return 0;
	for (i = 9; n[i]; i++)
		if (n[i] < '0' || n[i] > '9')
			return 0;
	return 1;
}

/* The CA folder's certificates (or a bundle file's) read into a store of their
 * own: verifying a chain then reads no file (OpenSSL's hashed-folder lookup
 * would, on every handshake). NULL with why on failure (no folder, no
 * certificate in it). */
static X509_STORE *jbox_tls_read_cas(const char *dir, int *count, char *why, size_t whyn)
{
	X509_STORE *st = X509_STORE_new();
	X509_LOOKUP *lk = st ? X509_STORE_add_lookup(st, X509_LOOKUP_file()) : NULL;
	DIR *d = lk && dir ? opendir(dir) : NULL;
	struct dirent *e;
	char path[4096];
	int files = 0;

	*count = 0;
	if (!d && lk && dir && errno == ENOTDIR) { /* X509_CERT_FILE: a bundle of CA certificates */
		*count = X509_load_cert_file(lk, dir, X509_FILETYPE_PEM);
		ERR_clear_error();
		if (*count > 0)
			return st;
		*count = 0;
	}
	if (!d) {
		snprintf(why, whyn, "%s: %s", dir ? dir : "(none)",
			 !lk ? exitcode_meaning(JD_EXIT_NOMEM) : strerror(errno));
		X509_STORE_free(st);
		return NULL;
	}
	while ((e = readdir(d)) && files < JBOX_TLS_CAS_MAX) {
		int n;

		if (!jbox_tls_hashed_name(e->d_name) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		files++;
		n = X509_load_cert_file(lk, path, X509_FILETYPE_PEM);
		if (n > 0)
			*count += n;
	}
	closedir(d);
	ERR_clear_error();
	if (*count == 0) {
		snprintf(why, whyn, "%s: no CA certificate in it", dir);
		X509_STORE_free(st);
		return NULL;
	}
	return st;
}

/* The CA folder again: 0, or -1 with why (the certificates read before stay). */
static int jbox_tls_reload_cas(char *why, size_t whyn)
{
	int n;
	X509_STORE *st = jbox_tls_read_cas(jt.ca_dir, &n, why, whyn);

	if (!st)
		return -1;
	X509_STORE_free(jt.cas);
	jt.cas = st;
	log_debug("jbox: %d CA certificates from %s", n, jt.ca_dir);
	return 0;
}

static void jbox_tls_on_token(void)
{
	char why[4200];

	if (jbox_tls_reload_cas(why, sizeof(why)) < 0)
		log_warn("jbox: new token: cannot read the CA folder %s; keeping the CA "
			 "certificates read before",
			 why);
}

void jbox_tls_reload(const char *user_cert)
{
	char why[4200];
	X509 *x;
	int cas;

	if (!jt.cas) /* the JBox is off */
		return;
	x = jbox_tls_read_user(user_cert);
	cas = jbox_tls_reload_cas(why, sizeof(why));
	if (x) {
		X509_free(jt.user);
		jt.user = x;
	}
	if (!x || cas < 0) /* one line for what failed; the rest is in use */
		log_warn("jbox: reload: %s%s%s%s%s; keeping what was read before",
			 x ? "" : "no certificate in ",
			 x	     ? ""
			 : user_cert ? user_cert
				     : "(none)",
			 !x && cas < 0 ? ", and " : "", cas < 0 ? "cannot read the CA folder " : "",
			 cas < 0 ? why : "");
}

int jbox_tls_init(const struct jd_config *cfg)
{
	char why[4200];
	int n;

	jt.user = jbox_tls_read_user(cfg->cert);
	if ((cfg->ca_dir || cfg->ca_file) &&
	    !(jt.ca_dir = strdup(cfg->ca_dir ? cfg->ca_dir : cfg->ca_file)))
		return -ENOMEM;
	/* a folder that cannot be read leaves an empty store: renewed tokens are refused, as before
	 * */
	jt.cas = jbox_tls_read_cas(jt.ca_dir, &n, why, sizeof(why));
	if (!jt.cas && !(jt.cas = X509_STORE_new()))
		return -ENOMEM;
	log_debug("jbox: %d CA certificates from %s", n, jt.ca_dir ? jt.ca_dir : "(none)");
	token_on_new(jbox_tls_on_token);
	return 0;
}

void jbox_tls_fini(void)
{
	token_on_new(NULL);
	X509_free(jt.user);
	X509_STORE_free(jt.cas);
	free(jt.ca_dir);
	jt.user = NULL;
	jt.cas = NULL;
	jt.ca_dir = NULL;
}

int jbox_tls_ready(void)
{
	X509 *x;
	EVP_PKEY *k;

	return token_identity(&x, &k) == 0;
}

static int jbox_tls_in_dates(X509 *x)
{
	return X509_cmp_current_time(X509_get0_notBefore(x)) < 0 &&
	       X509_cmp_current_time(X509_get0_notAfter(x)) > 0;
}

/* Same subject and issuer as the current token, and a chain that verifies. */
static int jbox_tls_renewed_token(X509 *leaf, STACK_OF(X509) * chain, X509 *token)
{
	X509_STORE_CTX *vc;
	int ok;

	if (!token || !jt.cas ||
	    X509_NAME_cmp(X509_get_subject_name(leaf), X509_get_subject_name(token)) != 0 ||
	    X509_NAME_cmp(X509_get_issuer_name(leaf), X509_get_issuer_name(token)) != 0)
		return 0;
	vc = X509_STORE_CTX_new();
	ok = vc && X509_STORE_CTX_init(vc, jt.cas, leaf, chain) == 1 && X509_verify_cert(vc) == 1;
	X509_STORE_CTX_free(vc);
	ERR_clear_error();
	return ok;
}

int jbox_tls_client_ok(X509 *leaf, STACK_OF(X509) * chain, char *why, size_t whyn)
{
	X509 *token = NULL;
	EVP_PKEY *key;

	if (!leaf) {
		snprintf(why, whyn, "no client certificate");
		return 0;
	}
	if (!jbox_tls_in_dates(leaf)) {
		snprintf(why, whyn, "certificate outside its validity dates");
		return 0;
	}
	if (token_identity(&token, &key) < 0)
		token = NULL;
	if ((jt.user && X509_cmp(leaf, jt.user) == 0) || (token && X509_cmp(leaf, token) == 0) ||
	    jbox_tls_renewed_token(leaf, chain, token))
		return 1;
	snprintf(why, whyn, "neither the user certificate nor the current token");
	return 0;
}

/* OpenSSL calls this instead of its chain check (lws' own verify callback
 * is never reached, so lws' accept-everything default cannot apply). */
static int jbox_tls_verify_cb(X509_STORE_CTX *vc, void *arg)
{
	X509 *leaf = X509_STORE_CTX_get0_cert(vc);
	char subject[256] = "?", why[128];

	(void)arg;
	if (jbox_tls_client_ok(leaf, X509_STORE_CTX_get0_untrusted(vc), why, sizeof(why)))
		return 1;
	if (leaf)
		X509_NAME_oneline(X509_get_subject_name(leaf), subject, sizeof(subject));
	log_warn("jbox: refused a client certificate (%s): %s", subject, why);
	X509_STORE_CTX_set_error(vc, X509_V_ERR_CERT_REJECTED);
	return 0;
}

/* Each handshake: serve the token the daemon holds now (renewals apply to
 * the next connection). No token: the handshake fails. */
static int jbox_tls_cert_cb(SSL *ssl, void *arg)
{
	X509 *x;
	EVP_PKEY *k;

	(void)arg;
	if (token_identity(&x, &k) < 0) {
		if (!jt.said_no_token++)
			log_warn("jbox: a client connected before the daemon has a token; refused");
		return 0;
	}
	jt.said_no_token = 0;
	if (SSL_use_certificate(ssl, x) != 1 || SSL_use_PrivateKey(ssl, k) != 1) {
		log_err("jbox: cannot serve the token: %s",
			ERR_reason_error_string(ERR_get_error()));
		ERR_clear_error();
		return 0;
	}
	return 1;
}

int jbox_tls_setup_ctx(SSL_CTX *ctx)
{
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cert_cb(ctx, jbox_tls_cert_cb, NULL);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	/* no resumption: every connection shows its certificate again */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_cert_verify_callback(ctx, jbox_tls_verify_cb, NULL);
	return 0;
}
