/* cmdjob.c - see cmdjob.h. */
#include "cmdjob.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "command.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"

#define CMDJOB_OPT_TRACE 1
#define CMDJOB_OPT_PROC 2
#define CMDJOB_OPT_JDL 4
#define CMDJOB_OPT_UNIX 8

/* A trace line "<10 digits> [kind      ]: text" with the time as alien.py
 * shows it (local, +zzzz), or as it came (-unixtime); "" for other lines. */
static void cmdjob_time(struct strbuf *sb, const char *l, size_t n, int unix_time)
{
	char when[64];
	struct tm tm;
	time_t t;

	if (n < 12 || strspn(l, "0123456789") < 10 || l[10] != ' ' || l[11] != '[')
		return;
	t = (time_t)strtoll(l, NULL, 10);
	if (unix_time || !localtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S%z", &tm)) {
		strbuf_add(sb, l, n);
		return;
	}
	strbuf_adds(sb, when);
	strbuf_add(sb, l + 10, n - 10);
}

struct cmdjob_trace {
	struct strbuf state, trace, proc, procfmt, queue;
	char wn[256], workdir[1024];
};

static void cmdjob_trace_free(struct cmdjob_trace *t)
{
	strbuf_free(&t->state);
	strbuf_free(&t->trace);
	strbuf_free(&t->proc);
	strbuf_free(&t->procfmt);
	strbuf_free(&t->queue);
}

/* One line into its list: the text before the tag, a space, the text after. */
static int cmdjob_tagged(struct strbuf *list, const char *line, const char *tag, const char **rest)
{
	const char *at = strstr(line, tag);

	if (!at)
		return 0;
	if (list->len)
		strbuf_addc(list, '\n');
	strbuf_add(list, line, (size_t)(at - line));
	strbuf_addc(list, ' ');
	*rest = at + strlen(tag);
	strbuf_adds(list, *rest);
	return 1;
}

