/* cmd_find.c - recursive catalogue queries: find du. */
#include "cmd.h"
#include "replicas.h"
#include "path.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ find */

static const struct opt_spec find_spec[] = {
	{ "a", false }, { "s", false }, { "c", false }, { "d", false }, { "w", false },
	{ "j", true },	{ "l", true },	{ "o", true },	{ "r", false }, { "f", false },
	{ "y", false }, { "x", true },	{ "S", true },	{ "e", true },	{ "z", false },
};
#define FIND_N (sizeof(find_spec) / sizeof(find_spec[0]))

/* SQL LIKE semantics of JAliEn's find pattern: "*" (-> %) and "_" match, substring match. */
static bool like_match(const char *pat, const char *s)
{
	if (!*pat)
		return true; /* trailing implicit % */
	if (*pat == '*' || *pat == '%') {
		for (const char *p = s;; p++) {
			if (like_match(pat + 1, p))
				return true;
			if (!*p)
				return false;
		}
	}
	if (!*s)
		return false;
	if (*pat == '_' || *pat == *s)
		return like_match(pat + 1, s + 1);
	return false;
}

static bool find_match(const char *pat, const char *rel)
{
	for (const char *p = rel;; p++) { /* implicit leading % */
		if (like_match(pat, p))
			return true;
		if (!*p)
			return false;
	}
}

struct find_state {
	struct cmd_ctx *c;
	const char *base;
	const char *pattern;
	regex_t re;
	bool use_re, dirs, wide, full;
	long long jobid;
	long long limit, offset, seen, found;
	const char *exclude;
};

static int find_cb(const struct cat_entry *e, void *arg)
{
	struct find_state *f = arg;
	struct reply *r = f->c->r;
	const char *rel = e->lfn + strlen(f->base);

	if (e->type == 'd' && !f->dirs)
		return 0;
	if (f->use_re) {
		/* JCentral: lfn RLIKE '^<base><pattern>' on the path without its leading '/' (an
		 * index table's lfn column): a search, so "a|b" finds b anywhere, and an inner '^'
		 * can only match at the start of the whole path */
		if (regexec(&f->re, e->lfn + 1, 0, NULL, 0))
			return 0;
	} else if (!find_match(f->pattern, rel)) {
		return 0;
	}
	if (f->exclude && find_match(f->exclude, rel))
		return 0;
	if (f->jobid > 0 && e->jobid != f->jobid)
		return 0;
	if (f->seen++ < f->offset)
		return 0;
	if (f->limit > 0 && f->found >= f->limit)
		return 1;
	f->found++;
	reply_next(r);
	reply_field(r, "lfn", e->lfn);
	if (f->wide || f->full) {
		reply_field(r, "perm", e->perm);
		reply_field(r, "owner", e->owner);
		reply_field(r, "gowner", e->gowner);
		reply_fieldf(r, "size", "%lld", e->size);
		reply_fieldf(r, "ctime", "%lld", e->ctime * 1000);
		reply_field(r, "guid", e->guid);
	}
	if (f->full) {
		char name[JCL_LFN_MAX];
		path_basename(e->lfn, name, sizeof(name));
		reply_field(r, "name", name);
		reply_field(r, "aclId", "");
		reply_field(r, "broken", "0");
		reply_field(r, "dir", "0");
		reply_fieldf(r, "entryId", "%lld", e->id);
		reply_field(r, "expiretime", "");
		reply_fieldf(r, "guidtime", "%lld", e->guidtime_ms);
		reply_field(r, "md5", e->md5);
		reply_fieldf(r, "jobid", "%lld", e->jobid);
		reply_field(r, "replicated", "0");
		reply_fieldf(r, "type", "%c", e->type);
	}
	if (f->wide) {
		char perm[11];
		catalogue_perm_string(e, perm);
		reply_outf(r, "%s %s %s %lld %s\n", perm, e->owner, e->gowner, e->size, e->lfn);
	} else {
		reply_outf(r, "%s\n", e->lfn);
	}
	return 0;
}

/* Java Long.valueOf(): optional sign, decimal digits, within 64 bits. */
static bool find_is_long(const char *v)
{
	const char *p = v + (*v == '+' || *v == '-');
	char *end;

	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	errno = 0;
	(void)strtoll(v, &end, 10);
	return !errno && !*end;
}

