/* leanjson.c - see leanjson.h. */
#include "leanjson.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A strict JSON (RFC 8259) skipper: it checks a value and returns where the
 * value ends, or NULL. What it accepts, cJSON accepts too (cJSON is more
 * lenient); when it refuses, leanjson_parse falls back to cJSON_Parse, so the
 * outcome never differs from a full parse. */

const char *leanjson_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The value of 4 hex digits at p (end - p >= 4), or -1. */
static long leanjson_hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

/* Does any of the 8 bytes in x end a plain run of string: '"', '\\' or a
 * control character? (The classic has-zero-byte test, three times.) */
static int leanjson_special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return ((((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x)) & highs) != 0;
}

/* p at '"'. Surrogates are checked as cJSON checks them (it refuses lone ones). */
static const char *leanjson_skip_string(const char *p, const char *end)
{
	uint64_t x;
	long u;

	for (p++; p < end; p++) {
		for (; end - p >= 8; p += 8) { /* the plain run, 8 bytes at a time */
			memcpy(&x, p, 8);
			if (leanjson_special8(x))
				break;
		}
		while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p >= end || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (++p >= end)
			return NULL;
		switch (*p) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't': continue;
		case 'u': break;
		default: return NULL;
		}
		if (end - p < 5 || (u = leanjson_hex4(p + 1)) < 0 || (u >= 0xdc00 && u <= 0xdfff))
			return NULL;
		p += 4;
		if (u >= 0xd800 && u <= 0xdbff) { /* a high surrogate: a low one must follow */
			if (end - p < 7 || p[1] != '\\' || p[2] != 'u' ||
			    (u = leanjson_hex4(p + 3)) < 0xdc00 || u > 0xdfff)
				return NULL;
			p += 6;
		}
	}
	return NULL;
}

static const char *leanjson_skip_digits(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

static const char *leanjson_skip_number(const char *p, const char *end)
{
	if (*p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (!(p = leanjson_skip_digits(p, end)))
		return NULL;
	if (p < end && *p == '.' && !(p = leanjson_skip_digits(p + 1, end)))
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		p = leanjson_skip_digits(p, end);
	}
	return p;
}

/* One value at p (no leading blanks); depth = containers around it. */
static const char *leanjson_skip_value(const char *p, const char *end, int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	char close;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return leanjson_skip_string(p, end);
	if (*p == '-' || (*p >= '0' && *p <= '9'))
		return leanjson_skip_number(p, end);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(end - p) >= n && memcmp(p, words[i], n) == 0)
			return p + n;
	}
	if ((*p != '[' && *p != '{') || depth >= CJSON_NESTING_LIMIT)
		return NULL;
	close = *p == '[' ? ']' : '}';
	p = leanjson_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p >= end || *p != '"' || !(p = leanjson_skip_string(p, end)))
				return NULL;
			p = leanjson_ws(p, end);
			if (p >= end || *p != ':')
				return NULL;
			p = leanjson_ws(p + 1, end);
		}
		if (!(p = leanjson_skip_value(p, end, depth + 1)))
			return NULL;
		p = leanjson_ws(p, end);
		if (p < end && *p == close)
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = leanjson_ws(p + 1, end);
	}
}

/* The results value of the top-level object at text, if it is a big array:
 * sets *a, *b around it. Returns 0, or -1 (not strict JSON, or no such array). */
static int leanjson_find_results(const char *text, const char *end, const char **a, const char **b)
{
	const char *p = leanjson_ws(text, end), *key, *val;
	int is_results;

	*a = *b = NULL;
	if (p >= end || *p != '{')
		return -1;
	p = leanjson_ws(p + 1, end);
	while (p < end && *p == '"') {
		key = p;
		if (!(p = leanjson_skip_string(p, end)))
			return -1;
		is_results = p - key == 9 && memcmp(key, "\"results\"", 9) == 0;
		p = leanjson_ws(p, end);
		if (p >= end || *p != ':')
			return -1;
		val = leanjson_ws(p + 1, end);
		if (!(p = leanjson_skip_value(val, end, 1)))
			return -1;
		if (is_results && !*a && *val == '[') {
			*a = val;
			*b = p;
		}
		p = leanjson_ws(p, end);
		if (p < end && *p == '}')
			return *a && *b - *a >= LEANJSON_MIN ? 0 : -1;
		if (p >= end || *p != ',')
			return -1;
		p = leanjson_ws(p + 1, end);
	}
	return -1;
}

cJSON *leanjson_parse(char *text, size_t len)
{
	const char *end = text + len, *a, *b;
	cJSON *reply = NULL, *raw = NULL;
	char *head, *shrunk;
	size_t na, nb;

	if (leanjson_find_results(text, end, &a, &b) < 0)
		goto full;
	/* everything but the results, as a tree: "...,"results":[],..." */
	na = (size_t)(a - text);
	nb = (size_t)(end - b);
	head = malloc(na + 2 + nb);
	if (!head)
		goto full;
	memcpy(head, text, na);
	memcpy(head + na, "[]", 2);
	memcpy(head + na + 2, b, nb);
	reply = cJSON_ParseWithLength(head, na + 2 + nb);
	free(head);
	raw = cJSON_CreateRaw("");
	if (!reply || !raw || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(reply, "results"))) {
		cJSON_Delete(reply);
		cJSON_Delete(raw);
		goto full;
	}
	/* the array's text becomes the raw item's string, in the same buffer */
	memmove(text, a, (size_t)(b - a));
	text[b - a] = '\0';
	shrunk = realloc(text, (size_t)(b - a) + 1);
	cJSON_free(raw->valuestring);
	raw->valuestring = shrunk ? shrunk : text;
	cJSON_ReplaceItemInObjectCaseSensitive(reply, "results", raw);
	return reply;
full:
	reply = cJSON_ParseWithLength(text, len);
	free(text);
	return reply;
}