/* alien.py's convert_trace2dict() */
static void cmdjob_trace_parse(struct cmdjob_trace *t, const char *trace, int unix_time)
{
	regex_t wn;
	int have_re = regcomp(&wn, "Running JAliEn JobAgent .* on ([A-Za-z0-9_.-]+)",
			      REG_EXTENDED | REG_ICASE) == 0;

	while (*trace) {
		const char *nl = strchr(trace, '\n'), *rest;
		size_t n = nl ? (size_t)(nl - trace) : strlen(trace);
		struct strbuf line = { 0 };

		cmdjob_time(&line, trace, n, unix_time);
		if (strbuf_cstr(&line) && line.len) {
			if (cmdjob_tagged(&t->state, line.data, "[state     ]: ", &rest)) {
			} else if (cmdjob_tagged(&t->trace, line.data, "[trace     ]: ", &rest)) {
				const char *c = strstr(rest, "Created workdir"),
					   *colon = c ? strstr(rest, ": ") : NULL;
				regmatch_t m[2];

				if (colon) {
					const char *e = strstr(colon + 2, ": ");

					snprintf(t->workdir, sizeof(t->workdir), "%.*s",
						 (int)(e ? (size_t)(e - colon - 2)
							 : strlen(colon + 2)),
						 colon + 2);
				}
				if (have_re && regexec(&wn, rest, 2, m, 0) == 0) {
					int len = (int)(m[1].rm_eo - m[1].rm_so);

					while (len > 0 && rest[m[1].rm_so + len - 1] == '.')
						len--;
					snprintf(t->wn, sizeof(t->wn), "%.*s", len,
						 rest + m[1].rm_so);
				}
				if ((c = strstr(rest, "BatchId"))) {
					struct strbuf q = { 0 };
					const char *a, *b;

					strbuf_add(&q, rest, (size_t)(c - rest));
					strbuf_adds(&q, c + 7);
					if (strbuf_cstr(&q)) {
						for (a = q.data; *a == ' ' || *a == '\t'; a++)
							;
						for (b = q.data + q.len;
						     b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
							;
						if (t->queue.len)
							strbuf_addc(&t->queue, '\n');
						strbuf_add(&t->queue, a, (size_t)(b - a));
					}
					strbuf_free(&q);
				}
			} else if (cmdjob_tagged(&t->proc, line.data, "[proc      ]: ", &rest)) {
			} else {
				cmdjob_tagged(&t->procfmt, line.data, "[procfmt   ]: ", &rest);
			}
		}
		strbuf_free(&line);
		if (!nl)
			break;
		trace = nl + 1;
	}
	if (t->procfmt.len) { /* procfmt lines go first */
		struct strbuf p = { 0 };

		strbuf_add(&p, t->procfmt.data, t->procfmt.len);
		if (t->proc.len) {
			strbuf_addc(&p, '\n');
			strbuf_add(&p, t->proc.data, t->proc.len);
		}
		strbuf_free(&t->proc);
		t->proc = p;
	}
	if (have_re)
		regfree(&wn);
}

static const char *cmdjob_str(const cJSON *row, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* alien.py's convert_jdl2dict(): "k = v;" pairs, quotes dropped, {a, b} as a list */
static cJSON *cmdjob_jdl(const char *jdl)
{
	cJSON *o = cJSON_CreateObject();
	const char *p = jdl;

	while (o && p) {
		const char *semi = p, *end;
		struct strbuf line = { 0 }, v = { 0 };
		char *eq, *k;

		/* split at ';' followed by whitespace */
		while ((semi = strchr(semi, ';')) &&
		       !(semi[1] == ' ' || semi[1] == '\t' || semi[1] == '\n' || semi[1] == '\r'))
			semi++;
		end = semi ? semi : p + strlen(p);
		for (const char *c = p; c < end; c++) { /* whitespace runs -> one space */
			int ws = *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';

			if (!ws || (line.len && line.data[line.len - 1] != ' '))
				strbuf_addc(&line, ws ? ' ' : *c);
		}
		if (strbuf_cstr(&line)) {
			while (line.len && line.data[line.len - 1] == ' ')
				line.data[--line.len] = '\0';
			eq = strchr(line.data, '=');
			if (eq)
				*eq = '\0';
			for (const char *c = eq ? eq + 1 : ""; *c; c++)
				if (*c != '"')
					strbuf_addc(&v, *c);
			k = line.data;
			while (*k == ' ')
				k++;
			for (char *e = k + strlen(k); e > k && e[-1] == ' ';)
				*--e = '\0';
			if (strbuf_cstr(&v)) {
				char *a = v.data, *b = v.data + v.len;

				while (*a == ' ')
					a++;
				while (b > a && b[-1] == ' ')
					b--;
				*b = '\0';
				if (*a == '{' && b > a && b[-1] == '}') {
					cJSON *list = cJSON_CreateArray();
					char *s = a + 1, *sep;

					b[-1] = '\0';
					while (*s == ' ')
						s++;
					for (; list; s = sep + 2) {
						sep = strstr(s, ", ");
						if (sep)
							*sep = '\0';
						{
							char *e2 = s + strlen(s);

							while (e2 > s && e2[-1] == ' ')
								*--e2 = '\0';
							while (*s == ' ')
								s++;
						}
						cJSON_AddItemToArray(list, cJSON_CreateString(s));
						if (!sep)
							break;
					}
					cJSON_DeleteItemFromObjectCaseSensitive(o, k);
					cJSON_AddItemToObject(o, k, list);
				} else {
					cJSON_DeleteItemFromObjectCaseSensitive(o, k);
					cJSON_AddStringToObject(o, k, a);
				}
			}
		}
		strbuf_free(&line);
		strbuf_free(&v);
		p = semi ? semi + 1 : NULL;
	}
	return o;
}

static void cmdjob_info_done(struct command *cmd, void *arg, cJSON *reply, int code,
			     const char *msg)
{
	const int *keep = arg;
	int opt = keep ? *keep : 0;
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), "exitcode");
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results"), *j;
	struct strbuf sb = { 0 };
	char line[700];
	int first = 1;

	if (!reply) {
		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		return;
	}
	if (!cJSON_IsString(ec) || strcmp(ec->valuestring, "0") || !cJSON_GetArraySize(results) ||
	    command_json(cmd)) {
		command_reply_json(cmd, reply);
		return;
	}
	cJSON_ArrayForEach (j, results) {
		struct cmdjob_trace t = { 0 };

		if (!first)
			strbuf_addc(&sb, '\n');
		first = 0;
		if (opt & CMDJOB_OPT_JDL) {
			cJSON *d = cmdjob_jdl(cmdjob_str(j, "jdl"));
			char *s = d ? cJSON_PrintUnformatted(d) : NULL;

			strbuf_addf(&sb, "%s\n", s ? s : "{}");
			free(s);
			cJSON_Delete(d);
			continue;
		}
		cmdjob_trace_parse(&t, cmdjob_str(j, "trace"), opt & CMDJOB_OPT_UNIX);
		strbuf_adds(&sb,
			    "##################################################################\n"
			    "JobID        MasterJobID  Status      User          Name\n");
		strbuf_addf(&sb, "%-13s%-13s%-12s%-14s%s\n\n", cmdjob_str(j, "id"),
			    cmdjob_str(j, "split"), cmdjob_str(j, "status"), cmdjob_str(j, "owner"),
			    cmdjob_str(j, "name"));
		strbuf_addf(&sb,
			    "Machine info:\nWorkerNode: %s\nWorkdir: %s\nLocal queue info:\n%s\n\n",
			    t.wn, t.workdir, strbuf_cstr(&t.queue) ? t.queue.data : "");
		strbuf_addf(&sb, "State info:\n%s\n\n", strbuf_cstr(&t.state) ? t.state.data : "");
		if (opt & CMDJOB_OPT_TRACE)
			strbuf_addf(&sb, "Trace info:\n%s\n\n",
				    strbuf_cstr(&t.trace) ? t.trace.data : "");
		if (opt & CMDJOB_OPT_PROC)
			strbuf_addf(&sb, "Proc info:\n%s\n\n",
				    strbuf_cstr(&t.proc) ? t.proc.data : "");
		cmdjob_trace_free(&t);
	}
	cJSON_Delete(reply);
	/* alien.py strips the whole and prints it with one newline */
	while (sb.len && (sb.data[sb.len - 1] == '\n' || sb.data[sb.len - 1] == ' '))
		sb.len--;
	strbuf_addc(&sb, '\n');
	command_reply(cmd, strbuf_cstr(&sb) ? sb.data : NULL,
		      sb.data ? NULL : exitcode_line(JD_EXIT_NOMEM), sb.data ? 0 : JD_EXIT_NOMEM);
	strbuf_free(&sb);
}

