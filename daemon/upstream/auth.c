/* auth.c - see auth.h. */
#include "auth.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/safefile.h"

#define AUTH_CA_CVMFS "/cvmfs/alice.cern.ch/etc/grid-security/certificates"

static const char *auth_home(void)
{
	const char *h = getenv("HOME");

	return h && *h ? h : "/";
}

static void auth_pick(char *out, size_t n, const char *env, const char *def_rel)
{
	const char *v = getenv(env);

	if (v && v[0] == '~' && (v[1] == '/' || !v[1])) /* alien.py 1.7.0 expands ~ in X509_* */
		snprintf(out, n, "%s%s", auth_home(), v + 1);
	else if (v && *v)
		snprintf(out, n, "%s", v);
	else
		snprintf(out, n, "%s/%s", auth_home(), def_rel);
}

/* A folder holding at least one *.pem (and name, when given). */
static int auth_ca_dir_ok(const char *dir, const char *name)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int pem = 0, named = !name;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		pem |= l > 4 && strcmp(e->d_name + l - 4, ".pem") == 0;
		named |= name && strcmp(e->d_name, name) == 0;
	}
	closedir(d);
	return pem && named;
}

/* "~/x" -> "$HOME/x" (alien.py 1.7.0 expands ~ in X509_*); NULL when unset or empty */
static const char *auth_expand(const char *v, char *buf, size_t n)
{
	if (v && v[0] == '~' && (v[1] == '/' || !v[1])) {
		snprintf(buf, n, "%s%s", auth_home(), v + 1);
		return buf;
	}
	return v && *v ? v : NULL;
}

/* alien.py 1.7.0's CA search (spec 2.5): ALIENPY_USE_LOCAL_CAS (its value if a
 * folder, else ~/.globus/certificates; it must hold CERN-GridCA.pem),
 * X509_CERT_DIR (a folder with a *.pem), X509_CERT_FILE (a file: a bundle of CA
 * certificates, into file, out left empty), the ALICE CVMFS folder,
 * /etc/grid-security/certificates. An X509_CERT_DIR without a *.pem and no
 * X509_CERT_FILE: that folder, so the error names it. 1 when the choice came
 * from a variable. */
static int auth_pick_ca(char *out, size_t n, char *file, size_t fn)
{
	const char *local = getenv("ALIENPY_USE_LOCAL_CAS"), *dir, *cf;
	char buf[1024], dbuf[1024], fbuf[1024];
	struct stat st;

	file[0] = 0;
	if (local) {
		if (*local && stat(local, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(buf, sizeof(buf), "%s", local);
		else
			snprintf(buf, sizeof(buf), "%s/.globus/certificates", auth_home());
		if (auth_ca_dir_ok(buf, "CERN-GridCA.pem")) {
			snprintf(out, n, "%s", buf);
			return 1;
		}
	}
	dir = auth_expand(getenv("X509_CERT_DIR"), dbuf, sizeof(dbuf));
	cf = auth_expand(getenv("X509_CERT_FILE"), fbuf, sizeof(fbuf));
	if (dir && auth_ca_dir_ok(dir, NULL)) {
		snprintf(out, n, "%s", dir);
		return 1;
	}
	if (cf && stat(cf, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(file, fn, "%s", cf);
		out[0] = 0;
		return 1;
	}
	if (dir) {
		snprintf(out, n, "%s", dir);
		return 1;
	}
	snprintf(out, n, "%s",
		 auth_ca_dir_ok(AUTH_CA_CVMFS, NULL) ? AUTH_CA_CVMFS
						     : "/etc/grid-security/certificates");
	return 0;
}

static const char *auth_ssl_reason(void)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "not PEM";
}

/* Passphrase callback: an encrypted key is not usable without a prompt. */
static int auth_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag;
	*(int *)u = 1;
	return -1;
}

static int auth_check_files(struct auth_files *af, char *err, size_t errn)
{
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	FILE *f;
	int encrypted = 0, r = -EINVAL;

	if (!(f = safefile_fopen(af->cert, SAFEFILE_FOLLOW))) {
		af->cert_missing = errno == ENOENT;
		snprintf(err, errn, "cannot read user certificate %s: %s", af->cert,
			 strerror(errno));
		return -errno;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x) {
		snprintf(err, errn, "user certificate %s is not a PEM certificate (%s)", af->cert,
			 auth_ssl_reason());
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) {
		snprintf(err, errn, "user certificate %s has expired", af->cert);
		r = -EKEYEXPIRED;
		goto out;
	}
	{
		struct tm tm;

		if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
			af->not_after = (long)timegm(&tm);
	}
	if (!(f = safefile_fopen(af->key, SAFEFILE_FOLLOW))) {
		r = -errno;
		snprintf(err, errn, "cannot read user key %s: %s", af->key, strerror(errno));
		goto out;
	}
	k = PEM_read_PrivateKey(f, NULL, auth_no_passphrase, &encrypted);
	fclose(f);
	if (!k && encrypted) { /* asked for through the first shim that needs it */
		ERR_clear_error();
		af->key_encrypted = 1;
		r = 0;
		goto out;
	}
	if (!k) {
		snprintf(err, errn, "user key %s is not a PEM private key (%s)", af->key,
			 auth_ssl_reason());
		goto out;
	}
	if (X509_check_private_key(x, k) != 1) {
		ERR_clear_error();
		snprintf(err, errn, "user key %s does not belong to certificate %s", af->key,
			 af->cert);
		goto out;
	}
	r = 0;
out:
	X509_free(x);
	EVP_PKEY_free(k);
	return r;
}

int auth_unlock_check(const struct auth_files *af, const char *pass, char *err, size_t errn)
{
	FILE *f = safefile_fopen(af->cert, SAFEFILE_FOLLOW);
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = NULL;
	int r = -EINVAL;

	if (f)
		fclose(f);
	f = safefile_fopen(af->key, SAFEFILE_FOLLOW);
	if (f) {
		/* with no callback, OpenSSL takes the last argument as the passphrase */
		k = PEM_read_PrivateKey(f, NULL, NULL, (void *)pass);
		fclose(f);
	}
	if (!x || !f)
		snprintf(err, errn, "cannot read %s or %s", af->cert, af->key);
	else if (!k)
		snprintf(err, errn, "wrong passphrase for %s", af->key), r = -EKEYREJECTED;
	else if (X509_check_private_key(x, k) != 1)
		snprintf(err, errn, "user key %s does not belong to certificate %s", af->key,
			 af->cert);
	else
		r = 0;
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	return r;
}

int auth_resolve(struct auth_files *af, char *err, size_t errn)
{
	struct stat st;
	int from_env;

	memset(af, 0, sizeof(*af));
	auth_pick(af->cert, sizeof(af->cert), "X509_USER_CERT", ".globus/usercert.pem");
	auth_pick(af->key, sizeof(af->key), "X509_USER_KEY", ".globus/userkey.pem");
	from_env = auth_pick_ca(af->ca_dir, sizeof(af->ca_dir), af->ca_file, sizeof(af->ca_file));
	if (af->ca_file[0] && access(af->ca_file, R_OK) < 0) {
		snprintf(err, errn, "CA file %s (from X509_CERT_FILE): %s", af->ca_file,
			 strerror(errno));
		return -errno;
	}
	if (!af->ca_file[0] && (stat(af->ca_dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		snprintf(err, errn, "CA folder %s is missing%s", af->ca_dir,
			 from_env ? " (from X509_CERT_DIR)"
				  : "; set X509_CERT_DIR to a folder of grid CA certificates");
		return -ENOENT;
	}
	return auth_check_files(af, err, errn);
}
