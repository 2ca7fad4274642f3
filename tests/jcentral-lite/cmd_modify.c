/* cmd_modify.c - catalogue modification: mkdir rmdir rm touch mv. */
#include "cmd.h"
#include "path.h"
#include "replicas.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ mkdir */

static int mkdir_one(struct cmd_ctx *c, const char *abs, bool parents)
{
	struct cat_entry *e = malloc(sizeof(*e));
	char cur[JCL_LFN_MAX];
	char(*chain)[JCL_LFN_MAX] = NULL;
	size_t nchain = 0;
	int rc = -ENOENT;

	if (!e)
		return -ENOMEM;
	/* existing directory you may write to: success */
	if (!catalogue_get(c->cat, abs, e)) {
		rc = (e->type == 'd' && catalogue_can(e, c->s->account, CAT_W)) ? 0 : -ENOENT;
		goto out;
	}
	chain = malloc(sizeof(*chain) * 256);
	if (!chain) {
		rc = -ENOMEM;
		goto out;
	}
	/* walk up to the nearest existing ancestor, remembering what to create */
	snprintf(cur, sizeof(cur), "%s", abs);
	for (;;) {
		if (nchain == 256) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		int n = snprintf(chain[nchain], JCL_LFN_MAX, "%s/", cur);
		if (n < 0 || n >= JCL_LFN_MAX) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		nchain++;
		char parent[JCL_LFN_MAX];
		path_parent(cur, parent, sizeof(parent));
		if (!catalogue_get(c->cat, parent, e))
			break;
		if (!parents)
			goto out; /* parent missing without -p */
		size_t l = strlen(parent);
		if (l > 1)
			parent[l - 1] = '\0';
		snprintf(cur, sizeof(cur), "%s", parent);
	}
	if (e->type != 'd' || !catalogue_can(e, c->s->account, CAT_W))
		goto out;
	if ((rc = catalogue_begin(c->cat)))
		goto out;
	for (size_t i = nchain; i-- > 0;) {
		struct cat_entry *n = e;
		memset(n, 0, sizeof(*n));
		snprintf(n->lfn, sizeof(n->lfn), "%s", chain[i]);
		n->type = 'd';
		snprintf(n->owner, sizeof(n->owner), "%s", c->s->account);
		snprintf(n->gowner, sizeof(n->gowner), "%s", c->s->account);
		snprintf(n->perm, sizeof(n->perm), "755");
		n->ctime = (long long)time(NULL);
		if ((rc = catalogue_insert(c->cat, n))) {
			catalogue_rollback(c->cat);
			goto out;
		}
	}
	rc = catalogue_commit(c->cat);
out:
	free(chain);
	free(e);
	return rc;
}

int cmd_make_parents(struct cmd_ctx *c, const char *abs_file)
{
	char parent[JCL_LFN_MAX];
	struct cat_entry *e = malloc(sizeof(*e));
	int rc;

	if (!e)
		return -ENOMEM;
	if (path_parent(abs_file, parent, sizeof(parent))) {
		free(e);
		return -ENOENT;
	}
	if (!catalogue_get(c->cat, parent, e)) {
		rc = e->type == 'd' && catalogue_can(e, c->s->account, CAT_W) ? 0 : -EPERM;
		free(e);
		return rc;
	}
	free(e);
	size_t l = strlen(parent);
	if (l > 1 && parent[l - 1] == '/')
		parent[l - 1] = '\0';
	return mkdir_one(c, parent, true);
}

int cmd_parents_writable(struct cmd_ctx *c, const char *abs_file)
{
	char cur[JCL_LFN_MAX], parent[JCL_LFN_MAX];
	struct cat_entry *e = malloc(sizeof(*e));
	int rc = -ENOENT;

	if (!e)
		return -ENOMEM;
	snprintf(cur, sizeof(cur), "%s", abs_file);
	for (int depth = 0; depth < 256; depth++) {
		if (path_parent(cur, parent, sizeof(parent)))
			break;
		if (!catalogue_get(c->cat, parent, e)) {
			rc = e->type == 'd' && catalogue_can(e, c->s->account, CAT_W) ? 0 : -EPERM;
			break;
		}
		size_t l = strlen(parent);
		if (l > 1 && parent[l - 1] == '/')
			parent[l - 1] = '\0';
		if (!strcmp(parent, cur))
			break;
		snprintf(cur, sizeof(cur), "%s", parent);
	}
	free(e);
	return rc;
}

