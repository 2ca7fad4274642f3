/* cmd_ps.c - ps: the job table as JCentral lists it, with its filters and formats, a job's trace
 * (-trace) and its processed JDL (-jdl) (protocol reference 5.8, 9). */
#include "cmd.h"
#include "jobs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PS_DEFAULT_LIMIT 50000

struct ps_opts {
	bool all_users, long_fmt, ids_only, masters_only;
	const char *users, *sites, *nodes, *masters, *ids, *states;
	long limit;
	long long jdl_id, trace_id;
	bool want_jdl, want_trace;
	const char *account;
};

/* comma list membership (exact) */
static bool ps_in_list(const char *list, const char *v)
{
	size_t vl = strlen(v);
	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, ",");
		if (l == vl && !strncmp(p, v, l))
			return true;
		p += l;
		if (*p)
			p++;
	}
	return false;
}

static bool ps_state_ok(const char *states, const char *st)
{
	if (!states)
		return true;
	if (states[0] == '-') {
		for (const char *f = states + 1; *f; f++) {
			if ((*f == 'a') || (*f == 'r' && jobs_in_group(st, "running")) ||
			    (*f == 'q' && jobs_in_group(st, "queued")) ||
			    (*f == 'f' && jobs_in_group(st, "error")) ||
			    (*f == 'd' && jobs_in_group(st, "done")) ||
			    (*f == 't' && jobs_in_group(st, "final")) ||
			    (*f == 's' && jobs_in_group(st, "waiting")))
				return true;
		}
		return false;
	}
	for (const char *p = states; *p;) {
		char tok[32];
		size_t l = strcspn(p, ",");
		snprintf(tok, sizeof(tok), "%.*s", (int)(l < sizeof(tok) - 1 ? l : sizeof(tok) - 1),
			 p);
		const char *lg = jobs_long(tok);
		if (!strcmp(tok, "%") || !strcasecmp(tok, "ANY") ||
		    ((!strcasecmp(tok, "ERROR_ALL") || !strcasecmp(tok, "ERROR_ANY")) &&
		     jobs_in_group(st, "error")) ||
		    (!strcasecmp(tok, "DONE_ANY") && jobs_in_group(st, "done")) ||
		    (lg && !strcmp(lg, st)))
			return true;
		p += l;
		if (*p)
			p++;
	}
	return false;
}

struct ps_collect {
	const struct ps_opts *po;
	struct job *v;
	size_t n, cap;
	long long only_id; /* -trace N / -jdl N */
	bool any_state;
};

