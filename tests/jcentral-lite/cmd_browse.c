/* cmd_browse.c - catalogue browsing: cd ls stat type. */
#include "cmd.h"
#include "path.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ string vector */

struct strvec {
	char **v;
	size_t n, cap;
};

static int strvec_add(struct strvec *sv, const char *s)
{
	if (sv->n == sv->cap) {
		size_t nc = sv->cap ? sv->cap * 2 : 8;
		char **nv = realloc(sv->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		sv->v = nv;
		sv->cap = nc;
	}
	if (!(sv->v[sv->n] = strdup(s)))
		return -ENOMEM;
	sv->n++;
	return 0;
}

static void strvec_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/* ------------------------------------------------------------------ wildcard expansion */

struct glob_state {
	struct catalogue *cat;
	const char *pattern;
	struct strvec *matches; /* matching child lfns */
	int rc;
};

static int glob_cb(const struct cat_entry *e, void *arg)
{
	struct glob_state *g = arg;
	char name[JCL_LFN_MAX];

	path_basename(e->lfn, name, sizeof(name));
	if (!fnmatch(g->pattern, name, 0) && (g->rc = strvec_add(g->matches, e->lfn)))
		return g->rc;
	return 0;
}

/* Expand '*' and '?' in any component of the absolute path abs. Non-wildcard components are
 * appended verbatim (existence is checked by the caller). */
static int expand_rec(struct catalogue *cat, const char *prefix, const char *rest,
		      struct strvec *out)
{
	char comp[JCL_LFN_MAX], next[JCL_LFN_MAX * 2];
	int rc = 0;

	while (*rest == '/')
		rest++;
	if (!*rest)
		return strvec_add(out, prefix);
	const char *e = strchr(rest, '/');
	size_t n = e ? (size_t)(e - rest) : strlen(rest);
	if (n >= sizeof(comp))
		return -ENAMETOOLONG;
	memcpy(comp, rest, n);
	comp[n] = '\0';
	const char *after = rest + n;
	const char *sep = prefix[strlen(prefix) - 1] == '/' ? "" : "/";

	if (!path_has_wildcard(comp)) {
		snprintf(next, sizeof(next), "%s%s%s", prefix, sep, comp);
		return expand_rec(cat, next, after, out);
	}
	char dir[JCL_LFN_MAX * 2];
	snprintf(dir, sizeof(dir), "%s%s", prefix, sep);
	struct strvec m = { 0 };
	struct glob_state g = { cat, comp, &m, 0 };
	rc = catalogue_list(cat, dir, glob_cb, &g);
	for (size_t i = 0; !rc && i < m.n; i++) {
		size_t l = strlen(m.v[i]);
		bool isdir = l > 1 && m.v[i][l - 1] == '/';
		if (*after && !isdir)
			continue;
		if (isdir)
			m.v[i][l - 1] = '\0';
		rc = expand_rec(cat, m.v[i], after, out);
	}
	strvec_free(&m);
	return rc;
}

/* ------------------------------------------------------------------ time formats */

static void fmt_ls_date(long long t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, outsz, "%b %d %H:%M", &tm);
}

/* java.sql.Timestamp.toString(): 2026-11-28 00:15:36.0 */
static void fmt_sql_ts(long long t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M:%S.0", &tm);
}

/* java.util.Date.toString(): Sat Nov 28 00:17:05 UTC 2026 */
static void fmt_java_date(long long ms, char *out, size_t outsz)
{
	time_t tt = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, outsz, "%a %b %d %H:%M:%S %Z %Y", &tm);
}

/* ------------------------------------------------------------------ cd */

static void cd_run(struct cmd_ctx *c, const struct opt_result *o)
{
	char abs[JCL_LFN_MAX];
	struct cat_entry *e = malloc(sizeof(*e));
	const char *arg = o->nargs ? o->args[0] : NULL;

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	if (arg) {
		if (cmd_abs(c, arg, abs, sizeof(abs)))
			goto out;
	} else {
		snprintf(abs, sizeof(abs), "%s", c->s->home);
	}
	if (catalogue_get(c->cat, abs, e))
		reply_error(c->r, ENOENT, NULL);
	else if (e->type != 'd')
		reply_error(c->r, ENOTDIR, arg);
	else
		snprintf(c->s->cwd, sizeof(c->s->cwd), "%s", e->lfn);
out:
	free(e);
}

static void cd_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "cd", "[dir]");
	reply_out(c->r, "\n");
}

/* ------------------------------------------------------------------ ls */

static const struct opt_spec ls_spec[] = {
	{ "l", false }, { "bulk", false }, { "b", false }, { "a", false },
	{ "F", false }, { "c", false },	   { "H", false },
};
#define LS_N (sizeof(ls_spec) / sizeof(ls_spec[0]))

struct ls_state {
	struct cmd_ctx *c;
	bool l, a, F, b, cc, H;
};

