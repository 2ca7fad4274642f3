/* cp.c - see cp.h and cp_int.h. One struct cp per running command; each of
 * its files goes through a state machine (enum cp_fstate, changed only by
 * cp_file_set). Server calls are serial, one in flight for the whole cp, as
 * alien.py makes them (stat, rm, mkdir, access, commit); at most -T files
 * have copies or md5 jobs in xfer at once; cp_pump moves things on after
 * every event. */
#include "cp_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "upstream/upstream.h"
#include "xrootd/xfer.h"

static struct cp *cp_list;

static const char *const cp_fstate_name[] = {
	[CF_NEW] = "NEW", [CF_MD5] = "MD5", [CF_STAT] = "STAT", [CF_RM] = "RM", [CF_MKDIR] = "MKDIR",
	[CF_ACCESS] = "ACCESS", [CF_READY] = "READY", [CF_COPY] = "COPY", [CF_COMMIT] = "COMMIT", [CF_DONE] = "DONE",
};

double cp_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

const char *cp_meta_str(const cJSON *reply, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply, "metadata"), key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

int cp_reply_code(const cJSON *reply)
{
	return atoi(cp_meta_str(reply, "exitcode"));
}

const char *cp_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *cp_opts(const char *first, ...)
{
	cJSON *o = cJSON_CreateArray();
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s && o; s = va_arg(ap, const char *))
		cJSON_AddItemToArray(o, cJSON_CreateString(s));
	va_end(ap);
	return o;
}

struct cp *cp_of(struct command *cmd)
{
	for (struct cp *c = cp_list; c; c = c->next)
		if (c->cmd == cmd)
			return c;
	return NULL;
}

void cp_file_set(struct cp_file *f, enum cp_fstate st)
{
	log_debug("cp: job %d (%s): %s -> %s", f->idx, f->lfn, cp_fstate_name[f->st], cp_fstate_name[st]);
	f->st = st;
}

static void cp_file_end(struct cp *c, struct cp_file *f)
{
	if (f->st != CF_NEW)
		c->active--;
	cp_file_set(f, CF_DONE);
	c->finished++;
}

/* After its last line: what a finished file no longer needs (a cp of many
 * files would otherwise hold every envelope until the end). */
static void cp_file_release(struct cp_file *f)
{
	cJSON_Delete(f->rows);
	f->rows = NULL;
	for (int r = 0; r < f->nreps; r++) {
		free(f->reps[r].url);
		free(f->reps[r].envelope);
		f->reps[r].url = f->reps[r].envelope = NULL;
	}
}

void cp_file_ok(struct cp *c, struct cp_file *f)
{
	f->ok = 1;
	c->ok++;
	cp_file_end(c, f);
	cp_out_done(c, f);
	cp_file_release(f);
}

void cp_file_fail(struct cp *c, struct cp_file *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
	cp_file_end(c, f);
	cp_out_done(c, f);
	cp_file_release(f);
}

void cp_file_skip(struct cp *c, struct cp_file *f, const char *why)
{
	f->skipped = 1;
	c->skipped++;
	cp_file_end(c, f);
	cp_out_skip(c, f, why);
}

static void cp_file_dry(struct cp *c, struct cp_file *f)
{
	f->ok = f->dry = 1;
	c->ok++;
	cp_file_end(c, f);
	cp_out_dry(c, f);
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
		cJSON_Delete(f->rows);
		free(f->ses);
		free(f->specs);
		free(f->tried);
	}
	free(c->files);
	cp_plan_free(c);
	cp_opt_free(c);
	free(c->shim_cwd);
	free(c->home);
	for (int i = 0; i < CP_MADE_MAX; i++)
		free(c->made[i]);
	free(c);
}

/* The end: err (possibly "") with code, or the summary; EXIT through command_reply. */
void cp_finish(struct cp *c, const char *err, int code)
{
	if (err)
		command_reply(c->cmd, NULL, *err ? err : NULL, code);
	else
		cp_out_summary(c);
	cp_free(c);
}

