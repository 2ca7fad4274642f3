/* line.c - see line.h. */
#include "line.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int line_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Step over one character of s at *i, tracking quotes; returns the quote
 * state after it (0, '\'' or '"'). */
static char line_step(const char *s, size_t *i, char q)
{
	char c = s[*i];

	if (q == '\'') {
		if (c == '\'')
			q = 0;
	} else if (c == '\\' && s[*i + 1]) {
		(*i)++;
	} else if (q == '"') {
		if (c == '"')
			q = 0;
	} else if (c == '\'' || c == '"') {
		q = c;
	}
	(*i)++;
	return q;
}

int line_split_chain(const char *text, int (*cb)(char *seg, void *ctx), void *ctx)
{
	size_t n = strlen(text), i = 0, start = 0;
	char *copy = strdup(text), q = 0;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	while (rc == 0 && start <= n) {
		if (i >= n || (!q && (copy[i] == ';' || copy[i] == '\n'))) {
			char *seg = copy + start, *end = copy + i;

			*end = '\0';
			while (line_blank(*seg))
				seg++;
			while (end > seg && line_blank(end[-1]))
				*--end = '\0';
			if (*seg)
				rc = cb(seg, ctx);
			start = ++i;
			q = 0;
			continue;
		}
		q = line_step(copy, &i, q);
	}
	free(copy);
	return rc;
}

char *line_find_pipe(char *seg)
{
	size_t i = 0;
	char q = 0;

	while (seg[i]) {
		if (!q && i > 0 && seg[i] == '|' && seg[i - 1] == ' ' && seg[i + 1] == ' ')
			return seg + i - 1;
		q = line_step(seg, &i, q);
	}
	return NULL;
}

void line_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

static int line_push(char ***v, int *n, const char *w, size_t len)
{
	char **nv = realloc(*v, sizeof(**v) * (size_t)(*n + 2));
	char *s;

	if (!nv)
		return -ENOMEM;
	*v = nv;
	s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, w, len);
	s[len] = '\0';
	nv[(*n)++] = s;
	nv[*n] = NULL;
	return 0;
}

int line_tokenize(const char *s, char ***argv)
{
	size_t n = strlen(s);
	char *w = malloc(n + 1), **v = calloc(1, sizeof(*v));
	int count = 0, rc = 0;

	if (!w || !v) {
		free(w);
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; rc == 0;) {
		size_t len = 0;
		int word = 0;

		while (line_blank(s[i]))
			i++;
		if (!s[i])
			break;
		while (s[i] && !line_blank(s[i])) {
			word = 1;
			if (s[i] == '\'') {
				const char *end = strchr(s + i + 1, '\'');

				if (!end) {
					rc = -EINVAL;
					break;
				}
				memcpy(w + len, s + i + 1, (size_t)(end - s - i - 1));
				len += (size_t)(end - s - i - 1);
				i = (size_t)(end - s) + 1;
			} else if (s[i] == '"') {
				for (i++; s[i] && s[i] != '"'; i++) {
					if (s[i] == '\\' && s[i + 1] &&
					    strchr("\"\\$`\n", s[i + 1]))
						i++;
					w[len++] = s[i];
				}
				if (!s[i]) {
					rc = -EINVAL;
					break;
				}
				i++;
			} else if (s[i] == '\\' && s[i + 1]) {
				w[len++] = s[i + 1];
				i += 2;
			} else {
				w[len++] = s[i++];
			}
		}
		if (rc == 0 && word)
			rc = line_push(&v, &count, w, len);
	}
	free(w);
	if (rc < 0) {
		line_free(v);
		return rc;
	}
	*argv = v;
	return count;
}

int line_resplit(char ***argv, int argc)
{
	char **v = *argv, **nv = calloc(1, sizeof(*nv));
	const char *s;
	int n = 0;

	if (argc != 2 || !nv) {
		free(nv);
		return nv ? argc : -ENOMEM;
	}
	if (line_push(&nv, &n, v[0], strlen(v[0])) < 0)
		goto oom;
	for (size_t i = 0, st; s = v[1], s[i];) {
		char q = 0;

		while (line_blank(s[i]))
			i++;
		if (!s[i])
			break;
		st = i;
		while (s[i] && (q || !line_blank(s[i])))
			q = line_step(s, &i, q);
		if (line_push(&nv, &n, s + st, i - st) < 0)
			goto oom;
	}
	line_free(v);
	*argv = nv;
	return n;
oom:
	line_free(nv);
	return -ENOMEM;
}

char *line_join(char *const *argv, int argc)
{
	size_t n = 1;
	char *out, *p;

	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) * 5 + 3; /* worst case: every byte a quote */
	out = p = malloc(n);
	if (!out)
		return NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int safe = *a != '\0';

		for (const char *c = a; *c && safe; c++)
			safe = strchr("@%+=:,./-_", *c) || (*c >= '0' && *c <= '9') ||
			       ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z');
		if (i)
			*p++ = ' ';
		if (safe) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'')
				p = stpcpy(p, "'\"'\"'");
			else
				*p++ = *a;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return out;
}

void line_unquote_outer(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

/* The length of the valid UTF-8 sequence at s (1..4), or 0. */
static int line_utf8_len(const unsigned char *s)
{
	int n = s[0] < 0x80		       ? 1
		: s[0] >= 0xc2 && s[0] <= 0xdf ? 2
		: s[0] >= 0xe0 && s[0] <= 0xef ? 3
		: s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
					       : 0;

	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, surrogate */
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

char *line_escape(const char *s, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	while (*p) {
		int k = line_utf8_len(p);

		if (k == 0 || (k == 1 && (*p < 0x20 || *p == 0x7f))) {
			if (o + 5 > n)
				break;
			snprintf(out + o, n - o, "\\x%02x", *p);
			o += 4;
			p++;
			continue;
		}
		if (o + (size_t)k + 1 > n)
			break;
		memcpy(out + o, p, (size_t)k);
		o += (size_t)k;
		p += k;
	}
	out[o] = '\0';
	return out;
}

char *line_quote_word(const char *s)
{
	/* ~: the shim expands nothing (jaliend: grid home) */
	static const char plain[] = "/._-+,:=@%^~";
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (!isalnum(*p) && *p < 0x80 && !strchr(plain, *p))
			*o++ = '\\';
		*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}
