/* jobs.h - the task queue of jcentral-lite (protocol reference 9): jobs in the catalogue's SQLite
 * database and a built-in scheduler (--job-tick MS) that moves every active job one step along
 * INSERTING -> WAITING -> ASSIGNED -> STARTED -> RUNNING -> SAVING -> SAVED -> DONE per tick. */
#ifndef JCL_JOBS_H
#define JCL_JOBS_H

#include "catalogue.h"

#define JOBS_FIRST_ID 100000001LL /* first job id (ids look like production ones) */
#define JOBS_STATE_MAX 16
#define JOBS_SITE "JCL::LOCAL::jcentral-lite"
#define JOBS_NODE "localhost"

struct job {
	long long id, split;
	char owner[JCL_ACCOUNT_MAX];
	char status[JOBS_STATE_MAX]; /* long state name */
	int priority;
	char name[256]; /* executable file name */
	char site[64], node[64];
	long long mtime_ms;
};

struct lws_context;

int jobs_init(struct catalogue *c);
/* Run the scheduler on the lws loop every srv->job_tick_ms. */
void jobs_scheduler_start(struct lws_context *ctx, struct jcl_server *srv);
void jobs_scheduler_stop(void);
/* Move every active job one state forward now (what one tick does). */
int jobs_tick(struct catalogue *c);

int jobs_insert(struct catalogue *c, const char *owner, const char *jdl, const char *name,
		long long *id);
int jobs_get(struct catalogue *c, long long id, struct job *j);
/* All jobs in ascending id order; cb != 0 stops. */
int jobs_foreach(struct catalogue *c, int (*cb)(const struct job *j, void *arg), void *arg);
/* Set the status (and append a trace line). */
int jobs_set_status(struct catalogue *c, long long id, const char *status, const char *trace);
/* malloc'd JDL / trace text of a job (NULL if none). */
char *jobs_jdl(struct catalogue *c, long long id);
char *jobs_trace(struct catalogue *c, long long id);

/* State table (spec 9.2): short code of a long name ("RUNNING" -> "R"), NULL if unknown. */
const char *jobs_short(const char *state);
/* Long name of a long or short name (short "ST" maps to RUNNING, as in JCentral), or NULL. */
const char *jobs_long(const char *name);
bool jobs_is_final(const char *state);
/* State groups of ps -f: "running", "waiting", "queued", "done", "error", "final". */
bool jobs_in_group(const char *state, const char *group);

#endif
