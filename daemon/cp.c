/* cp.c - see cp.h. One struct cp per running command: a plan (the files),
 * a serial chain of server calls (stat, find, mkdir, access, commit: one at
 * a time, as alien.py), and up to -T copies in xfer. */
#include "cp.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "client.h"
#include "command.h"
#include "frame.h"
#include "log.h"
#include "strbuf.h"
#include "upstream.h"
#include "xfer.h"

enum cp_fstate { CF_NEW, CF_MD5, CF_STAT, CF_ACCESS, CF_COPY, CF_COMMIT, CF_DONE };

struct cp_rep {            /* one replica of an upload */
	char *url, *envelope, *se, *guid;
	struct xfer_job *job;
	int ok, committed;
};

struct cp_file {
	char *local, *lfn;
	long long size;
	char md5[40];
	enum cp_fstate st;
	int idx;                /* jobID, from 1 */
	int ok, skipped;
	struct cp_rep *reps;    /* upload */
	int nreps, reps_left;
	struct xfer_job *job;   /* download or md5 */
	char *tmp, *meta;       /* download: temporary file, metalink */
	char *guid;             /* download: for user.guid */
	uint64_t done_bytes;
	struct timespec t0;
	char err[700];
};

struct cp {
	struct cp *next;
	struct command *cmd;
	struct client *cl;
	uint32_t id;
	int json, tty, upload, force, jobs;
	char *specs;            /* from the grid argument after @ */
	char *grid, *local;     /* expanded arguments */
	char *glob;
	int parent, rmprefix;
	struct cp_file *files;
	int nfiles, cap;
	int next_call;          /* next file needing a server call */
	struct cp_file *current; /* the file whose server call is in flight */
	char *last_mkdir;       /* upload: the grid folder made last */
	int running;            /* copies in xfer */
	int finished, ok, skipped;
	int dst_is_dir;
	uint64_t total_bytes;
	struct timespec t0;
	lws_sorted_usec_list_t sul;
	int bar_shown;
	struct lws_context *ctx;
};

static struct cp *cp_list;

static double cp_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void cp_human(double v, char *buf, size_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, "%.2f %s", v, units[u]);
}

static void cp_out(struct cp *c, int fd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cp_out(struct cp *c, int fd, const char *fmt, ...)
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
	if (c->bar_shown) /* the shim clears its bar before other output */
		c->bar_shown = 0;
	client_send(c->cl, fd == 2 ? FRAME_STDERR : FRAME_STDOUT, c->id, line, (size_t)n);
}

static void cp_json_line(struct cp *c, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (s)
		cp_out(c, 1, "%s\n", s);
	free(s);
	cJSON_Delete(o);
}

static void cp_free(struct cp *c)
{
	struct cp **pp;

	for (pp = &cp_list; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	lws_sul_cancel(&c->sul);
	for (int i = 0; i < c->nfiles; i++) {
		struct cp_file *f = &c->files[i];

		for (int r = 0; r < f->nreps; r++) {
			free(f->reps[r].url);
			free(f->reps[r].envelope);
			free(f->reps[r].se);
			free(f->reps[r].guid);
		}
		free(f->reps);
		free(f->local);
		free(f->lfn);
		free(f->tmp);
		free(f->meta);
		free(f->guid);
	}
	free(c->files);
	free(c->specs);
	free(c->grid);
	free(c->local);
	free(c->glob);
	free(c->last_mkdir);
	free(c);
}

/* The end: summary, exit code, EXIT through command_reply. */
static void cp_finish(struct cp *c, const char *err, int code)
{
	struct command *cmd = c->cmd;
	char line[200];

	if (err) {
		command_reply(cmd, NULL, err, code);
		cp_free(c);
		return;
	}
	if (c->nfiles == c->skipped) {
		command_reply(cmd, "No copy jobs to be done!\n", NULL, 0);
		cp_free(c);
		return;
	}
	code = c->ok > 0 ? 0 : 1;
	if (c->json) {
		snprintf(line, sizeof(line), "{\"successful\": %d, \"failed\": %d, \"skipped\": %d, \"total\": %d}\n",
			 c->ok, c->nfiles - c->ok - c->skipped, c->skipped, c->nfiles - c->skipped);
		command_reply(cmd, line, NULL, code);
	} else {
		/* alien.py 1.6.3's own spelling (transcripts/cp_upload_plain.stdout) */
		snprintf(line, sizeof(line), "Succesful jobs (1st try): %d/%d\n", c->ok, c->nfiles - c->skipped);
		command_reply(cmd, code ? NULL : line, code ? line : NULL, code);
	}
	cp_free(c);
}

static int cp_add_file(struct cp *c, const char *local, const char *lfn, long long size, const char *md5)
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
	f->size = size;
	if (md5)
		snprintf(f->md5, sizeof(f->md5), "%s", md5);
	if (!f->local || !f->lfn) {
		free(f->local);
		free(f->lfn);
		return -ENOMEM;
	}
	f->idx = ++c->nfiles;
	return 0;
}

/* ---- the per-file pipeline ---- */

static void cp_pump(struct cp *c);

static const char *cp_meta_str(const cJSON *reply, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply, "metadata"), key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static int cp_reply_code(const cJSON *reply)
{
	return atoi(cp_meta_str(reply, "exitcode"));
}