static const char cmdjob_help[] =
	"Command format: jobInfo id1,id2,.. [ -trace ] [ -proc ] [ -jdl ]\n"
	"        Print job information for specified ID(s)\n"
	"        -trace : will show the trace messages\n"
	"        -proc  : will show the proc messages\n"
	"        -jdl   : print jdl as a json object\n"
	"        -unixtime : do not convert to nice time\n";

int cmdjob_info(struct command *cmd, cJSON *argv)
{
	const cJSON *a;
	const char *id = NULL;
	int opt = 0, *keep;
	cJSON *opts;

	for (a = argv->child->next; a; a = a->next) {
		const char *v = a->valuestring;

		if (strcmp(v, "-h") == 0 || strcmp(v, "-help") == 0 || strcmp(v, "--help") == 0) {
			id = NULL;
			break;
		}
		if (strcmp(v, "-trace") == 0)
			opt |= CMDJOB_OPT_TRACE;
		else if (strcmp(v, "-proc") == 0)
			opt |= CMDJOB_OPT_PROC;
		else if (strcmp(v, "-jdl") == 0)
			opt |= CMDJOB_OPT_JDL;
		else if (strcmp(v, "-unixtime") == 0)
			opt |= CMDJOB_OPT_UNIX;
		else if (!id)
			id = v;
	}
	if (!id || a) { /* no ID, or a help option (the loop stopped at it) */
		command_reply(cmd, cmdjob_help, NULL, 0);
		return 1;
	}
	keep = malloc(sizeof(*keep));
	opts = cJSON_CreateArray();
	if (!keep || !opts) {
		free(keep);
		cJSON_Delete(opts);
		return -ENOMEM;
	}
	*keep = opt;
	command_hold(cmd, keep, NULL);
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-j"));
	cJSON_AddItemToArray(opts, cJSON_CreateString(id));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-trace"));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-jdl"));
	return command_upstream(cmd, "ps", opts, UP_REQ_READONLY, cmdjob_info_done, keep) < 0
		       ? -ENOMEM
		       : 1;
}

