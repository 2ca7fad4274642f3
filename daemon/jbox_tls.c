/* jbox_tls.c - see jbox_tls.h. */
#include "jbox_tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "log.h"

#define JBOX_TLS_DAYS 365
#define JBOX_TLS_SAN "DNS:localhost,DNS:localhost.localdomain,DNS:127.0.0.1,DNS:::1,IP:127.0.0.1,IP:::1"

static struct {
	const struct jd_config *cfg;
	EVP_PKEY *key;
	X509 *cert;
	X509_STORE *cas;         /* the CA folder, for renewed tokens */
	char token_cert[1024];
} jt;

const char *jbox_tls_token_cert_path(void)
{
	return jt.token_cert;
}

/* Where token.c writes the token (same rule). */
static void jbox_tls_token_path(void)
{
	const char *c = getenv("JALIEN_TOKEN_CERT"), *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (c && *c)
		snprintf(jt.token_cert, sizeof(jt.token_cert), "%s", c);
	else
		snprintf(jt.token_cert, sizeof(jt.token_cert), "%s/tokencert_%u.pem", tmp, (unsigned)getuid());
}

static int jbox_tls_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -EINVAL;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

static X509 *jbox_tls_make_cert(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	int ok = x && name && RAND_bytes(serial, sizeof(serial)) == 1;

	serial[0] &= 0x7f; /* positive */
	ok = ok && (bn = BN_bin2bn(serial, sizeof(serial), NULL)) && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	ok = ok && X509_set_version(x, 2);
	ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	ok = ok && X509_gmtime_adj(X509_getm_notAfter(x), (long)JBOX_TLS_DAYS * 86400);
	ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"jaliend", -1, -1, 0);
	ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
	ok = ok && X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) && X509_set_pubkey(x, key);
	ok = ok && jbox_tls_add_ext(x, NID_basic_constraints, "critical,CA:FALSE") == 0;
	ok = ok && jbox_tls_add_ext(x, NID_key_usage, "critical,digitalSignature") == 0;
	ok = ok && jbox_tls_add_ext(x, NID_ext_key_usage, "serverAuth") == 0;
	ok = ok && jbox_tls_add_ext(x, NID_subject_alt_name, JBOX_TLS_SAN) == 0;
	ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int jbox_tls_init(const struct jd_config *cfg)
{
	X509_LOOKUP *lk;

	jt.cfg = cfg;
	jbox_tls_token_path();
	jt.key = EVP_EC_gen("P-256");
	jt.cert = jt.key ? jbox_tls_make_cert(jt.key) : NULL;
	if (!jt.cert) {
		log_err("jbox: cannot make the server certificate: %s", ERR_reason_error_string(ERR_get_error()));
		jbox_tls_fini();
		return -ENOMEM;
	}
	jt.cas = X509_STORE_new();
	if (jt.cas && cfg->ca_dir && (lk = X509_STORE_add_lookup(jt.cas, X509_LOOKUP_hash_dir())))
		X509_LOOKUP_add_dir(lk, cfg->ca_dir, X509_FILETYPE_PEM);
	ERR_clear_error();
	return 0;
}

void jbox_tls_fini(void)
{
	X509_free(jt.cert);
	EVP_PKEY_free(jt.key);
	X509_STORE_free(jt.cas);
	jt.cert = NULL;
	jt.key = NULL;
	jt.cas = NULL;
}

static X509 *jbox_tls_read_cert(const char *path)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f)
		fclose(f);
	ERR_clear_error();
	return x;
}

static int jbox_tls_in_dates(X509 *x)
{
	return X509_cmp_current_time(X509_get0_notBefore(x)) < 0 && X509_cmp_current_time(X509_get0_notAfter(x)) > 0;
}

/* Same subject and issuer as the current token, and a chain that verifies. */
static int jbox_tls_renewed_token(X509 *leaf, STACK_OF(X509) *chain, X509 *token)
{
	X509_STORE_CTX *vc;
	int ok;

	if (!token || !jt.cas || X509_NAME_cmp(X509_get_subject_name(leaf), X509_get_subject_name(token)) != 0 ||
	    X509_NAME_cmp(X509_get_issuer_name(leaf), X509_get_issuer_name(token)) != 0)
		return 0;
	vc = X509_STORE_CTX_new();
	ok = vc && X509_STORE_CTX_init(vc, jt.cas, leaf, chain) == 1 && X509_verify_cert(vc) == 1;
	X509_STORE_CTX_free(vc);
	ERR_clear_error();
	return ok;
}

int jbox_tls_client_ok(X509 *leaf, STACK_OF(X509) *chain, char *why, size_t whyn)
{
	X509 *user, *token;
	int ok;

	if (!leaf) {
		snprintf(why, whyn, "no client certificate");
		return 0;
	}
	if (!jbox_tls_in_dates(leaf)) {
		snprintf(why, whyn, "certificate outside its validity dates");
		return 0;
	}
	user = jbox_tls_read_cert(jt.cfg->cert);
	token = jbox_tls_read_cert(jt.token_cert);
	ok = (user && X509_cmp(leaf, user) == 0) || (token && X509_cmp(leaf, token) == 0) ||
	     jbox_tls_renewed_token(leaf, chain, token);
	X509_free(user);
	X509_free(token);
	if (!ok)
		snprintf(why, whyn, "neither the user certificate nor the current token");
	return ok;
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

int jbox_tls_setup_ctx(SSL_CTX *ctx)
{
	if (!jt.cert || SSL_CTX_use_certificate(ctx, jt.cert) != 1 || SSL_CTX_use_PrivateKey(ctx, jt.key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_err("jbox: cannot set the server certificate: %s", ERR_reason_error_string(ERR_get_error()));
		return -EINVAL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	/* no resumption: every connection shows its certificate again */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_cert_verify_callback(ctx, jbox_tls_verify_cb, NULL);
	return 0;
}