static const char *cp_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static struct cp *cp_of(struct command *cmd)
{
	for (struct cp *c = cp_list; c; c = c->next)
		if (c->cmd == cmd)
			return c;
	return NULL;
}

static void cp_file_done(struct cp *c, struct cp_file *f, int ok)
{
	double secs;
	char speed[40];

	f->st = CF_DONE;
	f->ok = ok;
	c->finished++;
	secs = cp_now() - ((double)f->t0.tv_sec + f->t0.tv_nsec / 1e9);
	if (ok) {
		c->ok++;
		cp_human(secs > 0 ? (double)f->size / secs : 0, speed, sizeof(speed));
		if (c->json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddNumberToObject(o, "jobID", f->idx);
			cJSON_AddNumberToObject(o, "total", c->nfiles);
			cJSON_AddStringToObject(o, "src", c->upload ? f->local : f->lfn);
			cJSON_AddStringToObject(o, "dst", c->upload ? f->lfn : f->local);
			cJSON_AddStringToObject(o, "status", "OK");
			cJSON_AddNumberToObject(o, "size", (double)f->size);
			cJSON_AddNumberToObject(o, "seconds", secs);
			cp_json_line(c, o);
		} else {
			cp_out(c, 1, "jobID: %d/%d >>> STATUS OK >>> SPEED %s/s\n", f->idx, c->nfiles, speed);
		}
	} else if (c->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "jobID", f->idx);
		cJSON_AddNumberToObject(o, "total", c->nfiles);
		cJSON_AddStringToObject(o, "src", c->upload ? f->local : f->lfn);
		cJSON_AddStringToObject(o, "dst", c->upload ? f->lfn : f->local);
		cJSON_AddStringToObject(o, "status", "ERROR");
		cJSON_AddStringToObject(o, "error", f->err);
		cp_json_line(c, o);
	} else if (c->upload) {
		cp_out(c, 2, "jobID: %d/%d >>> STATUS ERROR : %s to %s, %d replicas\n%s\n", f->idx, c->nfiles,
		       f->local, f->lfn, f->nreps, f->err);
	} else {
		cp_out(c, 2, "jobID: %d/%d >>> STATUS ERROR : %s\n%s\n", f->idx, c->nfiles, f->lfn, f->err);
	}
}

static void cp_skip(struct cp *c, struct cp_file *f, const char *why)
{
	f->st = CF_DONE;
	f->skipped = 1;
	c->finished++;
	c->skipped++;
	if (!c->json)
		cp_out(c, 1, "%s --> TARGET VALID (%s)\n", c->upload ? f->lfn : f->local, why);
}

static void cp_start_copy(struct cp *c, struct cp_file *f);

static void cp_xfer_progress(void *owner, struct xfer_job *job, uint64_t done, uint64_t total)
{
	struct cp *c = owner;

	(void)total;
	for (int i = 0; i < c->nfiles; i++) {
		struct cp_file *f = &c->files[i];

		if (f->job == job)
			f->done_bytes = done;
		for (int r = 0; r < f->nreps; r++)
			if (f->reps[r].job == job && r == 0)
				f->done_bytes = done;
	}
}

/* the next server call of a file (one call in flight for the whole cp) */
static void cp_call(struct cp *c, struct cp_file *f, const char *verb, cJSON *opts, command_then_fn then);

static void cp_commit_done(struct command *cmd, cJSON *reply, int code, const char *msg);

static void cp_next_commit(struct cp *c, struct cp_file *f)
{
	char size[32];

	for (int r = 0; r < f->nreps; r++) {
		struct cp_rep *p = &f->reps[r];
		cJSON *o;

		if (!p->ok || p->committed)
			continue;
		p->committed = -1; /* in flight */
		o = cJSON_CreateArray();
		snprintf(size, sizeof(size), "%lld", f->size);
		cJSON_AddItemToArray(o, cJSON_CreateString("-nokeys"));
		cJSON_AddItemToArray(o, cJSON_CreateString(p->envelope));
		cJSON_AddItemToArray(o, cJSON_CreateNumber((double)f->size));
		cJSON_AddItemToArray(o, cJSON_CreateString(f->lfn));
		cJSON_AddItemToArray(o, cJSON_CreateString("644"));
		cJSON_AddItemToArray(o, cJSON_CreateString("0"));
		cJSON_AddItemToArray(o, cJSON_CreateString(p->url));
		cJSON_AddItemToArray(o, cJSON_CreateString(p->se ? p->se : ""));
		cJSON_AddItemToArray(o, cJSON_CreateString(p->guid ? p->guid : ""));
		cJSON_AddItemToArray(o, cJSON_CreateString(f->md5));
		cp_call(c, f, "commit", o, cp_commit_done);
		return;
	}
	/* all committed (or failed) */
	{
		int any = 0;

		for (int r = 0; r < f->nreps; r++)
			any |= f->reps[r].committed == 1;
		if (!any && !f->err[0])
			snprintf(f->err, sizeof(f->err), "no replica could be written");
		cp_file_done(c, f, any);
	}
	cp_pump(c);
}

