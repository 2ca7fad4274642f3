/* cp.c - see cp.h and cp_int.h. One struct cp per running command; each of
 * its files goes through a state machine (enum cp_fstate, changed only by
 * cp_file_set). Server calls (stat, rm, mkdir, access, commit: cp_call.c)
 * are pipelined: the accesses of the next files go out while earlier files
 * copy, commits while later files copy, up to CP_CALLS_MAX in flight; at most
 * -T files have copies or md5 jobs in xfer at once; cp_pump moves things on
 * after every event. */
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
#include "xrootd/xfer.h"

static struct cp *cp_list;

static const char *const cp_fstate_name[] = {
	[CF_NEW] = "NEW",	[CF_MD5] = "MD5",     [CF_STAT] = "STAT", [CF_MKDIR] = "MKDIR",
	[CF_ACCESS] = "ACCESS", [CF_READY] = "READY", [CF_COPY] = "COPY", [CF_COMMIT] = "COMMIT",
	[CF_SWAP] = "SWAP",	[CF_DONE] = "DONE",
};

double cp_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

const char *cp_meta_str(const cJSON *reply, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), key);

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

struct cp *cp_starved(void)
{
	for (struct cp *c = cp_list; c; c = c->next)
		if (c->starved && !c->planning)
			return c;
	return NULL;
}

void cp_file_set(struct cp_file *f, enum cp_fstate st)
{
	log_debug("cp: job %d (%s): %s -> %s", f->idx, f->lfn, cp_fstate_name[f->st],
		  cp_fstate_name[st]);
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

void cp_file_dry(struct cp *c, struct cp_file *f)
{
	f->ok = f->dry = 1;
	c->ok++;
	cp_file_end(c, f);
	cp_out_dry(c, f);
}

/* Nothing of c moves from now on: it leaves the list, its timer, calls and
 * walk stop (its memory goes when its command ends: cp_release). */
static void cp_end(struct cp *c)
{
	struct cp **pp;

	if (c->ended)
		return;
	c->ended = 1;
	for (pp = &cp_list; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	lws_sul_cancel(&c->sul);
	cp_call_cancel_all(c);
	cp_walk_abandon(c);
}

/* The command that holds c ends (command_hold): a cp still running is
 * cancelled (the shim went away), then c is freed. */
static void cp_release(void *state)
{
	struct cp *c = state;

	if (!c->ended) {
		for (int i = 0; i < c->nfiles; i++)
			cp_copy_cancel(&c->files[i]);
		log_info("cp: cancelled (%d of %d files done)", c->finished, c->nfiles);
		cp_end(c);
	}
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
		free(f->write_lfn);
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
	cp_end(c);
	if (err)
		command_reply(c->cmd, NULL, *err ? err : NULL, code);
	else
		cp_out_summary(c);
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
			cp_file_fail(c, f, "cannot compute the md5 of %s (%s)", f->local,
				     exitcode_meaning(JD_EXIT_NOMEM));
		return;
	}
	if (stat(f->local, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == f->size &&
	    (long long)st.st_mtime * 1000 + 999 >= f->ctime_ms) {
		if (!c->force)
			cp_file_skip(c, f,
				     "size match, source/lfn older than destination/local_file");
		else if (!f->md5[0])
			cp_file_set(f, CF_ACCESS); /* nothing to compare with */
		else if (cp_copy_md5(c, f) < 0)
			cp_file_fail(c, f, "cannot compute the md5 of %s (%s)", f->local,
				     exitcode_meaning(JD_EXIT_NOMEM));
		return;
	}
	cp_file_set(f, CF_ACCESS);
}

static void cp_pump_files(struct cp *c)
{
	/* commits first: they end files */
	for (int i = c->first_open;
	     i < c->nfiles && c->files[i].st != CF_NEW && cp_call_room(c) > 0; i++)
		if (c->files[i].st == CF_COMMIT)
			cp_call_next(c, &c->files[i]);
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
		case CF_MKDIR:
		case CF_ACCESS:
		case CF_SWAP:
			if (!f->calls && cp_call_room(c) > 0)
				cp_call_next(c, f);
			break;
		case CF_READY:
			if (c->copying < c->jobs)
				cp_copy_start(c, f);
			break;
		default: break;
		}
	}
	while (c->first_open < c->nfiles && c->files[c->first_open].st == CF_DONE)
		c->first_open++;
}

void cp_pump(struct cp *c)
{
	if (c->planning)
		return;
	cp_pump_files(c); /* no call it makes answers before it returns (upstream.h) */
	if (c->finished == c->nfiles && !c->ncalls && c->copying == 0)
		cp_finish(c, NULL, 0);
}

/* ---- start and cancel ---- */

int cp_start(struct command *cmd, const cJSON *argv, const char *payload, size_t len)
{
	struct cp *c = calloc(1, sizeof(*c));
	cJSON *req = cJSON_ParseWithLength(payload, len);
	const char *shim_cwd = cp_str(req, "cwd"), *home = command_env(cmd, "HOME");
	const cJSON *bar;
	char err[6144]; /* the usage text fits (4.1 KiB: cp_opt.c, alien.py 1.7.0's) */
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
	c->tty = cJSON_IsBool(bar) ? cJSON_IsTrue(bar)
				   : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "tty"));
	c->ctx = command_lws_context(cmd);
	c->shim_cwd = shim_cwd ? strdup(shim_cwd) : NULL;
	c->home = home ? strdup(home) : NULL;
	c->t0 = cp_now();
	c->planning = 1;
	c->next = cp_list;
	cp_list = c;
	/* freed when the command ends; cancelled if it still runs */
	command_hold(cmd, c, cp_release);
	cJSON_Delete(req);
	xfer_init(c->ctx);
	if (cp_opt_parse(c, argv, err, sizeof(err), &code) < 0) {
		if (code == 0) { /* -h, or -input with nothing to copy: stdout */
			cp_end(c);
			command_reply(cmd, err, NULL, 0);
		} else {
			cp_finish(c, err, code);
		}
		return 0;
	}
	cp_plan_next(c);
	return 0;
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
			 "jaliend is stopping (%s): cp cancelled with %d of %d files done; partial "
			 "files removed, "
			 "nothing more committed\n",
			 why, c->finished, c->nfiles);
		log_notice("cp: %.*s", (int)strlen(msg) - 1, msg);
		cp_finish(c, msg, JD_EXIT_CANCELED);
		n++;
	}
	return n;
}
