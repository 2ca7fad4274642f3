/* auth.h - which credential files the daemon uses, checked before use so
 * that every problem is one line naming the file. */
#ifndef JALIEND_AUTH_H
#define JALIEND_AUTH_H

#include <stddef.h>

struct auth_files {
	char cert[1024];
	char key[1024];
	char ca_dir[1024];  /* "" when ca_file is used */
	char ca_file[1024]; /* X509_CERT_FILE, a bundle of CA certificates, when it was chosen */
	long not_after;	    /* the certificate's notAfter, epoch seconds */
	int key_encrypted;  /* the key needs a passphrase: see auth_unlock_check */
	int cert_missing;   /* the user certificate file does not exist (a token may do) */
};

/* Resolve X509_USER_CERT / X509_USER_KEY (default ~/.globus/usercert.pem,
 * userkey.pem) and the CA in alien.py 1.7.0's order: ALIENPY_USE_LOCAL_CAS,
 * X509_CERT_DIR, X509_CERT_FILE (a bundle file), the first folder of
 * /cvmfs/alice.cern.ch/etc/grid-security/certificates,
 * /etc/grid-security/certificates that exists,
 * then check: readable, parses, not expired, key matches, CA folder or file exists.
 * On failure writes a one-line reason into err and returns -errno. */
int auth_resolve(struct auth_files *af, char *err, size_t errn);
/* For an encrypted key: does pass open it, and does it belong to the
 * certificate? 0, or -EKEYREJECTED / -EINVAL with the reason in err. */
int auth_unlock_check(const struct auth_files *af, const char *pass, char *err, size_t errn);

#endif