/* ---- server calls (one in flight: c->current) ---- */

static int cp_call(struct cp *c, struct cp_file *f, const char *verb, cJSON *opts, unsigned flags,
		   command_then_fn then)
{
	c->current = f;
	if (!opts || command_upstream(c->cmd, verb, opts, flags, then) < 0) {
		c->current = NULL;
		cp_file_fail(c, f, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* the file whose call came back, or NULL (reply freed) if the cp is gone */
static struct cp_file *cp_returned(struct command *cmd, cJSON *reply, struct cp **cpp)
{
	struct cp *c = cp_of(cmd);
	struct cp_file *f = c ? c->current : NULL;

	if (c)
		c->current = NULL;
	if (!f)
		cJSON_Delete(reply);
	*cpp = c;
	return f;
}

/* the reply's error line, or the local reason when there was no reply */
static const char *cp_reply_err(const cJSON *reply, const char *msg)
{
	return reply ? cp_meta_str(reply, "error") : msg ? msg : "no reply";
}

static void cp_upload_stat_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c;
	struct cp_file *f = cp_returned(cmd, reply, &c);
	const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
	struct stat st;

	(void)code;
	(void)msg;
	if (!f)
		return;
	cp_file_set(f, CF_MKDIR);
	if (reply && cp_reply_code(reply) == 0 && row) {
		const char *size = cp_str(row, "size"), *md5 = cp_str(row, "md5"), *ct = cp_str(row, "ctime");
		int newer = ct && (f->tpc ? f->ctime_ms > atoll(ct) /* grid to grid: the source's ctime */
				       : stat(f->local, &st) == 0 && (long long)st.st_mtime * 1000 > atoll(ct));

		if (size && atoll(size) == f->size && !newer && (!c->force || (md5 && strcasecmp(md5, f->md5) == 0)))
			cp_file_skip(c, f, c->force ? "md5 match" : "size match, source/local_file older than destination/lfn");
		else
			cp_file_set(f, CF_RM); /* replaced: removed first, as alien.py */
	}
	cJSON_Delete(reply);
	cp_pump(c);
}

static void cp_step_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c;
	struct cp_file *f = cp_returned(cmd, reply, &c);

	if (!f)
		return;
	if (!reply || cp_reply_code(reply) != 0) {
		cp_file_fail(c, f, "%s %s: %s", f->st == CF_RM ? "cannot replace" : "cannot make the folder of", f->lfn,
			     cp_reply_err(reply, msg));
		if (f->st == CF_MKDIR) { /* the next file of this folder tries again */
			free(c->made[(c->nmade - 1) % CP_MADE_MAX]);
			c->made[(c->nmade - 1) % CP_MADE_MAX] = NULL;
		}
	} else {
		cp_file_set(f, CF_ACCESS); /* after rm -f too: the LFN existed, so its folder does */
	}
	(void)code;
	cJSON_Delete(reply);
	cp_pump(c);
}

/* upload: keep the rows of an access write as this pass's replicas */
static int cp_take_reps(struct cp_file *f, const cJSON *results)
{
	int n = cJSON_GetArraySize(results), k = f->nreps;
	struct cp_rep *nr = realloc(f->reps, (size_t)(f->nreps + n) * sizeof(*nr));
	const cJSON *row;

	if (!nr)
		return -ENOMEM;
	f->reps = nr;
	cJSON_ArrayForEach(row, results) {
		struct cp_rep *p = &f->reps[k];
		const char *url = cp_str(row, "url"), *env = cp_str(row, "envelope");

		if (!url)
			continue;
		memset(p, 0, sizeof(*p));
		p->pass = f->pass;
		p->url = strdup(url);
		p->envelope = strdup(env ? env : "");
		p->se = cp_str(row, "se") ? strdup(cp_str(row, "se")) : NULL;
		p->guid = cp_str(row, "guid") ? strdup(cp_str(row, "guid")) : NULL;
		if (!p->url || !p->envelope) {
			free(p->url);
			free(p->envelope);
			free(p->se);
			free(p->guid);
			f->nreps = k; /* the ones complete so far are freed with the file */
			return -ENOMEM;
		}
		k++;
	}
	f->nreps = k;
	return 0;
}

static void cp_file_upload_end(struct cp *c, struct cp_file *f);

static void cp_access_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c;
	struct cp_file *f = cp_returned(cmd, reply, &c);
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results"), *row;
	int rc, src_read = f && f->tpc && !f->rows; /* grid to grid: the source's access read */

	(void)code;
	if (!f)
		return;
	if (!reply || cp_reply_code(reply) != 0 || !cJSON_GetArraySize(results)) {
		snprintf(f->err, sizeof(f->err), "access %s: %s", f->upload && !src_read ? "write" : "read",
			 cp_reply_err(reply, msg));
		if (f->pass > 1) { /* recovery found no other SE: the file keeps what it has */
			cp_out(c, 2, "jobID: %d/%d >>> recovery of %s: %s\n", f->idx, c->nfiles, f->lfn, f->err);
			f->pass = CP_PASSES;
			cp_file_upload_end(c, f);
		} else {
			cp_file_fail(c, f, "%s", f->err);
		}
	} else if (src_read) {
		cp_tpc_read_done(c, f, results);
	} else if (f->upload) {
		if (cp_take_reps(f, results) < 0)
			cp_file_fail(c, f, "out of memory");
		else
			cp_file_set(f, CF_READY);
	} else if (c->dryrun) {
		char ses[600] = "";

		cJSON_ArrayForEach(row, results)
			if (cp_str(row, "se") && strlen(ses) + strlen(cp_str(row, "se")) + 2 < sizeof(ses))
				snprintf(ses + strlen(ses), sizeof(ses) - strlen(ses), "%s%s", ses[0] ? "," : "",
					 cp_str(row, "se"));
		f->ses = strdup(ses);
		cp_file_dry(c, f);
	} else if (!(f->rows = cJSON_Duplicate(results, 1))) {
		cp_file_fail(c, f, "out of memory");
	} else if ((rc = cp_copy_metalink(f)) < 0) {
		cp_file_fail(c, f, "cannot write a metalink in %s: %s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			     strerror(-rc));
	} else {
		row = cJSON_GetArrayItem(results, 0);
		if (cp_str(row, "guid"))
			f->guid = strdup(cp_str(row, "guid"));
		cp_file_set(f, CF_READY);
	}
	cJSON_Delete(reply);
	cp_pump(c);
}

/* "disk:N" by alien.py's defaults, or the recovery pass's "disk:N,!SE1,..." */
static int cp_upload_specs(const struct cp *c, const struct cp_file *f, char *buf, size_t n)
{
	static const char *const small[] = { ".sh", ".C", ".jdl", ".xml" };
	const char *base = strrchr(f->lfn, '/') ? strrchr(f->lfn, '/') + 1 : f->lfn;
	size_t bl = strlen(base);
	int failed = 0;

	(void)c;
	if (f->pass > 1) {
		for (int r = 0; r < f->nreps; r++)
			failed += f->reps[r].pass == f->pass - 1 && f->reps[r].st == CR_FAILED;
		return snprintf(buf, n, "disk:%d%s%s", failed ? failed : 1, f->tried ? "," : "", f->tried ? f->tried : "");
	}
	if (f->specs)
		return snprintf(buf, n, "%s", f->specs);
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (bl > strlen(small[i]) && strcmp(base + bl - strlen(small[i]), small[i]) == 0 && f->size < (1 << 20))
			return snprintf(buf, n, "disk:4");
	return snprintf(buf, n, "disk:2");
}

static void cp_access_call(struct cp *c, struct cp_file *f)
{
	char specs[CP_SPECS_MAX + 64], size[32];
	cJSON *o;

	if (!f->upload || (f->tpc && !f->rows)) { /* grid to grid: the source's first, without the specs (its
						   * destination's) */
		cp_call(c, f, "access", cp_opts("-nomsg", "read", f->tpc ? f->local : f->lfn, f->tpc ? NULL : f->specs, NULL),
			UP_REQ_READONLY, cp_access_done);
		return;
	}
	if (cp_upload_specs(c, f, specs, sizeof(specs)) >= (int)sizeof(specs)) {
		cp_file_fail(c, f, "storage specs too long (tried: %s)", f->tried ? f->tried : "");
		return;
	}
	snprintf(size, sizeof(size), "%lld", f->size);
	o = cp_opts("-nomsg", "-s", size, "-m", f->md5, "write", f->lfn, specs, NULL);
	if (o) /* the size goes as a JSON number (alienpy-behaviour 4.7) */
		cJSON_ReplaceItemInArray(o, 2, cJSON_CreateNumber((double)f->size));
	cp_call(c, f, "access", o, 0, cp_access_done);
}

/* ---- commit and the recovery passes ---- */

static void cp_commit_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cp *c;
	struct cp_file *f = cp_returned(cmd, reply, &c);

	(void)code;
	if (!f)
		return;
	for (int r = 0; r < f->nreps; r++) {
		struct cp_rep *p = &f->reps[r];

		if (p->st != CR_COMMITTING)
			continue;
		if (reply && cp_reply_code(reply) == 0) {
			p->st = CR_COMMITTED;
			if (!f->pass_ok[p->pass - 1] && p->pass > 1)
				c->recovered_ok[p->pass - 1]++;
			f->pass_ok[p->pass - 1] = 1;
		} else {
			p->st = CR_NOT_COMMITTED;
			snprintf(f->err, sizeof(f->err), "commit of %s failed: %s", p->se ? p->se : p->url,
				 cp_reply_err(reply, msg));
			cp_out(c, 2, "%s\n", f->err);
			cp_copy_remove(p); /* not in the catalogue: not left on the SE either */
		}
	}
	cJSON_Delete(reply);
	cp_pump(c);
}

