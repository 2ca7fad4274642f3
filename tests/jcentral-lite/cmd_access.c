/* cmd_access.c - file transfer commands: access (read|write) and commit (protocol reference 7). */
#include "cmd.h"
#include "seal.h"
#include "path.h"
#include "replicas.h"
#include "storage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ACCESS_MAX_SPECS 32

static const struct opt_spec access_spec[] = {
	{ "s", true }, { "m", true }, { "j", true }, { "f", false }, { "u", false },
};
#define ACCESS_NSPEC (sizeof(access_spec) / sizeof(access_spec[0]))

/* A parsed SE selection list: preferred SEs, excluded SEs, QoS tag counts. */
struct access_sel {
	const struct jcl_se *want[JCL_MAX_SES], *skip[JCL_MAX_SES];
	int nwant, nskip;
	char tag[ACCESS_MAX_SPECS][32];
	int count[ACCESS_MAX_SPECS];
	int ntags;
};

static bool access_is_guid(const char *s)
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

static bool access_in(const struct jcl_se *const *v, int n, const struct jcl_se *se)
{
	for (int i = 0; i < n; i++)
		if (v[i] == se)
			return true;
	return false;
}

/* 0, or -EINVAL with the error already set on the reply */
static int access_parse_specs(struct cmd_ctx *c, const char *list, struct access_sel *sel)
{
	char buf[1024], *save = NULL;

	memset(sel, 0, sizeof(*sel));
	if (!list)
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool neg = t[0] == '!';
		const char *name = neg ? t + 1 : t;
		const char *dc = strstr(name, "::");
		if (dc) {
			if (!strstr(dc + 2, "::"))
				continue; /* one "::" only: silently ignored */
			const struct jcl_se *se = storage_se(c->srv, name);
			if (!se)
				continue;
			if (neg && sel->nskip < JCL_MAX_SES)
				sel->skip[sel->nskip++] = se;
			else if (!neg && sel->nwant < JCL_MAX_SES &&
				 !access_in(sel->want, sel->nwant, se))
				sel->want[sel->nwant++] = se;
			continue;
		}
		char *sep = strpbrk(t, ":=");
		if (!sep || neg) {
			reply_errorf(c->r, EINVAL, "Don't know what to do with `%s`", t);
			return -EINVAL;
		}
		char *end;
		long n = strtol(sep + 1, &end, 10);
		if (end == sep + 1 || *end) {
			reply_errorf(c->r, EINVAL, "Invalid format of the QoS string `%s`", t);
			return -EINVAL;
		}
		if (n <= 0) {
			reply_errorf(c->r, EINVAL,
				     "The number replicas has to be stricly positive in `%s`", t);
			return -EINVAL;
		}
		if (sel->ntags < ACCESS_MAX_SPECS && (size_t)(sep - t) < sizeof(sel->tag[0])) {
			memcpy(sel->tag[sel->ntags], t, (size_t)(sep - t));
			sel->tag[sel->ntags][sep - t] = '\0';
			sel->count[sel->ntags++] = (int)(n > JCL_MAX_SES ? JCL_MAX_SES : n);
		}
	}
	return 0;
}

