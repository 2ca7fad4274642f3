/* jobs.c - job table, state table and the built-in scheduler (see jobs.h). */
#include "jobs.h"

#include <errno.h>
#include <libwebsockets.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char JOBS_SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS jobs ("
	" id INTEGER PRIMARY KEY, split INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL,"
	" status TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0, name TEXT NOT NULL,"
	" site TEXT NOT NULL DEFAULT '', node TEXT NOT NULL DEFAULT '', jdl TEXT NOT NULL,"
	" trace TEXT NOT NULL DEFAULT '', mtime INTEGER NOT NULL);";

struct jobs_state {
	const char *name, *code;
	int level;
	unsigned groups; /* JOBS_G_* */
};

enum {
	JOBS_G_WAITING = 1,
	JOBS_G_QUEUED = 2,
	JOBS_G_RUNNING = 4,
	JOBS_G_DONE = 8,
	JOBS_G_ERROR = 16,
	JOBS_G_FINAL = 32
};

static const struct jobs_state jobs_states[] = {
	{ "INSERTING", "I", 10, JOBS_G_WAITING },
	{ "UPDATING", "UP", 11, 0 },
	{ "SPLITTING", "SP", 15, 0 },
	{ "SPLIT", "S", 18, 0 },
	{ "WAITING", "W", 20, JOBS_G_WAITING },
	{ "ASSIGNED", "ASG", 25, JOBS_G_WAITING | JOBS_G_QUEUED },
	{ "STARTED", "ST", 40, JOBS_G_RUNNING },
	{ "RUNNING", "R", 50, JOBS_G_RUNNING },
	{ "SAVING", "SV", 60, JOBS_G_RUNNING },
	{ "SAVED", "SVD", 70, 0 },
	{ "SAVED_WARN", "SW", 71, 0 },
	{ "ZOMBIE", "Z", 600, 0 },
	{ "MERGING", "M", 701, 0 },
	{ "DONE", "D", 800, JOBS_G_DONE | JOBS_G_FINAL },
	{ "DONE_WARN", "DW", 801, JOBS_G_DONE | JOBS_G_FINAL },
	{ "ERROR_A", "EA", 900, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_I", "EI", 901, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_E", "EE", 902, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_IB", "EIB", 903, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_S", "ES", 906, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_SV", "ESV", 907, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_V", "EV", 908, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_VN", "EVN", 909, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_VT", "EVT", 910, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_EW", "EEW", 911, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_W", "EW", 912, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_SPLT", "ESP", 913, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "ERROR_VER", "EVE", 914, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "FAULTY", "F", 950, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "INCORRECT", "INC", 951, JOBS_G_ERROR | JOBS_G_FINAL },
	{ "EXPIRED", "XP", 1000, JOBS_G_ERROR | JOBS_G_FINAL | JOBS_G_WAITING },
	{ "KILLED", "K", 1002, JOBS_G_FINAL },
};
#define JOBS_NSTATES (sizeof(jobs_states) / sizeof(jobs_states[0]))

/* the lifecycle the scheduler drives */
static const char *const jobs_path[] = {
	"INSERTING", "WAITING", "ASSIGNED", "STARTED", "RUNNING", "SAVING", "SAVED", "DONE",
};

static const struct jobs_state *jobs_find(const char *name)
{
	for (size_t i = 0; i < JOBS_NSTATES; i++)
		if (!strcasecmp(jobs_states[i].name, name))
			return &jobs_states[i];
	return NULL;
}

const char *jobs_short(const char *state)
{
	const struct jobs_state *s = jobs_find(state);
	return s ? s->code : NULL;
}

const char *jobs_long(const char *name)
{
	const struct jobs_state *s = jobs_find(name);
	if (s)
		return s->name;
	if (!strcasecmp(name, "ST"))
		return "RUNNING"; /* JCentral quirk */
	for (size_t i = 0; i < JOBS_NSTATES; i++)
		if (!strcasecmp(jobs_states[i].code, name))
			return jobs_states[i].name;
	return NULL;
}

bool jobs_is_final(const char *state)
{
	const struct jobs_state *s = jobs_find(state);
	return s && (s->groups & JOBS_G_FINAL);
}

bool jobs_in_group(const char *state, const char *group)
{
	static const struct {
		const char *n;
		unsigned g;
	} groups[] = {
		{ "running", JOBS_G_RUNNING }, { "waiting", JOBS_G_WAITING },
		{ "queued", JOBS_G_QUEUED },   { "done", JOBS_G_DONE },
		{ "error", JOBS_G_ERROR },     { "final", JOBS_G_FINAL },
	};
	const struct jobs_state *s = jobs_find(state);
	for (size_t i = 0; s && i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strcmp(groups[i].n, group))
			return (s->groups & groups[i].g) != 0;
	return false;
}

/* ------------------------------------------------------------------ table */

static int jobs_prep(struct catalogue *c, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(catalogue_db(c), sql, -1, st, NULL) != SQLITE_OK) {
		jcl_log("sqlite prepare failed: %s", sqlite3_errmsg(catalogue_db(c)));
		return -EIO;
	}
	return 0;
}

