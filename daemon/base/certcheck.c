/* certcheck.c - see certcheck.h. */
#include "certcheck.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "certinfo.h"
#include "exitcodes.h"
#include "strbuf.h"

/* A PEM file or PEM text (at most CERTINFO_PEM_MAX bytes) as a BIO. */
static BIO *certcheck_bio(const char *what)
{
	return certinfo_bio(what);
}

static const char *certcheck_name(const char *what)
{
	return strncmp(what, "-----BEGIN", 10) == 0 ? "(PEM text)" : what;
}

static X509 *certcheck_cert(const char *what)
{
	BIO *b = certcheck_bio(what);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

/* No passphrase prompt: an encrypted key does not load here. */
static int certcheck_no_pass(char *buf, int size, int rw, void *u)
{
	(void)buf, (void)size, (void)rw, (void)u;
	return -1;
}

int certcheck_verify(const char *cert, const char *ca, struct strbuf *out, struct strbuf *err)
{
	X509 *x;
	X509_STORE *st;
	X509_STORE_CTX *ctx;
	struct stat sb;
	int ok, is_file = stat(ca, &sb) == 0 && S_ISREG(sb.st_mode);

	if (!certcheck_bio_exists(cert)) {
		strbuf_addf(err, "File >>>%s<<< not found\n", certcheck_name(cert));
		return JD_EXIT_NOENT;
	}
	x = certcheck_cert(cert);
	if (!x) {
		strbuf_addf(err, "Could not load certificate >>>%s<<<\n", certcheck_name(cert));
		return JD_EXIT_IO;
	}
	st = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	if (!st || !ctx ||
	    X509_STORE_load_locations(st, is_file ? ca : NULL, is_file ? NULL : ca) != 1) {
		strbuf_addf(err, "Could not load verify location >>>%s<<<\n", ca);
		X509_STORE_CTX_free(ctx);
		X509_STORE_free(st);
		X509_free(x);
		return JD_EXIT_IO;
	}
	X509_STORE_set_flags(st, X509_V_FLAG_ALLOW_PROXY_CERTS);
	ok = X509_STORE_CTX_init(ctx, st, x, NULL) == 1 && X509_verify_cert(ctx) == 1;
	if (ok)
		strbuf_addf(out, "SSL Verification successful for %s\n", certcheck_name(cert));
	else
		strbuf_addf(err, "SSL Verification failed for %s\n", certcheck_name(cert));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	X509_free(x);
	ERR_clear_error();
	return ok ? 0 : 1;
}

int certcheck_bio_exists(const char *what)
{
	struct stat st;

	return strncmp(what, "-----BEGIN", 10) == 0 || stat(what, &st) == 0;
}

int certcheck_keymatch(const char *cert, const char *key, struct strbuf *out, struct strbuf *err)
{
	X509 *x = certcheck_cert(cert);
	EVP_PKEY *k = NULL;
	BIO *b;
	int ok;

	if (!x) {
		strbuf_addf(err, "Could not load certificate >>>%s<<<\n", certcheck_name(cert));
		return JD_EXIT_IO;
	}
	b = certcheck_bio(key);
	if (b)
		k = PEM_read_bio_PrivateKey(b, NULL, certcheck_no_pass, NULL);
	BIO_free(b);
	if (!k) {
		strbuf_addf(err, "Could not load key >>>%s<<<\n", certcheck_name(key));
		X509_free(x);
		ERR_clear_error();
		return JD_EXIT_IO;
	}
	ok = X509_check_private_key(x, k) == 1;
	if (ok)
		/* alien.py 1.7.0's words and code (ENOMSG) */
		strbuf_adds(out, "Cert/key match!\n");
	else
		strbuf_adds(err, "Cert/key DO NOT match!\n");
	EVP_PKEY_free(k);
	X509_free(x);
	ERR_clear_error();
	return ok ? 0 : JD_EXIT_NOMATCH;
}