/* One reply row per granted replica: message, then the keys of spec 7.1 in their order. */
/* anchor: an archive member's name, appended to the url as "#<name>" (JCentral's access) */
static void access_row(struct cmd_ctx *c, const char *type, const struct jcl_se *se,
		       const char *pfn, const struct cat_entry *e, const char *lfn, const char *md5,
		       long long size, int nses, const char *anchor)
{
	char env[STORAGE_ENVELOPE_MAX], upse[128], tags[300];
	struct storage_env ev = {
		.access = type,
		.turl = pfn,
		.lfn = lfn,
		.guid = e->guid,
		.se = NULL,
		.md5 = md5,
		.size = size,
	};

	storage_upper(se->name, upse, sizeof(upse));
	ev.se = upse;
	if (storage_envelope(c->srv, &ev, env, sizeof(env))) {
		reply_error(c->r, ENAMETOOLONG, "envelope too long");
		return;
	}
	storage_tags(se, tags, sizeof(tags));
	if (c->srv->token_ca_pkey && !c->srv->envelopes_signed) {
		/* as the measured reference SE: a sealed envelope, the scitag tail after it */
		char *sealed = malloc(SEAL_MAX), *tail = strstr(env, "&scitag.flow=");
		int src = -ENOMEM;
		if (sealed) {
			char t[128] = "";
			if (tail) {
				snprintf(t, sizeof(t), "%s", tail);
				*tail = '\0';
			}
			src = seal_envelope(c->srv, env, t, sealed, SEAL_MAX);
			if (!src)
				snprintf(env, sizeof(env), "%s", sealed);
		}
		free(sealed);
		if (src) {
			reply_error(c->r, EIO, "cannot seal the envelope");
			return;
		}
		reply_outf(c->r,
			   "%s\nSE: %s (needs encrypted envelopes)\nEncrypted envelope:\n%s\n", pfn,
			   upse, env);
	} else {
		reply_outf(c->r,
			   "%s\nSE: %s (doesn't need encrypted envelopes)\nSigned envelope:\n%s\n",
			   pfn, upse, env);
	}
	reply_field(c->r, "envelope", env);
	if (anchor)
		reply_fieldf(c->r, "url", "%s#%s", pfn, anchor);
	else
		reply_field(c->r, "url", pfn);
	reply_field(c->r, "guid", e->guid);
	reply_field(c->r, "se", upse);
	reply_field(c->r, "tags", tags);
	reply_fieldf(c->r, "nSEs", "%d", nses);
	reply_field(c->r, "md5", md5 ? md5 : "");
	reply_fieldf(c->r, "size", "%lld", size);
	reply_next(c->r);
}

static void access_read(struct cmd_ctx *c, const char *arg, const struct access_sel *sel,
			bool strict)
{
	struct cat_entry *e = malloc(sizeof(*e));
	struct replica *reps = calloc(REPLICAS_MAX, sizeof(*reps));
	const struct jcl_se *order[REPLICAS_MAX];
	const char *pfns[REPLICAS_MAX];
	char anchor[256] = "";
	int n, k = 0;

	if (!e || !reps) {
		reply_error(c->r, ENOMEM, NULL);
		goto out;
	}
	int rc = access_is_guid(arg) ? catalogue_get_by_guid(c->cat, arg, e)
				     : catalogue_get(c->cat, arg, e);
	if (rc || e->type == 'd') {
		reply_error(c->r, ENOENT, arg);
		goto out;
	}
	if (!e->guid[0]) {
		reply_errorf(c->r, EUCLEAN, "Could not get the GUID of %s", e->lfn);
		goto out;
	}
	n = catalogue_can(e, c->s->account, CAT_R)
		    ? replicas_list(c->cat, e->guid, reps, REPLICAS_MAX)
		    : 0;
	/* an archive member: its one pseudo-replica "guid:///<archive guid>?ZIP=<name>" stands for
	 * the archive's replicas; the rows carry the archive's guid and the member's size and
	 * md5 */
	if (n == 1 && !strncmp(reps[0].pfn, "guid:///", 8) && strstr(reps[0].pfn, "?ZIP=")) {
		const char *z = strstr(reps[0].pfn, "?ZIP=");
		int gl = (int)(z - reps[0].pfn - 8);

		snprintf(anchor, sizeof(anchor), "%s", z + 5);
		snprintf(e->guid, sizeof(e->guid), "%.*s", gl < (int)sizeof(e->guid) ? gl : 0,
			 reps[0].pfn + 8);
		n = e->guid[0] ? replicas_list(c->cat, e->guid, reps, REPLICAS_MAX) : 0;
		if (n == 1 && !strncmp(reps[0].pfn, "guid:///", 8))
			n = 0; /* an archive inside an archive: not modelled */
	}
	/* preferred SEs first, then the rest, excluded ones last (dropped with -f) */
	for (int pass = 0; pass < 3; pass++)
		for (int i = 0; i < n; i++) {
			const struct jcl_se *se = storage_se_by_number(c->srv, reps[i].se_number);
			if (!se)
				continue;
			bool want = access_in(sel->want, sel->nwant, se),
			     skip = access_in(sel->skip, sel->nskip, se);
			int cls = skip ? 2 : want ? 0 : 1;
			if (cls != pass || (skip && strict) || (strict && sel->nwant && !want))
				continue;
			order[k] = se;
			pfns[k++] = reps[i].pfn;
		}
	if (!k) {
		reply_error(c->r, EBADFD, "No read PFNs");
		goto out;
	}
	for (int i = 0; i < k; i++)
		access_row(c, "read", order[i], pfns[i], e, e->lfn, e->md5, e->size, k,
			   anchor[0] ? anchor : NULL);
out:
	free(reps);
	free(e);
}

