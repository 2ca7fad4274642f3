/* auth.c - users file and certificate subject handling. */
#include "auth.h"
#include "token.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool account_ok(const char *a)
{
	if (!*a || strlen(a) >= JCL_ACCOUNT_MAX)
		return false;
	for (; *a; a++)
		if (!isalnum((unsigned char)*a) && *a != '.' && *a != '_' && *a != '-')
			return false;
	return true;
}

int auth_load_users(const char *path, struct jcl_user **users, size_t *n, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	struct jcl_user *u = NULL;
	size_t cnt = 0;
	char line[JCL_DN_MAX + JCL_ACCOUNT_MAX + 8];
	int lineno = 0, rc = 0;

	if (!f) {
		rc = -errno;
		snprintf(err, errsz, "cannot read --users %s: %s", path, strerror(errno));
		return rc;
	}
	u = calloc(JCL_MAX_USERS, sizeof(*u));
	if (!u) {
		fclose(f);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t l = strlen(line);
		if (l == sizeof(line) - 1 && line[l - 1] != '\n') {
			snprintf(err, errsz, "--users %s:%d: line too long", path, lineno);
			rc = -EINVAL;
			break;
		}
		while (l > 0 && isspace((unsigned char)line[l - 1]))
			line[--l] = '\0';
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		char *acc = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (!account_ok(acc) || *p != '/' || strlen(p) >= JCL_DN_MAX) {
			snprintf(err, errsz, "--users %s:%d: expected '<account> </slash/subject>'",
				 path, lineno);
			rc = -EINVAL;
			break;
		}
		if (cnt == JCL_MAX_USERS) {
			snprintf(err, errsz, "--users %s: more than %d accounts", path,
				 JCL_MAX_USERS);
			rc = -E2BIG;
			break;
		}
		memcpy(u[cnt].account, acc, strlen(acc) + 1); /* lengths checked above */
		memcpy(u[cnt].subject, p, strlen(p) + 1);
		cnt++;
	}
	if (!rc && ferror(f)) {
		snprintf(err, errsz, "cannot read --users %s", path);
		rc = -EIO;
	}
	fclose(f);
	if (rc) {
		free(u);
		return rc;
	}
	*users = u;
	*n = cnt;
	return 0;
}

static int entry_value(X509_NAME_ENTRY *ent, char *out, size_t outsz)
{
	unsigned char *utf8 = NULL;
	int l = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(ent));

	if (l < 0)
		return -EINVAL;
	if ((size_t)l >= outsz) {
		OPENSSL_free(utf8);
		return -ENAMETOOLONG;
	}
	memcpy(out, utf8, (size_t)l);
	out[l] = '\0';
	OPENSSL_free(utf8);
	return 0;
}

static const char *entry_sn(X509_NAME_ENTRY *ent, bool java)
{
	int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent));
	if (java && nid == NID_pkcs9_emailAddress)
		return "EMAILADDRESS";
	const char *sn = nid == NID_undef ? NULL : OBJ_nid2sn(nid);
	return sn ? sn : "UNKNOWN";
}

int auth_slash_subject(X509_NAME *name, char *out, size_t outsz)
{
	size_t o = 0;
	char val[JCL_DN_MAX];

	out[0] = '\0';
	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		X509_NAME_ENTRY *ent = X509_NAME_get_entry(name, i);
		if (entry_value(ent, val, sizeof(val)))
			return -EINVAL;
		int n = snprintf(out + o, outsz - o, "/%s=%s", entry_sn(ent, false), val);
		if (n < 0 || (size_t)n >= outsz - o)
			return -ENAMETOOLONG;
		o += (size_t)n;
	}
	return 0;
}

int auth_comma_subject(X509_NAME *name, char *out, size_t outsz)
{
	size_t o = 0;
	char val[JCL_DN_MAX];
	int prev_set = -1;

	out[0] = '\0';
	for (int i = X509_NAME_entry_count(name) - 1; i >= 0; i--) {
		X509_NAME_ENTRY *ent = X509_NAME_get_entry(name, i);
		int set = X509_NAME_ENTRY_set(ent);
		if (entry_value(ent, val, sizeof(val)))
			return -EINVAL;
		const char *sep = o == 0 ? "" : (set == prev_set ? " + " : ", ");
		int n = snprintf(out + o, outsz - o, "%s%s=%s", sep, entry_sn(ent, true), val);
		if (n < 0 || (size_t)n >= outsz - o)
			return -ENAMETOOLONG;
		o += (size_t)n;
		prev_set = set;
	}
	return 0;
}

int auth_rfc2253_subject(X509_NAME *name, char *out, size_t outsz)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int rc = 0;

	out[0] = '\0';
	if (!b)
		return -ENOMEM;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) < 0) {
		rc = -EINVAL;
	} else {
		n = BIO_get_mem_data(b, &p);
		if (n < 0 || (size_t)n >= outsz)
			rc = -ENAMETOOLONG;
		else {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(b);
	return rc;
}

long long auth_not_after(const X509 *cert)
{
	struct tm tm;
	const ASN1_TIME *t = X509_get0_notAfter(cert);

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (long long)timegm(&tm);
}

const struct jcl_user *auth_lookup(const struct jcl_server *srv, X509 *cert)
{
	char subj[JCL_DN_MAX];

	if (!cert || auth_slash_subject(X509_get_subject_name(cert), subj, sizeof(subj)))
		return NULL;
	for (size_t i = 0; i < srv->n_users; i++)
		if (!strcmp(srv->users[i].subject, subj))
			return &srv->users[i];
	/* a token certificate maps to the account named in it (which must exist) */
	char acc[JCL_ACCOUNT_MAX];
	if (!token_account(srv, cert, acc, sizeof(acc)))
		for (size_t i = 0; i < srv->n_users; i++)
			if (!strcmp(srv->users[i].account, acc))
				return &srv->users[i];
	return NULL;
}
