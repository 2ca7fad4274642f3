/* cmdquota.c - `quota`: jquota list + fquota list, printed as alien.py's
 * report (or both rows with -json). */
#include "cmdlocal_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "upstream/upstream.h"

static double cmdquota_num(const cJSON *row, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	return cJSON_IsString(v) ? atof(v->valuestring) : 0;
}

static double cmdquota_pct(double used, double max)
{
	return max > 0 ? used * 100.0 / max : 0;
}

/* Whether a jquota/fquota reply has its first row (exit code 0). */
static int cmdquota_ok(const cJSON *reply)
{
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), "exitcode");

	return reply && cJSON_IsString(ec) && strcmp(ec->valuestring, "0") == 0 &&
	       cmdlocal_row0(reply);
}

/* alien.py's lines about one of the two: "<what> exitcode: N\n<error>" */
static void cmdquota_why(struct strbuf *sb, const cJSON *reply, int code, const char *msg,
			 const char *what)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(meta, "error");

	if (!reply)
		strbuf_addf(sb, "%s exitcode: %d\n%.600s", what, code, msg ? msg : "");
	else
		strbuf_addf(sb, "%s exitcode: %s\n%.600s", what,
			    cJSON_IsString(ec) ? ec->valuestring : "?",
			    cJSON_IsString(err) ? err->valuestring : "");
}

static void cmdquota_fquota_done(struct command *cmd, void *arg, cJSON *reply, int code,
				 const char *msg)
{
	const char *jt = arg;
	cJSON *j = jt && jt[0] != '!' ? cJSON_Parse(jt) : NULL; /* jquota's first row */
	const cJSON *f;
	struct strbuf sb = { 0 };

	if (!reply && code == 107) { /* no JCentral at all: its one line */
		char line[700];

		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		cJSON_Delete(j);
		return;
	}
	if (!j || !cmdquota_ok(reply)) { /* alien.py: both answers, exit code 1 */
		struct strbuf why = { 0 };

		if (command_json(cmd) && reply) {
			cJSON_Delete(j);
			command_reply_json(cmd, reply);
			return;
		}
		strbuf_addf(&why,
			    "Something went wrong with the command arguments and got empty "
			    "results\n%s\n",
			    j			 ? "jquota exitcode: 0\n"
			    : jt && jt[0] == '!' ? jt + 1
						 : "");
		cmdquota_why(&why, reply, code, msg, "fquota");
		strbuf_addc(&why, '\n');
		command_reply(cmd, NULL,
			      strbuf_cstr(&why) ? why.data : exitcode_line(JD_EXIT_NOMEM), 1);
		strbuf_free(&why);
		cJSON_Delete(j);
		cJSON_Delete(reply);
		return;
	}
	f = cmdlocal_row0(reply);
	if (command_json(cmd)) { /* alien.py prints the dict it built; we give both rows */
		cJSON *o = cJSON_CreateObject();
		char *t;

		cJSON_AddItemToObject(o, "jquota", j);
		cJSON_AddItemToObject(o, "fquota", cJSON_Duplicate(f, 1));
		t = cJSON_Print(o);
		command_reply(cmd, t ? t : NULL, t ? NULL : exitcode_line(JD_EXIT_NOMEM),
			      t ? 0 : JD_EXIT_NOMEM);
		free(t);
		cJSON_Delete(o);
		cJSON_Delete(reply);
		return;
	}
	{
		double run = cmdquota_num(j, "running"), wait = cmdquota_num(j, "waiting");
		double unf = cmdquota_num(j, "maxUnfinishedJobs");
		double rt = cmdquota_num(j, "totalRunningTimeLast24h") / 3600,
		       rtm = cmdquota_num(j, "maxTotalRunningTime") / 3600;
		double cpu = cmdquota_num(j, "totalCpuCostLast24h") / 3600,
		       cpum = cmdquota_num(j, "maxTotalCpuCost") / 3600;
		double sz = cmdquota_num(f, "totalSize") / 1048576,
		       szm = cmdquota_num(f, "maxTotalSize") / 1048576;
		double nf = cmdquota_num(f, "nbFiles"), nfm = cmdquota_num(f, "maxNbFiles");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "username");

		strbuf_addf(&sb, "Quota report for user : %s\n",
			    cJSON_IsString(u) ? u->valuestring : "?");
		strbuf_addf(&sb,
			    "Unfinished jobs(R + W / Max):\t\t%.0f + %.0f / %.0f --> %.2f%% used\n",
			    run, wait, unf, cmdquota_pct(run + wait, unf));
		strbuf_addf(&sb,
			    "Running time (last 24h) used/max:\t%.2f/%.2f(h) --> %.2f%% used\n", rt,
			    rtm, cmdquota_pct(rt, rtm));
		strbuf_addf(&sb, "CPU Cost (last 24h) used/max:\t\t%.2f/%.2f(h) --> %.2f%% used\n",
			    cpu, cpum, cmdquota_pct(cpu, cpum));
		strbuf_addf(&sb, "ParallelJobs (nominal/max) :\t%.0f/%.0f\n",
			    cmdquota_num(j, "nominalparallelJobs"),
			    cmdquota_num(j, "maxparallelJobs"));
		strbuf_addf(&sb, "Storage size :\t\t\t%.2f/%.2f MiB --> %.2f%%\n", sz, szm,
			    cmdquota_pct(sz, szm));
		strbuf_addf(&sb, "Number of files :\t\t%.0f/%.0f --> %.2f%%\n", nf, nfm,
			    cmdquota_pct(nf, nfm));
	}
	command_reply(cmd, strbuf_cstr(&sb) ? sb.data : NULL,
		      sb.data ? NULL : exitcode_line(JD_EXIT_NOMEM), sb.data ? 0 : JD_EXIT_NOMEM);
	strbuf_free(&sb);
	cJSON_Delete(j);
	cJSON_Delete(reply);
}