static void cp_commit_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c = cp_of(cmd);
	struct cp_file *f = c ? c->current : NULL;

	if (c)
		c->current = NULL;
	if (!c || !f) {
		cJSON_Delete(reply);
		return;
	}
	for (int r = 0; r < f->nreps; r++) {
		struct cp_rep *p = &f->reps[r];

		if (p->committed != -1)
			continue;
		if (reply && cp_reply_code(reply) == 0) {
			p->committed = 1;
		} else {
			p->committed = 2;
			snprintf(f->err, sizeof(f->err), "commit of %s failed: %s", p->se ? p->se : p->url,
				 reply ? cp_meta_str(reply, "error") : msg);
			cp_out(c, 2, "%s\n", f->err);
		}
		(void)code;
		break;
	}
	cJSON_Delete(reply);
	cp_next_commit(c, f);
}

static void cp_rep_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cp *c = owner;

	for (int i = 0; i < c->nfiles; i++) {
		struct cp_file *f = &c->files[i];

		for (int r = 0; r < f->nreps; r++) {
			struct cp_rep *p = &f->reps[r];

			if (p->job != job)
				continue;
			p->job = NULL;
			p->ok = res->ok;
			if (!res->ok)
				snprintf(f->err, sizeof(f->err), "%s: %s", p->se ? p->se : "", res->msg);
			if (--f->reps_left == 0) {
				c->running--;
				f->done_bytes = (uint64_t)f->size;
				f->st = CF_COMMIT;
			}
		}
	}
	cp_pump(c);
}

static void cp_dl_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cp *c = owner;

	for (int i = 0; i < c->nfiles; i++) {
		struct cp_file *f = &c->files[i];

		if (f->job != job)
			continue;
		f->job = NULL;
		c->running--;
		if (!res->ok)
			snprintf(f->err, sizeof(f->err), "%s", res->msg);
		f->done_bytes = (uint64_t)f->size;
		cp_file_done(c, f, res->ok);
	}
	cp_pump(c);
}

static void cp_md5_done(void *owner, struct xfer_job *job, const struct xfer_result *res)
{
	struct cp *c = owner;

	for (int i = 0; i < c->nfiles; i++) {
		struct cp_file *f = &c->files[i];

		if (f->job != job)
			continue;
		f->job = NULL;
		c->running--;
		if (!res->ok) {
			snprintf(f->err, sizeof(f->err), "%s", res->msg);
			cp_file_done(c, f, 0);
		} else {
			snprintf(f->md5, sizeof(f->md5), "%.32s", res->checksum);
			f->st = CF_STAT;
		}
	}
	cp_pump(c);
}

static void cp_access_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c = cp_of(cmd);
	struct cp_file *f = c ? c->current : NULL;
	const cJSON *results, *row;

	if (c)
		c->current = NULL;
	if (!c || !f) {
		cJSON_Delete(reply);
		return;
	}
	results = cJSON_GetObjectItemCaseSensitive(reply, "results");
	if (!reply || cp_reply_code(reply) != 0 || !cJSON_GetArraySize(results)) {
		snprintf(f->err, sizeof(f->err), "access %s: %s", c->upload ? "write" : "read",
			 reply ? cp_meta_str(reply, "error") : msg);
		(void)code;
		cJSON_Delete(reply);
		cp_file_done(c, f, 0);
		cp_pump(c);
		return;
	}
	if (c->upload) {
		int n = cJSON_GetArraySize(results), k = 0;

		f->reps = calloc((size_t)n, sizeof(*f->reps));
		cJSON_ArrayForEach(row, results) {
			struct cp_rep *p;
			const char *url = cp_str(row, "url"), *env = cp_str(row, "envelope");

			if (!f->reps || !url)
				continue;
			p = &f->reps[k++];
			p->url = strdup(url);
			p->envelope = strdup(env ? env : "");
			p->se = cp_str(row, "se") ? strdup(cp_str(row, "se")) : NULL;
			p->guid = cp_str(row, "guid") ? strdup(cp_str(row, "guid")) : NULL;
		}
		f->nreps = k;
	} else {
		/* metalink over every replica, in the server's order */
		char path[] = "/tmp/jaliend-cp-XXXXXX.meta4";
		const char *tmpdir = getenv("TMPDIR");
		struct strbuf m = { 0 };
		int fd;

		(void)tmpdir;
		strbuf_adds(&m, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				"<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">\n  <file name=\"x\">\n");
		strbuf_addf(&m, "    <size>%lld</size>\n", f->size);
		if (f->md5[0])
			strbuf_addf(&m, "    <hash type=\"md5\">%s</hash>\n", f->md5);
		cJSON_ArrayForEach(row, results) {
			const char *url = cp_str(row, "url"), *env = cp_str(row, "envelope");
			const char *hash = url ? strchr(url, '#') : NULL;
			int ulen = url ? (hash ? (int)(hash - url) : (int)strlen(url)) : 0;

			if (!url || strstr(url, "]]>") || (env && strstr(env, "]]>")))
				continue;
			strbuf_addf(&m, "    <url><![CDATA[%.*s?xrd.wantprot=unix&authz=%s]]></url>\n", ulen, url,
				    env ? env : "");
		}
		strbuf_adds(&m, "  </file>\n</metalink>\n");
		fd = mkstemps(path, 6);
		if (fd < 0 || !strbuf_cstr(&m) || write(fd, m.data, m.len) != (ssize_t)m.len) {
			snprintf(f->err, sizeof(f->err), "cannot write a metalink in /tmp: %s", strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(path);
			}
			strbuf_free(&m);
			cJSON_Delete(reply);
			cp_file_done(c, f, 0);
			cp_pump(c);
			return;
		}
		close(fd);
		strbuf_free(&m);
		f->meta = strdup(path);
		row = cJSON_GetArrayItem(results, 0);
		if (cp_str(row, "guid"))
			f->guid = strdup(cp_str(row, "guid"));
	}
	cJSON_Delete(reply);
	f->st = CF_COPY;
	cp_pump(c);
}

