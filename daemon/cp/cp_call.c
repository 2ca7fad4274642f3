/* cp_call.c - cp's calls to JCentral, as alien.py makes them (an upload's
 * stat, rm -f, mkdir -p, access read or write, its commits, with the recovery
 * passes that ask other SEs for the failed copies), but pipelined: several
 * calls in flight at once, each its own request in the pool (upstream.h: a
 * session serves one at a time, so they spread over the pool's sessions and
 * the pool grows for them). One file has one call in flight at a time (its
 * calls depend on each other), except its commits: one per copied replica,
 * together. Caps: CP_CALLS_MAX per cp, CP_CALLS_DAEMON_MAX for all cps.
 * cp_call_next makes the call(s) a file's state (enum cp_fstate) says are next. */
#include "cp_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "command/complete.h"
#include "command/policy.h"
#include "log.h"
#include "upstream/upstream.h"

/* ---- the calls in flight ---- */

struct cp_call { /* one request in flight (the up_req's owner) */
	struct cp_call *next;
	struct cp *cp;
	int file;    /* index in cp->files */
	int arg;     /* commit: the replica; mkdir: its made[] slot */
	int changes; /* it may change the catalogue (completion caches go) */
	cp_call_fn then;
	struct up_req *req;
};

static int cp_calls_all; /* calls in flight, every cp of the daemon */

/* How many more calls c may send now (0: wait; the daemon's cap marks it starved). */
int cp_call_room(struct cp *c)
{
	int mine = CP_CALLS_MAX - c->ncalls, all = CP_CALLS_DAEMON_MAX - cp_calls_all;

	if (all <= 0 && mine > 0)
		c->starved = 1;
	return mine < all ? mine : all;
}

