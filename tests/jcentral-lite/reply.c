/* reply.c - JCentral reply builder and json-simple compatible serializer. */
#include "reply.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int jcl_buf_add(struct jcl_buf *b, const void *data, size_t n)
{
	if (n > JCL_REPLY_MAX || b->len > JCL_REPLY_MAX - n)
		return -EMSGSIZE;
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 256;
		while (nc < b->len + n + 1)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int jcl_buf_adds(struct jcl_buf *b, const char *s)
{
	return jcl_buf_add(b, s, strlen(s));
}

int jcl_buf_addf(struct jcl_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	int rc = jcl_buf_add(b, s, (size_t)n);
	free(s);
	return rc;
}

void jcl_buf_free(struct jcl_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static int buf_add_u(struct jcl_buf *b, unsigned cp)
{
	char tmp[8];
	snprintf(tmp, sizeof(tmp), "\\u%04X", cp);
	return jcl_buf_adds(b, tmp);
}

/* json-simple JSONValue.escape(): \" \\ \/ \b \f \n \r \t; U+0000-001F, U+007F-009F and
 * U+2000-20FF as \uXXXX (upper-case hex); everything else verbatim (UTF-8). */
int jcl_buf_add_json_str(struct jcl_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = jcl_buf_add(b, "\"", 1);

	while (!rc && *p) {
		unsigned char c = *p;
		const char *esc = NULL;

		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '/': esc = "\\/"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc) {
			rc = jcl_buf_adds(b, esc);
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			rc = buf_add_u(b, c);
			p++;
		} else if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			rc = buf_add_u(b, p[1]); /* U+0080..U+009F */
			p += 2;
		} else if (c == 0xe2 && p[1] >= 0x80 && p[1] <= 0x83 && (p[2] & 0xc0) == 0x80) {
			rc = buf_add_u(b, 0x2000u | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu));
			p += 3;
		} else {
			rc = jcl_buf_add(b, p, 1);
			p++;
		}
	}
	return rc ? rc : jcl_buf_add(b, "\"", 1);
}

/* ------------------------------------------------------------------------------------ */

struct kv {
	char *key;
	char *val;
};

struct row {
	struct kv *kv;
	size_t n, cap;
};

struct reply {
	struct row *rows;
	size_t n, cap;
	bool open; /* rows[n-1] is the current, still open row */
	bool nomsg, nokeys;
	int exitcode;
	char *error;
	int oom;
};

struct reply *reply_new(void)
{
	struct reply *r = calloc(1, sizeof(*r));
	if (r)
		r->error = strdup("");
	if (r && !r->error) {
		free(r);
		r = NULL;
	}
	return r;
}

static void row_free(struct row *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->kv[i].key);
		free(w->kv[i].val);
	}
	free(w->kv);
}

void reply_free(struct reply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		row_free(&r->rows[i]);
	free(r->rows);
	free(r->error);
	free(r);
}

void reply_set_filters(struct reply *r, bool nomsg, bool nokeys)
{
	r->nomsg = nomsg;
	r->nokeys = nokeys;
}

static struct row *cur_row(struct reply *r)
{
	if (r->open)
		return &r->rows[r->n - 1];
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		struct row *np = realloc(r->rows, nc * sizeof(*np));
		if (!np)
			return NULL;
		r->rows = np;
		r->cap = nc;
	}
	memset(&r->rows[r->n], 0, sizeof(struct row));
	r->n++;
	r->open = true;
	return &r->rows[r->n - 1];
}

static struct kv *row_find(struct row *w, const char *key)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->kv[i].key, key))
			return &w->kv[i];
	return NULL;
}

static int row_put(struct row *w, const char *key, const char *val, bool append)
{
	struct kv *e = row_find(w, key);

	if (e) {
		size_t ol = append ? strlen(e->val) : 0, nl = strlen(val);
		char *nv = malloc(ol + nl + 1);
		if (!nv)
			return -ENOMEM;
		memcpy(nv, e->val, ol);
		memcpy(nv + ol, val, nl + 1);
		free(e->val);
		e->val = nv;
		return 0;
	}
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 8;
		struct kv *np = realloc(w->kv, nc * sizeof(*np));
		if (!np)
			return -ENOMEM;
		w->kv = np;
		w->cap = nc;
	}
	char *k = strdup(key), *v = strdup(val);
	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	w->kv[w->n].key = k;
	w->kv[w->n].val = v;
	w->n++;
	return 0;
}

