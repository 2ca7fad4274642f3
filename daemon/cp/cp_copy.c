/* cp_copy.c - cp's work in xfer: the md5 of local files, downloads (one
 * metalink over every replica, a temporary name renamed once verified),
 * uploads (one copy per replica of the current pass), and their cancel. */
#include "cp_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "xrootd/xfer.h"

static void cp_copy_md5_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cp_file *f = owner;
	struct cp *c = f->cp;

	(void)job;
	f->job = NULL;
	c->copying--;
	if (!res->ok) {
		cp_file_fail(c, f, "%s", res->msg);
	} else if (f->upload) {
		snprintf(f->md5, sizeof(f->md5), "%.32s", res->checksum);
		cp_file_set(f, CF_STAT);
	} else if (strcasecmp(res->checksum, f->md5) == 0) {
		cp_file_skip(c, f, "md5 match");
	} else {
		cp_file_set(f, CF_ACCESS); /* differs: downloaded again (replaced by rename) */
	}
	cp_pump(c);
}

/* of the local file, or (grid to grid without a catalogue md5) of the source's first replica */
int cp_copy_md5(struct cp *c, struct cp_file *f)
{
	const cJSON *row = cJSON_GetArrayItem(f->rows, 0);
	char *url = f->tpc && cp_str(row, "url")
			    ? cp_copy_url(cp_str(row, "url"), cp_str(row, "envelope"))
			    : NULL;
	const char *source = f->tpc ? url : f->local;
	struct xfer_req r = xfer_req_md5(source);

	f->job = source ? xfer_submit(&r, cp_copy_md5_done, NULL, f) : NULL;
	free(url);
	if (!f->job)
		return -ENOMEM;
	c->copying++;
	cp_file_set(f, CF_MD5);
	return 0;
}

void cp_copy_progress(void *owner, struct xfer_job *job, uint64_t done, uint64_t total)
{
	struct cp_file *f = owner;

	(void)total;
	if (f->job == job || (f->nreps && f->reps[f->nreps - 1].job == job))
		f->done_bytes = done;
}

/* Replica p's copy ended (msg: the reason it failed); the file's last one: its commits next. */
void cp_copy_rep_end(struct cp *c, struct cp_file *f, struct cp_rep *p, int ok, const char *msg)
{
	p->st = ok ? CR_COPIED : CR_FAILED;
	if (!ok) {
		snprintf(f->err, sizeof(f->err), "%s: %s", p->se ? p->se : p->url, msg);
		cp_out(c, 2, "jobID: %d/%d >>> %s to %s failed: %s\n", f->idx, c->nfiles, f->local,
		       p->se ? p->se : p->url, msg);
	}
	if (--f->reps_left == 0) {
		c->copying--;
		f->done_bytes = (uint64_t)f->size;
		cp_file_set(f, CF_COMMIT);
	}
	cp_pump(c);
}

static void cp_copy_rep_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cp_file *f = owner;

	for (int r = 0; r < f->nreps; r++) {
		struct cp_rep *p = &f->reps[r];

		if (p->job == job) {
			p->job = NULL;
			cp_copy_rep_end(f->cp, f, p, res->ok, res->msg);
			return;
		}
	}
}

static void cp_copy_dl_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cp_file *f = owner;
	struct cp *c = f->cp;

	(void)job;
	f->job = NULL;
	c->copying--;
	free(f->tmp);
	f->tmp = NULL;
	free(f->meta); /* the worker removed it */
	f->meta = NULL;
	/* XrdCl's metalink fallback skips replicas on a host it already tried
	 * (two SEs on one host): the next replicas get a metalink of their own */
	if (!res->ok && !res->cancelled && f->from + 1 < cJSON_GetArraySize(f->rows)) {
		const char *se = cp_str(cJSON_GetArrayItem(f->rows, f->from), "se");
		int rc;

		f->from++;
		cp_out(c, 2, "jobID: %d/%d >>> %s: %s; trying the next replica\n", f->idx,
		       c->nfiles, se ? se : "", res->msg);
		if ((rc = cp_copy_metalink(f)) < 0)
			cp_file_fail(c, f, "cannot write a metalink: %s", strerror(-rc));
		else
			cp_file_set(f, CF_READY);
		cp_pump(c);
		return;
	}
	f->done_bytes = (uint64_t)f->size;
	if (res->ok)
		cp_file_ok(c, f);
	else
		cp_file_fail(c, f, "%s", res->msg);
	cp_pump(c);
}

/* "<url>?xrd.wantprot=unix&authz=<envelope>" (spec 7.3); NULL on ENOMEM */
char *cp_copy_url(const char *url, const char *envelope)
{
	struct strbuf u = { 0 };
	const char *hash = strchr(url, '#'); /* an archive member's #name */
	int ulen = hash ? (int)(hash - url) : (int)strlen(url);

	if (strbuf_addf(&u, "%.*s?xrd.wantprot=unix&authz=%s", ulen, url,
			envelope ? envelope : "") < 0) {
		strbuf_free(&u);
		return NULL;
	}
	return strbuf_cstr(&u);
}