static void access_write(struct cmd_ctx *c, const char *lfn, const struct access_sel *sel0,
			 const char *sizearg, const char *md5)
{
	struct access_sel sel = *sel0;
	struct cat_entry *e = calloc(1, sizeof(*e)), *parent = calloc(1, sizeof(*parent));
	struct replica *reps = calloc(REPLICAS_MAX, sizeof(*reps));
	struct booking *b = calloc(1, sizeof(*b));
	const struct jcl_se *chosen[JCL_MAX_SES];
	char pdir[JCL_LFN_MAX], pfn[STORAGE_PFN_MAX];
	long long size = sizearg ? strtoll(sizearg, NULL, 10) : 0;
	int nchosen = 0, nrep = 0;

	if (!e || !parent || !reps || !b) {
		reply_error(c->r, ENOMEM, NULL);
		goto out;
	}
	if (!catalogue_get(c->cat, lfn, e)) {
		if (e->type == 'd' || (sizearg && size != e->size) ||
		    (md5 && *md5 && strcasecmp(md5, e->md5))) {
			reply_error(c->r, EINVAL,
				    "You seem to want to write a different file from the existing "
				    "one in the catalogue");
			goto out;
		}
		if (!e->guid[0]) {
			reply_errorf(c->r, EUCLEAN, "Could not get the GUID of %s", lfn);
			goto out;
		}
		nrep = replicas_list(c->cat, e->guid, reps, REPLICAS_MAX);
		size = e->size;
		md5 = e->md5;
	} else {
		memset(e, 0, sizeof(*e));
		e->guidtime_ms = jcl_now_ms();
		catalogue_make_guid(e->guid, e->guidtime_ms);
	}
	/* JCentral: a missing folder is fine (commit makes it) if its nearest ancestor is
	 * writable */
	if (path_parent(lfn, pdir, sizeof(pdir)) || cmd_parents_writable(c, lfn)) {
		reply_error(c->r, EBADFD, "No write PFNs");
		goto out;
	}
	if (!sel.nwant && !sel.ntags) {
		snprintf(sel.tag[0], sizeof(sel.tag[0]), "disk");
		sel.count[0] = 2;
		sel.ntags = 1;
	}
	/* explicitly requested SEs, then N SEs per QoS tag, in --se order; never twice, never an
	 * excluded SE, never an SE that already holds a replica */
	for (int pass = 0; pass <= sel.ntags; pass++) {
		int left = pass ? sel.count[pass - 1] : JCL_MAX_SES;
		for (size_t i = 0; i < c->srv->n_ses && left > 0; i++) {
			const struct jcl_se *se = &c->srv->ses[i];
			bool has = false;
			for (int r = 0; r < nrep; r++)
				has |= reps[r].se_number == se->number;
			if (pass == 0 ? !access_in(sel.want, sel.nwant, se)
				      : !storage_se_has_tag(se, sel.tag[pass - 1]))
				continue;
			if (has || access_in(sel.skip, sel.nskip, se) ||
			    access_in(chosen, nchosen, se))
				continue;
			chosen[nchosen++] = se;
			left--;
		}
	}
	if (!nchosen) {
		reply_error(c->r, EBADFD, "No write PFNs");
		goto out;
	}
	for (int i = 0; i < nchosen; i++) {
		if (storage_pfn(chosen[i], e->guid, pfn, sizeof(pfn)))
			continue;
		memset(b, 0, sizeof(*b));
		snprintf(b->pfn, sizeof(b->pfn), "%s", pfn);
		snprintf(b->guid, sizeof(b->guid), "%s", e->guid);
		snprintf(b->lfn, sizeof(b->lfn), "%s", lfn);
		storage_upper(chosen[i]->name, b->se, sizeof(b->se));
		b->se_number = chosen[i]->number;
		b->size = size;
		snprintf(b->md5, sizeof(b->md5), "%s", md5 ? md5 : "");
		snprintf(b->owner, sizeof(b->owner), "%s", c->s->account);
		b->guidtime_ms = e->guidtime_ms;
		if (replicas_book(c->cat, b)) {
			reply_error(c->r, EIO, "cannot book the replica");
			goto out;
		}
		access_row(c, "write", chosen[i], pfn, e, lfn, md5, size, nchosen, NULL);
	}
out:
	free(b);
	free(reps);
	free(parent);
	free(e);
}

