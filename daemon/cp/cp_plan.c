/* cp_plan.c - the SRC DST pairs into files (alienpy-behaviour 4.2-4.5):
 * which side is local, storage specs, a glob in the source path, the grid
 * side's stat (and find for a folder), the files of a local folder (walked
 * off the loop by cp_walk.c), the filters, and the destination names
 * (rsync's trailing-slash rule, -parent, -rmprefix).
 * Pairs are planned one after the other; copies start once all are. */
#include "cp_int.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "upstream/upstream.h"

static void cp_plan_pair_end(struct cp *c)
{
	free(c->grid);
	free(c->local);
	free(c->specs);
	free(c->find_base);
	free(c->pglob);
	c->grid = c->local = c->specs = c->find_base = c->pglob = NULL;
	c->pglob_path = c->grid_is_dir = c->grid_missing = c->tpc = 0;
}

void cp_plan_free(struct cp *c)
{
	cp_walk_abandon(c); /* first: its worker reads the pair's filters and paths */
	cp_plan_pair_end(c);
}

/* A pair could not be planned: one pair makes it the command's error; with
 * several (-input, -dst) it is printed and the others go on. */
void cp_plan_error(struct cp *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->plan_err, sizeof(c->plan_err), fmt, ap);
	va_end(ap);
	c->plan_errors++;
	c->plan_code = code;
	if (c->npairs > 1)
		cp_out(c, 2, "%s", c->plan_err);
}

