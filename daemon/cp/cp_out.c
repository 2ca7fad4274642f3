/* cp_out.c - what cp shows (alienpy-behaviour 4.11): alien.py's per-job
 * lines, -json objects, the -dryrun lines, the summary, and the progress bar
 * (PROGRESS frames while the shim's output is a terminal). */
#include "cp_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/safefile.h"
#include "frame.h"
#include "base/strbuf.h"
#include "xrootd/xfer.h"

void cp_out_human(double v, char *buf, size_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, "%.2f %s", v, units[u]);
}

void cp_out(struct cp *c, int fd, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	command_send(c->cmd, fd == 2 ? FRAME_STDERR : FRAME_STDOUT, line, (size_t)n);
}

static void cp_out_json(struct cp *c, const struct cp_file *f, const char *status)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddNumberToObject(o, "jobID", f->idx);
	cJSON_AddNumberToObject(o, "total", c->nfiles);
	cJSON_AddStringToObject(o, "src", f->upload ? f->local : f->lfn);
	cJSON_AddStringToObject(o, "dst", f->upload ? f->lfn : f->local);
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddNumberToObject(o, "size", (double)f->size);
	if (f->ok && !f->skipped && !f->dry)
		cJSON_AddNumberToObject(o, "seconds", cp_now() - f->t0);
	if (f->upload && f->nreps) {
		cJSON *ses = cJSON_AddArrayToObject(o, "replicas");

		for (int r = 0; r < f->nreps; r++)
			if (f->reps[r].st == CR_COMMITTED && f->reps[r].se)
				cJSON_AddItemToArray(ses, cJSON_CreateString(f->reps[r].se));
	}
	if (!f->ok && !f->skipped)
		cJSON_AddStringToObject(o, "error", f->err);
	s = cJSON_PrintUnformatted(o);
	if (s)
		cp_out(c, 1, "%s\n", s);
	free(s);
	cJSON_Delete(o);
}

/* ---- uploads are shown as alien.py shows them: one job per replica ----
 * alien.py books every envelope first and numbers the replicas' copies
 * 1..M. jaliend books a file's replicas when the file starts, so it counts
 * k per file: the first booked file's replicas (a cp's files share their
 * specs, so each gets as many), M = k x the files. */
static int cp_out_reps1(const struct cp_file *f)
{
	int n = 0;

	for (int r = 0; r < f->nreps; r++)
		n += f->reps[r].pass == 1;
	return n;
}

static int cp_out_per(struct cp *c, const struct cp_file *f)
{
	if (!c->rep_k && cp_out_reps1(f))
		c->rep_k = cp_out_reps1(f);
	return c->rep_k ? c->rep_k : 1;
}

static void cp_out_reason(const struct cp_file *f, char *buf, size_t n)
{
	if (f->err[0])
		snprintf(buf, n, "%s", f->err);
	else if (f->upload && f->nreps == 0)
		snprintf(buf, n, "no storage element could be booked for %s%s%s", f->lfn,
			 f->specs ? " @" : "", f->specs ? f->specs : "");
	else if (!f->upload)
		snprintf(buf, n, "no replica of %s could be read", f->lfn);
	else
		snprintf(buf, n, "failed");
}

void cp_out_start(struct cp *c, struct cp_file *f)
{
	int k, n1;

	if (c->json)
		return;
	if (!f->upload || !(n1 = cp_out_reps1(f))) {
		cp_out(c, 1, "jobID: %d/%d >>> Start\n", f->idx, c->nfiles);
		return;
	}
	k = cp_out_per(c, f);
	for (int r = 0; r < n1; r++)
		cp_out(c, 1, "jobID: %d/%d >>> Start\n", (f->idx - 1) * k + r + 1, c->nfiles * k);
}