static void cp_stat_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c = cp_of(cmd);
	struct cp_file *f = c ? c->current : NULL;
	const cJSON *row;

	if (c)
		c->current = NULL;
	(void)code;
	(void)msg;
	if (!c || !f) {
		cJSON_Delete(reply);
		return;
	}
	row = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
	f->st = CF_STAT + 300; /* mkdir -p of its folder, then access */
	if (reply && cp_reply_code(reply) == 0 && row) {
		const char *size = cp_str(row, "size"), *md5 = cp_str(row, "md5");

		if (size && atoll(size) == f->size && (!c->force || (md5 && strcmp(md5, f->md5) == 0))) {
			cp_skip(c, f, c->force ? "md5 match" : "size match");
		} else {
			f->st = CF_STAT + 100; /* needs rm -f first */
		}
	}
	cJSON_Delete(reply);
	cp_pump(c);
}

static void cp_step_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c = cp_of(cmd);
	struct cp_file *f = c ? c->current : NULL;

	if (c)
		c->current = NULL;
	(void)code;
	(void)msg;
	cJSON_Delete(reply);
	if (!c || !f)
		return;
	f->st = CF_ACCESS;
	cp_pump(c);
}

static void cp_call(struct cp *c, struct cp_file *f, const char *verb, cJSON *opts, command_then_fn then)
{
	c->current = f;
	if (!opts || command_upstream(c->cmd, verb, opts, 0, then) < 0) {
		c->current = NULL;
		snprintf(f->err, sizeof(f->err), "out of memory");
		cp_file_done(c, f, 0);
	}
}

static cJSON *cp_opts(const char *first, ...)
{
	cJSON *o = cJSON_CreateArray();
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s && o; s = va_arg(ap, const char *))
		cJSON_AddItemToArray(o, cJSON_CreateString(s));
	va_end(ap);
	return o;
}

static char *cp_specs_for(struct cp *c, const struct cp_file *f)
{
	const char *base = strrchr(f->lfn, '/');
	static const char *const small[] = { ".sh", ".C", ".jdl", ".xml" };
	int is_small = 0;

	if (c->specs && *c->specs)
		return strdup(c->specs);
	base = base ? base + 1 : f->lfn;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		size_t bl = strlen(base), sl = strlen(small[i]);

		if (bl > sl && strcmp(base + bl - sl, small[i]) == 0 && f->size < (1 << 20))
			is_small = 1;
	}
	return strdup(is_small ? "disk:4" : "disk:2");
}

static void cp_access_call(struct cp *c, struct cp_file *f)
{
	cJSON *o;

	f->st = CF_ACCESS + 100; /* call in flight */
	if (c->upload) {
		char *specs = cp_specs_for(c, f);

		o = cJSON_CreateArray();
		cJSON_AddItemToArray(o, cJSON_CreateString("-nomsg"));
		cJSON_AddItemToArray(o, cJSON_CreateString("-s"));
		cJSON_AddItemToArray(o, cJSON_CreateNumber((double)f->size));
		cJSON_AddItemToArray(o, cJSON_CreateString("-m"));
		cJSON_AddItemToArray(o, cJSON_CreateString(f->md5));
		cJSON_AddItemToArray(o, cJSON_CreateString("write"));
		cJSON_AddItemToArray(o, cJSON_CreateString(f->lfn));
		cJSON_AddItemToArray(o, cJSON_CreateString(specs ? specs : "disk:2"));
		free(specs);
	} else {
		o = cp_opts("-nomsg", "read", f->lfn, c->specs && *c->specs ? c->specs : NULL, NULL);
	}
	cp_call(c, f, "access", o, cp_access_done);
}

