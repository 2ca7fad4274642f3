/* render.c - see render.h. */
#include "render.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "utf8.h"

#define RENDER_WS_HOLD_MAX (64u << 10) /* whitespace held back for strip() */
#define RENDER_LEAN_MIN (64 << 10)     /* results text from which render_parse keeps it as text */

enum render_phase {
	RP_HEAD,    /* text: decide stdout or stderr; json: "{\n  metadata..." */
	RP_RESULTS, /* one result per step */
	RP_TAIL,    /* closing text */
	RP_DONE,
};

struct render {
	enum render_phase phase;
	int json;
	int code;
	int fd;              /* where `pending` goes */
	cJSON *reply;        /* owned */
	cJSON *results;      /* reply's results array (tree), or NULL */
	cJSON *item;         /* next result to render */
	/* a lean reply (render_parse): the results are JSON text, and item is
	 * the element parsed on its own (owned) */
	int lean;
	const char *raw;     /* where the next element starts */
	const char *raw_end;
	int first;           /* no result rendered yet */
	struct strbuf pending;
	size_t pending_off;
	/* text-mode strip() state */
	int started;
	struct strbuf ws;
	/* local answers */
	char *local_out, *local_err;
	unsigned long long held; /* counted in render_held */
};

static unsigned long long render_held, render_held_max = RENDER_HELD_MAX_DEFAULT;

void render_set_held_max(unsigned long long bytes)
{
	if (bytes)
		render_held_max = bytes;
}

void render_held_add(long long delta)
{
	if (delta < 0 && (unsigned long long)-delta > render_held)
		render_held = 0;
	else
		render_held += (unsigned long long)delta;
}

unsigned long long render_held_bytes(void)
{
	return render_held;
}

/* What a tree holds: its nodes, names and strings (raw text included). */
static unsigned long long render_tree_size(const cJSON *v)
{
	unsigned long long n = 0;

	for (; v; v = v->next) {
		n += sizeof(*v) + (v->string ? strlen(v->string) + 1 : 0) +
		     (v->valuestring ? strlen(v->valuestring) + 1 : 0);
		if (v->child)
			n += render_tree_size(v->child);
	}
	return n;
}

static int render_code_of(const cJSON *meta)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");

	if (cJSON_IsString(c))
		return atoi(c->valuestring) & 0xff;
	if (cJSON_IsNumber(c))
		return c->valueint & 0xff;
	return 0;
}

/* ---- a lean reply: the results array stays JSON text ----
 * A strict JSON (RFC 8259) skipper: it checks a value and returns where the
 * value ends, or NULL. What it accepts, cJSON accepts too (cJSON is more
 * lenient); when it refuses, render_parse falls back to cJSON_Parse, so the
 * outcome never differs from a full parse. */

static const char *render_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The value of 4 hex digits at p (end - p >= 4), or -1. */
static long render_hex4(const char *p)
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
static int render_special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return ((((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x)) & highs) != 0;
}

/* p at '"'. Surrogates are checked as cJSON checks them (it refuses lone ones). */
static const char *render_skip_string(const char *p, const char *end)
{
	uint64_t x;
	long u;

	for (p++; p < end; p++) {
		for (; end - p >= 8; p += 8) { /* the plain run, 8 bytes at a time */
			memcpy(&x, p, 8);
			if (render_special8(x))
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
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			continue;
		case 'u':
			break;
		default:
			return NULL;
		}
		if (end - p < 5 || (u = render_hex4(p + 1)) < 0 || (u >= 0xdc00 && u <= 0xdfff))
			return NULL;
		p += 4;
		if (u >= 0xd800 && u <= 0xdbff) { /* a high surrogate: a low one must follow */
			if (end - p < 7 || p[1] != '\\' || p[2] != 'u' || (u = render_hex4(p + 3)) < 0xdc00 ||
			    u > 0xdfff)
				return NULL;
			p += 6;
		}
	}
	return NULL;
}