void cp_out_done(struct cp *c, struct cp_file *f)
{
	char speed[40], why[800];
	double secs = cp_now() - f->t0;

	cp_out_human(secs > 0 ? (double)f->size / secs : 0, speed, sizeof(speed));
	cp_out_reason(f, why, sizeof(why));
	if (c->json) {
		cp_out_json(c, f, f->ok ? "OK" : "ERROR");
	} else if (f->upload && cp_out_reps1(f)) {
		int k = cp_out_per(c, f), j = 0;

		for (int r = 0; r < f->nreps; r++) {
			if (f->reps[r].pass != 1)
				continue;
			j++;
			if (f->reps[r].st == CR_COMMITTED)
				cp_out(c, 1, "jobID: %d/%d >>> STATUS OK >>> SPEED %s/s\n",
				       (f->idx - 1) * k + j, c->nfiles * k, speed);
			else
				cp_out(c, 2, "jobID: %d/%d >>> STATUS ERROR : %s to %s (%s)\n%s\n",
				       (f->idx - 1) * k + j, c->nfiles * k, f->local, f->lfn,
				       f->reps[r].se ? f->reps[r].se : "?", why);
		}
	} else if (f->ok) {
		cp_out(c, 1, "jobID: %d/%d >>> STATUS OK >>> SPEED %s/s\n", f->idx, c->nfiles,
		       speed);
	} else if (f->upload) {
		int k = cp_out_per(c, f);

		cp_out(c, 2, "jobID: %d/%d >>> STATUS ERROR : %s to %s, %d replicas\n%s\n",
		       (f->idx - 1) * k + 1, c->nfiles * k, f->local, f->lfn, f->nreps, why);
	} else {
		cp_out(c, 2, "jobID: %d/%d >>> STATUS ERROR : %s\n%s\n", f->idx, c->nfiles, f->lfn,
		       why);
	}
}

/* A download's metalink: the replicas it lists, space separated (NULL: none). */
static char *cp_out_meta_urls(const char *meta4)
{
	FILE *m = meta4 ? safefile_fopen(meta4, 0) : NULL;
	struct strbuf sb = { 0 };
	char line[1024];

	if (!m)
		return NULL;
	while (fgets(line, sizeof(line), m)) {
		char *u = strstr(line, "<url"), *gt = u ? strchr(u, '>') : NULL;
		char *lt = gt ? strchr(gt, '<') : NULL;

		if (gt && lt)
			strbuf_addf(&sb, "%s%.*s", sb.len ? " " : "", (int)(lt - gt - 1), gt + 1);
	}
	fclose(m);
	return strbuf_cstr(&sb);
}

void cp_out_xrd(struct cp *c, const struct xfer_req *r)
{
	const struct xfer_download *d = &r->u.download;
	const char *src = "", *dst = "", *mode = "none", *md5 = NULL, *fin = NULL, *zip = "";
	char *meta = NULL, unzip[600] = "";

	if (!c->xrddebug)
		return;
	if (r->kind == XFER_UPLOAD) {
		src = r->u.upload.local, dst = r->u.upload.url;
		mode = "source", md5 = r->u.upload.md5;
	} else if (r->kind == XFER_TPC) {
		src = r->u.tpc.src_url, dst = r->u.tpc.dst_url;
	} else if (r->kind == XFER_DOWNLOAD) { /* its source is its metalink: its replicas shown */
		src = d->meta4, dst = d->tmp_name, md5 = d->md5, fin = d->final_name;
		mode = md5 && md5[0] ? "target" : "none";
		meta = cp_out_meta_urls(d->meta4);
		zip = d->zip_local ? " (the whole archive, extracted here: -noxrdzip)"
				   : " (read out of the archive on its SE)";
		if (d->zip_member)
			snprintf(unzip, sizeof(unzip), " unzip=%s%s", d->zip_member, zip);
	} else {
		return; /* md5 and rm jobs are not shown */
	}
	cp_out(c, 2,
	       "XRDDEBUG: %s source=%s%s%s%s target=%s checksum=%s%s%s force=1%s%s"
	       " chunks=%d chunksz=%u timeout=%d ratethreshold=%lld retry=%d%s\n",
	       r->kind == XFER_DOWNLOAD ? "download" : "upload", src ? src : "",
	       meta ? " (replicas: " : "", meta ? meta : "", meta ? ")" : "", dst ? dst : "", mode,
	       md5 && md5[0] ? " md5=" : "", md5 && md5[0] ? md5 : "", fin ? " final=" : "",
	       fin ? fin : "", r->tune.chunks,
	       r->tune.chunk_size ? r->tune.chunk_size : XFER_CHUNK_SIZE, r->tune.timeout_s,
	       r->tune.rate_min, r->tune.retries, unzip);
	free(meta);
}

void cp_out_skip(struct cp *c, struct cp_file *f, const char *why)
{
	if (c->json)
		cp_out_json(c, f, "SKIPPED");
	else
		cp_out(c, 1, "%s --> TARGET VALID (%s)\n", f->upload ? f->lfn : f->local, why);
}

/* -dryrun: alien.py's "src -> lfn (SE)" / "lfn -> dst" */
void cp_out_dry(struct cp *c, struct cp_file *f)
{
	if (c->json)
		cp_out_json(c, f, "DRYRUN");
	else if (f->upload)
		cp_out(c, 1, "%s -> %s (%s)\n", f->local, f->lfn, f->specs ? f->specs : "disk:2");
	else
		cp_out(c, 1, "%s -> %s (%s)\n", f->lfn, f->local, f->ses ? f->ses : "");
}