static void access_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct access_sel sel;
	char abs[JCL_LFN_MAX];

	if (o->nargs < 2) {
		reply_error(c->r, EINVAL, "Command requires an argument");
		return;
	}
	const char *type = o->args[0], *arg = o->args[1];
	bool write = !strncmp(type, "write", 5);
	if (!write && strcmp(type, "read")) {
		reply_errorf(c->r, EINVAL, "Invalid access type requested: %s", type);
		return;
	}
	if (access_parse_specs(c, o->nargs > 2 ? o->args[2] : NULL, &sel))
		return;
	if (!write && access_is_guid(arg)) {
		access_read(c, arg, &sel, opts_has(access_spec, ACCESS_NSPEC, o, "f"));
		return;
	}
	if (arg[0] != '/' || path_normalise(arg, abs, sizeof(abs))) {
		reply_errorf(c->r, ENOENT, "%s (the LFN must be absolute)", arg);
		return;
	}
	if (write)
		access_write(c, abs, &sel, opts_val(access_spec, ACCESS_NSPEC, o, "s"),
			     opts_val(access_spec, ACCESS_NSPEC, o, "m"));
	else
		access_read(c, abs, &sel, opts_has(access_spec, ACCESS_NSPEC, o, "f"));
}

static void access_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "access", "[options] <read|write> <lfn> [<specs>]");
	cmd_help_options(r);
	cmd_help_option(r, "-s", "for write requests, size of the file to be uploaded, when known");
	cmd_help_option(r, "-m",
			"for write requests, MD5 checksum of the file to be uploaded, when known");
	cmd_help_option(r, "-j",
			"for write requests, the job ID that created these files, when applicable");
	cmd_help_option(r, "-f", "for read requests, filter the SEs based on the given specs list");
	cmd_help_option(r, "-u",
			"for read requests, print an equivalent HTTP(S) URL where possible");
}

/* ------------------------------------------------------------------ commit */

static void commit_result(struct cmd_ctx *c, const char *path, bool ok, const char *pfn)
{
	reply_field(c->r, "path", path);
	reply_field(c->r, "lfn", ok ? "1" : "0");
	if (pfn && *pfn)
		reply_field(c->r, "pfn", pfn);
	reply_outf(c->r, "%s %d\n", path, ok ? 1 : 0);
	if (!ok)
		reply_error(c->r, EBADR, "Nothing was registered");
}

