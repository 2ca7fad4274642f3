/* cmd_replica.c - replica and GUID information: whereis md5sum lfn2guid guid2lfn guidinfo cat
 * listSEs. */
#include "cmd.h"
#include "path.h"
#include "replicas.h"
#include "storage.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CAT_MAX_BYTES (16u << 20) /* cat: largest file returned */

static bool replica_is_guid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	}
	return true;
}

/* Resolve an LFN (or a GUID when allowed) to its file entry; reports ENOENT itself. */
static int replica_entry(struct cmd_ctx *c, const char *arg, bool guid_ok, struct cat_entry *e)
{
	char abs[JCL_LFN_MAX];

	if (guid_ok && replica_is_guid(arg)) {
		if (!catalogue_get_by_guid(c->cat, arg, e))
			return 0;
		reply_errorf(c->r, ENOENT, "This GUID does not exist in the catalogue: %s", arg);
		return -ENOENT;
	}
	if (cmd_abs(c, arg, abs, sizeof(abs)))
		return -ENAMETOOLONG;
	if (catalogue_get(c->cat, abs, e)) {
		reply_error(c->r, ENOENT, arg);
		return -ENOENT;
	}
	return 0;
}

/* Java Date.toString() of epoch ms in the local zone */
static void replica_java_date(long long ms, char *out, size_t outsz)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, outsz, "%a %b %d %H:%M:%S %Z %Y", &tm);
}

/* ------------------------------------------------------------------ whereis */

static const struct opt_spec whereis_spec[] = { { "g", false }, { "r", false }, { "l", false } };

static void whereis_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));
	struct replica *reps = calloc(REPLICAS_MAX, sizeof(*reps));
	char name[JCL_LFN_MAX], upse[128];

	if (!e || !reps) {
		reply_error(c->r, ENOMEM, NULL);
		goto out;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		if (replica_entry(c, o->args[i], true, e))
			continue;
		if (e->type == 'd') {
			reply_errorf(c->r, EINVAL, "The path you indicated is not a file: %s",
				     o->args[i]);
			continue;
		}
		path_basename(e->lfn, name, sizeof(name));
		reply_outf(c->r, "the file %s is in\n\n", name);
		int n = e->guid[0] ? replicas_list(c->cat, e->guid, reps, REPLICAS_MAX) : 0;
		for (int k = 0; k < n; k++) {
			storage_upper(reps[k].se, upse, sizeof(upse));
			reply_outf(c->r, "\t SE => %s pfn => %s\n", upse, reps[k].pfn);
			reply_fieldf(c->r, "seNumber", "%d", reps[k].se_number);
			reply_field(c->r, "seName", upse);
			reply_field(c->r, "pfn", reps[k].pfn);
			reply_next(c->r);
		}
		reply_next(c->r);
	}
out:
	free(reps);
	free(e);
}

static void whereis_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "whereis", "[-options] [<filename>]");
	cmd_help_options(r);
	cmd_help_option(r, "-g", "use the lfn as guid");
	cmd_help_option(r, "-r", "resolve links (do not give back pointers to zip archives)");
	cmd_help_option(r, "-l",
			"lookup the LFN of the ZIP archive (slow and expensive IO operation, only "
			"use it sparingly!)");
}

/* ------------------------------------------------------------------ md5sum */

static void md5sum_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	/* JCentral: the path (or GUID) is echoed as typed */
	for (size_t i = 0; i < o->nargs; i++) {
		const char *a = o->args[i];
		char abs[JCL_LFN_MAX];
		if (cmd_abs(c, a, abs, sizeof(abs)))
			continue;
		if (catalogue_get(c->cat, abs, e) &&
		    !(replica_is_guid(a) && !catalogue_get_by_guid(c->cat, a, e))) {
			reply_error(c->r, ENOENT, a);
			continue;
		}
		if (e->md5[0])
			reply_outf(c->r, "%s\t%s\n", e->md5, a);
		else if (e->type == 'd')
			reply_errorf(c->r, EINVAL, "This entry is not a file: %s", a);
		else
			reply_errorf(c->r, ENODATA,
				     "This file doesn't have a valid associated MD5 checksum: %s",
				     a);
	}
	free(e);
}

static void md5sum_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "md5sum", "<filename1> [<or guid>] ...");
	reply_out(c->r, "\n");
}

/* ------------------------------------------------------------------ lfn2guid, guid2lfn */

static void lfn2guid_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		if (replica_entry(c, o->args[i], false, e))
			continue;
		if (e->type == 'd' || !e->guid[0]) {
			reply_errorf(c->r, EISDIR, "%s has no GUID", e->lfn);
			continue;
		}
		reply_outf(c->r, "%-80s%s\n", e->lfn, e->guid);
		reply_field(c->r, "lfn", e->lfn);
		reply_field(c->r, "guid", e->guid);
		reply_next(c->r);
	}
	free(e);
}