static const char *render_skip_digits(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

static const char *render_skip_number(const char *p, const char *end)
{
	if (*p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (!(p = render_skip_digits(p, end)))
		return NULL;
	if (p < end && *p == '.' && !(p = render_skip_digits(p + 1, end)))
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		p = render_skip_digits(p, end);
	}
	return p;
}

/* One value at p (no leading blanks); depth = containers around it. */
static const char *render_skip_value(const char *p, const char *end, int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	char close;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return render_skip_string(p, end);
	if (*p == '-' || (*p >= '0' && *p <= '9'))
		return render_skip_number(p, end);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(end - p) >= n && memcmp(p, words[i], n) == 0)
			return p + n;
	}
	if ((*p != '[' && *p != '{') || depth >= CJSON_NESTING_LIMIT)
		return NULL;
	close = *p == '[' ? ']' : '}';
	p = render_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p >= end || *p != '"' || !(p = render_skip_string(p, end)))
				return NULL;
			p = render_ws(p, end);
			if (p >= end || *p != ':')
				return NULL;
			p = render_ws(p + 1, end);
		}
		if (!(p = render_skip_value(p, end, depth + 1)))
			return NULL;
		p = render_ws(p, end);
		if (p < end && *p == close)
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = render_ws(p + 1, end);
	}
}

/* The results value of the top-level object at text, if it is a big array:
 * sets *a, *b around it. Returns 0, or -1 (not strict JSON, or no such array). */
static int render_find_results(const char *text, const char *end, const char **a, const char **b)
{
	const char *p = render_ws(text, end), *key, *val;
	int is_results;

	*a = *b = NULL;
	if (p >= end || *p != '{')
		return -1;
	p = render_ws(p + 1, end);
	while (p < end && *p == '"') {
		key = p;
		if (!(p = render_skip_string(p, end)))
			return -1;
		is_results = p - key == 9 && memcmp(key, "\"results\"", 9) == 0;
		p = render_ws(p, end);
		if (p >= end || *p != ':')
			return -1;
		val = render_ws(p + 1, end);
		if (!(p = render_skip_value(val, end, 1)))
			return -1;
		if (is_results && !*a && *val == '[') {
			*a = val;
			*b = p;
		}
		p = render_ws(p, end);
		if (p < end && *p == '}')
			return *a && *b - *a >= RENDER_LEAN_MIN ? 0 : -1;
		if (p >= end || *p != ',')
			return -1;
		p = render_ws(p + 1, end);
	}
	return -1;
}

cJSON *render_parse(char *text, size_t len)
{
	const char *end = text + len, *a, *b;
	cJSON *reply = NULL, *raw = NULL;
	char *head, *shrunk;
	size_t na, nb;

	if (render_find_results(text, end, &a, &b) < 0)
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

/* The next element of a lean reply's results, parsed on its own (the one
 * before it is freed); NULL at the end, or out of memory (exit code 12). */
static cJSON *render_raw_next(struct render *r)
{
	const char *p = render_ws(r->raw, r->raw_end), *e = NULL;
	cJSON *item;

	cJSON_Delete(r->item);
	r->item = NULL;
	if (p < r->raw_end && *p == ',')
		p = render_ws(p + 1, r->raw_end);
	if (p >= r->raw_end || *p == ']') {
		r->raw = r->raw_end;
		return NULL;
	}
	/* render_parse checked it all: cJSON takes one value and says where it ends */
	item = cJSON_ParseWithLengthOpts(p, (size_t)(r->raw_end - p), &e, 0);
	r->raw = item && e ? e : r->raw_end;
	if (!item) {
		r->raw = r->raw_end;
		r->code = 12; /* ENOMEM, as JCentral would say it */
	}
	return item;
}

struct render *render_reply(cJSON *reply, int json, const char *cwd)
{
	struct render *r;
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results");
	unsigned long long size = render_tree_size(reply);

	if (render_held + size > render_held_max) { /* the slow-reader cap: this reply is not kept */
		char err[300];

		snprintf(err, sizeof(err),
			 "jaliend: the reply (%llu MiB) was not kept: replies waiting for shims that read slowly hold "
			 "%llu MiB, the cap is %llu MiB (--reply-memory); try again\n",
			 size >> 20, render_held >> 20, render_held_max >> 20);
		cJSON_Delete(reply);
		return render_local(NULL, err, RENDER_SLOW_EXIT);
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		cJSON_Delete(reply);
		return NULL;
	}
	r->held = size;
	render_held += size;
	r->reply = reply;
	r->json = json;
	r->first = 1;
	r->code = render_code_of(meta);
	r->fd = 1;
	if (cJSON_IsArray(results)) {
		r->results = results;
		r->item = results->child;
	} else if (cJSON_IsRaw(results) && results->valuestring[0] == '[') {
		r->lean = 1;
		r->raw = results->valuestring + 1;
		r->raw_end = results->valuestring + strlen(results->valuestring);
		r->item = render_raw_next(r);
	}
	if (cwd && cJSON_IsObject(meta) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(meta, "currentdir")))
		cJSON_ReplaceItemInObjectCaseSensitive(meta, "currentdir", cJSON_CreateString(cwd));
	return r;
}

