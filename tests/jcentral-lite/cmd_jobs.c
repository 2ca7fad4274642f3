/* cmd_jobs.c - job commands: submit kill resubmit masterjob (protocol reference 5.8, 9); ps:
 * cmd_ps.c. */
#include "cmd.h"
#include "jdl.h"
#include "jdlproc.h"
#include "jobs.h"
#include "path.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ submit */

struct submit_check {
	struct cmd_ctx *c;
	char missing[JCL_LFN_MAX];
};

static void submit_input_cb(const char *v, void *arg)
{
	struct submit_check *k = arg;
	struct cat_entry *e;
	char abs[JCL_LFN_MAX];
	const char *lfn = !strncasecmp(v, "LF:", 3) ? v + 3 : v;

	if (k->missing[0] || !(e = malloc(sizeof(*e))))
		return;
	if (path_resolve(k->c->s->home, k->c->s->home, lfn, abs, sizeof(abs)) ||
	    catalogue_get(k->c->cat, abs, e) || strncasecmp(v, "LF:", 3))
		snprintf(k->missing, sizeof(k->missing), "%s", v);
	free(e);
}

/* The executable must exist: absolute, or in /bin/, /alice/bin/, /panda/bin/, <home>bin/ or the
 * JDL's own folder (spec 9.3). */
/* The executable's LFN (as JCentral resolves it) into found_lfn. */
static bool submit_find_exe(struct cmd_ctx *c, const char *exe, const char *jdldir, char *found_lfn,
			    size_t fsz)
{
	struct cat_entry *e = malloc(sizeof(*e));
	const char *dirs[] = { "/bin/", "/alice/bin/", "/panda/bin/", c->s->home, jdldir };
	char path[JCL_LFN_MAX * 2];
	bool found = false;

	if (!e)
		return false;
	if (exe[0] == '/') {
		found = !catalogue_get(c->cat, exe, e) && e->type != 'd';
	} else {
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !found; i++) {
			if (!dirs[i] || !dirs[i][0])
				continue;
			int n = snprintf(path, sizeof(path), "%s%s%s", dirs[i],
					 dirs[i] == c->s->home ? "bin/" : "", exe);
			found = n > 0 && (size_t)n < JCL_LFN_MAX &&
				!catalogue_get(c->cat, path, e) && e->type != 'd';
		}
	}
	if (found)
		snprintf(found_lfn, fsz, "%s", e->lfn);
	free(e);
	return found;
}

static void submit_run(struct cmd_ctx *c, const struct opt_result *o)
{
	char *text = NULL, *jdl = NULL, err[512], exe[1024], name[256], abs[JCL_LFN_MAX],
	     dir[JCL_LFN_MAX] = "";
	char exe_lfn[JCL_LFN_MAX];
	const char *what;
	struct cat_entry *e = NULL;
	long long id;
	size_t len;

	if (strchr(o->args[0], '=')) {
		/* the JDL itself, possibly split over several arguments */
		size_t total = 1;
		for (size_t i = 0; i < o->nargs; i++)
			total += strlen(o->args[i]) + 1;
		if (total > JDL_MAX || !(text = calloc(1, total))) {
			reply_error(c->r, EINVAL,
				    "Passing arguments to the JDL failed: the JDL is too long");
			return;
		}
		for (size_t i = 0; i < o->nargs; i++) {
			strcat(text, o->args[i]);
			if (i + 1 < o->nargs)
				strcat(text, " ");
		}
		what = "the content that you passed to the command";
		jdl = jdl_prepare(text, NULL, 0, err, sizeof(err));
	} else {
		if (cmd_abs(c, o->args[0], abs, sizeof(abs)))
			return;
		what = abs;
		if (!(e = malloc(sizeof(*e))) || catalogue_get(c->cat, abs, e) || e->type == 'd' ||
		    !catalogue_can(e, c->s->account, CAT_R) || cmd_read_file(c, e, &text, &len)) {
			reply_errorf(c->r, EREMOTEIO, "Could not download %s", abs);
			free(e);
			return;
		}
		free(e);
		path_parent(abs, dir, sizeof(dir));
		jdl = jdl_prepare(text, (const char *const *)o->args + 1, o->nargs - 1, err,
				  sizeof(err));
	}
	free(text);
	if (!jdl) {
		reply_error(c->r, EINVAL, err);
		return;
	}
	reply_outf(c->r, "Submitting %s\n", what);
	struct submit_check chk = { .c = c };
	if (!jdl_first(jdl, "Executable", exe, sizeof(exe)) || !exe[0]) {
		reply_errorf(
			c->r, EREMOTEIO,
			"Task queue rejected %s due to:\n  The JDL has to indicate an Executable",
			what == abs ? abs : "the JDL");
	} else if (!submit_find_exe(c, exe, dir, exe_lfn, sizeof(exe_lfn))) {
		reply_errorf(
			c->r, EREMOTEIO,
			"Task queue rejected %s due to:\n  The Executable name you indicated (%s)"
			" cannot be located in any standard PATH",
			what == abs ? abs : "the JDL", exe);
	} else if ((jdl_values(jdl, "InputFile", submit_input_cb, &chk), chk.missing[0]) ||
		   (jdl_values(jdl, "InputData", submit_input_cb, &chk), chk.missing[0])) {
		reply_errorf(c->r, EREMOTEIO,
			     "Task queue rejected %s due to:\n  InputFile %s doesn't exist in the "
			     "catalogue",
			     what == abs ? abs : "the JDL", chk.missing);
	} else {
		path_basename(exe, name, sizeof(name));
		/* the task queue keeps JCentral's processed JDL (what ps -jdl shows) */
		char *pj = jdlproc_process(jdl, c->s->account, exe_lfn, what == abs ? abs : NULL);
		if (!pj || jobs_insert(c->cat, c->s->account, pj, name, &id)) {
			reply_errorf(c->r, EREMOTEIO,
				     "Task queue rejected %s due to:\n  internal error", what);
		} else {
			reply_outf(c->r, "Your new job ID is %lld\n", id);
			reply_fieldf(c->r, "jobId", "%lld", id);
		}
		free(pj);
	}
	free(jdl);
}