static void guid2lfn_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	/* JCentral: every argument must parse as a UUID; found GUIDs first, then the others */
	for (size_t i = 0; i < o->nargs; i++)
		if (!replica_is_guid(o->args[i])) {
			reply_errorf(c->r, EINVAL, "Not a GUID: %s", o->args[i]);
			goto done;
		}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < o->nargs; i++) {
			char g[64];
			size_t k;
			for (k = 0; o->args[i][k] && k + 1 < sizeof(g); k++)
				g[k] = (char)tolower((unsigned char)o->args[i][k]);
			g[k] = '\0';
			bool found = !catalogue_get_by_guid(c->cat, g, e);
			if (pass == 0 && found) {
				reply_field(c->r, "guid", e->guid);
				reply_outf(c->r, "%-40s%s\n", e->guid, e->lfn);
				reply_field(c->r, "lfn", e->lfn);
				reply_next(c->r);
			} else if (pass == 1 && !found) {
				reply_field(c->r, "guid", g);
				reply_field(c->r, "error", "No GUID");
				reply_errorf(c->r, ENOENT,
					     "GUID cannot be found in the database: %s", g);
				reply_next(c->r);
			}
		}
done:
	free(e);
}

static void guidinfo_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		const char *g = o->args[i];
		char when[64];
		if (!replica_is_guid(g)) {
			reply_errorf(c->r, EINVAL, "This is not a valid GUID: %s", g);
			continue;
		}
		reply_outf(c->r, "%s\n", g);
		reply_field(c->r, "guid", g);
		if (catalogue_get_by_guid(c->cat, g, e)) {
			reply_out(c->r, "This GUID does not exist in the catalogue\n");
			reply_next(c->r);
			continue;
		}
		replica_java_date(e->guidtime_ms, when, sizeof(when));
		reply_outf(c->r, "Created: %s (%lld) by %.2s:%.2s:%.2s:%.2s:%.2s:%.2s\n", when,
			   e->guidtime_ms, e->guid + 24, e->guid + 26, e->guid + 28, e->guid + 30,
			   e->guid + 32, e->guid + 34);
		reply_fieldf(c->r, "mtime", "%lld", e->guidtime_ms);
		reply_outf(c->r, "Owner: %s:%s\nSize: %lld\nMD5: %s\n", e->owner, e->gowner,
			   e->size, e->md5);
		reply_field(c->r, "owner", e->owner);
		reply_field(c->r, "gowner", e->gowner);
		reply_fieldf(c->r, "size", "%lld", e->size);
		reply_field(c->r, "md5", e->md5);
		reply_next(c->r);
	}
	free(e);
}

static void guidhelp(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, c->name, !strcmp(c->name, "lfn2guid") ? "<filename>" : "<GUID>");
	reply_out(c->r, "\n");
}

/* ------------------------------------------------------------------ cat */

static const struct opt_spec cat_spec[] = {
	{ "o", true }, { "n", false }, { "b", false }, { "E", false }, { "T", false },
};

/* The SEs are local folders, so cat reads the first replica that exists on disk directly
 * (JCentral downloads it with xrootd). */
int cmd_read_file(struct cmd_ctx *c, const struct cat_entry *e, char **buf, size_t *len)
{
	struct replica reps[REPLICAS_MAX];
	char path[4096];
	int n = replicas_list(c->cat, e->guid, reps, REPLICAS_MAX);

	for (int i = 0; i < n; i++) {
		struct stat st;
		if (storage_local_path(c->srv, reps[i].pfn, path, sizeof(path)))
			continue;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
		    (unsigned long long)st.st_size > CAT_MAX_BYTES) {
			close(fd);
			continue;
		}
		char *b = malloc((size_t)st.st_size + 1);
		size_t got = 0;
		while (b && got < (size_t)st.st_size) {
			ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		close(fd);
		if (!b || got != (size_t)st.st_size) {
			free(b);
			continue;
		}
		b[got] = '\0';
		*buf = b;
		*len = got;
		return 0;
	}
	return -ENOENT;
}

static void cat_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = malloc(sizeof(*e));
	bool number = opts_has(cat_spec, 5, o, "n"), nonblank = opts_has(cat_spec, 5, o, "b");

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		char *buf = NULL;
		size_t len = 0;
		if (replica_entry(c, o->args[i], false, e))
			continue;
		if (e->type == 'd' || !catalogue_can(e, c->s->account, CAT_R) ||
		    cmd_read_file(c, e, &buf, &len)) {
			reply_errorf(c->r, EREMOTEIO, "Not able to get the file: %s", o->args[i]);
			continue;
		}
		const char *last = "";
		long count = 0;
		/* line by line, like the Java implementation; the row's value is the last line */
		for (char *p = buf, *nl; p < buf + len; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(buf + len - p));
			if (!nl)
				nl = buf + len;
			*nl = '\0';
			bool blank = !*p;
			if (number || (nonblank && !blank))
				reply_outf(c->r, "%6ld  %s\n", ++count, p);
			else
				reply_outf(c->r, "%s\n", p);
			last = p;
		}
		reply_field(c->r, "value", last);
		if (number || nonblank)
			reply_fieldf(c->r, "count", "%ld", count);
		reply_next(c->r);
		free(buf);
	}
	free(e);
}

