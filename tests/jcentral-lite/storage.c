/* storage.c - storage elements, PFN layout and signed envelopes (see storage.h). */
#include "storage.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const struct jcl_se *storage_se(const struct jcl_server *srv, const char *name)
{
	for (size_t i = 0; i < srv->n_ses; i++)
		if (!strcasecmp(srv->ses[i].name, name))
			return &srv->ses[i];
	return NULL;
}

const struct jcl_se *storage_se_by_number(const struct jcl_server *srv, int number)
{
	for (size_t i = 0; i < srv->n_ses; i++)
		if (srv->ses[i].number == number)
			return &srv->ses[i];
	return NULL;
}

void storage_upper(const char *in, char *out, size_t outsz)
{
	size_t i = 0;
	for (; in[i] && i + 1 < outsz; i++)
		out[i] = (char)toupper((unsigned char)in[i]);
	if (outsz)
		out[i] = '\0';
}

bool storage_se_has_tag(const struct jcl_se *se, const char *tag)
{
	for (int i = 0; i < se->ntags; i++)
		if (!strcasecmp(se->tags[i], tag))
			return true;
	return false;
}

void storage_tags(const struct jcl_se *se, char *out, size_t outsz)
{
	size_t o = 0;
	int n = snprintf(out, outsz, "[");
	o = n > 0 ? (size_t)n : 0;
	for (int i = 0; i < se->ntags && o < outsz; i++) {
		n = snprintf(out + o, outsz - o, "%s%s", i ? ", " : "", se->tags[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (o < outsz)
		snprintf(out + o, outsz - o, "]");
}

static int storage_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 0;
}

/* Two-level bucket of a GUID: NN = sum of the hex digits mod 16; NNNNN = a Fletcher-style
 * checksum of the digits (same result as JAliEn's GUID hash, so PFNs look like real ones). */
static void storage_buckets(const char *guid, int *nn, int *nnnnn)
{
	int sum = 0, c0 = 0, c1 = 0;

	for (const char *p = guid; *p; p++) {
		if (*p == '-')
			continue;
		int v = storage_hexval(*p);
		sum += v;
		c0 += v;
		c1 += c0;
	}
	c0 &= 0xff;
	c1 &= 0xff;
	int lo = c1 % 255, hi = (c1 - c0) % 255;
	if (hi < 0)
		hi += 255;
	*nn = sum % 16;
	*nnnnn = (hi << 8) + lo;
}

int storage_pfn(const struct jcl_se *se, const char *guid, char *out, size_t outsz)
{
	int nn, nnnnn;

	storage_buckets(guid, &nn, &nnnnn);
	int n = snprintf(out, outsz, "root://%s/%s/%02d/%05d/%s", se->host_port, se->path, nn,
			 nnnnn, guid);
	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

int storage_local_path(const struct jcl_server *srv, const char *pfn, char *out, size_t outsz)
{
	for (size_t i = 0; i < srv->n_ses; i++) {
		const struct jcl_se *se = &srv->ses[i];
		char pfx[1200];
		int n = snprintf(pfx, sizeof(pfx), "root://%s/%s/", se->host_port, se->path);
		if (n < 0 || (size_t)n >= sizeof(pfx) || strncmp(pfn, pfx, (size_t)n))
			continue;
		const char *rest = pfn + n;
		if (strstr(rest, "..") || strchr(rest, '?') || strchr(rest, '#'))
			return -EINVAL;
		n = snprintf(out, outsz, "%s/%s", se->path, rest);
		return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
	}
	return -ENOENT;
}

/* append a b c d to out at *o */
static int storage_append(char *out, size_t outsz, size_t *o, const char *a, const char *b,
			  const char *c, const char *d)
{
	int n = snprintf(out + *o, outsz - *o, "%s%s%s%s", a, b, c, d);
	if (n < 0 || (size_t)n >= outsz - *o)
		return -ENAMETOOLONG;
	*o += (size_t)n;
	return 0;
}

static int storage_sign(const struct jcl_server *srv, const char *text, char *b64, size_t b64sz)
{
	EVP_MD_CTX *md;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	int rc = -EIO;

	b64[0] = '\0';
	if (!srv->token_ca_pkey)
		return 0;
	if (!(md = EVP_MD_CTX_new()))
		return -ENOMEM;
	if (EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, srv->token_ca_pkey) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)text, strlen(text)) == 1 &&
	    b64sz > 4 * ((siglen + 2) / 3)) {
		EVP_EncodeBlock((unsigned char *)b64, sig, (int)siglen);
		rc = 0;
	}
	EVP_MD_CTX_free(md);
	return rc;
}

int storage_envelope(const struct jcl_server *srv, const struct storage_env *e, char *out,
		     size_t outsz)
{
	char size[32], issued[32], expires[32], sig[1400], hashord[256] = "";
	long long now = (long long)time(NULL);
	size_t o = 0, h = 0;
	const char *keys[] = { "turl", "access", "lfn", "guid", "size", "md5", "se" };
	const char *vals[7];
	int rc = 0;

	snprintf(size, sizeof(size), "%lld", e->size);
	snprintf(issued, sizeof(issued), "%lld", now);
	snprintf(expires, sizeof(expires), "%lld", now + STORAGE_ENVELOPE_TTL_S);
	vals[0] = e->turl;
	vals[1] = e->access;
	vals[2] = e->lfn;
	vals[3] = e->guid;
	vals[4] = e->size >= 0 ? size : NULL;
	vals[5] = e->md5 && *e->md5 ? e->md5 : NULL;
	vals[6] = e->se;
	out[0] = '\0';
	for (size_t i = 0; i < 7 && !rc; i++) {
		if (!vals[i])
			continue;
		rc = storage_append(out, outsz, &o, o ? "&" : "", keys[i], "=", vals[i]);
		if (!rc)
			rc = storage_append(hashord, sizeof(hashord), &h, h ? "-" : "", keys[i], "",
					    "");
	}
	if (!rc)
		rc = storage_append(hashord, sizeof(hashord), &h, "-hashord-issuer-issued-expires",
				    "", "", "");
	if (!rc)
		rc = storage_append(out, outsz, &o, "&hashord=", hashord, "", "");
	if (!rc)
		rc = storage_append(out, outsz, &o, "&issuer=jcentral-lite_localhost", "", "", "");
	if (!rc)
		rc = storage_append(out, outsz, &o, "&issued=", issued, "&expires=", expires);
	if (!rc)
		rc = storage_sign(srv, out, sig, sizeof(sig));
	if (!rc)
		rc = storage_append(out, outsz, &o, "&signature=", sig, "", "");
	if (!rc)
		rc = storage_append(out, outsz, &o,
				    !strcmp(e->access, "read")
					    ? "&scitag.flow=330&eos.app=dataAccess"
					    : "&scitag.flow=335&eos.app=cliUpload",
				    "", "", "");
	return rc;
}

int storage_envelope_get(const char *env, const char *key, char *out, size_t outsz)
{
	size_t kl = strlen(key);
	const char *p = env;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			const char *v = p + kl + 1;
			size_t l = strcspn(v, "&");
			if (l >= outsz)
				return -ENAMETOOLONG;
			memcpy(out, v, l);
			out[l] = '\0';
			return 0;
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return -ENOENT;
}