/* every SE this file was given, for the recovery's exclusions */
static int cp_tried(struct cp_file *f)
{
	size_t n = 1;
	char *t;

	for (int r = 0; r < f->nreps; r++)
		n += f->reps[r].se ? strlen(f->reps[r].se) + 2 : 0;
	t = malloc(n);
	if (!t)
		return -ENOMEM;
	t[0] = '\0';
	for (int r = 0; r < f->nreps; r++)
		if (f->reps[r].se)
			snprintf(t + strlen(t), n - strlen(t), "%s!%s", t[0] ? "," : "", f->reps[r].se);
	free(f->tried);
	f->tried = t;
	return 0;
}

/* Commits done for this pass: another pass for the failed copies, or the end. */
static void cp_file_upload_end(struct cp *c, struct cp_file *f)
{
	int failed = 0, committed = 0;

	for (int r = 0; r < f->nreps; r++) {
		failed += f->reps[r].pass == f->pass && f->reps[r].st == CR_FAILED;
		committed += f->reps[r].st == CR_COMMITTED;
	}
	if (failed && f->pass < CP_PASSES && !c->norecovery && cp_tried(f) == 0) {
		f->pass++;
		c->recovered[f->pass - 1]++;
		cp_file_set(f, CF_ACCESS);
		return;
	}
	if (committed)
		cp_file_ok(c, f);
	else
		cp_file_fail(c, f, "%s", f->err[0] ? f->err : "no replica could be written");
}