static void cp_call_unlink(struct cp_call *k)
{
	struct cp *c = k->cp;

	for (struct cp_call **pp = &c->calls; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	c->ncalls--;
	cp_calls_all--;
	c->files[k->file].calls--;
}

/* The cp goes: its calls' replies are dropped when they come. */
void cp_call_cancel_all(struct cp *c)
{
	while (c->calls) {
		struct cp_call *k = c->calls;

		c->calls = k->next;
		cp_calls_all--;
		upstream_cancel(k->req);
		free(k);
	}
	c->ncalls = 0;
}

static void cp_call_trace(struct up_req *r, int received, const char *text, size_t len)
{
	const struct cp_call *k = r->owner;

	if (k)
		command_trace_to(k->cp->cmd, received, text, len);
}

/* A cp the daemon's cap held back gets its turn (one at a time: a pump may end a cp). */
static void cp_call_kick(void)
{
	struct cp *c;

	while (cp_calls_all < CP_CALLS_DAEMON_MAX && (c = cp_starved())) {
		c->starved = 0;
		cp_pump(c);
	}
}

static void cp_call_done(struct up_req *req, cJSON *reply, int code, const char *msg)
{
	struct cp_call *k = req->owner;
	struct cp *c = k->cp;

	cp_call_unlink(k);
	if (reply && k->changes)
		complete_forget();	       /* the catalogue may have changed */
	if (c->files[k->file].st == CF_DONE) { /* failed meanwhile (out of memory) */
		cJSON_Delete(reply);
		cp_pump(c);
	} else {
		/* pumps c (which may end) */
		k->then(c, &c->files[k->file], k->arg, reply, code, msg);
	}
	free(k);
	cp_call_kick();
}

/* Send verb + opts (taken) for f; safe: it may be sent again on a fresh
 * session if its own is lost mid-call (never a commit). 0, or -ENOMEM with f failed. */
int cp_call(struct cp *c, struct cp_file *f, int arg, const char *verb, cJSON *opts, int safe,
	    cp_call_fn then)
{
	struct cp_call *k = calloc(1, sizeof(*k));
	int debug = command_debug(c->cmd);

	if (k && opts)
		k->req = command_upstream_req(c->cmd, verb, opts, safe ? UP_REQ_READONLY : 0,
					      cp_call_done, k);
	else
		cJSON_Delete(opts);
	if (!k || !k->req) {
		free(k);
		cp_file_fail(c, f, "%s", exitcode_meaning(JD_EXIT_NOMEM));
		return -ENOMEM;
	}
	k->cp = c, k->file = (int)(f - c->files), k->arg = arg, k->then = then;
	/* the command table's policy says whether it only reads (stat) */
	k->changes = !(policy_flags(verb, k->req->options) & UP_REQ_READONLY);
	if (debug)
		k->req->trace = cp_call_trace;
	k->next = c->calls;
	c->calls = k;
	c->ncalls++;
	cp_calls_all++;
	f->calls++;
	log_debug("cp: job %d: %s sent (%d in flight for this cp, %d in the daemon)", f->idx, verb,
		  c->ncalls, cp_calls_all);
	upstream_submit(k->req); /* answered from the loop, never before this returns */
	return 0;
}

/* the reply's error line, or the local reason when there was no reply */
static const char *cp_call_err(const cJSON *reply, const char *msg)
{
	return reply ? cp_meta_str(reply, "error") : msg ? msg : "no reply";
}

static void cp_call_stat_done(struct cp *c, struct cp_file *f, int arg, cJSON *reply, int code,
			      const char *msg)
{
	const cJSON *row =
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
	struct stat st;

	(void)arg;
	(void)code;
	(void)msg;
	cp_file_set(f, CF_MKDIR);
	if (reply && cp_reply_code(reply) == 0 && row) {
		const char *size = cp_str(row, "size"), *md5 = cp_str(row, "md5"),
			   *ct = cp_str(row, "ctime");
		/* grid to grid: the source's ctime */
		int newer = ct && (f->tpc ? f->ctime_ms > atoll(ct)
					  : stat(f->local, &st) == 0 &&
						    (long long)st.st_mtime * 1000 > atoll(ct));

		if (size && atoll(size) == f->size && !newer &&
		    (!c->force || (md5 && strcasecmp(md5, f->md5) == 0)))
			cp_file_skip(c, f,
				     c->force ? "md5 match"
					      : "size match, source/local_file older than "
						"destination/lfn");
		else
			/* replaced: kept until the new one is committed (not rm -f first) */
			cp_replace_begin(c, f);
	}
	cJSON_Delete(reply);
	cp_pump(c);
}

/* mkdir -p (arg: its made[] slot; -1: none) answered */
static void cp_call_step_done(struct cp *c, struct cp_file *f, int arg, cJSON *reply, int code,
			      const char *msg)
{
	if (arg >= 0)
		c->made_wait[arg] = 0; /* the files of this folder waiting for it go on */
	if (!reply || cp_reply_code(reply) != 0) {
		cp_file_fail(c, f, "cannot make the folder of %s: %s", f->lfn,
			     cp_call_err(reply, msg));
		if (arg >= 0) { /* the next file of this folder tries again */
			free(c->made[arg]);
			c->made[arg] = NULL;
		}
	} else {
		cp_file_set(f, CF_ACCESS);
	}
	(void)code;
	cJSON_Delete(reply);
	cp_pump(c);
}

/* upload: keep the rows of an access write as this pass's replicas */
static int cp_call_take_reps(struct cp_file *f, const cJSON *results)
{
	int n = cJSON_GetArraySize(results), k = f->nreps;
	struct cp_rep *nr = realloc(f->reps, (size_t)(f->nreps + n) * sizeof(*nr));
	const cJSON *row;

	if (!nr)
		return -ENOMEM;
	f->reps = nr;
	cJSON_ArrayForEach (row, results) {
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

static void cp_call_upload_end(struct cp *c, struct cp_file *f);

static void cp_call_access_done(struct cp *c, struct cp_file *f, int arg, cJSON *reply, int code,
				const char *msg)
{
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results"), *row;
	int rc, src_read = f->tpc && !f->rows; /* grid to grid: the source's access read */

	(void)arg;
	(void)code;
	if (!reply || cp_reply_code(reply) != 0 || !cJSON_GetArraySize(results)) {
		snprintf(f->err, sizeof(f->err), "access %s: %s",
			 f->upload && !src_read ? "write" : "read", cp_call_err(reply, msg));
		if (f->pass > 1) { /* recovery found no other SE: the file keeps what it has */
			cp_out(c, 2, "jobID: %d/%d >>> recovery of %s: %s\n", f->idx, c->nfiles,
			       f->lfn, f->err);
			f->pass = CP_PASSES;
			cp_call_upload_end(c, f);
		} else {
			cp_file_fail(c, f, "%s", f->err);
		}
	} else if (src_read) {
		cp_tpc_read_done(c, f, results);
	} else if (f->upload) {
		if (cp_call_take_reps(f, results) < 0)
			cp_file_fail(c, f, "%s", exitcode_meaning(JD_EXIT_NOMEM));
		else
			cp_file_set(f, CF_READY);
	} else if (c->dryrun) {
		char ses[600] = "";

		cJSON_ArrayForEach (row, results)
			if (cp_str(row, "se") &&
			    strlen(ses) + strlen(cp_str(row, "se")) + 2 < sizeof(ses))
				snprintf(ses + strlen(ses), sizeof(ses) - strlen(ses), "%s%s",
					 ses[0] ? "," : "", cp_str(row, "se"));
		f->ses = strdup(ses);
		cp_file_dry(c, f);
	} else if (!(f->rows = cJSON_Duplicate(results, 1))) {
		cp_file_fail(c, f, "%s", exitcode_meaning(JD_EXIT_NOMEM));
	} else if ((rc = cp_copy_metalink(f)) < 0) {
		cp_file_fail(c, f, "cannot write a metalink in %s: %s",
			     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(-rc));
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
static int cp_call_specs(const struct cp *c, const struct cp_file *f, char *buf, size_t n)
{
	static const char *const small[] = { ".sh", ".C", ".jdl", ".xml" };
	const char *base = strrchr(f->lfn, '/') ? strrchr(f->lfn, '/') + 1 : f->lfn;
	size_t bl = strlen(base);
	int failed = 0;

	(void)c;
	if (f->pass > 1) {
		for (int r = 0; r < f->nreps; r++)
			failed += f->reps[r].pass == f->pass - 1 && f->reps[r].st == CR_FAILED;
		return snprintf(buf, n, "disk:%d%s%s", failed ? failed : 1, f->tried ? "," : "",
				f->tried ? f->tried : "");
	}
	if (f->specs)
		return snprintf(buf, n, "%s", f->specs);
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (bl > strlen(small[i]) && strcmp(base + bl - strlen(small[i]), small[i]) == 0 &&
		    f->size < (1 << 20))
			return snprintf(buf, n, "disk:4");
	return snprintf(buf, n, "disk:2");
}

/* -strictspec: `access -f` (only the specs asked for; alien.py 1.7.0). A new
 * array: cJSON 1.7.15's InsertItemInArray refuses to insert into one built by
 * AddItemToArray (it finds no prev link). */
static cJSON *cp_call_strict(const struct cp *c, cJSON *o)
{
	cJSON *n, *it;

	if (!o || !c->strictspec || !(n = cJSON_CreateArray()))
		return o;
	for (int i = 0; (it = cJSON_DetachItemFromArray(o, 0)); i++) {
		if (i == 1)
			cJSON_AddItemToArray(n, cJSON_CreateString("-f"));
		cJSON_AddItemToArray(n, it);
	}
	cJSON_Delete(o);
	return n;
}

static void cp_call_access(struct cp *c, struct cp_file *f)
{
	char specs[CP_SPECS_MAX + 64], size[32];
	cJSON *o;

	/* grid to grid: the source's first, without the specs (its destination's) */
	if (!f->upload || (f->tpc && !f->rows)) {
		o = cp_opts("-nomsg", "read", f->tpc ? f->local : f->lfn, f->tpc ? NULL : f->specs,
			    NULL);
		cp_call(c, f, -1, "access", cp_call_strict(c, o), 1, cp_call_access_done);
		return;
	}
	if (cp_call_specs(c, f, specs, sizeof(specs)) >= (int)sizeof(specs)) {
		cp_file_fail(c, f, "storage specs too long (tried: %s)", f->tried ? f->tried : "");
		return;
	}
	snprintf(size, sizeof(size), "%lld", f->size);
	o = cp_opts("-nomsg", "-s", size, "-m", f->md5, "write", cp_replace_lfn(f), specs, NULL);
	if (o) /* the size goes as a JSON number (alienpy-behaviour 4.7) */
		cJSON_ReplaceItemInArray(o, 2, cJSON_CreateNumber((double)f->size));
	/* sent again if its session is lost: an envelope is only booked, nothing is
	 * registered before a commit */
	cp_call(c, f, -1, "access", cp_call_strict(c, o), 1, cp_call_access_done);
}

/* ---- commit and the recovery passes ---- */

/* replica r's commit answered; without a reply (its session lost, no answer in
 * time) it is not sent again: it may have been registered */
static void cp_call_commit_done(struct cp *c, struct cp_file *f, int r, cJSON *reply, int code,
				const char *msg)
{
	struct cp_rep *p = &f->reps[r];

	if (reply && cp_reply_code(reply) == 0) {
		p->st = CR_COMMITTED;
		if (!f->pass_ok[p->pass - 1] && p->pass > 1)
			c->recovered_ok[p->pass - 1]++;
		f->pass_ok[p->pass - 1] = 1;
	} else {
		p->st = CR_NOT_COMMITTED;
		snprintf(f->err, sizeof(f->err), "commit of %s failed: %s%s",
			 p->se ? p->se : p->url, cp_call_err(reply, msg),
			 reply ? "" : " (not sent again: it may be registered; alien-stat tells)");
		cp_out(c, 2, "%s\n", f->err);
		if (reply || (code != JD_EXIT_LOST && code != JD_EXIT_TIMEOUT))
			cp_copy_remove(p); /* not in the catalogue: not left on the SE either */
	}
	cJSON_Delete(reply);
	cp_pump(c);
}

/* every SE this file was given, for the recovery's exclusions */
static int cp_call_tried(struct cp_file *f)
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
			snprintf(t + strlen(t), n - strlen(t), "%s!%s", t[0] ? "," : "",
				 f->reps[r].se);
	free(f->tried);
	f->tried = t;
	return 0;
}

/* Commits done for this pass: another pass for the failed copies, or the end. */
static void cp_call_upload_end(struct cp *c, struct cp_file *f)
{
	int failed = 0, committed = 0;

	for (int r = 0; r < f->nreps; r++) {
		failed += f->reps[r].pass == f->pass && f->reps[r].st == CR_FAILED;
		committed += f->reps[r].st == CR_COMMITTED;
	}
	if (failed && f->pass < CP_PASSES && !c->norecovery && cp_call_tried(f) == 0) {
		f->pass++;
		c->recovered[f->pass - 1]++;
		cp_file_set(f, CF_ACCESS);
		return;
	}
	if (committed && f->write_lfn)
		cp_file_set(f, CF_SWAP); /* committed beside the LFN it replaces: swapped in next */
	else if (committed)
		cp_file_ok(c, f);
	else
		cp_file_fail(c, f, "%s", f->err[0] ? f->err : "no replica could be written");
}

/* a commit for each replica copied (as many as the caps let go now); when
 * none is left or in flight, the pass ends */
static void cp_call_commit_next(struct cp *c, struct cp_file *f)
{
	char size[32];
	int waiting = 0; /* replicas copied whose commit is in flight or still to go */

	for (int r = 0; r < f->nreps; r++) {
		struct cp_rep *p = &f->reps[r];
		cJSON *o;

		waiting += p->st == CR_COMMITTING || p->st == CR_COPIED;
		if (p->st != CR_COPIED || cp_call_room(c) <= 0)
			continue;
		p->st = CR_COMMITTING;
		snprintf(size, sizeof(size), "%lld", f->size);
		o = cp_opts("-nokeys", p->envelope, size, cp_replace_lfn(f), "644", "0", p->url,
			    p->se ? p->se : "", p->guid ? p->guid : "", f->md5, NULL);
		if (o) /* the size as a JSON number, as alien.py sends it (spec 7.6) */
			cJSON_ReplaceItemInArray(o, 2, cJSON_CreateNumber((double)f->size));
		if (cp_call(c, f, r, "commit", o, 0, cp_call_commit_done) < 0)
			return; /* f failed */
	}
	if (!waiting)
		cp_call_upload_end(c, f);
}

/* 1 if the folder lfn[0..dl) ("dir/") was made by this cp, itself or below it
 * (mkdir -p made it too); 2 if such a mkdir -p is in flight; else 0 */
static int cp_call_made(const struct cp *c, const char *lfn, size_t dl)
{
	int pending = 0;

	for (int i = 0; i < CP_MADE_MAX; i++)
		if (c->made[i] && strlen(c->made[i]) >= dl && strncmp(c->made[i], lfn, dl) == 0) {
			if (!c->made_wait[i])
				return 1;
			pending = 1;
		}
	return pending ? 2 : 0;
}

/* The server call f waits for. */
void cp_call_next(struct cp *c, struct cp_file *f)
{
	size_t dl;
	int slot;

	switch (f->st) {
	case CF_STAT:
		if (f->fresh) { /* the plan's stat of the destination already said "missing" */
			cp_file_set(f, CF_MKDIR);
			cp_call_next(c, f);
			break;
		}
		cp_call(c, f, -1, "stat", cp_opts("-nomsg", f->lfn, NULL), 1, cp_call_stat_done);
		break;
	case CF_MKDIR:
		if (c->dryrun) {
			cp_file_dry(c, f); /* no folder, no envelope: access write books replicas */
			break;
		}
		dl = (size_t)(strrchr(f->lfn, '/') - f->lfn) + 1;
		switch (cp_call_made(c, f->lfn, dl)) {
		case 1:
			cp_file_set(f, CF_ACCESS);
			cp_call_access(c, f);
			return;
		case 2: /* its folder's mkdir -p is in flight: after it */ return;
		}
		slot = c->nmade++ % CP_MADE_MAX;
		free(c->made[slot]);
		if (!(c->made[slot] = strndup(f->lfn, dl))) {
			cp_file_fail(c, f, "%s", exitcode_meaning(JD_EXIT_NOMEM));
			break;
		}
		c->made_wait[slot] = 1;
		cp_call(c, f, slot, "mkdir", cp_opts("-nomsg", "-p", c->made[slot], NULL), 1,
			cp_call_step_done);
		break;
	case CF_ACCESS: cp_call_access(c, f); break;
	case CF_COMMIT: cp_call_commit_next(c, f); break;
	case CF_SWAP: cp_replace_next(c, f); break;
	default: break;
	}
}