static void find_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct find_state f = { .c = c };
	struct cat_entry *e = malloc(sizeof(*e));
	char abs[JCL_LFN_MAX], dirarg[JCL_LFN_MAX];
	const char *pattern;

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	/* joptsimple converts -j/-l/-o to Long when the command is built */
	static const char *const longs[] = { "j", "l", "o" };
	for (size_t i = 0; i < 3; i++) {
		const char *lv = opts_val(find_spec, FIND_N, o, longs[i]);
		if (lv && !find_is_long(lv)) {
			reply_errorf(c->r, EINVAL, "Cannot parse argument '%s' of option %s", lv,
				     longs[i]);
			goto out;
		}
	}
	if (o->nargs >= 2) {
		snprintf(dirarg, sizeof(dirarg), "%s", o->args[0]);
		pattern = o->args[1];
	} else {
		/* a single argument with '*': split at the last '/' before the first '*' */
		const char *a = o->args[0], *star = strchr(a, '*');
		const char *slash = NULL;
		for (const char *p = a; star && p < star; p++)
			if (*p == '/')
				slash = p;
		if (!star || !slash) {
			reply_error(c->r, EINVAL, "Command requires an argument");
			goto out;
		}
		snprintf(dirarg, sizeof(dirarg), "%.*s", (int)(slash - a + 1), a);
		pattern = slash + 1;
	}
	if (cmd_abs(c, dirarg, abs, sizeof(abs)))
		goto out;
	if (catalogue_get(c->cat, abs, e) || e->type != 'd') {
		reply_error(c->r, ENOTDIR, dirarg);
		goto out;
	}
	f.base = e->lfn;
	f.pattern = pattern;
	f.dirs = opts_has(find_spec, FIND_N, o, "d");
	f.wide = opts_has(find_spec, FIND_N, o, "w");
	f.full = opts_has(find_spec, FIND_N, o, "f");
	f.exclude = opts_val(find_spec, FIND_N, o, "e");
	const char *v;
	if ((v = opts_val(find_spec, FIND_N, o, "j")))
		f.jobid = atoll(v);
	if ((v = opts_val(find_spec, FIND_N, o, "l")))
		f.limit = atoll(v);
	if ((v = opts_val(find_spec, FIND_N, o, "o")))
		f.offset = atoll(v);
	if (opts_has(find_spec, FIND_N, o, "r")) {
		char *rx = NULL;
		int bad = asprintf(&rx, "^%s%s", f.base + 1, pattern) < 0;
		if (!bad)
			bad = regcomp(&f.re, rx, REG_EXTENDED | REG_NOSUB) != 0;
		free(rx);
		if (bad) {
			reply_errorf(c->r, EINVAL, "Invalid regular expression: %s", pattern);
			goto out;
		}
		f.use_re = true;
	}
	/* -s (unsorted) is accepted: the walk is always sorted by LFN */
	catalogue_walk(c->cat, f.base, find_cb, &f);
	if (f.use_re)
		regfree(&f.re);
	if (opts_has(find_spec, FIND_N, o, "c")) {
		reply_next(c->r);
		reply_outf(c->r, "Found %lld maching entries\n", f.found);
	}
out:
	free(e);
}

static void find_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "find", "[flags] <path> <pattern>");
	cmd_help_options(r);
	cmd_help_option(r, "-a", "show hidden .* files");
	cmd_help_option(r, "-s", "no sorting");
	cmd_help_option(r, "-c", "print the number of matching files");
	cmd_help_option(r, "-d", "return also the directories");
	cmd_help_option(r, "-w[h]", "long format, optionally human readable file sizes");
	cmd_help_option(r, "-j <queueid>", "filter files created by a certain job ID");
	cmd_help_option(r, "-l <count>",
			"limit the number of returned entries to at most the indicated value");
	cmd_help_option(r, "-o <offset>", "skip over the first /offset/ results");
	cmd_help_option(r, "-r", "pattern is a regular expression");
	cmd_help_option(r, "-f", "return all LFN data as JSON fields (API flag only)");
	reply_out(r, "\n");
}

/* ------------------------------------------------------------------ du */

static const struct opt_spec du_spec[] = { { "n", false }, { "c", false }, { "s", false } };

struct du_state {
	struct catalogue *cat;
	long long folders, files, size, replicas, replica_size;
};

