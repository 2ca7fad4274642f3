/* certinfo.c - see certinfo.h. */
#include "certinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "safefile.h"
#include "strbuf.h"
#include "utf8.h"

/* A name component as text: what is not UTF-8 by common/utf8.c's rule (and
 * a NUL) is shown as \xNN, never passed on raw. */
static void certinfo_text(struct strbuf *out, const unsigned char *p, size_t n)
{
	for (size_t k = 0; k < n;) {
		uint32_t cp;
		size_t len = utf8_decode(p + k, n - k, &cp);

		if (len && cp) {
			strbuf_add(out, p + k, len);
			k += len;
		} else {
			strbuf_addf(out, "\\x%02X", p[k]);
			k++;
		}
	}
}

/* alien.py: the RFC 4514 components in reverse order (= certificate order)
 * joined by "/" (no leading slash). */
static void certinfo_name(struct strbuf *out, const X509_NAME *name)
{
	int n = X509_NAME_entry_count(name);

	for (int i = 0; i < n; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
		unsigned char *utf8 = NULL;
		int len = ASN1_STRING_to_UTF8(&utf8, v);
		const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : "?";

		if (strcmp(sn, "emailAddress") == 0)
			sn = "1.2.840.113549.1.9.1"; /* as Python's rfc4514_string() prints it */
		strbuf_addf(out, "%s%s=", i ? "/" : "", sn);
		certinfo_text(out, utf8, len > 0 ? (size_t)len : 0);
		OPENSSL_free(utf8);
	}
}

static void certinfo_time(struct strbuf *out, const char *label, const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];

	if (ASN1_TIME_to_tm(t, &tm) != 1 || !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, sizeof(buf), "?");
	strbuf_addf(out, "%s >>> %s\n", label, buf);
}

BIO *certinfo_bio(const char *what)
{
	char *pem = NULL;
	size_t n = 0;
	BIO *b;

	if (strncmp(what, "-----BEGIN", 10) == 0)
		return BIO_new_mem_buf(what, -1);
	/* the token certificate's name is in a shared folder: never open a FIFO or a device
	 * there */
	if (safefile_read(what, SAFEFILE_FOLLOW, CERTINFO_PEM_MAX, &pem, &n) < 0)
		return NULL;
	b = BIO_new(BIO_s_mem());
	if (b && BIO_write(b, pem, (int)n) != (int)n) {
		BIO_free(b);
		b = NULL;
	}
	OPENSSL_cleanse(pem, n); /* it may be a key (certcheck) */
	free(pem);
	return b;
}

int certinfo_lines(const char *what, struct strbuf *out)
{
	BIO *bio;
	X509 *x;

	bio = certinfo_bio(what);
	if (!bio)
		return -ENOENT;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!x)
		return -EINVAL;
	strbuf_adds(out, "DN >>> ");
	certinfo_name(out, X509_get_subject_name(x));
	strbuf_adds(out, "\nISSUER >>> ");
	certinfo_name(out, X509_get_issuer_name(x));
	strbuf_addc(out, '\n');
	certinfo_time(out, "BEGIN", X509_get0_notBefore(x));
	certinfo_time(out, "EXPIRE", X509_get0_notAfter(x));
	X509_free(x);
	return 0;
}