struct render *render_local(const char *out, const char *err, int code)
{
	struct render *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->code = code & 0xff;
	r->local_out = out ? strdup(out) : NULL;
	r->local_err = err ? strdup(err) : NULL;
	r->phase = RP_TAIL;
	return r;
}

int render_exit_code(const struct render *r)
{
	return r->code;
}

void render_free(struct render *r)
{
	if (!r)
		return;
	render_held_add(-(long long)r->held);
	if (r->lean)
		cJSON_Delete(r->item); /* the element parsed on its own */
	cJSON_Delete(r->reply);
	strbuf_free(&r->pending);
	strbuf_free(&r->ws);
	free(r->local_out);
	free(r->local_err);
	free(r);
}

/* ---- Python json.dumps(sort_keys=True, indent=2, ensure_ascii=True) ---- */

static int render_indent(struct strbuf *sb, int level)
{
	int r = strbuf_addc(sb, '\n');

	for (int i = 0; r == 0 && i < level * 2; i++)
		r = strbuf_addc(sb, ' ');
	return r;
}

int render_json_string(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int r = strbuf_addc(sb, '"');

	while (r == 0 && *p) {
		uint32_t cp;
		size_t n;

		switch (*p) {
		case '"': r = strbuf_adds(sb, "\\\""); break;
		case '\\': r = strbuf_adds(sb, "\\\\"); break;
		case '\n': r = strbuf_adds(sb, "\\n"); break;
		case '\r': r = strbuf_adds(sb, "\\r"); break;
		case '\t': r = strbuf_adds(sb, "\\t"); break;
		case '\b': r = strbuf_adds(sb, "\\b"); break;
		case '\f': r = strbuf_adds(sb, "\\f"); break;
		default:
			if (*p >= 0x20 && *p < 0x7f) {
				r = strbuf_addc(sb, (char)*p);
				break;
			}
			if (*p < 0x80 || !(n = utf8_decode(p, 4, &cp))) { /* common/utf8.c: NUL-safe */
				r = strbuf_addf(sb, "\\u%04x", *p); /* control or stray byte */
				break;
			}
			if (cp >= 0x10000) {
				cp -= 0x10000;
				r = strbuf_addf(sb, "\\u%04lx\\u%04lx", (unsigned long)(0xd800 | (cp >> 10)),
						(unsigned long)(0xdc00 | (cp & 0x3ff)));
			} else {
				r = strbuf_addf(sb, "\\u%04lx", (unsigned long)cp);
			}
			p += n;
			continue;
		}
		p++;
	}
	return r ? r : strbuf_addc(sb, '"');
}