static const struct opt_spec mkdir_spec[] = { { "p", false }, { "s", false } };

static void mkdir_run(struct cmd_ctx *c, const struct opt_result *o)
{
	bool parents = opts_has(mkdir_spec, 2, o, "p");
	char abs[JCL_LFN_MAX];

	for (size_t i = 0; i < o->nargs; i++) {
		const char *arg = o->args[i];
		if (cmd_abs(c, arg, abs, sizeof(abs)))
			continue;
		int rc = mkdir_one(c, abs, parents);
		if (rc == -ENOMEM)
			reply_error(c->r, ENOMEM, NULL);
		else if (rc && parents)
			reply_errorf(c->r, ENOENT,
				     "Could not create directory (or non-existing parents): %s",
				     arg);
		else if (rc)
			reply_errorf(c->r, ENOENT, "Could not create directory: %s", arg);
	}
}

static void mkdir_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "mkdir", "[-options] <directory> [<directory>[,<directory>]]");
	cmd_help_options(r);
	cmd_help_option(r, "-p", "create parents as needed");
	cmd_help_option(r, "-silent", "execute command silently");
	reply_out(r, "\n");
}

/* ------------------------------------------------------------------ shared */

/* true if dirlfn (trailing '/') is p or an ancestor of p */
static bool is_prefix_dir(const char *dirlfn, const char *p)
{
	return !strncmp(p, dirlfn, strlen(dirlfn));
}

static struct cat_entry *entry_new(void)
{
	return calloc(1, sizeof(struct cat_entry));
}

/* ------------------------------------------------------------------ rmdir */

static const struct opt_spec rmdir_spec[] = { { "p", false }, { "v", false }, { "s", false } };

static void rmdir_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = entry_new();
	char abs[JCL_LFN_MAX];

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		const char *arg = o->args[i];
		long long n = 0;
		if (cmd_abs(c, arg, abs, sizeof(abs)))
			continue;
		if (catalogue_get(c->cat, abs, e)) {
			reply_error(c->r, ENOENT, arg);
			continue;
		}
		if (e->type != 'd') {
			reply_error(c->r, ENOTDIR, arg);
			continue;
		}
		if (is_prefix_dir(e->lfn, c->s->cwd)) {
			reply_error(c->r, EINVAL, "Cannot delete the directory you are in");
			continue;
		}
		if (is_prefix_dir(e->lfn, c->s->home)) {
			reply_error(c->r, EINVAL, "Cannot delete your home dir");
			continue;
		}
		if (!catalogue_can(e, c->s->account, CAT_W)) {
			reply_error(c->r, EPERM, arg);
			continue;
		}
		if (catalogue_count_children(c->cat, e->lfn, &n) || n > 0 ||
		    catalogue_delete(c->cat, e->lfn)) {
			reply_errorf(c->r, EIO, "Could not remove directory: %s", arg);
			continue;
		}
		if (opts_has(rmdir_spec, 3, o, "v"))
			reply_outf(c->r, "Directory %s removed\n", e->lfn);
	}
	free(e);
}

static void rmdir_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "rmdir", " [<option>] <directory>");
	cmd_help_options(r);
	cmd_help_option(r, "--ignore-fail-on-non-empty",
			"ignore each failure that is solely because a directory is non-empty");
	cmd_help_option(r, "-p", "--parents   Remove DIRECTORY and its ancestors.");
	cmd_help_option(r, "-v", "--verbose   output a diagnostic for every directory processed");
	reply_out(r, "\n");
}

/* ------------------------------------------------------------------ rm */

static const struct opt_spec rm_spec[] = {
	{ "r", false }, { "R", false }, { "f", false },
	{ "i", false }, { "v", false }, { "s", false },
};