int reply_out(struct reply *r, const char *text)
{
	if (r->nomsg)
		return 0;
	struct row *w = cur_row(r);
	int rc = w ? row_put(w, "message", text, true) : -ENOMEM;
	if (rc)
		r->oom = 1;
	return rc;
}

int reply_outf(struct reply *r, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (r->nomsg)
		return 0;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->oom = 1;
		return -ENOMEM;
	}
	int rc = reply_out(r, s);
	free(s);
	return rc;
}

int reply_field(struct reply *r, const char *key, const char *value)
{
	if (r->nokeys)
		return 0;
	struct row *w = cur_row(r);
	int rc = w ? row_put(w, key, value ? value : "", false) : -ENOMEM;
	if (rc)
		r->oom = 1;
	return rc;
}

int reply_fieldf(struct reply *r, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (r->nokeys)
		return 0;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->oom = 1;
		return -ENOMEM;
	}
	int rc = reply_field(r, key, s);
	free(s);
	return rc;
}

void reply_next(struct reply *r)
{
	if (!r->open)
		return;
	struct kv *m = row_find(&r->rows[r->n - 1], "message");
	if (m) {
		size_t l = strlen(m->val);
		while (l > 0 && m->val[l - 1] == '\n')
			m->val[--l] = '\0';
	}
	r->open = false;
}

void reply_error_raw(struct reply *r, int code, const char *text)
{
	char *e = strdup(text ? text : "");
	if (!e) {
		r->oom = 1;
		return;
	}
	free(r->error);
	r->error = e;
	r->exitcode = code;
}

void reply_err_append(struct reply *r, const char *text)
{
	char *s = NULL;
	if (asprintf(&s, "%s%s", r->error ? r->error : "", text) < 0) {
		r->oom = 1;
		return;
	}
	free(r->error);
	r->error = s;
}

void reply_error(struct reply *r, int code, const char *detail)
{
	char *s = NULL;
	if (detail && *detail) {
		if (asprintf(&s, "%s : %s", strerror(code), detail) < 0)
			s = NULL;
	} else {
		s = strdup(strerror(code));
	}
	if (!s) {
		r->oom = 1;
		return;
	}
	free(r->error);
	r->error = s;
	r->exitcode = code;
}

void reply_errorf(struct reply *r, int code, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->oom = 1;
		return;
	}
	reply_error(r, code, s);
	free(s);
}

int reply_exitcode(const struct reply *r)
{
	return r->exitcode;
}

char *reply_serialize(struct reply *r, const char *currentdir, const char *user, size_t *len)
{
	struct jcl_buf b = { 0 };
	char code[16];
	int rc = 0;

	reply_next(r);
	if (r->oom) {
		/* Out of memory fails the request, not the daemon. */
		reply_error(r, ENOMEM, "reply too large");
		for (size_t i = 0; i < r->n; i++)
			row_free(&r->rows[i]);
		r->n = 0;
	}
	snprintf(code, sizeof(code), "%d", r->exitcode);
	rc |= jcl_buf_adds(&b, "{\"metadata\":{\"currentdir\":");
	rc |= jcl_buf_add_json_str(&b, currentdir);
	rc |= jcl_buf_adds(&b, ",\"exitcode\":");
	rc |= jcl_buf_add_json_str(&b, code);
	rc |= jcl_buf_adds(&b, ",\"error\":");
	rc |= jcl_buf_add_json_str(&b, r->error);
	rc |= jcl_buf_adds(&b, ",\"user\":");
	rc |= jcl_buf_add_json_str(&b, user);
	rc |= jcl_buf_adds(&b, "},\"results\":[");
	for (size_t i = 0; i < r->n && !rc; i++) {
		struct row *w = &r->rows[i];
		rc |= jcl_buf_adds(&b, i ? ",{" : "{");
		for (size_t k = 0; k < w->n && !rc; k++) {
			if (k)
				rc |= jcl_buf_add(&b, ",", 1);
			rc |= jcl_buf_add_json_str(&b, w->kv[k].key);
			rc |= jcl_buf_add(&b, ":", 1);
			rc |= jcl_buf_add_json_str(&b, w->kv[k].val);
		}
		rc |= jcl_buf_add(&b, "}", 1);
	}
	rc |= jcl_buf_adds(&b, "]}");
	if (rc) {
		jcl_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