static int ls_entry(const struct cat_entry *e, void *arg)
{
	struct ls_state *ls = arg;
	struct reply *r = ls->c->r;
	char name[JCL_LFN_MAX];
	bool isdir = e->type == 'd';

	path_basename(e->lfn, name, sizeof(name));
	if (!ls->a && name[0] == '.')
		return 0;
	if (ls->b && isdir)
		return 0;
	reply_next(r);
	if (ls->b) {
		char guid[40];
		size_t i;
		for (i = 0; e->guid[i] && i < sizeof(guid) - 1; i++)
			guid[i] = (char)(e->guid[i] >= 'a' && e->guid[i] <= 'z' ? e->guid[i] - 32
										: e->guid[i]);
		guid[i] = '\0';
		if (guid[0]) {
			reply_field(r, "guid", guid);
			reply_outf(r, "%s   %s", guid, e->lfn);
		}
		reply_out(r, "\n");
		return 0;
	}
	if (ls->cc) {
		reply_outf(r, "%s\n", e->lfn);
		return 0;
	}
	/* fields first, the text line last (the server prints the line after the keys) */
	char *line = NULL;
	int n;
	if (ls->l) {
		char perm[11], date[32], size[32];
		catalogue_perm_string(e, perm);
		fmt_ls_date(e->ctime, date, sizeof(date));
		if (ls->H)
			cmd_fmt_size(e->size, size, sizeof(size));
		else
			snprintf(size, sizeof(size), "%lld", e->size);
		reply_field(r, "permissions", perm);
		reply_field(r, "user", e->owner);
		reply_field(r, "group", e->gowner);
		reply_fieldf(r, "size", "%lld", e->size);
		reply_fieldf(r, "ctime", "%lld", e->ctime * 1000);
		n = asprintf(&line, "%s   %8s %8s %12s %s    %s%s", perm, e->owner, e->gowner, size,
			     date, name, ls->F && isdir ? "/" : "");
	} else {
		n = asprintf(&line, "%s%s", name, ls->F && isdir ? "/" : "");
	}
	reply_fieldf(r, "name", "%s%s", name, ls->F && isdir ? "/" : "");
	reply_fieldf(r, "path", "%s%s", e->lfn, ls->F && isdir ? "/" : "");
	if (n < 0)
		return -ENOMEM;
	reply_outf(r, "%s\n", line);
	free(line);
	return 0;
}

static void ls_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct ls_state ls = {
		.c = c,
		.l = opts_has(ls_spec, LS_N, o, "l") || opts_has(ls_spec, LS_N, o, "H"),
		.a = opts_has(ls_spec, LS_N, o, "a"),
		.F = opts_has(ls_spec, LS_N, o, "F"),
		.b = opts_has(ls_spec, LS_N, o, "b"),
		.cc = opts_has(ls_spec, LS_N, o, "c"),
		.H = opts_has(ls_spec, LS_N, o, "H"),
	};
	struct strvec expanded = { 0 };
	struct jcl_buf notfound = { 0 };
	struct cat_entry *e = malloc(sizeof(*e));
	char abs[JCL_LFN_MAX];
	size_t npaths = o->nargs ? o->nargs : 1;

	if (!e)
		goto oom;
	for (size_t i = 0; i < npaths; i++) {
		const char *arg = o->nargs ? o->args[i] : c->s->cwd;
		if (cmd_abs(c, arg, abs, sizeof(abs)))
			goto out;
		if (!path_has_wildcard(abs)) {
			if (strvec_add(&expanded, abs))
				goto oom;
			continue;
		}
		size_t before = expanded.n;
		int rc = expand_rec(c->cat, "/", abs, &expanded);
		if (rc == -ENOMEM)
			goto oom;
		if (expanded.n == before)
			reply_error(c->r, ENOENT, arg);
	}
	for (size_t i = 0; i < expanded.n; i++) {
		const char *p = expanded.v[i];
		if (catalogue_get(c->cat, p, e)) {
			if ((notfound.len && jcl_buf_adds(&notfound, ", ")) ||
			    jcl_buf_adds(&notfound, p))
				goto oom;
			continue;
		}
		if (e->type == 'd')
			catalogue_list(c->cat, e->lfn, ls_entry, &ls);
		else
			ls_entry(e, &ls);
	}
	if (notfound.len)
		reply_error(c->r, ENOENT, notfound.p);
	goto out;
oom:
	reply_error(c->r, ENOMEM, NULL);
out:
	free(e);
	strvec_free(&expanded);
	jcl_buf_free(&notfound);
}

static void ls_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "ls", "[-options] [<directory>]");
	cmd_help_options(r);
	cmd_help_option(r, "-l", "long format");
	cmd_help_option(r, "-a", "show hidden .* files");
	cmd_help_option(r, "-F", "add trailing / to directory names");
	cmd_help_option(r, "-b", "print in guid format");
	cmd_help_option(r, "-c", "print canonical paths");
	cmd_help_option(r, "-H", "human readable file sizes (1024-based); implies -l");
	reply_out(r, "\n");
}

/* ------------------------------------------------------------------ stat */

static const struct opt_spec stat_spec[] = { { "v", false } };

