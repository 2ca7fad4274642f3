/* certcheck.h - alien.py's cert-verify / token-verify (the certificate
 * against the CA store) and certkey-match / tokenkey-match, with its words
 * and exit codes. Files are those the asking shim names (same uid). */
#ifndef JALIEND_CERTCHECK_H
#define JALIEND_CERTCHECK_H

struct strbuf;

/* cert: a file or PEM text; ca: a CA file or hashed folder. Lines go to out
 * or err; returns the exit code (0, 1 failed, 2 no file, 5 unreadable). */
int certcheck_verify(const char *cert, const char *ca, struct strbuf *out, struct strbuf *err);
/* Whether cert and key belong together (an encrypted key does not load:
 * exit code 5). Returns the exit code (alien.py 1.7.0: 42 for a mismatch). */
int certcheck_keymatch(const char *cert, const char *key, struct strbuf *out, struct strbuf *err);
/* Whether what is PEM text or an existing path. */
int certcheck_bio_exists(const char *what);

#endif