/* ---- getCE, siteJobs: listCEs, then alien.py's selection ---- */

struct cmdjob_ce {
	int site; /* siteJobs: the CEs pick the site's jobs */
	char name[256], host[256], part[256];
	char status[64], user[256]; /* siteJobs' filters */
	int only_id;
	char sites[4096]; /* siteJobs: the CE names, for ps -s */
};

static void cmdjob_ce_line(struct strbuf *sb, const cJSON *ce)
{
	const char *name = cmdjob_str(ce, "ceName"), *parts = cmdjob_str(ce, "partitions");
	size_t pl = strlen(parts);

	if (strncmp(name, "ALICE::", 7) == 0)
		name += 7;
	while (*parts == ',')
		parts++, pl--;
	while (pl && parts[pl - 1] == ',')
		pl--;
	strbuf_addf(sb, "%-28s%-50s%-8s%-10s%-6s%-6s%-10s%.*s\n", name, cmdjob_str(ce, "host"),
		    cmdjob_str(ce, "status"), cmdjob_str(ce, "type"), cmdjob_str(ce, "maxRunning"),
		    cmdjob_str(ce, "maxQueued"), cmdjob_str(ce, "TTL"), (int)pl, parts);
}

static int cmdjob_ce_match(const struct cmdjob_ce *s, const cJSON *ce)
{
	if (s->name[0] && !strcasestr(cmdjob_str(ce, "ceName"), s->name))
		return 0;
	if (s->host[0] && !strcasestr(cmdjob_str(ce, "host"), s->host))
		return 0;
	if (s->part[0]) {
		const char *p = cmdjob_str(ce, "partitions");
		size_t n = strlen(s->part);
		int hit = 0;

		for (const char *q = p; *q && !hit;
		     q = strchr(q, ',') ? strchr(q, ',') + 1 : q + strlen(q))
			hit = strncasecmp(q, s->part, n) == 0 && (q[n] == ',' || q[n] == '\0');
		if (!hit)
			return 0;
	}
	return 1;
}

static void cmdjob_site_jobs_done(struct command *cmd, void *arg, cJSON *reply, int code,
				  const char *msg)
{
	struct cmdjob_ce *s = arg;
	const cJSON *j, *results = cJSON_GetObjectItemCaseSensitive(reply, "results");
	struct strbuf sb = { 0 };
	int n = 0;

	if (!reply || !cJSON_GetArraySize(results) || command_json(cmd)) {
		char line[700];

		snprintf(line, sizeof(line), "%s\n", msg ? msg : "");
		if (reply)
			command_reply_json(cmd, reply);
		else
			command_reply(cmd, NULL, line, code);
		return;
	}
	cJSON_ArrayForEach (j, results) {
		if (s->status[0] && !strcasestr(cmdjob_str(j, "status"), s->status))
			continue;
		if (s->user[0] && !strcasestr(cmdjob_str(j, "owner"), s->user))
			continue;
		if (!n++ && !s->only_id)
			strbuf_adds(&sb,
				    "JobID        MasterJobID  Status      User          Name\n");
		if (s->only_id)
			strbuf_addf(&sb, "%s\n", cmdjob_str(j, "id"));
		else
			strbuf_addf(&sb, "%-13s%-13s%-12s%-14s%s\n", cmdjob_str(j, "id"),
				    cmdjob_str(j, "split"), cmdjob_str(j, "status"),
				    cmdjob_str(j, "owner"), cmdjob_str(j, "name"));
	}
	cJSON_Delete(reply);
	if (!n)
		strbuf_adds(&sb, "Selection(s) returned no match!\n");
	command_reply(cmd, strbuf_cstr(&sb) ? sb.data : NULL,
		      sb.data ? NULL : exitcode_line(JD_EXIT_NOMEM), sb.data ? 0 : JD_EXIT_NOMEM);
	strbuf_free(&sb);
}