static int jobs_step_done(struct catalogue *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
	if (rc)
		jcl_log("sqlite write failed: %s", sqlite3_errmsg(catalogue_db(c)));
	sqlite3_finalize(st);
	return rc;
}

int jobs_init(struct catalogue *c)
{
	char *err = NULL;
	if (sqlite3_exec(catalogue_db(c), JOBS_SCHEMA, NULL, NULL, &err) != SQLITE_OK) {
		jcl_log("cannot create the job table: %s", err ? err : "?");
		sqlite3_free(err);
		return -EIO;
	}
	return 0;
}

static void jobs_trace_line(char *out, size_t outsz, const char *what)
{
	snprintf(out, outsz, "%lld [state     ]: %s\n", (long long)time(NULL), what);
}

int jobs_insert(struct catalogue *c, const char *owner, const char *jdl, const char *name,
		long long *id)
{
	sqlite3_stmt *st;
	char tr[256];
	int rc = jobs_prep(c,
			   "INSERT INTO jobs (id, owner, status, name, jdl, trace, mtime) VALUES"
			   " (max(?1, coalesce((SELECT max(id) + 1 FROM jobs), 0)), ?2, "
			   "'INSERTING', ?3, ?4, ?5, ?6)",
			   &st);

	if (rc)
		return rc;
	jobs_trace_line(tr, sizeof(tr), "Job inserted in the task queue, state INSERTING");
	sqlite3_bind_int64(st, 1, JOBS_FIRST_ID);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, jdl, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, tr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, jcl_now_ms());
	if ((rc = jobs_step_done(c, st)))
		return rc;
	*id = sqlite3_last_insert_rowid(catalogue_db(c));
	return 0;
}

#define JOBS_COLS "id, split, owner, status, priority, name, site, node, mtime"

static void jobs_row(sqlite3_stmt *st, struct job *j)
{
	const unsigned char *t;
	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(st, 0);
	j->split = sqlite3_column_int64(st, 1);
	t = sqlite3_column_text(st, 2);
	snprintf(j->owner, sizeof(j->owner), "%s", t ? (const char *)t : "");
	t = sqlite3_column_text(st, 3);
	snprintf(j->status, sizeof(j->status), "%s", t ? (const char *)t : "");
	j->priority = sqlite3_column_int(st, 4);
	t = sqlite3_column_text(st, 5);
	snprintf(j->name, sizeof(j->name), "%s", t ? (const char *)t : "");
	t = sqlite3_column_text(st, 6);
	snprintf(j->site, sizeof(j->site), "%s", t ? (const char *)t : "");
	t = sqlite3_column_text(st, 7);
	snprintf(j->node, sizeof(j->node), "%s", t ? (const char *)t : "");
	j->mtime_ms = sqlite3_column_int64(st, 8);
}