static void submit_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "submit", "<URL>");
	reply_out(c->r, "\n");
	cmd_help_param(c->r, "<URL> => <LFN>");
	cmd_help_param(c->r, "<URL> => file:///<local path>");
}

/* ------------------------------------------------------------------ kill, resubmit */

/* ids separated by any non-digit characters */
static size_t jobs_ids(struct cmd_ctx *c, long long *ids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->argc; i++)
		for (const char *p = c->argv[i]; *p && n < max;) {
			if (!isdigit((unsigned char)*p)) {
				p++;
				continue;
			}
			char *end;
			ids[n++] = strtoll(p, &end, 10);
			p = end;
		}
	return n;
}

#define JOBS_MAX_IDS 1024

static void kill_run(struct cmd_ctx *c, const struct opt_result *o)
{
	long long *ids = calloc(JOBS_MAX_IDS, sizeof(*ids));
	size_t n;
	struct job j;
	bool failed = false;

	(void)o;
	if (!ids) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	n = jobs_ids(c, ids, JOBS_MAX_IDS);
	for (size_t i = 0; i < n; i++) {
		const char *st;
		if (jobs_get(c->cat, ids[i], &j))
			continue; /* unknown ids are silently skipped */
		reply_fieldf(c->r, "jobid", "%lld", j.id);
		if (strcmp(j.owner, c->s->account) && strcmp(c->s->account, "admin")) {
			st = "not_allowed";
			reply_outf(c->r, "You are not allowed to kill %lld\n", j.id);
		} else if (!strcmp(j.status, "KILLED")) {
			st = "killed"; /* JCentral: killing a killed job succeeds again */
			reply_outf(c->r, "Killed: %lld\n", j.id);
		} else if (jobs_is_final(j.status) ||
			   jobs_set_status(c->cat, j.id, "KILLED", "Job killed by the user")) {
			st = "failed_to_kill";
			failed = true;
			reply_outf(c->r, "Could not kill: %lld\n", j.id);
			reply_errorf(c->r, EREMOTEIO, "Could not kill the job with id: [%lld]",
				     j.id);
		} else {
			st = "killed";
			reply_outf(c->r, "Killed: %lld\n", j.id);
		}
		reply_field(c->r, "status", st);
		reply_next(c->r);
	}
	(void)failed;
	free(ids);
}

static void resubmit_run(struct cmd_ctx *c, const struct opt_result *o)
{
	long long *ids = calloc(JOBS_MAX_IDS, sizeof(*ids));
	struct job j;

	(void)o;
	if (!ids) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	size_t n = jobs_ids(c, ids, JOBS_MAX_IDS);
	for (size_t i = 0; i < n; i++) {
		if (jobs_get(c->cat, ids[i], &j) ||
		    (strcmp(j.owner, c->s->account) && strcmp(c->s->account, "admin")) ||
		    !jobs_is_final(j.status) ||
		    jobs_set_status(c->cat, j.id, "WAITING", "Job resubmitted by the user")) {
			reply_errorf(c->r, EREMOTEIO,
				     "Problem with the resubmit request of job ID %lld", ids[i]);
			continue;
		}
		reply_outf(c->r, "Resubmitting job %lld: successful\n", j.id);
	}
	if (!n)
		reply_error(c->r, EINVAL, "Command requires an argument");
	free(ids);
}

static void masterjob_run(struct cmd_ctx *c, const struct opt_result *o)
{
	long long ids[64];
	struct job j;
	size_t n = 0;

	(void)o;
	for (size_t i = 0; i < c->argc && n < 64; i++)
		if (c->argv[i][0] != '-' && cmd_is_number(c->argv[i]))
			ids[n++] = strtoll(c->argv[i], NULL, 10);
	for (size_t i = 0; i < n; i++) {
		if (jobs_get(c->cat, ids[i], &j)) {
			char msg[96];
			snprintf(msg, sizeof(msg), "Could not load the details of %lld\n", ids[i]);
			reply_err_append(c->r, msg); /* printErrln: exit code stays 0 (measured) */
			continue;
		}
		reply_outf(c->r, "Job %lld is in status: %s\n", j.id, j.status);
	}
	if (!n)
		reply_error(c->r, EINVAL, "Command requires an argument");
}

static void jobs_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, c->name,
		       !strcmp(c->name, "masterjob") ? "<jobId> [-options]"
						     : "<jobId> [<jobId>...]");
	reply_out(c->r, "\n");
}

const struct cmd_def cmd_jobs_defs[] = {
	{ "submit", NULL, 0, OPTERR_EINVAL, false, submit_run, submit_help },
	{ "kill", NULL, 0, OPTERR_EINVAL, false, kill_run, jobs_help },
	{ "resubmit", NULL, 0, OPTERR_EINVAL, false, resubmit_run, jobs_help },
	{ "masterjob", NULL, 0, OPTERR_EINVAL, false, masterjob_run, jobs_help },
};
const size_t cmd_jobs_ndefs = sizeof(cmd_jobs_defs) / sizeof(cmd_jobs_defs[0]);