static void cp_start_copy(struct cp *c, struct cp_file *f)
{
	struct xfer_req r;

	clock_gettime(CLOCK_MONOTONIC, &f->t0);
	if (!c->json)
		cp_out(c, 1, "jobID: %d/%d >>> Start\n", f->idx, c->nfiles);
	memset(&r, 0, sizeof(r));
	r.kind = XFER_COPY;
	if (c->upload) {
		struct strbuf u = { 0 };

		f->reps_left = 0;
		for (int i = 0; i < f->nreps; i++) {
			strbuf_reset(&u);
			strbuf_addf(&u, "%s?xrd.wantprot=unix&authz=%s", f->reps[i].url, f->reps[i].envelope);
			if (!strbuf_cstr(&u))
				continue;
			r.source = f->local;
			r.target = u.data;
			r.cksum_mode = "source";
			r.md5 = f->md5;
			r.upload = 1;
			r.force = 1;
			f->reps[i].job = xfer_submit(&r, cp_rep_done, cp_xfer_progress, c);
			if (f->reps[i].job)
				f->reps_left++;
		}
		strbuf_free(&u);
		if (!f->reps_left) {
			snprintf(f->err, sizeof(f->err), "no replica to write (access gave %d)", f->nreps);
			cp_file_done(c, f, 0);
			return;
		}
	} else {
		char *slash = strrchr(f->local, '/');
		size_t n = strlen(f->local) + 32;
		int fd;

		f->tmp = malloc(n);
		if (!f->tmp) {
			snprintf(f->err, sizeof(f->err), "out of memory");
			cp_file_done(c, f, 0);
			return;
		}
		snprintf(f->tmp, n, "%.*s/.%s.jaliend-XXXXXX", (int)(slash - f->local), f->local, slash + 1);
		fd = mkstemp(f->tmp);
		if (fd < 0) {
			snprintf(f->err, sizeof(f->err), "cannot write in the folder of %s: %s", f->local, strerror(errno));
			unlink(f->meta);
			cp_file_done(c, f, 0);
			return;
		}
		close(fd);
		r.source = f->meta;
		r.target = f->tmp;
		r.final_path = f->local;
		r.cksum_mode = f->md5[0] ? "target" : "none";
		r.md5 = f->md5;
		r.remove_file = f->meta;
		r.force = 1;
		r.xa_guid = f->guid;
		r.xa_lfn = f->lfn;
		r.xa_md5 = f->md5[0] ? f->md5 : NULL;
		r.xa_size = f->size;
		f->job = xfer_submit(&r, cp_dl_done, cp_xfer_progress, c);
		if (!f->job) {
			unlink(f->tmp);
			unlink(f->meta);
			snprintf(f->err, sizeof(f->err), "cannot start the transfer");
			cp_file_done(c, f, 0);
			return;
		}
	}
	c->running++;
}

/* A download's local target: skip when it looks identical (4.6). */
static int cp_local_valid(struct cp *c, struct cp_file *f)
{
	struct stat st;

	if (stat(f->local, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (st.st_size == f->size && !c->force) {
		cp_skip(c, f, "size match, source/lfn older than destination/local_file");
		return 1;
	}
	return 0;
}

static void cp_pump(struct cp *c)
{
	int busy;

	/* server calls, one at a time: commits first, then the next file */
	for (int i = 0; !c->current && i < c->nfiles; i++)
		if (c->files[i].st == CF_COMMIT)
			cp_next_commit(c, &c->files[i]);
	busy = c->running;
	for (int i = 0; i < c->nfiles; i++)
		busy += c->files[i].st == CF_COPY;
	for (int i = c->next_call; !c->current && i < c->nfiles && busy < c->jobs; i++) {
		struct cp_file *f = &c->files[i];

		if (f->st == CF_NEW && c->upload) {
			struct xfer_req r = { .kind = XFER_MD5, .source = f->local };

			f->job = xfer_submit(&r, cp_md5_done, NULL, c);
			if (!f->job) {
				snprintf(f->err, sizeof(f->err), "cannot compute the md5");
				cp_file_done(c, f, 0);
				continue;
			}
			f->st = CF_MD5;
			c->running++;
			busy++;
		} else if (f->st == CF_NEW) {
			if (!cp_local_valid(c, f))
				cp_access_call(c, f);
		} else if (f->st == CF_STAT) {
			f->st = CF_STAT + 200;
			cp_call(c, f, "stat", cp_opts("-nomsg", f->lfn, NULL), cp_stat_done);
		} else if (f->st == (enum cp_fstate)(CF_STAT + 100)) {
			f->st = CF_STAT + 200;
			cp_call(c, f, "rm", cp_opts("-nomsg", "-f", f->lfn, NULL), cp_step_done);
		} else if (f->st == (enum cp_fstate)(CF_STAT + 300)) {
			size_t dl = (size_t)(strrchr(f->lfn, '/') - f->lfn);

			if (c->last_mkdir && strlen(c->last_mkdir) == dl && strncmp(c->last_mkdir, f->lfn, dl) == 0) {
				cp_access_call(c, f);
			} else {
				free(c->last_mkdir);
				c->last_mkdir = strndup(f->lfn, dl);
				f->st = CF_STAT + 200;
				cp_call(c, f, "mkdir", cp_opts("-nomsg", "-p", c->last_mkdir ? c->last_mkdir : "/", NULL),
					cp_step_done);
			}
		} else if (f->st == CF_ACCESS) {
			cp_access_call(c, f);
		}
	}
	while (c->next_call < c->nfiles && c->files[c->next_call].st == CF_DONE)
		c->next_call++;
	for (int i = 0; i < c->nfiles && c->running < c->jobs; i++)
		if (c->files[i].st == CF_COPY && !c->files[i].job && !c->files[i].reps_left) {
			c->files[i].st = CF_COPY + 100;
			cp_start_copy(c, &c->files[i]);
		}
	if (c->finished == c->nfiles && !c->current && c->running == 0)
		cp_finish(c, NULL, 0);
}

/* ---- progress bar (PROGRESS frames, shim's output on a terminal) ---- */

static void cp_bar_cb(lws_sorted_usec_list_t *sul)
{
	struct cp *c = lws_container_of(sul, struct cp, sul);
	uint64_t done = 0, total = 0;
	char a[32], b[32], rate[32], bar[300], eta[32] = "--:--";
	double secs = cp_now() - ((double)c->t0.tv_sec + c->t0.tv_nsec / 1e9), r;
	int width = 20, fill;
	cJSON *o;

	for (int i = 0; i < c->nfiles; i++) {
		if (c->files[i].skipped)
			continue;
		total += (uint64_t)c->files[i].size;
		done += c->files[i].st == CF_DONE ? (uint64_t)c->files[i].size : c->files[i].done_bytes;
	}
	r = secs > 0 ? (double)done / secs : 0;
	if (r > 0 && total >= done)
		snprintf(eta, sizeof(eta), "%d:%02d", (int)((double)(total - done) / r) / 60,
			 (int)((double)(total - done) / r) % 60);
	cp_human((double)done, a, sizeof(a));
	cp_human((double)total, b, sizeof(b));
	cp_human(r, rate, sizeof(rate));
	fill = total ? (int)((double)done * width / (double)total) : 0;
	if (fill > width)
		fill = width;
	snprintf(bar, sizeof(bar), "[%.*s%*s] %s / %s  %s/s  ETA %s  files %d/%d", fill, "####################",
		 width - fill, "", a, b, rate, eta, c->finished, c->nfiles);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "bar", bar);
	client_send_json(c->cl, FRAME_PROGRESS, c->id, o);
	c->bar_shown = 1;
	lws_sul_schedule(c->ctx, 0, &c->sul, cp_bar_cb, CP_BAR_MS * LWS_US_PER_MS);
}

/* ---- the plan: which files go where ---- */

static struct cp *cp_walk_cp; /* nftw has no user pointer */
static const char *cp_walk_base, *cp_walk_dst;
static int cp_walk_err;

static int cp_walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct cp *c = cp_walk_cp;
	char rel[4096], lfn[8192];
	const char *name = path + ftw->base;

	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (c->glob && fnmatch(c->glob, name, 0) != 0)
		return 0;
	if (access(path, R_OK) < 0) {
		cp_out(c, 2, "cannot read %s: %s\n", path, strerror(errno));
		return 0;
	}
	cp_path_keep(path, cp_walk_base, c->parent, c->rmprefix, rel, sizeof(rel));
	snprintf(lfn, sizeof(lfn), "%s%s", cp_walk_dst, rel);
	cp_walk_err = cp_add_file(c, path, lfn, (long long)st->st_size, NULL);
	return cp_walk_err < 0 ? 1 : 0;
}

