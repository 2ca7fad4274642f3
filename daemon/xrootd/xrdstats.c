/* xrdstats.c - see xrdstats.h. */
#include "xrdstats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/strbuf.h"

/* ---- a small XML tree (elements, attributes, text; no namespaces) ---- */

struct xnode {
	char *name;  /* element name; NULL for a text node */
	char *text;  /* a text node's data */
	char **attr; /* name, value, name, value ... */
	int nattr;
	struct xnode **kid;
	int nkid;
};

struct xparse {
	const char *p;
	int nodes;
};

static void xnode_free(struct xnode *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->nkid; i++)
		xnode_free(n->kid[i]);
	for (int i = 0; i < 2 * n->nattr; i++)
		free(n->attr[i]);
	free(n->kid);
	free(n->attr);
	free(n->name);
	free(n->text);
	free(n);
}

/* Decode XML entities of s[0..n) (malloc'ed). */
static char *xrdstats_unescape(const char *s, size_t n)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		static const struct {
			const char *e;
			char c;
		} ent[] = {
			{ "&lt;", '<' },   { "&gt;", '>' },    { "&amp;", '&' },
			{ "&quot;", '"' }, { "&apos;", '\'' },
		};
		size_t k;

		if (s[i] != '&') {
			strbuf_addc(&b, s[i]);
			continue;
		}
		for (k = 0; k < sizeof(ent) / sizeof(ent[0]); k++)
			if (strncmp(s + i, ent[k].e, strlen(ent[k].e)) == 0)
				break;
		if (k < sizeof(ent) / sizeof(ent[0])) {
			strbuf_addc(&b, ent[k].c);
			i += strlen(ent[k].e) - 1;
		} else if (s[i + 1] == '#' && i + 2 < n) {
			char *end;
			long v = s[i + 2] == 'x' ? strtol(s + i + 3, &end, 16)
						 : strtol(s + i + 2, &end, 10);

			if (*end != ';' || v <= 0 || v > 0x7f) /* the stats are ASCII */
				strbuf_addc(&b, '?');
			else
				strbuf_addc(&b, (char)v);
			i = (size_t)(end - s);
		} else {
			strbuf_addc(&b, '&');
		}
	}
	if (!b.data)
		return strdup("");
	return strbuf_cstr(&b);
}