int cp_plan_add(struct cp *c, const char *local, size_t root_len, const char *lfn, int upload,
		long long size, const char *md5, long long ctime_ms)
{
	struct cp_file *f;

	if (c->nfiles >= CP_FILES_MAX)
		return -E2BIG;
	if (c->nfiles == c->cap) {
		int cap = c->cap ? c->cap * 2 : 16;
		struct cp_file *nf = realloc(c->files, (size_t)cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		c->files = nf;
		c->cap = cap;
	}
	f = &c->files[c->nfiles];
	memset(f, 0, sizeof(*f));
	f->local = strdup(local);
	f->lfn = strdup(lfn);
	f->specs = c->specs ? strdup(c->specs) : NULL;
	if (!f->local || !f->lfn || (c->specs && !f->specs)) {
		free(f->local);
		free(f->lfn);
		free(f->specs);
		return -ENOMEM;
	}
	f->cp = c;
	f->upload = upload;
	f->fresh = upload && c->grid_missing;
	f->root_len = root_len;
	f->size = size;
	f->ctime_ms = ctime_ms;
	f->pass = 1;
	if (md5)
		snprintf(f->md5, sizeof(f->md5), "%s", md5);
	f->idx = ++c->nfiles;
	return 0;
}

/* The filters of 4.5 on one file: path is absolute, rel relative to the
 * folder being copied. 1 to copy it. */
int cp_plan_match(const struct cp *c, const char *path, const char *rel, long long size, int grid)
{
	const struct cp_filter *ft = &c->filt;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t nl = strlen(name);

	/* a grid glob without '/' went to find as its pattern */
	if (c->pglob && (!grid || c->pglob_path) &&
	    fnmatch(c->pglob, c->pglob_path ? rel : name, c->pglob_path ? FNM_PATHNAME : 0) != 0)
		return 0;
	if (ft->has_select && regexec(&ft->select, path, 0, NULL, 0) != 0)
		return 0;
	if (ft->has_name && regexec(&ft->name, name, 0, NULL, 0) != 0)
		return 0;
	if (ft->begin && strncmp(name, ft->begin, strlen(ft->begin)) != 0)
		return 0;
	if (ft->ext) { /* ext_X: the extension; ends_ then applies to the name before it */
		const char *dot = strrchr(name, '.');

		if (!dot || strcmp(dot + 1, ft->ext) != 0)
			return 0;
		nl = (size_t)(dot - name);
	}
	if (ft->ends && (nl < strlen(ft->ends) ||
			 strncmp(name + nl - strlen(ft->ends), ft->ends, strlen(ft->ends)) != 0))
		return 0;
	for (int i = 0; i < ft->ncontain; i++)
		if (!strstr(name, ft->contain[i]))
			return 0;
	for (int i = 0; i < ft->nexclude; i++)
		if (strstr(rel, ft->exclude[i]))
			return 0;
	for (int i = 0; i < ft->nexclude_re; i++)
		if (regexec(&ft->exclude_re[i], rel, 0, NULL, 0) == 0)
			return 0;
	return grid || cp_filter_local(c, path, size); /* a grid file's: cp_filter_row */
}

/* dst + kept part of src: "<dst>/<rel>" (dst is a folder) */
static int cp_plan_join(char *out, size_t n, const char *dst, const char *rel)
{
	return snprintf(out, n, "%s%s%s", dst, cp_path_is_dir(dst) ? "" : "/", rel) >= (int)n
		       ? -ENAMETOOLONG
		       : 0;
}

/* One file: into the folder dst (its name, or what -parent/-rmprefix keep),
 * or dst is the file's new name. */
void cp_plan_single(const struct cp *c, const char *src, const char *dst, int dst_is_dir, char *out,
		    size_t n)
{
	char rel[4096];

	if (!dst_is_dir && !c->parent && !c->rmprefix) {
		snprintf(out, n, "%s", dst);
		return;
	}
	if (c->parent || c->rmprefix)
		cp_path_keep(src, "", c->parent, c->rmprefix, rel, sizeof(rel));
	else
		snprintf(rel, sizeof(rel), "%s", strrchr(src, '/') + 1);
	cp_plan_join(out, n, dst, rel);
}

/* ---- uploads: the local side is walked by cp_walk.c ---- */

/* The walk of the pair's folder is done (on the loop): its files, in nftw's
 * order, become the pair's; then the plan goes on. */
void cp_plan_walk_done(struct cp *c, const char *base, const struct cp_walk_entry *e, int n,
		       int err, int more)
{
	char rel[4096], lfn[8192];

	for (int i = 0; i < n && err != -ENOMEM; i++) {
		if (e[i].err) {
			cp_out(c, 2, "cannot read %s: %s\n", e[i].path, strerror(e[i].err));
			continue;
		}
		cp_path_keep(e[i].path, base, c->parent, c->rmprefix, rel, sizeof(rel));
		if (cp_plan_join(lfn, sizeof(lfn), c->grid, rel) < 0)
			continue;
		if (cp_plan_add(c, e[i].path, 0, lfn, 1, e[i].size, NULL, 0) < 0)
			err = -ENOMEM; /* the walk left room for all of them */
	}
	if (more)
		cp_out(c, 2, "cp: %d more files below %s cannot be read (not listed)\n", more,
		       c->local);
	if (err == -E2BIG)
		cp_plan_error(c, JD_EXIT_TOOBIG, "cp: more than %d files in one cp\n",
			      CP_FILES_MAX);
	else if (err < 0)
		cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
	cp_plan_pair_end(c);
	cp_plan_next(c);
}

/* 1: the plan goes on in cp_plan_walk_done (a folder), 0: the pair is planned. */
static int cp_plan_upload(struct cp *c)
{
	struct stat st;
	size_t ll = strlen(c->local);
	char dst[8192], base[4096];
	int dir_dst = cp_path_is_dir(c->grid) || c->grid_is_dir;

	if (stat(c->local, &st) < 0) {
		/* alien.py's words */
		cp_plan_error(c, JD_EXIT_NOENT, "Specified source %s not found!\n", c->local);
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		/* rsync rule: "dir/" copies the contents, "dir" the folder itself */
		snprintf(base, sizeof(base), "%s", c->local);
		if (ll > 1 && !cp_path_is_dir(c->local)) {
			char *s = strrchr(base, '/');

			if (s)
				s[1] = '\0';
		}
		if (cp_walk_start(c, c->local, base) == 0)
			return 1;
		cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
		return 0;
	}
	if (access(c->local, R_OK) < 0) {
		cp_plan_error(c, JD_EXIT_NOENT, "cannot read %s: %s\n", c->local, strerror(errno));
		return 0;
	}
	cp_plan_single(c, c->local, c->grid, dir_dst, dst, sizeof(dst));
	if (cp_plan_match(c, c->local, strrchr(c->local, '/') + 1, (long long)st.st_size, 0) &&
	    cp_plan_add(c, c->local, 0, dst, 1, (long long)st.st_size, NULL, 0) < 0)
		cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
	return 0;
}

/* The stat of a destination on the grid came back (reply freed): an existing
 * folder? missing? 0, or -1 if the cp has ended meanwhile (stopped). */
int cp_plan_dst_stat(struct cp *c, cJSON *reply)
{
	const cJSON *row =
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
	const char *type = cp_str(row, "type");

	if (!c->ended) {
		c->grid_is_dir = reply && cp_reply_code(reply) == 0 && type && type[0] == 'd';
		c->grid_missing =
			reply && cp_reply_code(reply) == 2; /* only a clear "no such entry" */
	}
	cJSON_Delete(reply);
	return c->ended ? -1 : 0;
}

static void cp_plan_upload_stat_done(struct command *cmd, void *arg, cJSON *reply, int code,
				     const char *msg)
{
	struct cp *c = arg;

	(void)cmd;
	(void)code;
	(void)msg;
	if (cp_plan_dst_stat(c, reply) < 0 || cp_plan_upload(c))
		return;
	cp_plan_pair_end(c);
	cp_plan_next(c);
}

/* ---- downloads: the grid side is listed by the server ---- */

static void cp_plan_find_done(struct command *cmd, void *arg, cJSON *reply, int code,
			      const char *msg)
{
	struct cp *c = arg;
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results"), *row;
	char rel[4096], path[8192];
	int r = 0;

	(void)cmd;
	if (c->ended) { /* stopped meanwhile */
		cJSON_Delete(reply);
		return;
	}
	if (!reply || cp_reply_code(reply) != 0) {
		cp_plan_error(c, reply ? cp_reply_code(reply) : code, "%s\n",
			      reply ? cp_meta_str(reply, "error") : msg);
		results = NULL;
		/* alien.py's words and code for an empty folder */
	} else if (!cJSON_GetArraySize(results)) {
		cp_plan_error(c, JD_EXIT_NOMATCH, "No files found with: find  -a -s %s %s\n",
			      c->grid, c->pglob && !c->pglob_path ? c->pglob : "None");
	}
	cJSON_ArrayForEach (row, results) {
		const char *lfn = cp_str(row, "lfn"), *size = cp_str(row, "size"),
			   *ct = cp_str(row, "ctime");
		const char *below;

		if (!lfn || !*lfn || lfn[strlen(lfn) - 1] == '/' || lfn[strlen(lfn) - 1] == '.')
			continue;
		below = strncmp(lfn, c->find_base, strlen(c->find_base)) == 0
				? lfn + strlen(c->find_base)
				: lfn;
		if (!cp_plan_match(c, lfn, below, size ? atoll(size) : 0, 1) ||
		    !cp_filter_row(c, row, lfn))
			continue;
		cp_path_keep(lfn, c->find_base, c->parent, c->rmprefix, rel, sizeof(rel));
		/* a hostile or broken server: never outside the destination */
		if (!cp_path_rel_ok(rel)) {
			cp_out(c, 2,
			       "cp: refused %s from the server: \"%s\" would not stay below %s\n",
			       lfn, rel, c->local);
			c->refused++;
			continue;
		}
		if (cp_plan_join(path, sizeof(path), c->local, rel) < 0)
			continue;
		if (c->tpc)
			r = cp_tpc_add(c, lfn, path, row);
		else
			r = cp_plan_add(c, path, strlen(path) - strlen(rel), lfn, 0,
					size ? atoll(size) : 0, cp_str(row, "md5"),
					ct ? atoll(ct) : 0);
		if (r < 0) {
			if (r == -E2BIG)
				cp_plan_error(c, JD_EXIT_TOOBIG,
					      "cp: more than %d files in one cp\n", CP_FILES_MAX);
			else
				cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
			break;
		}
	}
	cJSON_Delete(reply);
	cp_plan_pair_end(c);
	cp_plan_next(c);
}

void cp_plan_download_stat_done(struct command *cmd, void *arg, cJSON *reply, int code,
				const char *msg)
{
	struct cp *c = arg;
	const cJSON *row =
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
	const char *type = cp_str(row, "type"), *size = cp_str(row, "size"),
		   *ct = cp_str(row, "ctime");
	char path[8192];
	struct stat st;

	(void)cmd;
	if (c->ended) { /* stopped meanwhile */
		cJSON_Delete(reply);
		return;
	}
	if (!reply || cp_reply_code(reply) != 0 || !row) {
		int rc = reply ? cp_reply_code(reply) : code;

		if (reply && rc == 2) /* alien.py's words for a missing source */
			cp_plan_error(c, JD_EXIT_NOENT, "Specified source %s not found!\n",
				      c->grid);
		else
			cp_plan_error(c, rc ? rc : JD_EXIT_NOENT, "%s\n",
				      reply ? cp_meta_str(reply, "error") : msg);
	} else if (type && type[0] == 'd') {
		/* rsync rule on the grid side too: "dir" is recreated, "dir/" gives its contents */
		cJSON *o = cp_opts("-nomsg", "-f", "-a", "-s", c->grid,
				   c->pglob && !c->pglob_path ? c->pglob : "*", NULL);

		c->find_base = strdup(c->grid);
		if (c->find_base && !cp_path_is_dir(c->grid))
			strrchr(c->find_base, '/')[1] = '\0';
		cJSON_Delete(reply);
		if (!c->find_base || !o ||
		    command_upstream(cmd, "find", o, UP_REQ_READONLY, cp_plan_find_done, c) < 0)
			cp_finish(c, exitcode_line(JD_EXIT_NOMEM), JD_EXIT_NOMEM);
		return;
	} else if (c->tpc) {
		cp_plan_single(c, c->grid, c->local, cp_path_is_dir(c->local) || c->grid_is_dir,
			       path, sizeof(path));
		if (cp_plan_match(c, c->grid, strrchr(c->grid, '/') + 1, size ? atoll(size) : 0,
				  1) &&
		    cp_tpc_add(c, c->grid, path, row) == -ENOMEM)
			cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
	} else {
		int local_dir = cp_path_is_dir(c->local) ||
				(stat(c->local, &st) == 0 && S_ISDIR(st.st_mode));

		cp_plan_single(c, c->grid, c->local, local_dir, path, sizeof(path));
		/* the whole path is the user's (their grid path's names with -parent) */
		if (cp_plan_add(c, path, (size_t)(strrchr(path, '/') - path) + 1, c->grid, 0,
				size ? atoll(size) : 0, cp_str(row, "md5"), ct ? atoll(ct) : 0) < 0)
			cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
	}
	cJSON_Delete(reply);
	cp_plan_pair_end(c);
	cp_plan_next(c);
}

/* The local destination of a download: its nearest existing folder must be
 * writable (4.4). 0, or -1 with the error set. */
static int cp_plan_local_writable(struct cp *c)
{
	char p[4096];
	struct stat st;
	char *slash;

	snprintf(p, sizeof(p), "%s", c->local);
	for (;;) {
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			break;
		slash = strrchr(p, '/');
		if (!slash || slash == p) {
			snprintf(p, sizeof(p), "/");
			break;
		}
		*slash = '\0';
	}
	if (access(p, W_OK | X_OK) < 0) {
		cp_plan_error(c, JD_EXIT_NOENT,
			      "no write permission/or missing in any component of %s\n", c->local);
		return -1;
	}
	return 0;
}

/* The pair's pattern: -glob's, or a '*' in the source path (the search folder
 * is before its component, the pattern the rest: 4.4). 0, or -1 with the
 * error set. */
int cp_plan_src_glob(struct cp *c, char *src)
{
	char *star = strchr(src, '*'), *cut;

	if (c->filt.glob) { /* -glob: this pair's pattern */
		if (!(c->pglob = strdup(c->filt.glob))) {
			cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
			return -1;
		}
		c->pglob_path = c->filt.glob_path;
	}
	if (!star)
		return 0;
	if (c->filt.glob || c->filt.has_select || c->filt.has_name || c->filt.begin ||
	    c->filt.ends || c->filt.ext || c->filt.ncontain) {
		cp_plan_error(c, JD_EXIT_USAGE,
			      "cp: only one of a glob in the source, -glob, -select and -name may "
			      "be used\n");
		return -1;
	}
	for (cut = star; cut > src && cut[-1] != '/'; cut--)
		;
	c->pglob = strdup(cut);
	if (!c->pglob) {
		cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
		return -1;
	}
	c->pglob_path = strchr(c->pglob, '/') != NULL;
	*cut = '\0';
	return 0;
}

/* A grid argument expanded, its storage specs (after @) cut off and, with
 * keep_specs, kept in c->specs; NULL with the plan error set. */
char *cp_plan_grid_arg(struct cp *c, const char *arg, int keep_specs)
{
	char *gcopy = strdup(arg), *at, *grid;

	if (!gcopy) {
		cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
		return NULL;
	}
	at = strchr(gcopy, '@');
	if (at) {
		*at = '\0';
		if (strlen(at + 1) >= CP_SPECS_MAX) {
			free(gcopy);
			cp_plan_error(c, JD_EXIT_USAGE, "cp: storage specs longer than %d bytes\n",
				      CP_SPECS_MAX);
			return NULL;
		}
		if (keep_specs)
			c->specs = *(at + 1) ? strdup(at + 1) : NULL;
	}
	grid = cp_path_grid(gcopy, command_term_cwd(c->cmd), upstream_home());
	free(gcopy);
	if (!grid)
		cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
	return grid;
}

/* Plan pair i: expand both sides, then ask the server about the grid side. */
static int cp_plan_pair(struct cp *c, const struct cp_pair *p)
{
	int src_local = strncmp(p->src, "file:", 5) == 0,
	    dst_local = strncmp(p->dst, "file:", 5) == 0;
	cJSON *o;

	if (!src_local && !dst_local) { /* grid to grid (issue 18): cp_tpc.c */
		if (cp_path_looks_local(
			    p->dst, c->shim_cwd,
			    c->home)) { /* alien.py: "should be ALWAYS prefixed with file:" */
			cp_plan_error(c, 1,
				      "cp: the destination %s looks local: a local destination is "
				      "written file:%s, a grid "
				      "one alien:%s\n",
				      p->dst, p->dst, p->dst);
			return -1;
		}
		c->grid = cp_plan_grid_arg(c, p->src, 0);
		c->local = c->grid ? cp_plan_grid_arg(c, p->dst, 1) : NULL;
		return c->local ? cp_tpc_pair(c) : -1;
	}
	if (src_local && dst_local) {
		cp_plan_error(c, 1,
			      "for local copy use system command; within interactive shell start a "
			      "system command with \"!\"\n");
		return -1;
	}
	c->grid = cp_plan_grid_arg(c, src_local ? p->dst : p->src, 1);
	if (!c->grid)
		return -1;
	c->local = cp_path_local(src_local ? p->src : p->dst, c->shim_cwd, c->home);
	if (!c->local) {
		cp_plan_error(c, JD_EXIT_NOMEM, "%s", exitcode_line(JD_EXIT_NOMEM));
		return -1;
	}
	if (cp_plan_src_glob(c, src_local ? c->local : c->grid) < 0)
		return -1;
	if (src_local) {
		o = cp_opts("-nomsg", c->grid, NULL);
		if (!o || command_upstream(c->cmd, "stat", o, UP_REQ_READONLY,
					   cp_plan_upload_stat_done, c) < 0)
			return -ENOMEM;
		return 1;
	}
	if (c->parent <= 1 && cp_plan_local_writable(c) < 0)
		return -1;
	o = cp_opts("-nomsg", c->grid, NULL);
	if (!o ||
	    command_upstream(c->cmd, "stat", o, UP_REQ_READONLY, cp_plan_download_stat_done, c) < 0)
		return -ENOMEM;
	return 1;
}

/* Downloads: every local folder is made before any transfer (alien.py's
 * message and code 42 when one cannot be: the topmost missing folder). */
static int cp_plan_local_dirs(struct cp *c)
{
	for (int i = 0; i < c->nfiles; i++) {
		struct cp_file *f = &c->files[i];
		char dir[4096], top[4096] = "", *s;
		struct stat st;

		if (f->upload || f->skipped || f->dry || cp_path_mkdirs(f->local) == 0)
			continue;
		snprintf(dir, sizeof(dir), "%s", f->local);
		while ((s = strrchr(dir, '/')) && s != dir) {
			*s = '\0';
			if (stat(dir, &st) == 0)
				break;
			snprintf(top, sizeof(top), "%s", dir);
		}
		snprintf(c->plan_err, sizeof(c->plan_err),
			 "Could not create local destination directory: %.1100s\n",
			 top[0] ? top : dir);
		cp_finish(c, c->plan_err, JD_EXIT_NOMATCH);
		return -1;
	}
	return 0;
}

/* Plan the next pair (a server call continues it), or start the copies. */
void cp_plan_next(struct cp *c)
{
	while (c->plan_next < c->npairs) {
		int r = cp_plan_pair(c, &c->pairs[c->plan_next++]);

		if (r == -ENOMEM) {
			cp_finish(c, exitcode_line(JD_EXIT_NOMEM), JD_EXIT_NOMEM);
			return;
		}
		if (r > 0)
			return; /* a server call in flight */
		cp_plan_pair_end(c);
	}
	c->planning = 0;
	if (c->nfiles == 0) {
		if (c->refused && !c->plan_errors)
			cp_finish(c, "", JD_EXIT_FAILED);
		else if (c->plan_errors && c->npairs == 1)
			cp_finish(c, c->plan_err, c->plan_code);
		else if (c->plan_errors)
			cp_finish(c, "", c->plan_code ? c->plan_code : 1);
		else
			cp_finish(c, NULL, 0);
		return;
	}
	if (!c->dryrun && cp_plan_local_dirs(c) < 0)
		return;
	if (c->plan_errors && c->npairs == 1)
		cp_out(c, 2, "%s", c->plan_err);
	cp_out_bar_start(c);
	cp_pump(c);
}