/* Upload: the local side is known now; the grid folder is made before access. */
static int cp_plan_upload(struct cp *c, char *err, size_t n)
{
	struct stat st;
	size_t ll = strlen(c->local);
	char dst[8192], base[4096], rel[4096];
	int dir_dst = c->grid[strlen(c->grid) - 1] == '/';

	if (stat(c->local, &st) < 0) {
		snprintf(err, n, "%s: %s\n", c->local, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		/* rsync rule: "dir/" copies the contents, "dir" the folder itself */
		snprintf(base, sizeof(base), "%s", c->local);
		if (ll > 1 && c->local[ll - 1] != '/') {
			char *s = strrchr(base, '/');

			if (s)
				s[1] = '\0';
		}
		snprintf(dst, sizeof(dst), "%s%s", c->grid, dir_dst ? "" : "/");
		cp_walk_cp = c, cp_walk_base = base, cp_walk_dst = dst, cp_walk_err = 0;
		if (nftw(c->local, cp_walk_cb, 32, FTW_PHYS) != 0 && cp_walk_err < 0) {
			snprintf(err, n, "too many files (the limit is %d) or out of memory\n", CP_FILES_MAX);
			return -1;
		}
		return 0;
	}
	if (access(c->local, R_OK) < 0) {
		snprintf(err, n, "cannot read %s: %s\n", c->local, strerror(errno));
		return -1;
	}
	if (dir_dst || c->parent || c->rmprefix) {
		cp_path_keep(c->local, "", c->parent, c->rmprefix, rel, sizeof(rel));
		if (!c->parent && !c->rmprefix)
			snprintf(rel, sizeof(rel), "%s", strrchr(c->local, '/') + 1);
		snprintf(dst, sizeof(dst), "%s%s%s", c->grid, dir_dst ? "" : "/", rel);
	} else {
		snprintf(dst, sizeof(dst), "%s", c->grid);
	}
	return cp_add_file(c, c->local, dst, (long long)st.st_size, NULL) < 0 ? -1 : 0;
}

static void cp_find_done(struct command *cmd, cJSON *reply, int code, const char *msg);

/* Download: stat the grid source; a folder is listed with find. */
static void cp_src_stat_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c = cp_of(cmd);
	const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
	const char *type = cp_str(row, "type");
	char line[1200], path[8192], rel[4096];
	struct stat st;
	int local_dir;

	if (!c) {
		cJSON_Delete(reply);
		return;
	}
	if (!reply || cp_reply_code(reply) != 0 || !row) {
		snprintf(line, sizeof(line), "%s\n", reply ? cp_meta_str(reply, "error") : msg);
		code = reply ? cp_reply_code(reply) : code;
		cJSON_Delete(reply);
		cp_finish(c, line, code ? code : 2);
		return;
	}
	if (type && (type[0] == 'd')) {
		/* rsync rule on the grid side too */
		size_t gl = strlen(c->grid);
		cJSON *o = cJSON_CreateArray();

		cJSON_Delete(reply);
		cJSON_AddItemToArray(o, cJSON_CreateString("-nomsg"));
		cJSON_AddItemToArray(o, cJSON_CreateString("-f"));
		cJSON_AddItemToArray(o, cJSON_CreateString("-a"));
		cJSON_AddItemToArray(o, cJSON_CreateString("-s"));
		cJSON_AddItemToArray(o, cJSON_CreateString(c->grid));
		cJSON_AddItemToArray(o, cJSON_CreateString(c->glob ? c->glob : "*"));
		if (c->grid[gl - 1] != '/')
			c->dst_is_dir = 2; /* recreate the folder itself */
		if (command_upstream(cmd, "find", o, UP_REQ_READONLY, cp_find_done) < 0)
			cp_finish(c, "jaliend: out of memory\n", 12);
		return;
	}
	local_dir = c->local[strlen(c->local) - 1] == '/' || (stat(c->local, &st) == 0 && S_ISDIR(st.st_mode));
	if (local_dir || c->parent || c->rmprefix) {
		cp_path_keep(c->grid, "", c->parent, c->rmprefix, rel, sizeof(rel));
		if (!c->parent && !c->rmprefix)
			snprintf(rel, sizeof(rel), "%s", strrchr(c->grid, '/') + 1);
		snprintf(path, sizeof(path), "%s%s%s", c->local, c->local[strlen(c->local) - 1] == '/' ? "" : "/", rel);
	} else {
		snprintf(path, sizeof(path), "%s", c->local);
	}
	if (cp_add_file(c, path, c->grid, atoll(cp_str(row, "size") ? cp_str(row, "size") : "0"), cp_str(row, "md5")) < 0) {
		cJSON_Delete(reply);
		cp_finish(c, "jaliend: out of memory\n", 12);
		return;
	}
	cJSON_Delete(reply);
	cp_pump(c);
}