static void cat_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "cat", "[-options] [<filename>]");
	cmd_help_options(r);
	cmd_help_option(r, "-o", "outputfilename");
	cmd_help_option(r, "-n", "number all output lines");
	cmd_help_option(r, "-b", "number nonblank output lines");
	cmd_help_option(r, "-E", "shows ends - display $ at end of each line number");
	cmd_help_option(r, "-T", "show tabs -display TAB characters as ^I");
}

/* ------------------------------------------------------------------ listSEs */

static const struct opt_spec listses_spec[] = { { "qos", true }, { "s", false } };

static bool listses_match(const struct jcl_se *se, const struct opt_result *o)
{
	const char *q = opts_val(listses_spec, 2, o, "qos");
	char buf[256], *save = NULL;

	if (q) {
		snprintf(buf, sizeof(buf), "%s", q);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (!storage_se_has_tag(se, t))
				return false;
	}
	if (!o->nargs)
		return true;
	for (size_t i = 0; i < o->nargs; i++)
		if (!strcasecmp(o->args[i], se->name))
			return true;
	return false;
}

static void listses_run(struct cmd_ctx *c, const struct opt_result *o)
{
	bool first = true;

	for (size_t i = 0; i < c->srv->n_ses; i++) {
		const struct jcl_se *se = &c->srv->ses[i];
		char qos[300] = "", url[1200];
		long long files = 0, bytes = 0;
		size_t q = 0;

		if (!listses_match(se, o))
			continue;
		replicas_se_usage(c->cat, se->number, &files, &bytes);
		for (int t = 0; t < se->ntags; t++) {
			int n = snprintf(qos + q, sizeof(qos) - q, "%s%s", t ? "," : "",
					 se->tags[t]);
			if (n < 0 || (size_t)n >= sizeof(qos) - q)
				break;
			q += (size_t)n;
		}
		snprintf(url, sizeof(url), "root://%s/%s", se->host_port, se->path);
		if (first)
			reply_out(c->r, "                             \t\t                "
					"Capacity\t  \t\t\t\t\tDemote\n"
					"                      SE name\t ID\t   Total  \t    Used  "
					"\t    Free      File count\t"
					"   Read   Write\tQoS \t  Endpoint URL\n");
		first = false;
		char used[32];
		cmd_fmt_size(bytes, used, sizeof(used));
		reply_outf(c->r, "%29s\t%3d\t%8s\t%8s\t%8s%16lld\t%7.4f %7.4f\t%s\t  %s\n",
			   se->name, se->number, "0 B", used, "0 B", files, 0.0, 0.0, qos, url);
		reply_field(c->r, "seName", se->name);
		reply_fieldf(c->r, "seNumber", "%d", se->number);
		reply_field(c->r, "totalSpace", "0");
		reply_fieldf(c->r, "usedSpace", "%lld", bytes);
		reply_field(c->r, "freeSpace", "0");
		reply_fieldf(c->r, "fileCount", "%lld", files);
		reply_field(c->r, "demoteRead", "0.0");
		reply_field(c->r, "demoteWrite", "0.0");
		reply_field(c->r, "qos", qos);
		reply_field(c->r, "endpointUrl", url);
		reply_next(c->r);
	}
}

static void listses_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "listSEs", "[-qos filter,by,qos] [-s] [SE name] [SE name] ...");
	cmd_help_options(r);
	cmd_help_option(r, "-qos",
			"filter the SEs by the given QoS classes. Comma separate entries for "
			"'AND', pass multiple -qos options for an 'OR'");
	cmd_help_option(r, "-s", "print summary information");
}

const struct cmd_def cmd_replica_defs[] = {
	{ "whereis", whereis_spec, 3, OPTERR_EINVAL, false, whereis_run, whereis_help },
	{ "md5sum", NULL, 0, OPTERR_EINVAL, false, md5sum_run, md5sum_help },
	{ "lfn2guid", NULL, 0, OPTERR_EINVAL, false, lfn2guid_run, guidhelp },
	{ "guid2lfn", NULL, 0, OPTERR_EINVAL, false, guid2lfn_run, guidhelp },
	{ "guidinfo", NULL, 0, OPTERR_EINVAL, false, guidinfo_run, guidhelp },
	{ "cat", cat_spec, 5, OPTERR_EINVAL, false, cat_run, cat_help },
	{ "listSEs", listses_spec, 2, OPTERR_NOTFOUND, true, listses_run, listses_help },
};
const size_t cmd_replica_ndefs = sizeof(cmd_replica_defs) / sizeof(cmd_replica_defs[0]);
