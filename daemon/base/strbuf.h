/* strbuf.h - a growable byte buffer with a hard cap. */
#ifndef JALIEND_STRBUF_H
#define JALIEND_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *data;
	size_t len, cap, max; /* max: hard cap in bytes (0 = SIZE_MAX) */
};

/* Append n bytes; returns 0, -ENOMEM, or -E2BIG when max would be passed. */
int strbuf_add(struct strbuf *b, const void *p, size_t n);
int strbuf_addc(struct strbuf *b, char c);
int strbuf_adds(struct strbuf *b, const char *s);
int strbuf_addf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminate (not counted in len); returns data or NULL on ENOMEM. */
char *strbuf_cstr(struct strbuf *b);
void strbuf_reset(struct strbuf *b);
void strbuf_free(struct strbuf *b);

#endif