static void rm_run(struct cmd_ctx *c, const struct opt_result *o)
{
	bool recursive = opts_has(rm_spec, 6, o, "r") || opts_has(rm_spec, 6, o, "R");
	struct cat_entry *e = entry_new();
	char abs[JCL_LFN_MAX];

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		if (cmd_abs(c, o->args[i], abs, sizeof(abs)))
			continue;
		bool ok = false;
		if (!catalogue_get(c->cat, abs, e)) {
			if (e->type == 'd' && (is_prefix_dir(e->lfn, c->s->cwd) ||
					       is_prefix_dir(e->lfn, c->s->home))) {
				reply_errorf(c->r, EINVAL,
					     "You cannot remove the current or the home directory, "
					     "or one of their parents: %s",
					     e->lfn);
				continue;
			}
			if (catalogue_can(e, c->s->account, CAT_W)) {
				if (e->type != 'd')
					ok = !catalogue_delete(c->cat, e->lfn);
				else if (recursive)
					ok = !catalogue_delete_tree(c->cat, e->lfn);
			}
		}
		if (!ok)
			reply_errorf(c->r, EIO, "Failed to remove [%s]", abs);
		else if (opts_has(rm_spec, 6, o, "v"))
			reply_outf(c->r, "%s removed\n", abs);
	}
	/* replicas of GUIDs no LFN refers to any more leave the catalogue (the data stays on
	 * the SE) */
	replicas_gc_all(c->cat);
	free(e);
}

static void rm_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "rm", " <LFN> [<LFN>[,<LFN>]]");
	cmd_help_options(r);
	cmd_help_option(r, "-f", "ignore nonexistent files, never prompt");
	cmd_help_option(r, "-r, -R", "remove directories and their contents recursively");
	cmd_help_option(r, "-i", "prompt before every removal (for JSh clients)");
	reply_out(r, "\n");
}

/* ------------------------------------------------------------------ touch */

static void touch_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct cat_entry *e = entry_new();
	char abs[JCL_LFN_MAX], parent[JCL_LFN_MAX];

	if (!e) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < o->nargs; i++) {
		if (cmd_abs(c, o->args[i], abs, sizeof(abs)))
			continue;
		long long now = jcl_now_ms();
		int rc;
		if (!catalogue_get(c->cat, abs, e)) {
			rc = catalogue_can(e, c->s->account, CAT_W)
				     ? catalogue_touch(c->cat, e->lfn, now / 1000)
				     : -EPERM;
		} else if (path_parent(abs, parent, sizeof(parent)) || cmd_make_parents(c, abs)) {
			rc = -EPERM; /* JCentral creates missing parents (measured) */
		} else {
			memset(e, 0, sizeof(*e));
			snprintf(e->lfn, sizeof(e->lfn), "%s", abs);
			e->type = 'f';
			snprintf(e->owner, sizeof(e->owner), "%s", c->s->account);
			snprintf(e->gowner, sizeof(e->gowner), "%s", c->s->account);
			snprintf(e->perm, sizeof(e->perm), "755");
			e->ctime = now / 1000;
			snprintf(e->md5, sizeof(e->md5), "d41d8cd98f00b204e9800998ecf8427e");
			catalogue_make_guid(e->guid, now);
			e->guidtime_ms = now;
			rc = catalogue_insert(c->cat, e);
		}
		if (rc)
			reply_errorf(c->r, EREMOTEIO, "Failed to touch the LFN: %s", abs);
	}
	free(e);
}

static void touch_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "touch", "<LFN> [<LFN>[,<LFN>]]");
	reply_out(c->r, "\n");
}

/* ------------------------------------------------------------------ mv */

