/* render.c - see render.h. */
#include "render.h"
#include "exitcodes.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/leanjson.h"
#include "base/strbuf.h"
#include "utf8.h"

#define RENDER_WS_HOLD_MAX (64u << 10) /* whitespace held back for strip() */

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
	int fd;		/* where `pending` goes */
	cJSON *reply;	/* owned */
	cJSON *results; /* reply's results array (tree), or NULL */
	cJSON *item;	/* next result to render */
	/* a lean reply (leanjson_parse): the results are JSON text, and item is
	 * the element parsed on its own (owned) */
	int lean;
	const char *raw; /* where the next element starts */
	const char *raw_end;
	int first; /* no result rendered yet */
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

/* The next element of a lean reply's results, parsed on its own (the one
 * before it is freed); NULL at the end, or out of memory (exit code 12). */
static cJSON *render_raw_next(struct render *r)
{
	const char *p = leanjson_ws(r->raw, r->raw_end), *e = NULL;
	cJSON *item;

	cJSON_Delete(r->item);
	r->item = NULL;
	if (p < r->raw_end && *p == ',')
		p = leanjson_ws(p + 1, r->raw_end);
	if (p >= r->raw_end || *p == ']') {
		r->raw = r->raw_end;
		return NULL;
	}
	/* leanjson_parse checked it all: cJSON takes one value and says where it ends */
	item = cJSON_ParseWithLengthOpts(p, (size_t)(r->raw_end - p), &e, 0);
	r->raw = item && e ? e : r->raw_end;
	if (!item) {
		r->raw = r->raw_end;
		r->code = JD_EXIT_NOMEM; /* ENOMEM, as JCentral would say it */
	}
	return item;
}

struct render *render_reply(cJSON *reply, int json, const char *cwd)
{
	struct render *r;
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results");
	unsigned long long size = render_tree_size(reply);

	/* the slow-reader cap: this reply is not kept */
	if (render_held + size > render_held_max) {
		char err[300];

		snprintf(err, sizeof(err),
			 "jaliend: the reply (%llu MiB) was not kept: replies waiting for shims "
			 "that read slowly hold "
			 "%llu MiB, the cap is %llu MiB (--reply-memory); try again\n",
			 size >> 20, render_held >> 20, render_held_max >> 20);
		cJSON_Delete(reply);
		return render_local(NULL, err, JD_EXIT_SLOW);
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
	if (cwd && cJSON_IsObject(meta) &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(meta, "currentdir")))
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
			/* common/utf8.c: NUL-safe */
			if (*p < 0x80 || !(n = utf8_decode(p, 4, &cp))) {
				r = strbuf_addf(sb, "\\u%04x", *p); /* control or stray byte */
				break;
			}
			if (cp >= 0x10000) {
				cp -= 0x10000;
				r = strbuf_addf(sb, "\\u%04lx\\u%04lx",
						(unsigned long)(0xd800 | (cp >> 10)),
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
	cJSON_ArrayForEach (c, o)
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
	cJSON_ArrayForEach (c, v) {
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
			strbuf_addf(&r->pending, "timing_ms = %s\n",
				    render_meta_str(r, "timing_ms"));
		return;
	case RP_DONE: return;
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