static int ps_collect_cb(const struct job *j, void *arg)
{
	struct ps_collect *pc = arg;
	const struct ps_opts *po = pc->po;
	char id[32], split[32];

	snprintf(id, sizeof(id), "%lld", j->id);
	snprintf(split, sizeof(split), "%lld", j->split);
	if (po->users ? !ps_in_list(po->users, j->owner) && !ps_in_list(po->users, "%")
		      : (!po->all_users && !po->ids && strcmp(j->owner, po->account)))
		return 0;
	if (pc->only_id ? j->id != pc->only_id
			: ((po->ids && !ps_in_list(po->ids, id)) ||
			   (po->sites && !ps_in_list(po->sites, j->site)) ||
			   (po->nodes && !ps_in_list(po->nodes, j->node)) ||
			   (po->masters && !ps_in_list(po->masters, split)) ||
			   (po->masters_only && j->split)))
		return 0;
	if (!pc->any_state && !ps_state_ok(po->states, j->status))
		return 0;
	if (pc->n == pc->cap) {
		size_t nc = pc->cap ? pc->cap * 2 : 64;
		struct job *nv = realloc(pc->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		pc->v = nv;
		pc->cap = nc;
	}
	pc->v[pc->n++] = *j;
	return 0;
}

bool cmd_is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* joptsimple-like parsing of the ps options (several take optional values) */
static int ps_parse(struct cmd_ctx *c, struct ps_opts *po)
{
	memset(po, 0, sizeof(*po));
	po->limit = PS_DEFAULT_LIMIT;
	po->account = c->s->account;
	for (size_t i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		const char *next = i + 1 < c->argc ? c->argv[i + 1] : NULL;
		const char **dst = NULL;

		if (!strcmp(a, "-F")) {
			if (next && !strcmp(next, "l")) {
				po->long_fmt = true;
				i++;
			}
			continue;
		}
		if (!strcmp(a, "-Fl") || !strcmp(a, "-L")) {
			po->long_fmt = true;
			continue;
		}
		if (!strcmp(a, "-X")) {
			po->long_fmt = true;
			po->states = "-r";
			continue;
		}
		if (!strcmp(a, "-A")) {
			po->states = NULL;
			continue;
		}
		if (!strcmp(a, "-W")) {
			po->states = "-s";
			continue;
		}
		if (!strcmp(a, "-E")) {
			po->states = "-f";
			continue;
		}
		if (!strcmp(a, "-a")) {
			po->all_users = true;
			continue;
		}
		if (!strcmp(a, "-M")) {
			po->masters_only = true;
			continue;
		}
		if (!strcmp(a, "-id")) {
			po->ids_only = true;
			continue;
		}
		if (!strcmp(a, "-b") || !strcmp(a, "-q"))
			continue;
		if (!strcmp(a, "-jdl") || !strcmp(a, "-trace")) {
			bool jdl = !strcmp(a, "-jdl");
			long long id = 0;
			if (next && cmd_is_number(next)) {
				id = strtoll(next, NULL, 10);
				i++;
			}
			if (jdl) {
				po->want_jdl = true;
				po->jdl_id = id;
			} else {
				po->want_trace = true;
				po->trace_id = id;
			}
			continue;
		}
		if (!strcmp(a, "-u"))
			dst = &po->users;
		else if (!strcmp(a, "-s"))
			dst = &po->sites;
		else if (!strcmp(a, "-n"))
			dst = &po->nodes;
		else if (!strcmp(a, "-m"))
			dst = &po->masters;
		else if (!strcmp(a, "-j"))
			dst = &po->ids;
		else if (!strcmp(a, "-f"))
			dst = &po->states;
		else if (!strcmp(a, "-o") || !strcmp(a, "-t") || !strcmp(a, "-l")) {
			if (!next) {
				reply_errorf(c->r, EINVAL, "Option %s requires an argument", a + 1);
				return -EINVAL;
			}
			if (!strcmp(a, "-l"))
				po->limit = strtol(next, NULL, 10);
			i++;
			continue;
		} else {
			reply_errorf(c->r, EINVAL, "%s is not a recognized option",
				     a[0] == '-' ? a + 1 : a);
			return -EINVAL;
		}
		if (!next) {
			reply_errorf(c->r, EINVAL, "Option %s requires an argument", a + 1);
			return -EINVAL;
		}
		*dst = next;
		i++;
	}
	if (po->limit <= 0)
		po->limit = PS_DEFAULT_LIMIT;
	return 0;
}

/* A job's trace or JDL: printed and kept in `key`; missing: ENODATA (as JCentral). */
static void ps_text(struct cmd_ctx *c, const char *key, char *t, long long id)
{
	if (!t || !*t) {
		if (!strcmp(key, "trace"))
			reply_errorf(c->r, ENODATA, "No trace information for %lld", id);
		else
			reply_errorf(c->r, ENODATA, "JDL of %lld could not be retrieved", id);
		free(t);
		return;
	}
	reply_outf(c->r, "%s\n", t);
	reply_field(c->r, key, t);
	free(t);
}

static void ps_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct ps_opts po;
	struct ps_collect pc = { .po = &po };

	(void)o;
	if (ps_parse(c, &po))
		return;
	/* ps -trace N / -jdl N: the listing of that job only (none: nothing, exit code 0) */
	if ((po.want_trace && po.trace_id) || (po.want_jdl && po.jdl_id)) {
		pc.only_id = po.want_trace && po.trace_id ? po.trace_id : po.jdl_id;
		pc.any_state = true;
	}
	if (jobs_foreach(c->cat, ps_collect_cb, &pc)) {
		reply_error(c->r, EIO, "cannot read the task queue");
		free(pc.v);
		return;
	}
	size_t first =
		pc.n > (size_t)po.limit ? pc.n - (size_t)po.limit : 0; /* newest N, ascending */
	for (size_t i = first; i < pc.n; i++) {
		const struct job *j = &pc.v[i];
		const char *code = jobs_short(j->status);
		char prio[16];
		bool waiting = !strcmp(j->status, "INSERTING") || !strcmp(j->status, "WAITING");

		snprintf(prio, sizeof(prio), waiting ? "%3d" : "___", j->priority);
		if (po.want_jdl || po.want_trace)
			; /* only the trace / the JDL */
		else if (po.ids_only)
			reply_outf(c->r, "%lld\n", j->id);
		/* -L as JCentral: names right-aligned; owner id prio site node status name */
		else if (po.long_fmt)
			reply_outf(c->r, "%10s    %10lld  %s  %38s  %40s  %3s  %30s\n", j->owner,
				   j->id, prio, j->site, j->node, code ? code : "NUL", j->name);
		else
			reply_outf(c->r, "%10s %10lld  %s  %3s  %32s\n", j->owner, j->id, prio,
				   code ? code : "NUL", j->name);
		reply_field(c->r, "owner", j->owner);
		reply_fieldf(c->r, "id", "%lld", j->id);
		reply_fieldf(c->r, "split", "%lld", j->split);
		reply_fieldf(c->r, "priority", "%d", j->priority);
		reply_field(c->r, "status", j->status);
		reply_field(c->r, "name", j->name);
		if (po.long_fmt) {
			reply_field(c->r, "site", j->site);
			reply_field(c->r, "node", j->node);
		}
		if (po.want_trace)
			ps_text(c, "trace", jobs_trace(c->cat, j->id), j->id);
		if (po.want_jdl)
			ps_text(c, "jdl", jobs_jdl(c->cat, j->id), j->id);
		reply_next(c->r);
	}
	free(pc.v);
}