static cJSON *cmdquota_opts(const char *user)
{
	cJSON *o = cJSON_CreateArray();

	if (!o)
		return NULL;
	cJSON_AddItemToArray(o, cJSON_CreateString("-nomsg"));
	cJSON_AddItemToArray(o, cJSON_CreateString("list"));
	cJSON_AddItemToArray(o, cJSON_CreateString(user));
	return o;
}

static void cmdquota_jquota_done(struct command *cmd, void *arg, cJSON *reply, int code,
				 const char *msg)
{
	const cJSON *u;
	cJSON *opts;
	char *jt;

	(void)arg;
	if (!reply && code == 107) { /* no JCentral at all: its one line */
		char line[700];

		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		return;
	}
	if (cmdquota_ok(reply)) {
		u = cJSON_GetObjectItemCaseSensitive(cmdlocal_row0(reply), "username");
		/* keep jquota's row, as text, for the report; freed with the command */
		jt = cJSON_PrintUnformatted(cmdlocal_row0(reply));
	} else { /* alien.py asks fquota all the same: "!" + why, for the report */
		struct strbuf sb = { 0 };

		u = NULL;
		strbuf_addc(&sb, '!');
		cmdquota_why(&sb, reply, code, msg, "jquota");
		jt = strbuf_cstr(&sb);
	}
	opts = cmdquota_opts(cJSON_IsString(u) ? u->valuestring
			     : upstream_user() ? upstream_user()
					       : "");
	cJSON_Delete(reply);
	command_hold(cmd, jt, NULL);
	if (!opts || !jt) {
		cJSON_Delete(opts);
		command_fail(cmd, JD_EXIT_NOMEM);
		return;
	}
	if (command_upstream(cmd, "fquota", opts, UP_REQ_READONLY, cmdquota_fquota_done, jt) < 0)
		command_fail(cmd, JD_EXIT_NOMEM);
}

int cmdquota_run(struct command *cmd, cJSON *argv)
{
	const cJSON *a = cJSON_GetArrayItem(argv, 1);
	const char *user = cJSON_IsString(a) ? a->valuestring : upstream_user();
	cJSON *opts;

	if (user && (strcmp(user, "set") == 0)) {
		command_reply(cmd, NULL,
			      "quota set: not implemented (use jquota set / fquota set)\n",
			      JD_EXIT_NOSYS);
		return 1;
	}
	opts = cmdquota_opts(user ? user : "");
	if (!opts ||
	    command_upstream(cmd, "jquota", opts, UP_REQ_READONLY, cmdquota_jquota_done, NULL) < 0)
		return -ENOMEM;
	return 1;
}