static int render_json_number(struct strbuf *sb, double d)
{
	char tmp[40];

	if (isnan(d) || isinf(d))
		return strbuf_adds(sb, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
	if (d == floor(d) && fabs(d) < 1e16)
		return strbuf_addf(sb, "%.0f", d);
	for (int prec = 15; prec <= 17; prec++) { /* shortest text that reads back */
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	return strbuf_adds(sb, tmp);
}

static int render_key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

static int render_json_object(struct strbuf *sb, const cJSON *o, int level)
{
	int n = cJSON_GetArraySize(o), i = 0, r;
	const cJSON **keys;
	const cJSON *c;

	if (n == 0)
		return strbuf_adds(sb, "{}");
	keys = malloc(sizeof(*keys) * (size_t)n);
	if (!keys)
		return -ENOMEM;
	cJSON_ArrayForEach(c, o)
		keys[i++] = c;
	qsort(keys, (size_t)n, sizeof(*keys), render_key_cmp);
	r = strbuf_addc(sb, '{');
	for (i = 0; r == 0 && i < n; i++) {
		if (i)
			r = strbuf_addc(sb, ',');
		if (r == 0)
			r = render_indent(sb, level + 1);
		if (r == 0)
			r = render_json_string(sb, keys[i]->string);
		if (r == 0)
			r = strbuf_adds(sb, ": ");
		if (r == 0)
			r = render_json_value(sb, keys[i], level + 1);
	}
	free(keys);
	if (r == 0)
		r = render_indent(sb, level);
	return r ? r : strbuf_addc(sb, '}');
}

int render_json_value(struct strbuf *sb, const cJSON *v, int level)
{
	const cJSON *c;
	int r, first = 1;

	if (cJSON_IsString(v))
		return render_json_string(sb, v->valuestring);
	if (cJSON_IsNumber(v))
		return render_json_number(sb, v->valuedouble);
	if (cJSON_IsTrue(v))
		return strbuf_adds(sb, "true");
	if (cJSON_IsFalse(v))
		return strbuf_adds(sb, "false");
	if (cJSON_IsObject(v))
		return render_json_object(sb, v, level);
	if (!cJSON_IsArray(v))
		return strbuf_adds(sb, "null");
	if (!v->child)
		return strbuf_adds(sb, "[]");
	r = strbuf_addc(sb, '[');
	cJSON_ArrayForEach(c, v) {
		if (r == 0 && !first)
			r = strbuf_addc(sb, ',');
		if (r == 0)
			r = render_indent(sb, level + 1);
		if (r == 0)
			r = render_json_value(sb, c, level + 1);
		first = 0;
	}
	if (r == 0)
		r = render_indent(sb, level);
	return r ? r : strbuf_addc(sb, ']');
}

/* ---- text mode: join messages, Python str.strip() on the whole ---- */

static int render_text(struct render *r, const char *s)
{
	static const char ws[] = " \t\n\r\v\f";
	int rc = 0;

	while (rc == 0 && *s) {
		size_t n = strcspn(s, ws), m;

		if (n) { /* a run of text: the whitespace held before it goes out first */
			if (r->ws.len)
				rc = strbuf_add(&r->pending, r->ws.data, r->ws.len);
			strbuf_reset(&r->ws);
			r->started = 1;
			if (rc == 0)
				rc = strbuf_add(&r->pending, s, n);
			s += n;
			continue;
		}
		n = strspn(s, ws);
		for (const char *w = s; rc == 0 && r->started && w < s + n; w += m) {
			if (r->ws.len >= RENDER_WS_HOLD_MAX) { /* bounded: give it out */
				rc = strbuf_add(&r->pending, r->ws.data, r->ws.len);
				strbuf_reset(&r->ws);
			}
			m = (size_t)(s + n - w);
			if (m > RENDER_WS_HOLD_MAX - r->ws.len)
				m = RENDER_WS_HOLD_MAX - r->ws.len;
			if (rc == 0)
				rc = strbuf_add(&r->ws, w, m);
		}
		s += n;
	}
	return rc;
}

static const char *render_meta_str(const struct render *r, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(r->reply, "metadata");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* On to the next result, freeing the one just rendered. */
static void render_advance(struct render *r)
{
	cJSON *done = r->item;

	if (r->lean) {
		r->item = render_raw_next(r);
		return;
	}
	r->item = done->next;
	cJSON_Delete(cJSON_DetachItemViaPointer(r->results, done));
}

/* Produce the next step's bytes into r->pending. */
static void render_step(struct render *r)
{
	const cJSON *msg;

	switch (r->phase) {
	case RP_HEAD:
		r->phase = RP_RESULTS;
		if (r->json == 2) { /* the results only (alien_json) */
			strbuf_adds(&r->pending, r->item ? "[" : "[]");
			if (!r->item)
				r->phase = RP_TAIL;
		} else if (r->json) {
			cJSON *meta = cJSON_GetObjectItemCaseSensitive(r->reply, "metadata");

			strbuf_adds(&r->pending, "{\n  \"metadata\": ");
			render_json_value(&r->pending, meta, 1);
			strbuf_adds(&r->pending, ",\n  \"results\": ");
			if (!r->item) {
				strbuf_adds(&r->pending, "[]");
				r->phase = RP_TAIL;
			} else {
				strbuf_addc(&r->pending, '[');
			}
		} else if (r->code != 0) {
			const char *err = render_meta_str(r, "error");

			r->fd = 2;
			render_text(r, err ? err : "");
			r->phase = RP_TAIL;
		}
		return;
	case RP_RESULTS:
		if (!r->item) {
			r->phase = RP_TAIL;
			return;
		}
		if (r->json) {
			if (!r->first)
				strbuf_addc(&r->pending, ',');
			strbuf_adds(&r->pending, r->json == 2 ? "\n  " : "\n    ");
			render_json_value(&r->pending, r->item, r->json == 2 ? 1 : 2);
		} else {
			msg = cJSON_GetObjectItemCaseSensitive(r->item, "message");
			if (cJSON_IsString(msg)) {
				if (!r->first)
					render_text(r, "\n");
				render_text(r, msg->valuestring);
				r->first = 0;
			}
		}
		if (r->json)
			r->first = 0;
		render_advance(r);
		return;
	case RP_TAIL:
		r->phase = RP_DONE;
		if (r->local_out || r->local_err) {
			r->fd = r->local_out ? 1 : 2;
			strbuf_adds(&r->pending, r->local_out ? r->local_out : r->local_err);
			if (r->local_out && r->local_err) { /* stderr part follows */
				free(r->local_out);
				r->local_out = NULL;
				r->phase = RP_TAIL;
			}
			return;
		}
		if (r->json == 2) {
			strbuf_adds(&r->pending, r->item || !r->first ? "\n]\n" : "\n");
			return;
		}
		if (r->json) {
			strbuf_adds(&r->pending, r->item || !r->first ? "\n  ]\n}\n" : "\n}\n");
			return;
		}
		if (r->started)
			strbuf_addc(&r->pending, '\n');
		/* alien.py adds the server's timing (`timing on`) to a success's output */
		if (r->fd == 1 && render_meta_str(r, "timing_ms"))
			strbuf_addf(&r->pending, "timing_ms = %s\n", render_meta_str(r, "timing_ms"));
		return;
	case RP_DONE:
		return;
	}
}

size_t render_next(struct render *r, char *buf, size_t max, int *fd)
{
	size_t got = 0, n;
	int out_fd = r->fd;

	while (got < max) {
		if (r->pending_off >= r->pending.len) {
			strbuf_reset(&r->pending);
			r->pending_off = 0;
			if (r->phase == RP_DONE)
				break;
			render_step(r);
			continue;
		}
		if (got && r->fd != out_fd)
			break; /* the next bytes go elsewhere: give these out first */
		out_fd = r->fd;
		n = r->pending.len - r->pending_off;
		if (n > max - got)
			n = max - got;
		memcpy(buf + got, r->pending.data + r->pending_off, n);
		r->pending_off += n;
		got += n;
	}
	*fd = out_fd;
	return got;
}