static void cp_copy_upload(struct cp *c, struct cp_file *f)
{
	f->reps_left = 0;
	for (int i = 0; i < f->nreps; i++) {
		struct cp_rep *p = &f->reps[i];
		char *url;
		struct xfer_req r;

		if (p->pass != f->pass)
			continue;
		if (f->tpc) { /* grid to grid: from the source's replica (cp_tpc.c) */
			p->tpc_stage = CP_TPC_THIRD;
			p->job = cp_tpc_submit(c, f, p);
		} else {
			url = cp_copy_url(p->url, p->envelope);
			r = xfer_req_upload(f->local, url, f->md5, &c->tune);
			cp_out_xrd(c, &r);
			p->job =
				url ? xfer_submit(&r, cp_copy_rep_done, cp_copy_progress, f) : NULL;
			free(url);
		}
		if (p->job) {
			p->st = CR_COPYING;
			f->reps_left++;
		} else {
			p->st = CR_FAILED;
		}
	}
	if (!f->reps_left) {
		cp_file_fail(c, f, "cannot start the transfer (%s)",
			     exitcode_meaning(JD_EXIT_NOMEM));
		return;
	}
	c->copying++;
	cp_file_set(f, CF_COPY);
}

/* The temporary file ".<leaf>.jaliend-XXXXXX" in the folder dfd, made
 * O_EXCL|O_NOFOLLOW (mkstemp has no *at form); its name in out, 0 or -errno. */