void cp_out_summary(struct cp *c)
{
	char out[600] = "";
	int n = c->nfiles - c->skipped, first = 0, failed = c->nfiles - c->ok - c->skipped, code;
	static const char *const tries[CP_PASSES] = { "1st", "2nd", "3rd" };

	if (c->nfiles == c->skipped) {
		command_reply(c->cmd, "No copy jobs to be done!\n", NULL,
			      c->refused ? JD_EXIT_FAILED : 0);
		return;
	}
	code = c->ok > 0 && !c->refused ? 0 : c->refused ? JD_EXIT_FAILED : 1;
	if (c->dryrun) {
		command_reply(c->cmd, NULL, NULL, code);
		return;
	}
	for (int i = 0; i < c->nfiles; i++)
		first += c->files[i].ok && !c->files[i].skipped &&
			 (!c->files[i].upload || c->files[i].pass_ok[0]);
	if (c->json) { /* compact, as the per-file objects */
		snprintf(out, sizeof(out),
			 "{\"successful\":%d,\"failed\":%d,\"skipped\":%d,\"total\":%d,\"first_"
			 "try\":%d,"
			 "\"second_try\":%d,\"third_try\":%d}\n",
			 c->ok, failed, c->skipped, n, first, c->recovered_ok[1],
			 c->recovered_ok[2]);
		command_reply(c->cmd, out, NULL, code);
		return;
	}
	if (c->rep_k) { /* uploads: replicas' jobs, as alien.py counts them */
		int k = c->rep_k;

		first = 0;
		for (int i = 0; i < c->nfiles; i++)
			for (int r = 0; r < c->files[i].nreps; r++)
				first += c->files[i].reps[r].pass == 1 &&
					 c->files[i].reps[r].st == CR_COMMITTED;
		n *= k;
	}
	/* alien.py 1.6.3's own spelling (transcripts/cp_upload_plain.stdout) */
	snprintf(out, sizeof(out), "Successful jobs (%s try): %d/%d\n", tries[0], first, n);
	for (int p = 1; p < CP_PASSES; p++)
		if (c->recovered[p])
			snprintf(out + strlen(out), sizeof(out) - strlen(out),
				 "Successful jobs (%s try): %d/%d\n", tries[p], c->recovered_ok[p],
				 c->recovered[p]);
	if (c->recovered[1])
		snprintf(out + strlen(out), sizeof(out) - strlen(out),
			 "Successful jobs (total): %d/%d\n", c->ok, n);
	command_reply(c->cmd, code ? NULL : out, code ? out : NULL, code);
}

static void cp_out_bar_cb(lws_sorted_usec_list_t *sul)
{
	struct cp *c = lws_container_of(sul, struct cp, sul);
	uint64_t done = 0, total = 0;
	char a[32], b[32], rate[32], bar[300], eta[32] = "--:--";
	double secs = cp_now() - c->t0, r;
	int width = 20, fill;
	cJSON *o;

	for (int i = 0; i < c->nfiles; i++) {
		const struct cp_file *f = &c->files[i];

		if (f->skipped || f->dry)
			continue;
		total += (uint64_t)f->size;
		done += f->st == CF_DONE ? (uint64_t)f->size : f->done_bytes;
	}
	r = secs > 0 ? (double)done / secs : 0;
	if (r > 0 && total >= done)
		snprintf(eta, sizeof(eta), "%d:%02d", (int)((double)(total - done) / r) / 60,
			 (int)((double)(total - done) / r) % 60);
	cp_out_human((double)done, a, sizeof(a));
	cp_out_human((double)total, b, sizeof(b));
	cp_out_human(r, rate, sizeof(rate));
	fill = total ? (int)((double)done * width / (double)total) : 0;
	if (fill > width)
		fill = width;
	snprintf(bar, sizeof(bar), "[%.*s%*s] %s / %s  %s/s  ETA %s  files %d/%d", fill,
		 "####################", width - fill, "", a, b, rate, eta, c->finished, c->nfiles);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "bar", bar);
	command_send_json(c->cmd, FRAME_PROGRESS, o);
	lws_sul_schedule(c->ctx, 0, &c->sul, cp_out_bar_cb, CP_BAR_MS * LWS_US_PER_MS);
}

void cp_out_bar_start(struct cp *c)
{
	if (c->tty && !c->json && c->ctx)
		lws_sul_schedule(c->ctx, 0, &c->sul, cp_out_bar_cb, CP_BAR_MS * LWS_US_PER_MS);
}