static int du_cb(const struct cat_entry *e, void *arg)
{
	struct du_state *d = arg;
	if (e->type == 'd')
		d->folders++;
	else {
		/* JCentral counts a file only when it has replicas (physical files) */
		long long n = e->guid[0] ? replicas_count(d->cat, e->guid) : 0;
		if (n <= 0)
			return 0;
		d->files++;
		d->size += e->size;
		d->replicas += n;
		d->replica_size += n * e->size;
	}
	return 0;
}

static void du_size(bool raw, long long v, char *out, size_t outsz)
{
	if (raw)
		snprintf(out, outsz, "%lld bytes", v);
	else
		cmd_fmt_size(v, out, outsz);
}

/* JAliEnCommanddu.printStats */
static void du_print(struct cmd_ctx *c, const char *first, const struct du_state *d, bool raw)
{
	char hs[48], ts[48], os[48];

	reply_next(c->r);
	reply_outf(c->r, "%s\n", first);
	if (d->folders > 0)
		reply_outf(c->r, "  Folders: %lld\n", d->folders);
	du_size(raw, d->size, hs, sizeof(hs));
	reply_outf(c->r, "  Files: %lld of an apparent size of %s, of which:\n", d->files, hs);
	if (d->files > 0) {
		char avg[64];
		double a = (double)d->replicas / (double)d->files;
		du_size(raw, d->replica_size, ts, sizeof(ts));
		du_size(raw, d->size, os, sizeof(os));
		/* Format.point */
		snprintf(avg, sizeof(avg), a < 10 ? "%.3f" : a < 100 ? "%.2f" : "%.1f", a);
		size_t l = strlen(avg);
		while (l && avg[l - 1] == '0')
			avg[--l] = '\0';
		if (l && avg[l - 1] == '.')
			avg[--l] = '\0';
		reply_outf(c->r,
			   "  - physical files: %lld files of %s with %lld replicas (avg %s "
			   "replicas/file), "
			   "size of one replica: %s\n",
			   d->files, ts, d->replicas, avg, os);
	}
	reply_next(c->r);
	reply_field(c->r, "entry", first);
	reply_fieldf(c->r, "folders", "%lld", d->folders);
	reply_fieldf(c->r, "physical_files_count", "%lld", d->files);
	reply_fieldf(c->r, "physical_files_size", "%lld", d->replica_size);
	reply_fieldf(c->r, "physical_files_replicas", "%lld", d->replicas);
	reply_fieldf(c->r, "physical_files_one_replica_size", "%lld", d->size);
	reply_field(c->r, "logical_files_count", "0");
	reply_field(c->r, "logical_files_size", "0");
	reply_next(c->r);
}

static void du_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));
	char abs[JCL_LFN_MAX];

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	bool raw = opts_has(du_spec, 3, o, "n"), summary = opts_has(du_spec, 3, o, "s");
	struct du_state sum = { .cat = c->cat };
	for (size_t i = 0; i < o->nargs; i++) {
		struct du_state d = { .cat = c->cat };
		if (cmd_abs(c, o->args[i], abs, sizeof(abs)))
			break;
		/* a path that does not exist has nothing under it: zeros, exit code 0 (JCentral) */
		if (!catalogue_get(c->cat, abs, e)) {
			du_cb(e, &d);
			if (e->type == 'd')
				catalogue_walk(c->cat, e->lfn, du_cb, &d);
		}
		if (summary) {
			sum.folders += d.folders;
			sum.files += d.files;
			sum.size += d.size;
			sum.replicas += d.replicas;
			sum.replica_size += d.replica_size;
		} else {
			du_print(c, abs, &d, raw);
		}
	}
	if (summary) {
		char first[64];
		snprintf(first, sizeof(first), "Summary of %zu paths", o->nargs);
		du_print(c, first, &sum, raw);
	}
	free(e);
}

static void du_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "du", "[-ncs] <path>");
	cmd_help_options(r);
	cmd_help_option(r, "-n", "Print raw numbers in machine readable format");
	cmd_help_option(r, "-c", "Include collections in the summary information");
	cmd_help_option(r, "-s", "Print a summary of all parameters");
	reply_out(r, "\n");
}

const struct cmd_def cmd_find_defs[] = {
	{ "find", find_spec, FIND_N, OPTERR_EINVAL, false, find_run, find_help },
	{ "du", du_spec, 3, OPTERR_EINVAL, false, du_run, du_help },
};
const size_t cmd_find_ndefs = sizeof(cmd_find_defs) / sizeof(cmd_find_defs[0]);
