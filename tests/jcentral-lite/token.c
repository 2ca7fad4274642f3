/* token.c - issuing and recognising token certificates (see token.h). */
#include "token.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TOKEN_RSA_BITS 2048
#define TOKEN_SKEW_S (2 * 3600) /* notBefore grace (JCentral) */
#define TOKEN_SKEW_TEST_S 60	/* with --token-seconds */

int token_load_ca(struct jcl_server *srv, char *err, size_t errsz)
{
	FILE *f;

	if (!srv->token_ca_cert)
		return 0;
	if (!(f = fopen(srv->token_ca_cert, "r"))) {
		snprintf(err, errsz, "cannot read --token-ca-cert %s: %s", srv->token_ca_cert,
			 strerror(errno));
		return -errno;
	}
	srv->token_ca = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!srv->token_ca) {
		snprintf(err, errsz, "--token-ca-cert %s: not a PEM certificate",
			 srv->token_ca_cert);
		return -EINVAL;
	}
	if (!(f = fopen(srv->token_ca_key, "r"))) {
		snprintf(err, errsz, "cannot read --token-ca-key %s: %s", srv->token_ca_key,
			 strerror(errno));
		return -errno;
	}
	srv->token_ca_pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!srv->token_ca_pkey) {
		snprintf(err, errsz, "--token-ca-key %s: not an unencrypted PEM key",
			 srv->token_ca_key);
		return -EINVAL;
	}
	if (X509_check_private_key(srv->token_ca, srv->token_ca_pkey) != 1) {
		snprintf(err, errsz, "--token-ca-key does not match --token-ca-cert");
		return -EINVAL;
	}
	return 0;
}

void token_free_ca(struct jcl_server *srv)
{
	X509_free(srv->token_ca);
	EVP_PKEY_free(srv->token_ca_pkey);
	srv->token_ca = NULL;
	srv->token_ca_pkey = NULL;
}

static int token_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok ? 0 : -EINVAL;
}

static int token_bio_text(BIO *b, char *out, size_t outsz)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);

	if (n <= 0 || (size_t)n >= outsz)
		return -ENAMETOOLONG;
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return 0;
}

static int token_subject(X509_NAME *n, const char *cn, const char *role)
{
	const struct {
		const char *f, *v;
	} rdn[] = {
		{ "C", "ch" }, { "O", "AliEn2" }, { "CN", "Users" }, { "CN", cn }, { "OU", role },
	};
	for (size_t i = 0; i < sizeof(rdn) / sizeof(rdn[0]); i++)
		if (X509_NAME_add_entry_by_txt(n, rdn[i].f, MBSTRING_UTF8,
					       (const unsigned char *)rdn[i].v, -1, -1, 0) != 1)
			return -EINVAL;
	return 0;
}

int token_issue(const struct jcl_server *srv, const char *cn, const char *role, long long life_s,
		long long cap_not_after, struct token_out *out)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	BIO *b = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	X509V3_CTX ctx;
	int rc = -EINVAL;
	long long now = (long long)time(NULL);
	long long nb = now - (srv->token_seconds ? TOKEN_SKEW_TEST_S : TOKEN_SKEW_S);
	long long na = now + life_s;

	if (!srv->token_ca || !srv->token_ca_pkey)
		return -ENOSYS;
	if (cap_not_after > 0 && na > cap_not_after)
		na = cap_not_after;
	memset(out, 0, sizeof(*out));
	if (!(key = EVP_RSA_gen(TOKEN_RSA_BITS)) || !(x = X509_new()))
		goto out;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f; /* positive */
	serial[0] |= 0x10; /* and full length */
	if (!(bn = BN_bin2bn(serial, sizeof(serial), NULL)) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto out;
	if (X509_set_version(x, 2) != 1 || !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) ||
	    X509_set_issuer_name(x, X509_get_subject_name(srv->token_ca)) != 1 ||
	    token_subject(X509_get_subject_name(x), cn, role) || X509_set_pubkey(x, key) != 1)
		goto out;
	X509V3_set_ctx(&ctx, srv->token_ca, x, NULL, NULL, 0);
	if (token_add_ext(x, &ctx, NID_authority_key_identifier, "keyid") ||
	    token_add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
	    token_add_ext(x, &ctx, NID_ext_key_usage, "clientAuth,serverAuth,emailProtection") ||
	    token_add_ext(x, &ctx, NID_key_usage,
			  "digitalSignature,nonRepudiation,keyEncipherment") ||
	    token_add_ext(x, &ctx, NID_subject_alt_name,
			  "DNS:localhost,DNS:localhost.localdomain,DNS:127.0.0.1,DNS:::1"))
		goto out;
	if (X509_sign(x, srv->token_ca_pkey, EVP_sha256()) <= 0)
		goto out;

	if (!(b = BIO_new(BIO_s_mem())) || PEM_write_bio_X509(b, x) != 1 ||
	    token_bio_text(b, out->cert_pem, sizeof(out->cert_pem)))
		goto out;
	BIO_free(b);
	/* traditional (PKCS#1) "BEGIN RSA PRIVATE KEY", as JCentral sends it */
	if (!(b = BIO_new(BIO_s_mem())) ||
	    PEM_write_bio_PrivateKey_traditional(b, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    token_bio_text(b, out->key_pem, sizeof(out->key_pem)))
		goto out;
	if (snprintf(out->slash_dn, sizeof(out->slash_dn), "/C=ch/O=AliEn2/CN=Users/CN=%s/OU=%s",
		     cn, role) >= (int)sizeof(out->slash_dn))
		goto out;
	out->not_after = na;
	rc = 0;
out:
	if (rc)
		jcl_log("token: cannot issue a certificate for %s", cn);
	BIO_free(b);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

static int token_entry(X509_NAME *n, int i, int nid, char *val, size_t valsz)
{
	X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
	unsigned char *u = NULL;
	int l;

	if (!e || OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) != nid)
		return -ENOENT;
	if ((l = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e))) < 0)
		return -ENOENT;
	if ((size_t)l >= valsz) {
		OPENSSL_free(u);
		return -ENOENT;
	}
	memcpy(val, u, (size_t)l);
	val[l] = '\0';
	OPENSSL_free(u);
	return 0;
}

int token_account(const struct jcl_server *srv, X509 *cert, char *account, size_t accsz)
{
	X509_NAME *n;
	char v[JCL_DN_MAX], cn[JCL_ACCOUNT_MAX], role[JCL_ACCOUNT_MAX];
	EVP_PKEY *capub;

	if (!srv->token_ca || !cert)
		return -ENOENT;
	/* issued by the token CA: same issuer name and a valid signature of its key */
	if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(srv->token_ca)) ||
	    !(capub = X509_get0_pubkey(srv->token_ca)) || X509_verify(cert, capub) != 1)
		return -ENOENT;
	n = X509_get_subject_name(cert);
	if (X509_NAME_entry_count(n) != 5 || token_entry(n, 0, NID_countryName, v, sizeof(v)) ||
	    strcmp(v, "ch") || token_entry(n, 1, NID_organizationName, v, sizeof(v)) ||
	    strcmp(v, "AliEn2") || token_entry(n, 2, NID_commonName, v, sizeof(v)) ||
	    strcmp(v, "Users") || token_entry(n, 3, NID_commonName, cn, sizeof(cn)) ||
	    token_entry(n, 4, NID_organizationalUnitName, role, sizeof(role)))
		return -ENOENT;
	if (strlen(cn) >= accsz)
		return -ENOENT;
	memcpy(account, cn, strlen(cn) + 1);
	return 0;
}