/* Register the booked replica; 0 or negative errno. */
static int commit_register(struct cmd_ctx *c, const struct booking *b, long long size,
			   const char *md5)
{
	struct cat_entry *e = calloc(1, sizeof(*e));
	struct replica rep;
	int rc;

	if (!e)
		return -ENOMEM;
	if ((rc = cmd_make_parents(c, b->lfn))) { /* the folders of a new file appear now */
		free(e);
		return rc;
	}
	if ((rc = catalogue_begin(c->cat))) {
		free(e);
		return rc;
	}
	rc = catalogue_get(c->cat, b->lfn, e);
	if (rc == -ENOENT) {
		memset(e, 0, sizeof(*e));
		snprintf(e->lfn, sizeof(e->lfn), "%s", b->lfn);
		e->type = 'f';
		snprintf(e->owner, sizeof(e->owner), "%s", b->owner);
		snprintf(e->gowner, sizeof(e->gowner), "%s", b->owner);
		snprintf(e->perm, sizeof(e->perm), "755");
		e->size = b->size >= 0 && (b->size > 0 || size <= 0) ? b->size : size;
		snprintf(e->md5, sizeof(e->md5), "%s", b->md5[0] ? b->md5 : (md5 ? md5 : ""));
		snprintf(e->guid, sizeof(e->guid), "%s", b->guid);
		e->guidtime_ms = b->guidtime_ms;
		e->ctime = jcl_now_ms() / 1000;
		rc = catalogue_insert(c->cat, e);
	} else if (!rc && strcasecmp(e->guid, b->guid)) {
		rc = -EEXIST; /* the LFN now points to other content */
	}
	if (!rc) {
		memset(&rep, 0, sizeof(rep));
		snprintf(rep.se, sizeof(rep.se), "%s", b->se);
		rep.se_number = b->se_number;
		snprintf(rep.pfn, sizeof(rep.pfn), "%s", b->pfn);
		rc = replicas_add(c->cat, b->guid, &rep);
	}
	if (!rc)
		rc = replicas_unbook(c->cat, b->pfn);
	if (rc) {
		catalogue_rollback(c->cat);
	} else {
		rc = catalogue_commit(c->cat);
	}
	free(e);
	return rc;
}

static void commit_run(struct cmd_ctx *c, const struct opt_result *o)
{
	const char *env = o->args[0];
	const char *sz = o->nargs > 1 ? o->args[1] : "0";
	const char *lfn = o->nargs > 2 ? o->args[2] : "";
	const char *pfn = o->nargs > 5 ? o->args[5] : "";
	const char *md5 = o->nargs > 8 ? o->args[8] : NULL;
	long long size = strtoll(sz, NULL, 10);
	struct booking *b = calloc(1, sizeof(*b));
	char turl[STORAGE_PFN_MAX];

	if (!b) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	char *opened = NULL;
	if (seal_is_sealed(env)) {
		int orc = (opened = malloc(SEAL_MAX)) ? seal_open(c->srv, env, opened, SEAL_MAX)
						      : -ENOMEM;
		if (!orc)
			env = opened;
		else
			jcl_debug("%s: commit: cannot open the sealed envelope (%d)", c->s->account,
				  orc);
	}
	if (!strstr(env, "signature=") && size <= 0) {
		reply_error(c->r, EINVAL, "Size should be known at commit time");
		free(opened);
		free(b);
		return;
	}
	bool ok = !storage_envelope_get(env, "turl", turl, sizeof(turl)) &&
		  !replicas_booking(c->cat, turl, b) && !strcmp(b->owner, c->s->account) &&
		  !commit_register(c, b, size, md5);
	commit_result(c, lfn, ok, ok ? b->pfn : pfn);
	free(opened);
	free(b);
}

static void commit_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "commit",
		       "API command only, you should not need to call this directly");
	reply_out(c->r, "\n");
}

const struct cmd_def cmd_access_defs[] = {
	{ "access", access_spec, ACCESS_NSPEC, OPTERR_EINVAL, false, access_run, access_help },
	{ "commit", NULL, 0, OPTERR_EINVAL, false, commit_run, commit_help },
};
const size_t cmd_access_ndefs = sizeof(cmd_access_defs) / sizeof(cmd_access_defs[0]);