static int mv_one(struct cmd_ctx *c, const char *src_abs, const char *dst_abs, bool dst_is_dir)
{
	struct cat_entry *s = entry_new(), *d = entry_new();
	char target[JCL_LFN_MAX * 2 + 16], name[JCL_LFN_MAX], parent[JCL_LFN_MAX];
	int rc = -EIO;

	if (!s || !d) {
		rc = -ENOMEM;
		goto out;
	}
	if (catalogue_get(c->cat, src_abs, s)) {
		reply_errorf(c->r, EINVAL, "Source cannot be found: %s", src_abs);
		rc = 0;
		goto out;
	}
	path_basename(s->lfn, name, sizeof(name));
	if (dst_is_dir) {
		snprintf(target, sizeof(target), "%s%s%s", dst_abs, strcmp(dst_abs, "/") ? "/" : "",
			 name);
	} else if (!catalogue_get(c->cat, dst_abs, d)) {
		if (d->type == 'd')
			snprintf(target, sizeof(target), "%s%s", d->lfn, name);
		else if (s->type == 'd') {
			reply_errorf(c->r, EINVAL, "Cannot move a directory over a file: %s",
				     dst_abs);
			rc = 0;
			goto out;
		} else
			snprintf(target, sizeof(target), "%s_backup", dst_abs);
	} else {
		snprintf(target, sizeof(target), "%s", dst_abs);
	}
	if (s->type == 'd')
		strcat(target, "/");
	if (strlen(target) >= JCL_LFN_MAX || (s->type == 'd' && is_prefix_dir(s->lfn, target)))
		goto out;
	/* write permission on the source's parent and on the target's parent */
	path_parent(s->lfn, parent, sizeof(parent));
	if (catalogue_get(c->cat, parent, d) || !catalogue_can(d, c->s->account, CAT_W))
		goto out;
	path_parent(target, parent, sizeof(parent));
	if (catalogue_get(c->cat, parent, d) || d->type != 'd' ||
	    !catalogue_can(d, c->s->account, CAT_W))
		goto out;
	if (!catalogue_get(c->cat, target, d))
		goto out;
	if (catalogue_begin(c->cat))
		goto out;
	if (catalogue_rename(c->cat, s->lfn, target)) {
		catalogue_rollback(c->cat);
		goto out;
	}
	rc = catalogue_commit(c->cat);
out:
	if (rc == -EIO)
		reply_errorf(c->r, EIO, "Failed to move %s to %s", src_abs, dst_abs);
	else if (rc == -ENOMEM)
		reply_error(c->r, ENOMEM, NULL);
	free(s);
	free(d);
	return rc;
}

static void mv_run(struct cmd_ctx *c, const struct opt_result *o)
{
	char dst[JCL_LFN_MAX], src[JCL_LFN_MAX];
	struct cat_entry *d = entry_new();
	const char *darg;
	bool dst_dir = false;

	if (!d) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	if (o->nargs < 2) {
		reply_error(c->r, EINVAL, "Command requires an argument");
		goto out;
	}
	darg = o->args[o->nargs - 1];
	if (cmd_abs(c, darg, dst, sizeof(dst)))
		goto out;
	bool exists = !catalogue_get(c->cat, dst, d);
	if (exists && d->type == 'd') {
		dst_dir = true;
	} else if (!exists && (o->nargs > 2 || darg[strlen(darg) - 1] == '/')) {
		if (mkdir_one(c, dst, true)) {
			reply_errorf(c->r, EIO, "Could not create the target directory %s", dst);
			goto out;
		}
		dst_dir = true;
	} else if (o->nargs > 2) {
		reply_errorf(c->r, EINVAL, "The target must be a directory: %s", dst);
		goto out;
	}
	for (size_t i = 0; i + 1 < o->nargs; i++) {
		if (cmd_abs(c, o->args[i], src, sizeof(src)))
			continue;
		mv_one(c, src, dst, dst_dir);
	}
out:
	free(d);
}

static void mv_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "mv", " <LFN>  <newLFN>");
	reply_out(c->r, "\n");
}

const struct cmd_def cmd_modify_defs[] = {
	{ "mkdir", mkdir_spec, 2, OPTERR_EINVAL, false, mkdir_run, mkdir_help },
	{ "rmdir", rmdir_spec, 3, OPTERR_EINVAL, false, rmdir_run, rmdir_help },
	{ "rm", rm_spec, 6, OPTERR_EINVAL, false, rm_run, rm_help },
	{ "touch", NULL, 0, OPTERR_EINVAL, false, touch_run, touch_help },
	{ "mv", NULL, 0, OPTERR_EINVAL, false, mv_run, mv_help },
};
const size_t cmd_modify_ndefs = sizeof(cmd_modify_defs) / sizeof(cmd_modify_defs[0]);
