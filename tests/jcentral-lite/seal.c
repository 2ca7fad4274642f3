/* seal.c - sealed access envelopes (see seal.h). */
#include "seal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_C_BEGIN "-----BEGIN SEALED CIPHER-----\n"
#define SEAL_C_END "\n-----END SEALED CIPHER-----\n"
#define SEAL_E_BEGIN "-----BEGIN SEALED ENVELOPE-----\n"
#define SEAL_E_END "\n-----END SEALED ENVELOPE-----\n"

bool seal_is_sealed(const char *env)
{
	return !strncmp(env, SEAL_C_BEGIN, strlen(SEAL_C_BEGIN));
}

/* base64 ('-' for '/') in lines of 76 */
static int seal_b64(const unsigned char *in, size_t n, char *out, size_t outsz, size_t *o)
{
	size_t need = 4 * ((n + 2) / 3);
	char *tmp = malloc(need + 1);

	if (!tmp)
		return -ENOMEM;
	EVP_EncodeBlock((unsigned char *)tmp, in, (int)n);
	for (size_t i = 0; i < need; i++) {
		if (i && i % 76 == 0) {
			if (*o + 1 >= outsz)
				goto big;
			out[(*o)++] = '\n';
		}
		if (*o + 1 >= outsz)
			goto big;
		out[(*o)++] = tmp[i] == '/' ? '-' : tmp[i];
	}
	out[*o] = '\0';
	free(tmp);
	return 0;
big:
	free(tmp);
	return -EMSGSIZE;
}

static int seal_add(char *out, size_t outsz, size_t *o, const char *s)
{
	size_t l = strlen(s);
	if (*o + l >= outsz)
		return -EMSGSIZE;
	memcpy(out + *o, s, l + 1);
	*o += l;
	return 0;
}

int seal_envelope(const struct jcl_server *srv, const char *plain, const char *tail, char *out,
		  size_t outsz)
{
	unsigned char key[32], ek[1024], sig[1024], *blk = NULL;
	size_t eklen = sizeof(ek), siglen = sizeof(sig), pl = strlen(plain), o = 0;
	EVP_PKEY_CTX *pc = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_CIPHER_CTX *cc = NULL;
	int rc = -EIO, n1 = 0, n2 = 0;

	if (!srv->token_ca_pkey)
		return -ENOKEY;
	if (RAND_bytes(key, sizeof(key)) != 1)
		return -EIO;
	if (!(blk = malloc(4 + sizeof(sig) + pl + 32)))
		return -ENOMEM;
	/* cipher block: key (16) + iv (16), RSA-OAEP */
	if (!(pc = EVP_PKEY_CTX_new(srv->token_ca_pkey, NULL)) || EVP_PKEY_encrypt_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_encrypt(pc, ek, &eklen, key, sizeof(key)) != 1)
		goto out;
	/* envelope block: be32 siglen, signature, AES-128-CBC(plain) */
	if (!(md = EVP_MD_CTX_new()) ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, srv->token_ca_pkey) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)plain, pl) != 1)
		goto out;
	blk[0] = (unsigned char)(siglen >> 24);
	blk[1] = (unsigned char)(siglen >> 16);
	blk[2] = (unsigned char)(siglen >> 8);
	blk[3] = (unsigned char)siglen;
	memcpy(blk + 4, sig, siglen);
	if (!(cc = EVP_CIPHER_CTX_new()) ||
	    EVP_EncryptInit_ex(cc, EVP_aes_128_cbc(), NULL, key, key + 16) != 1 ||
	    EVP_EncryptUpdate(cc, blk + 4 + siglen, &n1, (const unsigned char *)plain, (int)pl) !=
		    1 ||
	    EVP_EncryptFinal_ex(cc, blk + 4 + siglen + n1, &n2) != 1)
		goto out;
	out[0] = '\0';
	if ((rc = seal_add(out, outsz, &o, SEAL_C_BEGIN)) ||
	    (rc = seal_b64(ek, eklen, out, outsz, &o)) ||
	    (rc = seal_add(out, outsz, &o, SEAL_C_END)) ||
	    (rc = seal_add(out, outsz, &o, SEAL_E_BEGIN)) ||
	    (rc = seal_b64(blk, 4 + siglen + (size_t)(n1 + n2), out, outsz, &o)) ||
	    (rc = seal_add(out, outsz, &o, SEAL_E_END)) ||
	    (rc = seal_add(out, outsz, &o, tail ? tail : "")))
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(pc);
	EVP_MD_CTX_free(md);
	EVP_CIPHER_CTX_free(cc);
	OPENSSL_cleanse(key, sizeof(key));
	free(blk);
	return rc;
}