static int xrdstats_add(struct xnode *parent, struct xnode *kid)
{
	struct xnode **k = realloc(parent->kid, (size_t)(parent->nkid + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	parent->kid = k;
	k[parent->nkid++] = kid;
	return 0;
}

static size_t xrdstats_namelen(const char *p)
{
	return strcspn(p, " \t\r\n/>=\"'<");
}

static void xrdstats_skip_ws(struct xparse *x)
{
	x->p += strspn(x->p, " \t\r\n");
}

/* <name attr="v"...> children </name>, at x->p == '<' */
static struct xnode *xrdstats_element(struct xparse *x, int depth)
{
	struct xnode *n;
	size_t len;

	if (depth > XRDSTATS_DEPTH_MAX || ++x->nodes > XRDSTATS_NODES_MAX || *x->p != '<')
		return NULL;
	x->p++;
	len = xrdstats_namelen(x->p);
	if (!len || !(n = calloc(1, sizeof(*n))))
		return NULL;
	if (!(n->name = strndup(x->p, len))) { /* every later strcmp needs it */
		free(n);
		return NULL;
	}
	x->p += len;
	for (;;) { /* attributes */
		char q, **a;
		const char *v;

		xrdstats_skip_ws(x);
		if (*x->p == '/' && x->p[1] == '>') {
			x->p += 2;
			return n;
		}
		if (*x->p == '>')
			break;
		len = xrdstats_namelen(x->p);
		if (!len || x->p[len] != '=' || (x->p[len + 1] != '"' && x->p[len + 1] != '\'') ||
		    ++x->nodes > XRDSTATS_NODES_MAX)
			goto bad;
		q = x->p[len + 1];
		v = strchr(x->p + len + 2, q);
		if (!v || !(a = realloc(n->attr, (size_t)(n->nattr + 1) * 2 * sizeof(*a))))
			goto bad;
		n->attr = a;
		a[2 * n->nattr] = strndup(x->p, len);
		a[2 * n->nattr + 1] =
			xrdstats_unescape(x->p + len + 2, (size_t)(v - (x->p + len + 2)));
		n->nattr++;
		x->p = v + 1;
	}
	x->p++;
	for (;;) { /* content */
		size_t t = strcspn(x->p, "<");

		if (t) {
			struct xnode *tx = calloc(1, sizeof(*tx));

			if (!tx || ++x->nodes > XRDSTATS_NODES_MAX ||
			    !(tx->text = xrdstats_unescape(x->p, t)) || xrdstats_add(n, tx) < 0) {
				xnode_free(tx);
				goto bad;
			}
			x->p += t;
		}
		if (!*x->p)
			goto bad;
		if (x->p[1] == '/') {
			len = xrdstats_namelen(x->p + 2);
			if (len != strlen(n->name) || strncmp(x->p + 2, n->name, len) ||
			    x->p[2 + len] != '>')
				goto bad;
			x->p += 3 + len;
			return n;
		}
		if (strncmp(x->p, "<!--", 4) == 0) {
			const char *e = strstr(x->p, "-->");

			if (!e)
				goto bad;
			x->p = e + 3;
			continue;
		}
		struct xnode *k = xrdstats_element(x, depth + 1);

		if (!k || xrdstats_add(n, k) < 0) {
			xnode_free(k);
			goto bad;
		}
	}
bad:
	xnode_free(n);
	return NULL;
}

static struct xnode *xrdstats_parse(const char *xml)
{
	struct xparse x = { .p = xml };
	struct xnode *root;

	for (;;) { /* prolog, comments */
		xrdstats_skip_ws(&x);
		if (strncmp(x.p, "<?", 2) == 0 || strncmp(x.p, "<!", 2) == 0) {
			const char *e = strchr(x.p, '>');

			if (!e)
				return NULL;
			x.p = e + 1;
			continue;
		}
		break;
	}
	root = xrdstats_element(&x, 0);
	if (!root)
		return NULL;
	xrdstats_skip_ws(&x);
	if (*x.p) {
		xnode_free(root);
		return NULL;
	}
	return root;
}

/* ---- xmltodict (attr_prefix '', whitespace stripped) ---- */

static char *xrdstats_strip(const char *s)
{
	size_t b = strspn(s, " \t\r\n"), e = strlen(s);

	while (e > b && strchr(" \t\r\n", s[e - 1]))
		e--;
	return strndup(s + b, e - b);
}

static cJSON *xrdstats_todict(const struct xnode *n)
{
	struct strbuf text = { 0 };
	cJSON *d = NULL;
	char *t;
	int elems = 0;

	for (int i = 0; i < n->nkid; i++)
		if (n->kid[i]->name)
			elems++;
		else
			strbuf_adds(&text, n->kid[i]->text);
	t = xrdstats_strip(text.data ? strbuf_cstr(&text) ? text.data : "" : "");
	strbuf_free(&text);
	if (!t)
		return NULL;
	if (!n->nattr && !elems) {
		cJSON *v = *t ? cJSON_CreateString(t) : cJSON_CreateNull();

		free(t);
		return v;
	}
	d = cJSON_CreateObject();
	if (!d)
		goto fail;
	for (int i = 0; i < n->nattr; i++)
		if (!cJSON_AddStringToObject(d, n->attr[2 * i], n->attr[2 * i + 1]))
			goto fail;
	for (int i = 0; i < n->nkid; i++) {
		const struct xnode *k = n->kid[i];
		cJSON *v, *have;

		if (!k->name)
			continue;
		if (!(v = xrdstats_todict(k)))
			goto fail;
		have = cJSON_GetObjectItemCaseSensitive(d, k->name);
		if (!have) {
			cJSON_AddItemToObject(d, k->name, v);
		} else if (cJSON_IsArray(have)) { /* only lists made here are arrays */
			cJSON_AddItemToArray(have, v);
		} else { /* the second one turns the key into a list, where the first was */
			cJSON *list = cJSON_CreateArray(), *at;
			int idx = 0;

			for (at = d->child; at && at != have; at = at->next)
				idx++;
			if (!list || !(list->string = strdup(k->name))) {
				cJSON_Delete(list);
				cJSON_Delete(v);
				goto fail;
			}
			cJSON_DetachItemViaPointer(d, have);
			cJSON_AddItemToArray(list, have);
			cJSON_AddItemToArray(list, v);
			cJSON_InsertItemInArray(d, idx, list);
		}
	}
	if (*t && !cJSON_AddStringToObject(d, "#text", t))
		goto fail;
	free(t);
	return d;
fail:
	free(t);
	cJSON_Delete(d);
	return NULL;
}

/* alien.py's convert_dict: {"id": X, rest...} -> {X: {rest...}} */
static void xrdstats_by_id(cJSON *o)
{
	cJSON *id = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "id") : NULL, *inner;

	if (!cJSON_IsString(id))
		return;
	id = cJSON_DetachItemViaPointer(o, id);
	inner = cJSON_CreateObject();
	if (!inner) {
		cJSON_Delete(id);
		return;
	}
	inner->child = o->child; /* move the rest */
	o->child = NULL;
	cJSON_AddItemToObject(o, id->valuestring, inner);
	cJSON_Delete(id);
}

/* ---- Python's json.dumps (ensure_ascii) ---- */

static void xrdstats_dump_str(struct strbuf *b, const char *s)
{
	strbuf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addf(b, "\\%c", *p);
		else if (*p == '\n')
			strbuf_adds(b, "\\n");
		else if (*p == '\r')
			strbuf_adds(b, "\\r");
		else if (*p == '\t')
			strbuf_adds(b, "\\t");
		else if (*p < 0x20 || *p >= 0x7f)
			strbuf_addf(b, "\\u%04x", *p);
		else
			strbuf_addc(b, (char)*p);
	}
	strbuf_addc(b, '"');
}

