/* auth.h - which credential files the daemon uses, checked before use so
 * that every problem is one line naming the file. */
#ifndef JALIEND_AUTH_H
#define JALIEND_AUTH_H

#include <stddef.h>

struct auth_files {
	char cert[1024];
	char key[1024];
	char ca_dir[1024];
	long not_after; /* the certificate's notAfter, epoch seconds */
};

/* Resolve X509_USER_CERT / X509_USER_KEY (default ~/.globus/usercert.pem,
 * userkey.pem) and X509_CERT_DIR (default /etc/grid-security/certificates),
 * then check: readable, parses, not expired, key matches, CA folder exists.
 * On failure writes a one-line reason into err and returns -errno. */
int auth_resolve(struct auth_files *af, char *err, size_t errn);

#endif
