/* jbox_json.c - see jbox_json.h. */
#include "jbox_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "utf8.h"

/* Code point of the UTF-8 sequence at p (n bytes left); *len its length.
 * Malformed bytes (common/utf8.c's rule) come back as themselves with
 * length 1 (copied verbatim). */
static unsigned jbox_json_utf8(const unsigned char *p, size_t n, size_t *len)
{
	uint32_t cp;

	*len = utf8_decode(p, n, &cp);
	if (*len)
		return cp;
	*len = 1;
	return p[0];
}

static int jbox_json_escaped(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x2000 && cp <= 0x20ff);
}

int jbox_json_string(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, run = 0;
	int r = strbuf_addc(b, '"');

	while (r == 0 && i < n) {
		size_t len;
		unsigned cp = jbox_json_utf8(p + i, n - i, &len);
		const char *esc = NULL;
		char u[8];

		switch (cp) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '/': esc = "\\/"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (len > 1 || p[i] < 0x80) { /* a malformed byte is not a code point */
				if (jbox_json_escaped(cp)) {
					snprintf(u, sizeof(u), "\\u%04X", cp);
					esc = u;
				}
			}
		}
		if (!esc) {
			run += len; /* copied in runs */
			i += len;
			continue;
		}
		if (run)
			r = strbuf_add(b, p + i - run, run);
		run = 0;
		if (r == 0)
			r = strbuf_adds(b, esc);
		i += len;
	}
	if (r == 0 && run)
		r = strbuf_add(b, p + i - run, run);
	return r ? r : strbuf_addc(b, '"');
}

static int jbox_json_number(struct strbuf *b, double d)
{
	char buf[40];

	if (!isfinite(d))
		return strbuf_adds(b, "null");
	if (d == floor(d) && fabs(d) < 9007199254740992.0) /* 2^53: exact as an integer */
		return strbuf_addf(b, "%lld", (long long)d);
	for (int prec = 15; prec <= 17; prec++) { /* shortest text that reads back the same */
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return strbuf_adds(b, buf);
}

int jbox_json_write(struct strbuf *b, const cJSON *v)
{
	const cJSON *c;
	int r = 0, first = 1;

	if (!v)
		return strbuf_adds(b, "null");
	if (cJSON_IsString(v))
		return jbox_json_string(b, v->valuestring ? v->valuestring : "");
	if (cJSON_IsNumber(v))
		return jbox_json_number(b, v->valuedouble);
	if (cJSON_IsTrue(v))
		return strbuf_adds(b, "true");
	if (cJSON_IsFalse(v))
		return strbuf_adds(b, "false");
	if (cJSON_IsRaw(v))
		return strbuf_adds(b, v->valuestring ? v->valuestring : "null");
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		int obj = cJSON_IsObject(v);

		r = strbuf_addc(b, obj ? '{' : '[');
		for (c = v->child; c && r == 0; c = c->next, first = 0) {
			if (!first)
				r = strbuf_addc(b, ',');
			if (r == 0 && obj) {
				r = jbox_json_string(b, c->string ? c->string : "");
				if (r == 0)
					r = strbuf_addc(b, ':');
			}
			if (r == 0)
				r = jbox_json_write(b, c);
		}
		return r ? r : strbuf_addc(b, obj ? '}' : ']');
	}
	return strbuf_adds(b, "null");
}

char *jbox_json_option_text(const cJSON *v)
{
	struct strbuf b = { 0 };

	if (cJSON_IsString(v))
		return strdup(v->valuestring ? v->valuestring : "");
	if (cJSON_IsNumber(v)) {
		if (jbox_json_number(&b, v->valuedouble) < 0 || !strbuf_cstr(&b)) {
			strbuf_free(&b);
			return NULL;
		}
		return b.data;
	}
	return cJSON_PrintUnformatted(v); /* true, false, null; nested values as JSON text */
}

size_t jbox_json_utf16_units(const unsigned char *p, size_t n)
{
	size_t u = 0;

	for (size_t i = 0; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			u++;
		if ((p[i] & 0xf8) == 0xf0)
			u++; /* a surrogate pair */
	}
	return u;
}
