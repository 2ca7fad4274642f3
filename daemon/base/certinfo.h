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

#endif