/* mkdir -p of a local file's folder; 0 or -errno */
static int cp_mkdirs(const char *file)
{
	char p[8192];

	snprintf(p, sizeof(p), "%s", file);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static void cp_find_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c = cp_of(cmd);
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results"), *row;
	char base[8192], rel[4096], path[8192], line[9000];
	int r;

	if (!c) {
		cJSON_Delete(reply);
		return;
	}
	if (!reply || cp_reply_code(reply) != 0) {
		snprintf(line, sizeof(line), "%s\n", reply ? cp_meta_str(reply, "error") : msg);
		code = reply ? cp_reply_code(reply) : code;
		cJSON_Delete(reply);
		cp_finish(c, line, code ? code : 1);
		return;
	}
	snprintf(base, sizeof(base), "%s", c->grid);
	if (c->dst_is_dir == 2) { /* "dir" without /: relative to its parent */
		char *s = strrchr(base, '/');

		if (s)
			s[1] = '\0';
	}
	cJSON_ArrayForEach(row, results) {
		const char *lfn = cp_str(row, "lfn"), *size = cp_str(row, "size");

		if (!lfn || lfn[strlen(lfn) - 1] == '/' || lfn[strlen(lfn) - 1] == '.')
			continue;
		cp_path_keep(lfn, base, c->parent, c->rmprefix, rel, sizeof(rel));
		snprintf(path, sizeof(path), "%s%s%s", c->local, c->local[strlen(c->local) - 1] == '/' ? "" : "/", rel);
		r = cp_add_file(c, path, lfn, size ? atoll(size) : 0, cp_str(row, "md5"));
		if (r < 0) {
			cJSON_Delete(reply);
			cp_finish(c, r == -E2BIG ? "too many files in one cp\n" : "jaliend: out of memory\n", r == -E2BIG ? 7 : 12);
			return;
		}
		if (cp_mkdirs(path) < 0) {
			snprintf(line, sizeof(line), "no write permission/or missing in any component of %s\n", path);
			cJSON_Delete(reply);
			cp_finish(c, line, 2);
			return;
		}
	}
	cJSON_Delete(reply);
	if (!c->nfiles) {
		cp_finish(c, "No copy jobs to be done!\n", 0);
		return;
	}
	cp_pump(c);
}

/* ---- start and cancel ---- */

static const char cp_usage[] =
	"usage: cp [-f] [-T N] [-glob PATTERN] [-parent N] [-rmprefix N] SRC DST\n"
	"  file: marks a local path, no prefix is a grid path; exactly one side is local.\n"
	"  grid specs after @: lfn@disk:2,SE,!SE\n";