static void cp_commit_next(struct cp *c, struct cp_file *f)
{
	char size[32];

	for (int r = 0; r < f->nreps; r++) {
		struct cp_rep *p = &f->reps[r];
		cJSON *o;

		if (p->st != CR_COPIED)
			continue;
		p->st = CR_COMMITTING;
		snprintf(size, sizeof(size), "%lld", f->size);
		o = cp_opts("-nokeys", p->envelope, size, f->lfn, "644", "0", p->url, p->se ? p->se : "",
			    p->guid ? p->guid : "", f->md5, NULL);
		if (o) /* the size as a JSON number, as alien.py sends it (spec 7.6) */
			cJSON_ReplaceItemInArray(o, 2, cJSON_CreateNumber((double)f->size));
		cp_call(c, f, "commit", o, 0, cp_commit_done);
		return;
	}
	cp_file_upload_end(c, f);
}

/* ---- the pump ---- */

/* A file leaves NEW: upload md5, or the download's local check (4.6). */
static void cp_file_begin(struct cp *c, struct cp_file *f)
{
	struct stat st;

	c->active++;
	if (f->tpc) { /* the source's access read first: nothing is removed or made before it */
		cp_file_set(f, CF_ACCESS);
		return;
	}
	if (f->upload) {
		if (cp_copy_md5(c, f) < 0)
			cp_file_fail(c, f, "cannot compute the md5 of %s (out of memory)", f->local);
		return;
	}
	if (stat(f->local, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == f->size &&
	    (long long)st.st_mtime * 1000 + 999 >= f->ctime_ms) {
		if (!c->force)
			cp_file_skip(c, f, "size match, source/lfn older than destination/local_file");
		else if (!f->md5[0])
			cp_file_set(f, CF_ACCESS); /* nothing to compare with */
		else if (cp_copy_md5(c, f) < 0)
			cp_file_fail(c, f, "cannot compute the md5 of %s (out of memory)", f->local);
		return;
	}
	cp_file_set(f, CF_ACCESS);
}

/* 1 if the folder lfn[0..dl) ("dir/") was made by this cp, itself or below it (mkdir -p made it too) */
static int cp_made(const struct cp *c, const char *lfn, size_t dl)
{
	for (int i = 0; i < CP_MADE_MAX; i++)
		if (c->made[i] && strlen(c->made[i]) >= dl && strncmp(c->made[i], lfn, dl) == 0)
			return 1;
	return 0;
}

/* The server call f waits for. */
static void cp_file_call(struct cp *c, struct cp_file *f)
{
	size_t dl;
	int slot;

	switch (f->st) {
	case CF_STAT:
		if (f->fresh) { /* the plan's stat of the destination already said "missing" */
			cp_file_set(f, CF_MKDIR);
			cp_file_call(c, f);
			break;
		}
		cp_call(c, f, "stat", cp_opts("-nomsg", f->lfn, NULL), UP_REQ_READONLY, cp_upload_stat_done);
		break;
	case CF_RM:
		if (c->dryrun) {
			cp_file_dry(c, f);
			break;
		}
		cp_call(c, f, "rm", cp_opts("-nomsg", "-f", f->lfn, NULL), 0, cp_step_done);
		break;
	case CF_MKDIR:
		if (c->dryrun) {
			cp_file_dry(c, f); /* no folder, no envelope: access write books replicas */
			break;
		}
		dl = (size_t)(strrchr(f->lfn, '/') - f->lfn) + 1;
		if (cp_made(c, f->lfn, dl)) {
			cp_file_set(f, CF_ACCESS);
			cp_access_call(c, f);
			break;
		}
		slot = c->nmade++ % CP_MADE_MAX;
		free(c->made[slot]);
		if (!(c->made[slot] = strndup(f->lfn, dl))) {
			cp_file_fail(c, f, "out of memory");
			break;
		}
		cp_call(c, f, "mkdir", cp_opts("-nomsg", "-p", c->made[slot], NULL), 0, cp_step_done);
		break;
	case CF_ACCESS:
		cp_access_call(c, f);
		break;
	case CF_COMMIT:
		cp_commit_next(c, f);
		break;
	default:
		break;
	}
}

static void cp_pump_once(struct cp *c)
{
	/* commits first: they end files */
	for (int i = c->first_open; !c->current && i < c->nfiles && c->files[i].st != CF_NEW; i++)
		if (c->files[i].st == CF_COMMIT)
			cp_file_call(c, &c->files[i]);
	for (int i = c->first_open; i < c->nfiles; i++) {
		struct cp_file *f = &c->files[i];

		switch (f->st) {
		case CF_NEW:
			if (c->active >= CP_WINDOW(c) || c->copying >= c->jobs)
				i = c->nfiles; /* files start in order: the rest wait too */
			else
				cp_file_begin(c, f), i--; /* now past NEW: look at it again */
			break;
		case CF_STAT:
		case CF_RM:
		case CF_MKDIR:
		case CF_ACCESS:
		case CF_COMMIT:
			if (!c->current)
				cp_file_call(c, f);
			break;
		case CF_READY:
			if (c->copying < c->jobs)
				cp_copy_start(c, f);
			break;
		default:
			break;
		}
	}
	while (c->first_open < c->nfiles && c->files[c->first_open].st == CF_DONE)
		c->first_open++;
}

void cp_pump(struct cp *c)
{
	if (c->planning)
		return;
	if (c->pumping) { /* a call answered at once: the outer pump goes round again */
		c->again = 1;
		return;
	}
	c->pumping = 1;
	do {
		c->again = 0;
		cp_pump_once(c);
	} while (c->again);
	c->pumping = 0;
	if (c->finished == c->nfiles && !c->current && c->copying == 0)
		cp_finish(c, NULL, 0);
}

/* ---- start and cancel ---- */

int cp_start(struct command *cmd, const cJSON *argv, const char *payload, size_t len)
{
	struct cp *c = calloc(1, sizeof(*c));
	cJSON *req = cJSON_ParseWithLength(payload, len);
	const char *shim_cwd = cp_str(req, "cwd"), *home = command_env(cmd, "HOME");
	const cJSON *bar;
	char err[4096]; /* the usage text fits */
	int code;

	if (!c) {
		cJSON_Delete(req);
		return -ENOMEM;
	}
	c->cmd = cmd, c->json = command_json(cmd), c->jobs = CP_JOBS_DEFAULT;
	/* the bar goes where the shim draws it: "progress" (its stderr is a
	 * terminal); older shims only tell "tty" (their stdout is one) */
	c->xrddebug = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "xrddebug"));
	bar = cJSON_GetObjectItemCaseSensitive(req, "progress");
	c->tty = cJSON_IsBool(bar) ? cJSON_IsTrue(bar) : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "tty"));
	c->ctx = command_lws_context(cmd);
	c->shim_cwd = shim_cwd ? strdup(shim_cwd) : NULL;
	c->home = home ? strdup(home) : NULL;
	c->t0 = cp_now();
	c->planning = 1;
	c->next = cp_list;
	cp_list = c;
	cJSON_Delete(req);
	xfer_init(c->ctx);
	if (cp_opt_parse(c, argv, err, sizeof(err), &code) < 0) {
		if (code == 0) { /* -h, or -input with nothing to copy: stdout */
			command_reply(cmd, err, NULL, 0);
			cp_free(c);
		} else {
			cp_finish(c, err, code);
		}
		return 0;
	}
	cp_plan_next(c);
	return 0;
}

void cp_cancel(struct command *cmd)
{
	struct cp *c = cp_of(cmd);

	if (!c)
		return;
	for (int i = 0; i < c->nfiles; i++)
		cp_copy_cancel(&c->files[i]);
	log_info("cp: cancelled (%d of %d files done)", c->finished, c->nfiles);
	cp_free(c);
}

int cp_stop_all(const char *why)
{
	int n = 0;

	while (cp_list) {
		struct cp *c = cp_list;
		char msg[400];

		for (int i = 0; i < c->nfiles; i++)
			cp_copy_cancel(&c->files[i]);
		snprintf(msg, sizeof(msg),
			 "jaliend is stopping (%s): cp cancelled with %d of %d files done; partial files removed, "
			 "nothing more committed\n", why, c->finished, c->nfiles);
		log_notice("cp: %.*s", (int)strlen(msg) - 1, msg);
		cp_finish(c, msg, CP_STOPPED_EXIT);
		n++;
	}
	return n;
}