int jobs_get(struct catalogue *c, long long id, struct job *j)
{
	sqlite3_stmt *st;
	int rc = jobs_prep(c, "SELECT " JOBS_COLS " FROM jobs WHERE id = ?1", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		jobs_row(st, j);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

int jobs_foreach(struct catalogue *c, int (*cb)(const struct job *j, void *arg), void *arg)
{
	sqlite3_stmt *st;
	struct job j;
	int rc = jobs_prep(c, "SELECT " JOBS_COLS " FROM jobs ORDER BY id", &st);

	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		jobs_row(st, &j);
		if ((rc = cb(&j, arg))) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int jobs_set_status(struct catalogue *c, long long id, const char *status, const char *trace)
{
	sqlite3_stmt *st;
	char tr[512];
	int rc = jobs_prep(
		c,
		"UPDATE jobs SET status = ?2, trace = trace || ?3, mtime = ?4,"
		" site = CASE WHEN ?2 IN ('ASSIGNED','STARTED','RUNNING','SAVING','SAVED','DONE') "
		"THEN ?5 ELSE site END,"
		" node = CASE WHEN ?2 IN ('STARTED','RUNNING','SAVING','SAVED','DONE') THEN ?6 "
		"ELSE node END"
		" WHERE id = ?1",
		&st);

	if (rc)
		return rc;
	jobs_trace_line(tr, sizeof(tr), trace);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, tr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, jcl_now_ms());
	sqlite3_bind_text(st, 5, JOBS_SITE, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, JOBS_NODE, -1, SQLITE_STATIC);
	return jobs_step_done(c, st);
}

static char *jobs_text(struct catalogue *c, long long id, const char *sql)
{
	sqlite3_stmt *st;
	char *out = NULL;

	if (jobs_prep(c, sql, &st))
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		if (t && *t)
			out = strdup((const char *)t);
	}
	sqlite3_finalize(st);
	return out;
}

char *jobs_jdl(struct catalogue *c, long long id)
{
	return jobs_text(c, id, "SELECT jdl FROM jobs WHERE id = ?1");
}

char *jobs_trace(struct catalogue *c, long long id)
{
	return jobs_text(c, id, "SELECT trace FROM jobs WHERE id = ?1");
}

/* ------------------------------------------------------------------ scheduler */

struct jobs_move {
	long long id[256];
	const char *to[256];
	const char *from[256];
	int n;
};

static int jobs_plan(const struct job *j, void *arg)
{
	struct jobs_move *m = arg;
	size_t np = sizeof(jobs_path) / sizeof(jobs_path[0]);

	for (size_t i = 0; i + 1 < np; i++)
		if (!strcmp(j->status, jobs_path[i]) && m->n < 256) {
			m->id[m->n] = j->id;
			m->from[m->n] = jobs_path[i];
			m->to[m->n++] = jobs_path[i + 1];
		}
	return 0;
}

static lws_sorted_usec_list_t g_jobs_sul;
static struct lws_context *g_jobs_ctx;
static struct jcl_server *g_jobs_srv;

/* --trace-untimed: a message of two lines, the second without a time */
static int jobs_trace_untimed(struct catalogue *c, long long id)
{
	sqlite3_stmt *st;
	char tr[512];
	int rc = jobs_prep(c, "UPDATE jobs SET trace = trace || ?2 WHERE id = ?1", &st);

	if (rc)
		return rc;
	snprintf(tr, sizeof(tr), "%lld [trace     ]: Job started; the worker node says:\n%s\n",
		 (long long)time(NULL), g_jobs_srv->trace_untimed);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, tr, -1, SQLITE_TRANSIENT);
	return jobs_step_done(c, st);
}

int jobs_tick(struct catalogue *c)
{
	struct jobs_move *m = calloc(1, sizeof(*m));
	char what[128];
	int rc;

	if (!m)
		return -ENOMEM;
	rc = jobs_foreach(c, jobs_plan, m); /* at most 256 jobs move per tick */
	for (int i = 0; !rc && i < m->n; i++) {
		snprintf(what, sizeof(what), "Job state transition from %s to %s", m->from[i],
			 m->to[i]);
		rc = jobs_set_status(c, m->id[i], m->to[i], what);
		if (!rc && g_jobs_srv && g_jobs_srv->trace_untimed && !strcmp(m->to[i], "STARTED"))
			rc = jobs_trace_untimed(c, m->id[i]);
	}
	free(m);
	return rc;
}

static void jobs_sul_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	jobs_tick(g_jobs_srv->cat);
	lws_sul_schedule(g_jobs_ctx, 0, &g_jobs_sul, jobs_sul_cb,
			 (lws_usec_t)g_jobs_srv->job_tick_ms * 1000);
}

void jobs_scheduler_start(struct lws_context *ctx, struct jcl_server *srv)
{
	g_jobs_ctx = ctx;
	g_jobs_srv = srv;
	lws_sul_schedule(ctx, 0, &g_jobs_sul, jobs_sul_cb, (lws_usec_t)srv->job_tick_ms * 1000);
}

void jobs_scheduler_stop(void)
{
	if (g_jobs_ctx)
		lws_sul_cancel(&g_jobs_sul);
	g_jobs_ctx = NULL;
}