/* the base64 between begin and end, decoded; returns the length or negative */
static long seal_unb64(const char *s, const char *begin, const char *end, unsigned char *out,
		       size_t outsz)
{
	const char *a = strstr(s, begin), *b;
	if (!a)
		return -EINVAL;
	a += strlen(begin);
	if (!(b = strstr(a, end)))
		return -EINVAL;
	char *t = malloc((size_t)(b - a) + 1);
	size_t n = 0;
	if (!t)
		return -ENOMEM;
	for (const char *p = a; p < b; p++)
		if (*p != '\n' && *p != '\r')
			t[n++] = *p == '-' ? '/' : *p;
	t[n] = '\0';
	if (n % 4 || 3 * (n / 4) > outsz) {
		free(t);
		return -EINVAL;
	}
	int got = EVP_DecodeBlock(out, (unsigned char *)t, (int)n);
	if (got >= 0)
		for (size_t i = n; i > 0 && t[i - 1] == '='; i--)
			got--;
	free(t);
	return got < 0 ? -EINVAL : got;
}

int seal_open(const struct jcl_server *srv, const char *sealed, char *out, size_t outsz)
{
	unsigned char ek[1024], key[1024],
		*blk = malloc(SEAL_MAX); /* RSA output needs the modulus size */
	size_t klen = sizeof(key);
	EVP_PKEY_CTX *pc = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_CIPHER_CTX *cc = NULL;
	int rc = -EBADMSG, n1 = 0, n2 = 0;

	if (!blk)
		return -ENOMEM;
	long el = seal_unb64(sealed, SEAL_C_BEGIN, SEAL_C_END, ek, sizeof(ek));
	long bl = seal_unb64(sealed, SEAL_E_BEGIN, SEAL_E_END, blk, SEAL_MAX);
	if (!srv->token_ca_pkey || el <= 0 || bl < 4)
		goto out;
	size_t siglen =
		((size_t)blk[0] << 24) | ((size_t)blk[1] << 16) | ((size_t)blk[2] << 8) | blk[3];
	if (siglen > (size_t)bl - 4 || (size_t)bl - 4 - siglen + 32 > outsz)
		goto out;
	if (!(pc = EVP_PKEY_CTX_new(srv->token_ca_pkey, NULL)) || EVP_PKEY_decrypt_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_decrypt(pc, key, &klen, ek, (size_t)el) != 1 || klen != 32)
		goto out;
	if (!(cc = EVP_CIPHER_CTX_new()) ||
	    EVP_DecryptInit_ex(cc, EVP_aes_128_cbc(), NULL, key, key + 16) != 1 ||
	    EVP_DecryptUpdate(cc, (unsigned char *)out, &n1, blk + 4 + siglen,
			      (int)((size_t)bl - 4 - siglen)) != 1 ||
	    EVP_DecryptFinal_ex(cc, (unsigned char *)out + n1, &n2) != 1)
		goto out;
	out[n1 + n2] = '\0';
	if (!(md = EVP_MD_CTX_new()) ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, srv->token_ca_pkey) != 1 ||
	    EVP_DigestVerify(md, blk + 4, siglen, (unsigned char *)out, (size_t)(n1 + n2)) != 1) {
		out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_CTX_free(pc);
	EVP_MD_CTX_free(md);
	EVP_CIPHER_CTX_free(cc);
	OPENSSL_cleanse(key, sizeof(key));
	free(blk);
	return rc;
}