static void xrdstats_dump(struct strbuf *b, const cJSON *v, int level, int compact)
{
	const cJSON *k;
	int obj = cJSON_IsObject(v);

	if (cJSON_IsString(v)) {
		xrdstats_dump_str(b, v->valuestring);
		return;
	}
	if (!obj && !cJSON_IsArray(v)) {
		strbuf_adds(b, "null");
		return;
	}
	if (!v->child) {
		strbuf_adds(b, obj ? "{}" : "[]");
		return;
	}
	strbuf_addc(b, obj ? '{' : '[');
	for (k = v->child; k; k = k->next) {
		if (!compact)
			strbuf_addf(b, "\n%*s", 2 * (level + 1), "");
		if (obj) {
			xrdstats_dump_str(b, k->string);
			strbuf_adds(b, compact ? ":" : ": ");
		}
		xrdstats_dump(b, k, level + 1, compact);
		if (k->next)
			strbuf_adds(b, compact ? "," : ", ");
	}
	if (!compact)
		strbuf_addf(b, "\n%*s", 2 * level, "");
	strbuf_addc(b, obj ? '}' : ']');
}

char *xrdstats_json(const char *xml, const char *se_name, const char *endpoint, int compact)
{
	struct xnode *root = xrdstats_parse(xml);
	cJSON *d = NULL, *q, *old, *merged = NULL, *e, *site;
	struct strbuf b = { 0 };
	char *out = NULL;

	if (!root || strcmp(root->name, "statistics")) {
		errno = root ? EINVAL : errno == ENOMEM ? ENOMEM : EINVAL;
		xnode_free(root);
		return NULL;
	}
	q = d = xrdstats_todict(root);
	xnode_free(root);
	if (!cJSON_IsObject(q) || !(old = cJSON_DetachItemFromObjectCaseSensitive(q, "stats"))) {
		cJSON_Delete(d);
		errno = EINVAL;
		return NULL;
	}
	if (!(merged = cJSON_CreateObject())) {
		cJSON_Delete(old);
		goto nomem;
	}
	if (!cJSON_IsArray(old)) { /* one <stats> only: not query stats' answer */
		cJSON_Delete(merged);
		cJSON_Delete(old);
		cJSON_Delete(d);
		errno = EINVAL;
		return NULL;
	}
	cJSON_ArrayForEach (e, old) {
		cJSON *oss;

		xrdstats_by_id(e);
		oss = cJSON_GetObjectItemCaseSensitive(e, "oss");
		if (oss)
			xrdstats_by_id(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(oss, "paths"), "stats"));
	}
	/* dict.update() of each: a later key replaces an earlier one in its place */
	for (e = old->child; e; e = e->next) {
		while (cJSON_IsObject(e) && e->child) {
			cJSON *k = cJSON_DetachItemViaPointer(e, e->child), *have;

			have = cJSON_GetObjectItemCaseSensitive(merged, k->string);
			if (have)
				cJSON_ReplaceItemViaPointer(merged, have, k);
			else
				cJSON_AddItemToArray(merged, k); /* keeps its key */
		}
	}
	cJSON_Delete(old);
	cJSON_AddItemToObject(q, "stats", merged);
	if (!cJSON_AddStringToObject(q, "seName", se_name) ||
	    !cJSON_AddStringToObject(q, "endpointUrl", endpoint))
		goto nomem;
	site = cJSON_GetObjectItemCaseSensitive(q, "site");
	if (site && (!cJSON_IsString(site) || !*site->valuestring ||
		     strcmp(site->valuestring, "NOT_SET") == 0))
		cJSON_ReplaceItemInObjectCaseSensitive(q, "site", cJSON_CreateString(se_name));
	xrdstats_dump(&b, q, 0, compact);
	cJSON_Delete(d);
	if (!strbuf_cstr(&b))
		goto nomem_b;
	/* alien.py: .replace('\\"', '') */
	out = b.data;
	{
		char *w = out;

		for (const char *r = out; *r; r++) {
			if (r[0] == '\\' && r[1] == '"') {
				r++;
				continue;
			}
			*w++ = *r;
		}
		*w = '\0';
	}
	return out;
