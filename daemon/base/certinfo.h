/* certinfo.h - alien.py's cert-info / token-info: four lines about a
 * certificate (DN, ISSUER, BEGIN, EXPIRE). */
#ifndef JALIEND_CERTINFO_H
#define JALIEND_CERTINFO_H

struct strbuf;

#define CERTINFO_PEM_MAX (64u << 10) /* bytes read from a certificate file */

/* what: a file path, or the PEM text itself (as JALIEN_TOKEN_CERT may be).
 * Appends the lines to out; returns 0, -ENOENT (unreadable file) or
 * -EINVAL (not a PEM certificate). */
int certinfo_lines(const char *what, struct strbuf *out);
/* what (a path, or PEM text) as a memory BIO: a regular file of at most
 * CERTINFO_PEM_MAX bytes, opened without blocking (base/safefile.h); NULL
 * when it is none. */
struct bio_st;
struct bio_st *certinfo_bio(const char *what);

#endif