static void cmdjob_ce_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	struct cmdjob_ce *s = arg;
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), "exitcode");
	const cJSON *ce, *results = cJSON_GetObjectItemCaseSensitive(reply, "results");
	struct strbuf sb = { 0 };
	char line[700];
	int n = 0, sel = s->name[0] || s->host[0] || s->part[0];

	if (!reply) {
		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		return;
	}
	if (!cJSON_IsString(ec) || strcmp(ec->valuestring, "0") ||
	    (command_json(cmd) && !s->site)) {
		command_reply_json(cmd, reply);
		return;
	}
	strbuf_adds(&sb, "Name                        Host                                         "
			 "     State   Type      "
			 "R     W     TTL       Partitions\n");
	cJSON_ArrayForEach (ce, results) {
		if (sel && !cmdjob_ce_match(s, ce))
			continue;
		n++;
		cmdjob_ce_line(&sb, ce);
		if (s->site &&
		    strlen(s->sites) + strlen(cmdjob_str(ce, "ceName")) + 2 < sizeof(s->sites))
			snprintf(s->sites + strlen(s->sites), sizeof(s->sites) - strlen(s->sites),
				 "%s%s", s->sites[0] ? "," : "", cmdjob_str(ce, "ceName"));
	}
	cJSON_Delete(reply);
	if (s->site) {
		cJSON *o = cJSON_CreateArray();

		strbuf_free(&sb);
		if (!n) {
			snprintf(line, sizeof(line),
				 "No site names were identified by the label: %.200s\n", s->name);
			command_reply(cmd, NULL, line, 1);
			cJSON_Delete(o);
			return;
		}
		cJSON_AddItemToArray(o, cJSON_CreateString("-nomsg"));
		cJSON_AddItemToArray(o, cJSON_CreateString("-s"));
		cJSON_AddItemToArray(o, cJSON_CreateString(s->sites));
		cJSON_AddItemToArray(o, cJSON_CreateString("-a"));
		if (command_upstream(cmd, "ps", o, UP_REQ_READONLY, cmdjob_site_jobs_done, s) < 0)
			command_fail(cmd, JD_EXIT_NOMEM);
		return;
	}
	if (sel && !n) {
		strbuf_reset(&sb);
		strbuf_adds(&sb, "Empty selection results\n");
	}
	command_reply(cmd, strbuf_cstr(&sb) ? sb.data : NULL,
		      sb.data ? NULL : exitcode_line(JD_EXIT_NOMEM), sb.data ? 0 : JD_EXIT_NOMEM);
	strbuf_free(&sb);
}

int cmdjob_ce(struct command *cmd, cJSON *argv)
{
	struct cmdjob_ce *s = calloc(1, sizeof(*s));
	const cJSON *a;
	cJSON *opts;

	if (!s)
		return -ENOMEM;
	command_hold(cmd, s, NULL);
	s->site = strcmp(argv->child->valuestring, "siteJobs") == 0;
	for (a = argv->child->next; a; a = a->next) {
		const char *v = a->valuestring, *val = a->next ? a->next->valuestring : NULL;
		char *to = NULL;
		size_t n = 0;

		if (s->site && a == argv->child->next) { /* siteJobs SITE ...: the CE name label */
			snprintf(s->name, sizeof(s->name), "%s", v);
			continue;
		}
		if (!s->site &&
		    (strcmp(v, "-name") == 0 || strcmp(v, "-host") == 0 || strcmp(v, "-part") == 0))
			to = v[1] == 'n'   ? s->name
			     : v[1] == 'h' ? s->host
					   : s->part,
			n = sizeof(s->name);
		else if (s->site && (strcmp(v, "-status") == 0 || strcmp(v, "-user") == 0))
			to = v[1] == 's' ? s->status : s->user,
			n = v[1] == 's' ? sizeof(s->status) : sizeof(s->user);
		else if (s->site && strcmp(v, "-id") == 0)
			s->only_id = 1;
		else if (s->site && (strcmp(v, "-running") == 0 || strcmp(v, "-r") == 0))
			snprintf(s->status, sizeof(s->status), "RUNNING");
		if (to && val) {
			snprintf(to, n, "%s", val);
			a = a->next;
		}
	}
	opts = cJSON_CreateArray();
	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	return command_upstream(cmd, "listCEs", opts, UP_REQ_READONLY, cmdjob_ce_done, s) < 0
		       ? -ENOMEM
		       : 1;
}