static void ps_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "ps", "[-options]");
	cmd_help_options(r);
	cmd_help_option(r, "-F l | -Fl | -L", "long output format");
	cmd_help_option(r, "-f <flags|status>",
			"any number of (long or short) job states, or '%' for all");
	cmd_help_option(r, "-u <userlist>", "");
	cmd_help_option(r, "-s <sitelist>", "");
	cmd_help_option(r, "-n <nodelist>", "");
	cmd_help_option(r, "-m <masterjoblist>", "");
	cmd_help_option(r, "-o <sortkey>", "");
	cmd_help_option(r, "-j <jobidlist>", "");
	cmd_help_option(r, "-l <query-limit>", "");
	cmd_help_option(r, "-M", "show only masterjobs");
	cmd_help_option(r, "-X", "active jobs in extended format");
	cmd_help_option(r, "-A", "select all your owned jobs in any state");
	cmd_help_option(r, "-W", "select all YOUR jobs which are waiting for execution");
	cmd_help_option(r, "-E", "select all YOUR jobs which are in error state");
	cmd_help_option(r, "-a", "select jobs of ALL users");
	cmd_help_option(r, "-b", "do only black-white output");
	cmd_help_option(r, "-jdl <jobid>", "display the job jdl");
	cmd_help_option(r, "-trace <jobid>", "display the job trace information");
	cmd_help_option(r, "-id",
			"only list the matching job IDs, for batch processing (implies -b)");
}

const struct cmd_def cmd_ps_defs[] = {
	{ "ps", NULL, 0, OPTERR_EINVAL, true, ps_run, ps_help },
};
const size_t cmd_ps_ndefs = sizeof(cmd_ps_defs) / sizeof(cmd_ps_defs[0]);