nomem:
	cJSON_Delete(d);
nomem_b:
	strbuf_free(&b);
	errno = ENOMEM;
	return NULL;
}

/* ---- minidom's toprettyxml ---- */

static void xrdstats_xml_data(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			strbuf_adds(b, "&amp;");
		else if (*s == '<')
			strbuf_adds(b, "&lt;");
		else if (*s == '>')
			strbuf_adds(b, "&gt;");
		else if (*s == '"')
			strbuf_addc(b, '"'); /* &quot;, shown as " by alien.py */
		else
			strbuf_addc(b, *s);
	}
}

static void xrdstats_xml_node(struct strbuf *b, const struct xnode *n, int level, int compact)
{
	const char *nl = compact ? "" : "\n";
	int ind = compact ? 0 : 2 * level;

	if (!n->name) {
		strbuf_addf(b, "%*s", ind, "");
		xrdstats_xml_data(b, n->text);
		strbuf_adds(b, nl);
		return;
	}
	strbuf_addf(b, "%*s<%s", ind, "", n->name);
	for (int i = 0; i < n->nattr; i++) {
		strbuf_addf(b, " %s=\"", n->attr[2 * i]);
		xrdstats_xml_data(b, n->attr[2 * i + 1]);
		strbuf_addc(b, '"');
	}
	if (!n->nkid) {
		strbuf_addf(b, "/>%s", nl);
		return;
	}
	strbuf_addc(b, '>');
	if (n->nkid == 1 && !n->kid[0]->name) {
		xrdstats_xml_data(b, n->kid[0]->text);
	} else {
		strbuf_adds(b, nl);
		for (int i = 0; i < n->nkid; i++)
			xrdstats_xml_node(b, n->kid[i], level + 1, compact);
		strbuf_addf(b, "%*s", ind, "");
	}
	strbuf_addf(b, "</%s>%s", n->name, nl);
}

char *xrdstats_prettyxml(const char *xml, int compact)
{
	struct xnode *root = xrdstats_parse(xml);
	struct strbuf b = { 0 };

	if (!root) {
		errno = EINVAL;
		return NULL;
	}
	strbuf_addf(&b, "<?xml version=\"1.0\" ?>%s", compact ? "" : "\n");
	xrdstats_xml_node(&b, root, 0, compact);
	xnode_free(root);
	if (!strbuf_cstr(&b)) {
		strbuf_free(&b);
		errno = ENOMEM;
		return NULL;
	}
	return b.data;
}