int cp_start(struct command *cmd, struct client *cl, uint32_t id, const cJSON *argv, const char *payload,
	     size_t len)
{
	struct cp *c = calloc(1, sizeof(*c));
	cJSON *req = cJSON_ParseWithLength(payload, len);
	const char *shim_cwd = cp_str(req, "cwd"), *home = command_env(cmd, "HOME");
	int n = cJSON_GetArraySize(argv), src_local, dst_local;
	const char *src, *dst, *at;
	char err[1200];

	if (!c) {
		cJSON_Delete(req);
		return -ENOMEM;
	}
	c->cmd = cmd, c->cl = cl, c->id = id, c->json = command_json(cmd), c->jobs = CP_JOBS_DEFAULT;
	c->tty = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "tty"));
	c->ctx = cl->wsi ? lws_get_context(cl->wsi) : NULL;
	c->next = cp_list;
	cp_list = c;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	xfer_init(c->ctx);
	for (int i = 1; i < n - 2; i++) {
		const char *a = cJSON_GetArrayItem(argv, i)->valuestring;
		const char *v = i + 1 < n - 2 ? cJSON_GetArrayItem(argv, i + 1)->valuestring : NULL;

		if (strcmp(a, "-f") == 0 || strcmp(a, "-force") == 0)
			c->force = 1;
		else if (strcmp(a, "-T") == 0 && v)
			c->jobs = atoi(v), i++;
		else if (strcmp(a, "-glob") == 0 && v)
			c->glob = strdup(v), i++;
		else if (strcmp(a, "-parent") == 0 && v)
			c->parent = atoi(v), i++;
		else if (strcmp(a, "-rmprefix") == 0 && v)
			c->rmprefix = atoi(v), i++;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "-help") == 0) {
			cJSON_Delete(req);
			command_reply(cmd, cp_usage, NULL, 0);
			cp_free(c);
			return 0;
		}
	}
	if (c->jobs < 1)
		c->jobs = 1;
	if (c->jobs > XFER_THREADS_MAX)
		c->jobs = XFER_THREADS_MAX;
	if (n < 3) {
		cJSON_Delete(req);
		cp_finish(c, cp_usage, 22);
		return 0;
	}
	src = cJSON_GetArrayItem(argv, n - 2)->valuestring;
	dst = cJSON_GetArrayItem(argv, n - 1)->valuestring;
	src_local = strncmp(src, "file:", 5) == 0;
	dst_local = strncmp(dst, "file:", 5) == 0;
	if (!src_local && !dst_local) {
		cJSON_Delete(req);
		cp_finish(c, "grid to grid copy is WIP; use file: for the local side\n", 1);
		return 0;
	}
	if (src_local && dst_local) {
		cJSON_Delete(req);
		cp_finish(c, "for local copy use system command; one side must be a grid path\n", 1);
		return 0;
	}
	c->upload = src_local;
	{
		const char *g = c->upload ? dst : src;
		char *gcopy = strdup(g);

		at = gcopy ? strchr(gcopy, '@') : NULL;
		if (at) {
			c->specs = strdup(at + 1);
			gcopy[at - gcopy] = '\0';
		}
		c->grid = gcopy ? cp_path_grid(gcopy, command_term_cwd(cmd), upstream_home()) : NULL;
		free(gcopy);
		c->local = cp_path_local(c->upload ? src : dst, shim_cwd, home);
	}
	cJSON_Delete(req);
	if (!c->grid || !c->local) {
		cp_finish(c, "jaliend: out of memory\n", 12);
		return 0;
	}
	if (c->tty && !c->json && c->ctx)
		lws_sul_schedule(c->ctx, 0, &c->sul, cp_bar_cb, CP_BAR_MS * LWS_US_PER_MS);
	if (c->upload) {
		if (cp_plan_upload(c, err, sizeof(err)) < 0) {
			cp_finish(c, err, 2);
			return 0;
		}
		for (int i = 0; i < c->nfiles; i++)
			c->files[i].st = CF_NEW;
		if (!c->nfiles) {
			cp_finish(c, "No copy jobs to be done!\n", 0);
			return 0;
		}
		cp_pump(c);
		return 0;
	}
	{
		char *slash = strrchr(c->local, '/'), save;
		struct stat st;

		/* the destination folder (or its nearest existing parent) must be writable */
		if (slash) {
			save = slash[1];
			slash[1] = '\0';
			while (stat(c->local, &st) < 0 && slash > c->local) {
				*slash = '\0';
				slash = strrchr(c->local, '/');
				if (!slash)
					break;
				slash[1] = '\0';
			}
			if (access(c->local, W_OK) < 0) {
				snprintf(err, sizeof(err), "no write permission/or missing in any component of %s\n", c->local);
				free(c->local);
				c->local = cp_path_local(dst, shim_cwd, home);
				cp_finish(c, err, 2);
				return 0;
			}
			(void)save;
		}
		free(c->local);
		c->local = cp_path_local(dst, shim_cwd, home);
	}
	if (!c->local || command_upstream(cmd, "stat", cp_opts("-nomsg", c->grid, NULL), UP_REQ_READONLY,
					  cp_src_stat_done) < 0)
		cp_finish(c, "jaliend: out of memory\n", 12);
	return 0;
}

void cp_cancel(struct command *cmd)
{
	struct cp *c = cp_of(cmd);

	if (!c)
		return;
	for (int i = 0; i < c->nfiles; i++) {
		struct cp_file *f = &c->files[i];

		if (f->job)
			xfer_cancel(f->job); /* the worker removes the temporary file and the metalink */
		else if (f->meta && f->st != CF_DONE)
			unlink(f->meta);
		for (int r = 0; r < f->nreps; r++) {
			struct cp_rep *p = &f->reps[r];

			if (p->job) {
				xfer_cancel(p->job); /* the worker removes the partial upload */
			} else if (p->ok && p->committed != 1) {
				/* copied but not committed: remove it so nothing is left behind */
				struct strbuf u = { 0 };
				struct xfer_req rq = { .kind = XFER_RM };

				strbuf_addf(&u, "%s?xrd.wantprot=unix&authz=%s", p->url, p->envelope);
				rq.target = strbuf_cstr(&u);
				if (rq.target)
					xfer_submit(&rq, NULL, NULL, NULL);
				strbuf_free(&u);
			}
		}
	}
	log_info("cp: cancelled (%d of %d files done)", c->finished, c->nfiles);
	cp_free(c);
}