static int cp_copy_tmp(int dfd, const char *leaf, char *out, size_t n)
{
	static const char az[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	for (int tries = 0; tries < 100; tries++) {
		unsigned char rnd[6];
		char suffix[7];
		int fd;

		if (getentropy(rnd, sizeof(rnd)) < 0)
			return -errno;
		for (size_t i = 0; i < sizeof(rnd); i++)
			suffix[i] = az[rnd[i] % (sizeof(az) - 1)];
		suffix[6] = '\0';
		if (snprintf(out, n, ".%s.jaliend-%s", leaf, suffix) >= (int)n)
			return -ENAMETOOLONG;
		fd = openat(dfd, out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* an archive member's name: what follows '#' in access read's url (spec 7.1), or NULL */
static const char *cp_copy_member(const struct cp_file *f)
{
	const char *url = cp_str(cJSON_GetArrayItem(f->rows, 0), "url"),
		   *hash = url ? strrchr(url, '#') : NULL;

	return hash && hash[1] && !strchr(hash, '/') ? hash + 1 : NULL;
}

/* a replica row's URL (authz included), or NULL: none, out of memory, or a
 * URL or envelope that would end the metalink's CDATA early */
static char *cp_copy_row_url(const cJSON *row)
{
	const char *url = cp_str(row, "url"), *env = cp_str(row, "envelope");

	if (!url || strstr(url, "]]>") || (env && strstr(env, "]]>")))
		return NULL;
	return cp_copy_url(url, env);
}

/* the URL of the replica the metalink starts with, or NULL (then XrdCl reads the metalink) */
static char *cp_copy_first_url(const struct cp_file *f)
{
	const cJSON *row;
	char *u;
	int i = 0;

	cJSON_ArrayForEach (row, f->rows)
		if (i++ >= f->from && (u = cp_copy_row_url(row)))
			return u;
	return NULL;
}

static void cp_copy_download(struct cp *c, struct cp_file *f)
{
	const char *leaf = f->local;
	char *first_url = NULL;
	char tmp[512];
	struct xfer_download d = { 0 };
	struct xfer_req r;
	int dfd, rc;

	/* below the destination folder, nothing is followed: a symbolic link
	 * planted there cannot take the file elsewhere (threat model) */
	dfd = cp_path_open_below(f->local, f->root_len, &leaf);
	if (dfd < 0) {
		unlink(f->meta);
		if (dfd == -ELOOP)
			cp_file_fail(c, f, "refused %s: %.*s is a symbolic link or not a folder",
				     f->local, (int)(leaf - f->local), f->local);
		else
			cp_file_fail(c, f, "cannot create the folder of %s: %s", f->local,
				     strerror(-dfd));
		return;
	}
	if ((rc = cp_copy_tmp(dfd, leaf, tmp, sizeof(tmp))) < 0) {
		close(dfd);
		unlink(f->meta);
		cp_file_fail(c, f, "cannot write in the folder of %s: %s", f->local, strerror(-rc));
		return;
	}
	f->tmp = strdup(tmp);
	d.meta4 = f->meta;
	d.first_url = first_url = cp_copy_first_url(f);
	d.in_dir = 1;
	d.dir_fd = dfd; /* the job's from here on */
	d.tmp_name = tmp;
	d.final_name = leaf;
	d.md5 = f->md5;
	d.size = f->size; /* the catalogue's: an SE that has more is not read past it */
	d.guid = f->guid;
	d.lfn = f->lfn;
	/* opt-in until a named source SE (@SE1) and a killed SE are reported as with one
	 * source (cp.sekill): up to JALIEND_CP_SOURCES replicas at once, XrdCl reads
	 * blocks from each and silently skips a dead one */
	{
		const char *ns = getenv("JALIEND_CP_SOURCES");
		int left = cJSON_GetArraySize(f->rows) - f->from, want = ns ? atoi(ns) : 1;

		d.sources = want < left ? want : left;
	}
	d.zip_member = cp_copy_member(f);
	d.zip_local = c->noxrdzip;
	r = xfer_req_download(&d, &c->tune);
	cp_out_xrd(c, &r);
	f->job = xfer_submit(&r, cp_copy_dl_done, cp_copy_progress, f);
	free(first_url); /* xfer_submit copied it */
	if (!f->job) {
		unlinkat(dfd, tmp, 0);
		close(dfd);
		unlink(f->meta);
		cp_file_fail(c, f, "cannot start the transfer (%s)",
			     exitcode_meaning(JD_EXIT_NOMEM));
		return;
	}
	c->copying++;
	cp_file_set(f, CF_COPY);
}

void cp_copy_start(struct cp *c, struct cp_file *f)
{
	if (f->t0 == 0) { /* not again for a recovery pass or the next replica */
		f->t0 = cp_now();
		cp_out_start(c, f);
	}
	if (f->upload)
		cp_copy_upload(c, f);
	else
		cp_copy_download(c, f);
}

/* The metalink of a download: every replica in the server's order (spec 7.4)
 * from f->from on, in $TMPDIR (mode 0600); 0 or -errno. */
int cp_copy_metalink(struct cp_file *f)
{
	int i = 0;
	const char *tmpdir = getenv("TMPDIR");
	struct strbuf m = { 0 }, path = { 0 };
	const cJSON *row;
	int fd = -1, rc = -ENOMEM;

	strbuf_addf(&path, "%s/jaliend-cp-XXXXXX.meta4", tmpdir && *tmpdir ? tmpdir : "/tmp");
	strbuf_adds(&m, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">\n  <file "
			"name=\"jaliend\">\n");
	/* else the whole archive comes: the catalogue's size and md5 are the member's */
	if (!cp_copy_member(f) || !f->cp->noxrdzip) {
		strbuf_addf(&m, "    <size>%lld</size>\n", f->size);
		if (f->md5[0])
			strbuf_addf(&m, "    <hash type=\"md5\">%s</hash>\n", f->md5);
	}
	cJSON_ArrayForEach (row, f->rows) {
		char *u = i++ < f->from ? NULL : cp_copy_row_url(row);

		if (u)
			strbuf_addf(&m, "    <url><![CDATA[%s]]></url>\n", u);
		free(u);
	}
	strbuf_adds(&m, "  </file>\n</metalink>\n");
	if (strbuf_cstr(&m) && strbuf_cstr(&path)) {
		fd = mkstemps(path.data, 6);
		rc = fd < 0 ? -errno : 0;
	}
	if (fd >= 0 && write(fd, m.data, m.len) != (ssize_t)m.len) {
		rc = errno ? -errno : -EIO;
		unlink(path.data);
	}
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		cp_env_keep_meta(f->cp, f->lfn, m.data, m.len);
	strbuf_free(&m);
	if (rc == 0)
		f->meta = path.data;
	else
		strbuf_free(&path);
	return rc;
}

/* Remove a replica copied but not registered (best effort, on a worker). */
void cp_copy_remove(const struct cp_rep *p)
{
	char *url = cp_copy_url(p->url, p->envelope);
	struct xfer_req rq = xfer_req_rm(url);

	if (url)
		xfer_submit(&rq, NULL, NULL, NULL);
	free(url);
}

/* The command is gone: stop this file's jobs; partial files go (the workers
 * remove temporary files and partial uploads); a replica copied but not
 * committed is removed from its SE. A commit already sent completes. */
void cp_copy_cancel(struct cp_file *f)
{
	if (f->job)
		xfer_cancel(f->job);
	else if (f->meta && f->st != CF_DONE)
		unlink(f->meta);
	for (int r = 0; r < f->nreps; r++) {
		struct cp_rep *p = &f->reps[r];

		if (p->job)
			xfer_cancel(p->job);
		if ((p->job && f->tpc && p->tpc_stage == CP_TPC_VERIFY) ||
		    (!p->job && p->st == CR_COPIED))
			/* copied (grid to grid: its md5 being checked), not committed */
			cp_copy_remove(p);
	}
}