static bool is_guid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };
	if (strlen(s) != 36)
		return false;
	for (int i = 0, d = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return false;
			d++;
		} else if (!strchr("0123456789abcdefABCDEF", s[i])) {
			return false;
		}
	}
	return true;
}

/* MAC (node) field of a version-1 UUID: 02:fc:00:00:00:01 */
static void guid_mac(const char *guid, char *out, size_t outsz)
{
	const char *n = strlen(guid) == 36 ? guid + 24 : "000000000000";
	snprintf(out, outsz, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", n, n + 2, n + 4, n + 6, n + 8,
		 n + 10);
}

static void stat_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));
	struct reply *r = c->r;
	char abs[JCL_LFN_MAX], ts[64];

	if (!e) {
		reply_error(r, ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		const char *arg = o->args[i];
		if (cmd_abs(c, arg, abs, sizeof(abs)))
			continue;
		if (catalogue_get(c->cat, abs, e)) {
			if (is_guid(arg)) {
				char *msg = NULL;
				if (asprintf(&msg,
					     "This GUID does not exist in the catalogue: %s\n",
					     arg) >= 0)
					reply_error_raw(r, reply_exitcode(r), msg);
				free(msg);
			} else {
				reply_error(r, ENOENT, arg);
			}
			continue;
		}
		fmt_sql_ts(e->ctime, ts, sizeof(ts));
		reply_outf(r, "File: %s\n", e->lfn);
		reply_outf(r, "Type: %c\n", e->type);
		reply_outf(r, "Owner: %s:%s\n", e->owner, e->gowner);
		reply_outf(r, "Permissions: %s\n", e->perm);
		reply_outf(r, "Last change: %s (%lld)\n", ts, e->ctime * 1000);
		reply_field(r, "lfn", e->lfn);
		reply_fieldf(r, "type", "%c", e->type);
		reply_field(r, "owner", e->owner);
		reply_field(r, "gowner", e->gowner);
		reply_field(r, "perm", e->perm);
		reply_fieldf(r, "ctime", "%lld", e->ctime * 1000);
		if (e->jobid > 0) {
			reply_outf(r, "Job ID: %lld\n", e->jobid);
			reply_fieldf(r, "jobid", "%lld", e->jobid);
		}
		if (e->type != 'd') {
			char hs[32];
			cmd_fmt_size(e->size, hs, sizeof(hs));
			reply_outf(r, "Size: %lld (%s)\n", e->size, hs);
			reply_outf(r, "MD5: %s\n", e->md5[0] ? e->md5 : "null");
			reply_fieldf(r, "size", "%lld", e->size);
			reply_field(r, "md5", e->md5);
			if (e->guid[0]) {
				char when[64], mac[32];
				fmt_java_date(e->guidtime_ms, when, sizeof(when));
				guid_mac(e->guid, mac, sizeof(mac));
				reply_outf(r, "GUID: %s\n", e->guid);
				reply_outf(r, "\tGUID created on %s (%lld) by %s\n", when,
					   e->guidtime_ms, mac);
				reply_field(r, "guid", e->guid);
				reply_fieldf(r, "mtime", "%lld", e->guidtime_ms);
			}
		}
		reply_out(r, "\n");
		reply_next(r);
	}
	free(e);
}

static void stat_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "stat", "[-v] <filename1> [<or uuid>] ...");
	cmd_help_option(c->r, "-v", "More details on the status.");
	reply_out(c->r, "\n");
}

/* ------------------------------------------------------------------ type */

static void type_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));
	char abs[JCL_LFN_MAX];

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		const char *arg = o->args[i];
		if (cmd_abs(c, arg, abs, sizeof(abs)))
			continue;
		if (catalogue_get(c->cat, abs, e)) {
			reply_error(c->r, ENOENT, arg);
			continue;
		}
		const char *t = e->type == 'd'			     ? "directory"
				: e->type == 'c'		     ? "collection"
				: (e->type == 'f' || e->type == '-') ? "file"
								     : NULL;
		reply_outf(c->r, "%s is a %s\n", arg, t ? t : "special entry");
		reply_field(c->r, "lfn", e->lfn);
		if (t)
			reply_field(c->r, "type", t);
		reply_next(c->r);
	}
	free(e);
}

static void type_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "type", "<lfn>");
	cmd_help_param(c->r, "Print the LFN type (file / directory / collection)");
	reply_out(c->r, "\n");
}

static const struct opt_spec type_spec[] = { { "z", false } };

const struct cmd_def cmd_browse_defs[] = {
	{ "cd", NULL, 0, OPTERR_EINVAL, true, cd_run, cd_help },
	{ "ls", ls_spec, LS_N, OPTERR_EINVAL, true, ls_run, ls_help },
	{ "stat", stat_spec, 1, OPTERR_EINVAL, false, stat_run, stat_help },
	{ "type", type_spec, 1, OPTERR_NOTFOUND, false, type_run, type_help },
};
const size_t cmd_browse_ndefs = sizeof(cmd_browse_defs) / sizeof(cmd_browse_defs[0]);
