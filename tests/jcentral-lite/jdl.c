/* jdl.c - minimal JDL parser (see jdl.h). */
#include "jdl.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *jdl_prepare(const char *text, const char *const *args, size_t nargs, char *err, size_t errsz)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out;

	for (size_t i = 0; i < nargs; i++)
		cap += strlen(args[i]) * 8;
	if (cap > JDL_MAX * 2)
		cap = JDL_MAX * 2;
	if (!(out = malloc(cap + 1))) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p + 1) : strlen(p);
		const char *q = p;
		while (q < p + l && (*q == ' ' || *q == '\t'))
			q++;
		if (q < p + l && *q == '#') {
			p += l;
			continue;
		}
		for (const char *c = p; c < p + l; c++) {
			const char *ins = NULL;
			char one[2] = { *c, 0 };
			if (*c == '$' && isdigit((unsigned char)c[1])) {
				char *end;
				long n = strtol(c + 1, &end, 10);
				if (n < 1 || (size_t)n > nargs) {
					snprintf(err, errsz,
						 "Passing arguments to the JDL failed: argument "
						 "$%ld is missing",
						 n);
					free(out);
					return NULL;
				}
				ins = args[n - 1];
				c = end - 1;
			} else {
				ins = one;
			}
			size_t il = strlen(ins);
			if (len + il > JDL_MAX || len + il > cap) {
				snprintf(
					err, errsz,
					"Passing arguments to the JDL failed: the JDL is too long");
				free(out);
				return NULL;
			}
			memcpy(out + len, ins, il);
			len += il;
		}
		p += l;
	}
	out[len] = '\0';
	return out;
}

/* Position of `key =` at a statement start, or NULL. */
static const char *jdl_find(const char *jdl, const char *key)
{
	size_t kl = strlen(key);
	bool start = true, inq = false;

	for (const char *p = jdl; *p; p++) {
		if (*p == '"')
			inq = !inq;
		if (inq)
			continue;
		if (*p == ';') {
			start = true;
			continue;
		}
		if (isspace((unsigned char)*p))
			continue;
		if (start && !strncasecmp(p, key, kl)) {
			const char *q = p + kl;
			while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
				q++;
			if (*q == '=')
				return q + 1;
		}
		start = false;
	}
	return NULL;
}

int jdl_values(const char *jdl, const char *key, void (*cb)(const char *v, void *arg), void *arg)
{
	const char *p = jdl_find(jdl, key);
	char val[4096];
	int n = 0;

	if (!p)
		return 0;
	while (isspace((unsigned char)*p))
		p++;
	bool list = *p == '{';
	if (list)
		p++;
	for (;;) {
		while (isspace((unsigned char)*p) || (list && *p == ','))
			p++;
		if (!*p || *p == ';' || (list && *p == '}'))
			break;
		size_t l = 0;
		if (*p == '"') {
			p++;
			while (*p && *p != '"' && l + 1 < sizeof(val))
				val[l++] = *p++;
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ';' && *p != ',' && *p != '}' && l + 1 < sizeof(val))
				val[l++] = *p++;
			while (l && isspace((unsigned char)val[l - 1]))
				l--;
		}
		val[l] = '\0';
		if (cb)
			cb(val, arg);
		n++;
		if (!list)
			break;
	}
	return n;
}

struct jdl_first_arg {
	char *out;
	size_t outsz;
	bool done;
};

static void jdl_first_cb(const char *v, void *arg)
{
	struct jdl_first_arg *a = arg;
	if (!a->done)
		snprintf(a->out, a->outsz, "%s", v);
	a->done = true;
}

int jdl_first(const char *jdl, const char *key, char *out, size_t outsz)
{
	struct jdl_first_arg a = { out, outsz, false };
	out[0] = '\0';
	jdl_values(jdl, key, jdl_first_cb, &a);
	return a.done ? 1 : 0;
}
