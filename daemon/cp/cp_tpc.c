/* cp_tpc.c - grid to grid copies (issue 18): `alien-cp LFN LFN[@specs]`,
 * `alien-cp DIR DIR`, which alien.py refuses ("grid to grid copy is WIP").
 *
 * Plan: a stat of the destination (an existing folder? missing?), then the
 * source's stat (and find for a folder) through the download's plan
 * (cp_plan.c), each file added here. A file then runs as an upload (cp.c:
 * stat, mkdir -p, access write with the destination's specs, commit per
 * replica, recovery passes; a different LFN already there is kept until then,
 * cp_replace.c) whose bytes come from the source's first
 * replica instead of a local file: `access read` of the source comes first
 * (before anything is removed or made), and each destination replica gets,
 * in order (enum cp_tpc_stage):
 *   1. an XRootD third-party copy, source URL with the read envelope, target
 *      with the write envelope (XFER_TPC_ONLY: the destination SE pulls);
 *   2. where that fails (an SE without `ofs.tpc`: libXrdCl 5.5.3's "first"
 *      does not fall back when the destination refuses the open), a copy
 *      streamed through the daemon (XFER_TPC_NONE);
 *   3. the md5 of what was written: the destination SE's checksum query, or
 *      the file read back where the SE has none (xfer.cc) - against the
 *      catalogue's md5 of the source. Only then is the replica committed.
 * A replica that fails at any stage is removed from its SE (the copy's own
 * cleanup, or cp_copy_remove after a copy that verified wrong). */
#include "cp_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "upstream/upstream.h"
#include "xrootd/xfer.h"

static void cp_tpc_dst_stat_done(struct command *cmd, void *arg, cJSON *reply, int code,
				 const char *msg)
{
	struct cp *c = arg;
	cJSON *o;

	(void)cmd;
	(void)code;
	(void)msg;
	if (cp_plan_dst_stat(c, reply) < 0)
		return;
	o = cp_opts("-nomsg", c->grid, NULL);
	if (!o ||
	    command_upstream(c->cmd, "stat", o, UP_REQ_READONLY, cp_plan_download_stat_done, c) < 0)
		cp_finish(c, exitcode_line(JD_EXIT_NOMEM), JD_EXIT_NOMEM);
}

/* The pair in c->grid (source) and c->local (destination, specs in
 * c->specs): 1 with the destination's stat in flight, or -1 (error set). */
int cp_tpc_pair(struct cp *c)
{
	cJSON *o;

	c->tpc = 1;
	if (cp_plan_src_glob(c, c->grid) < 0)
		return -1;
	o = cp_opts("-nomsg", c->local, NULL);
	if (!o || command_upstream(c->cmd, "stat", o, UP_REQ_READONLY, cp_tpc_dst_stat_done, c) < 0)
		return -ENOMEM;
	return 1;
}

/* One file from src to the LFN dst, row its stat or find row: 0 (also when
 * refused, the error printed), or -E2BIG / -ENOMEM. */
int cp_tpc_add(struct cp *c, const char *src, const char *dst, const cJSON *row)
{
	const char *size = cp_str(row, "size"), *ct = cp_str(row, "ctime");
	int r;

	if (strcmp(src, dst) == 0) { /* its rm -f would remove the source */
		cp_plan_error(c, JD_EXIT_USAGE,
			      "cp: %s: source and destination are the same file\n", src);
		return 0;
	}
	r = cp_plan_add(c, src, 0, dst, 1, size ? atoll(size) : 0, cp_str(row, "md5"),
			ct ? atoll(ct) : 0);
	if (r == 0)
		c->files[c->nfiles - 1].tpc = 1;
	return r;
}

/* The source's access read came back with replicas: keep them; the md5
 * comes from the catalogue, or (none there) from the source's first replica. */
void cp_tpc_read_done(struct cp *c, struct cp_file *f, const cJSON *results)
{
	if (!(f->rows = cJSON_Duplicate(results, 1)))
		cp_file_fail(c, f, "%s", exitcode_meaning(JD_EXIT_NOMEM));
	else if (f->md5[0])
		cp_file_set(f, CF_STAT);
	else if (cp_copy_md5(c, f) < 0)
		cp_file_fail(c, f, "cannot compute the md5 of %s (%s)", f->local,
			     exitcode_meaning(JD_EXIT_NOMEM));
}

static void cp_tpc_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cp_file *f = owner;
	struct cp *c = f->cp;
	struct cp_rep *p = NULL;
	char msg[sizeof(res->msg) + 200];

	for (int r = 0; r < f->nreps && !p; r++)
		if (f->reps[r].job == job)
			p = &f->reps[r];
	if (!p)
		return;
	p->job = NULL;
	snprintf(msg, sizeof(msg), "%s", res->msg);
	if (!res->ok && !res->cancelled && p->tpc_stage == CP_TPC_THIRD) {
		cp_out(c, 2,
		       "jobID: %d/%d >>> third-party copy to %s refused: %s; copying through "
		       "jaliend\n",
		       f->idx, c->nfiles, p->se ? p->se : p->url, res->msg);
		p->tpc_stage = CP_TPC_STREAM;
	} else if (res->ok && p->tpc_stage != CP_TPC_VERIFY) {
		p->tpc_stage = CP_TPC_VERIFY;
	} else {
		int ok = res->ok && strncasecmp(res->checksum, f->md5, 32) == 0;

		if (res->ok && !ok)
			snprintf(msg, sizeof(msg),
				 "md5 mismatch: the copy has %.32s, the catalogue %s",
				 res->checksum, f->md5);
		if (!ok && p->tpc_stage == CP_TPC_VERIFY)
			cp_copy_remove(p); /* copied, not verified: not left on the SE */
		cp_copy_rep_end(c, f, p, ok, msg);
		return;
	}
	p->job = cp_tpc_submit(c, f, p);
	if (!p->job)
		cp_copy_rep_end(c, f, p, 0, "cannot start the transfer (out of memory)");
}

/* The job of replica p's stage: a copy from the source's replica f->from
 * (its URL and read envelope) to p (its URL and write envelope), or the md5
 * of p's file. NULL on ENOMEM. */
struct xfer_job *cp_tpc_submit(struct cp *c, struct cp_file *f, struct cp_rep *p)
{
	const cJSON *row = cJSON_GetArrayItem(f->rows, f->from);
	char *src = cp_str(row, "url") ? cp_copy_url(cp_str(row, "url"), cp_str(row, "envelope"))
				       : NULL;
	char *dst = cp_copy_url(p->url, p->envelope);
	struct xfer_req r;
	struct xfer_job *job = NULL;

	if (p->tpc_stage == CP_TPC_VERIFY) {
		r = xfer_req_md5(dst);
	} else { /* -chunks, -timeout, -retry ... as for any copy */
		enum xfer_tpc mode = p->tpc_stage == CP_TPC_THIRD ? XFER_TPC_ONLY : XFER_TPC_NONE;

		r = xfer_req_tpc(src, dst, mode, &c->tune);
		cp_out_xrd(c, &r);
	}
	if (src && dst)
		job = xfer_submit(&r, cp_tpc_done, cp_copy_progress, f);
	free(src);
	free(dst);
	return job;
}
