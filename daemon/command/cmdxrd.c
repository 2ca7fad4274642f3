/* cmdxrd.c - see cmdxrd.h. */
#include "cmdxrd.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdlocal.h"
#include "cmdse.h"
#include "command.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"
#include "xrootd/xrdq.h"
#include "xrootd/xrdstats.h"

/* alien.py's query config keys, in its order */
static const char *const cmdxrd_cfg_keys[] = {
	"bind_max",   "chksum", "pio_max", "readv_ior_max", "readv_iov_max", "tpc",    "wan_port",
	"wan_window", "window", "cms",	   "role",	    "sitename",	     "version"
};
#define CMDXRD_NKEYS (sizeof(cmdxrd_cfg_keys) / sizeof(cmdxrd_cfg_keys[0]))

struct cmdxrd;

struct cmdxrd_target {
	struct cmdxrd *x;
	char *name;			      /* SE name, or the argument / PFN as given */
	char *lfn;			      /* pfn-status: the LFN it came from, or NULL */
	char hostport[XRDQ_HOSTPORT_MAX + 1]; /* "" when refused */
	char *path;			      /* pfn-status: the path on the SE */
	struct xrdq_job *job;
	struct xrdq_result res;
	char *answer;
	int done;
};

struct cmdxrd {
	struct command *cmd;
	char verb; /* 'p' ping, 'c' config, 's' stats, 'f' pfn-status */
	int count, verbose, all, xml, xmlraw, compact;
	int nlabels, next_label;
	char **labels;
	int n, pending, lookup_failed;
	struct strbuf err; /* pfn-status: the failed LFN lookups */
	struct cmdxrd_target t[CMDXRD_TARGETS_MAX];
};

/* command_hold's release: the jobs stop, all is freed. */
static void cmdxrd_release(void *state)
{
	struct cmdxrd *x = state;

	for (int i = 0; i < x->n; i++) {
		xrdq_cancel(x->t[i].job);
		free(x->t[i].name);
		free(x->t[i].lfn);
		free(x->t[i].path);
		free(x->t[i].answer);
	}
	for (int i = 0; i < x->nlabels; i++)
		free(x->labels[i]);
	free(x->labels);
	strbuf_free(&x->err);
	free(x);
}

/* A target (strings copied); -ENOMEM, or -E2BIG past CMDXRD_TARGETS_MAX. */
static int cmdxrd_add(struct cmdxrd *x, const char *name, const char *lfn, const char *hostport,
		      const char *path)
{
	struct cmdxrd_target *t;

	if (x->n == CMDXRD_TARGETS_MAX)
		return -E2BIG;
	t = &x->t[x->n];
	memset(t, 0, sizeof(*t));
	t->x = x;
	t->name = strdup(name);
	t->lfn = lfn ? strdup(lfn) : NULL;
	t->path = path ? strdup(path) : NULL;
	if (!t->name || (lfn && !t->lfn) || (path && !t->path)) {
		free(t->name), free(t->lfn), free(t->path);
		return -ENOMEM;
	}
	if (hostport && xrdq_hostport_ok(hostport))
		snprintf(t->hostport, sizeof(t->hostport), "%s", hostport);
	x->n++;
	return 0;
}

/* ---- the output, once every query answered ---- */

static void cmdxrd_out_ping(struct cmdxrd *x, struct strbuf *out, int *code)
{
	strbuf_addf(out, "XRootD ping(s): %d time(s) to:\n", x->count);
	for (int i = 0; i < x->n; i++) {
		const struct xrdq_result *r = &x->t[i].res;
		double mn = 0, mx = 0, sum = 0, var = 0, avg;

		if (!r->pings) {
			strbuf_addf(out, "%-32s %s\n", x->t[i].name, r->msg);
			*code = 1;
			continue;
		}
		for (int k = 0; k < r->pings; k++) {
			mn = k == 0 || r->rtt_ms[k] < mn ? r->rtt_ms[k] : mn;
			mx = k == 0 || r->rtt_ms[k] > mx ? r->rtt_ms[k] : mx;
			sum += r->rtt_ms[k];
		}
		avg = sum / r->pings;
		for (int k = 0; k < r->pings; k++)
			var += (r->rtt_ms[k] - avg) * (r->rtt_ms[k] - avg);
		/* Python's statistics.stdev: the sample deviation, 0 for one value */
		strbuf_addf(out, "%-32s rtt min/avg/max/mdev (ms) = %.3f/%.3f/%.3f/%.3f\n",
			    x->t[i].name, mn, avg, mx,
			    r->pings > 1 ? sqrt(var / (r->pings - 1)) : 0.0);
	}
}

static void cmdxrd_out_config(struct cmdxrd *x, struct strbuf *out, struct strbuf *err, int *code)
{
	for (int i = 0; i < x->n; i++) {
		const struct cmdxrd_target *t = &x->t[i];
		char *val[CMDXRD_NKEYS] = { 0 }, *copy, *save = NULL, *line;
		size_t k = 0;

		if (!t->res.ok) {
			strbuf_addf(err, "Query error for %s : %s\n",
				    t->hostport[0] ? t->hostport : t->name, t->res.msg);
			*code = 1;
			continue;
		}
		copy = strdup(t->answer ? t->answer : "");
		for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line && k < CMDXRD_NKEYS;
		     line = strtok_r(NULL, "\n", &save), k++)
			val[k] = strcmp(line, cmdxrd_cfg_keys[k]) == 0 ? "NOT_SET" : line;
		for (; k < CMDXRD_NKEYS; k++)
			val[k] = "NOT_SET";
		/* keys: 0 bind_max 1 chksum 2 pio_max 3 readv_ior_max 4 readv_iov_max 5 tpc 6
		 * wan_port
		 * 7 wan_window 8 window 9 cms 10 role 11 sitename 12 version */
		strbuf_addf(out, "Site/XrdVer: %s/%s ; TPC status: %s ; role: %s ; CMS: %s\n",
			    strcmp(val[11], "NOT_SET") && *val[11] ? val[11] : t->name, val[12],
			    val[5], val[10], val[9]);
		if (x->verbose)
			strbuf_addf(out,
				    "Chksum type: %s ; Bind max: %s ; PIO max: %s ; Window/WAN "
				    "window: %s/%s ; "
				    "readv_{ior,iov}_max: %s/%s\n",
				    val[1], val[0], val[2], val[8], val[7], val[3], val[4]);
		free(copy);
	}
}

static void cmdxrd_out_stats(struct cmdxrd *x, struct strbuf *out, struct strbuf *err, int *code)
{
	for (int i = 0; i < x->n; i++) {
		const struct cmdxrd_target *t = &x->t[i];
		char *text;

		if (!t->res.ok) {
			strbuf_addf(err, "xrdfs_q_stats:: query error to %s : %s\n",
				    t->hostport[0] ? t->hostport : t->name, t->res.msg);
			*code = 1;
			continue;
		}
		if (!t->answer) { /* xrdq fails an empty answer; never parse NULL */
			strbuf_addf(err, "xrdfs_q_stats:: %s answered nothing\n", t->hostport);
			*code = 1;
			continue;
		}
		if (x->xmlraw) {
			strbuf_addf(out, "%s\n", t->answer);
			continue;
		}
		text = x->xml ? xrdstats_prettyxml(t->answer, x->compact)
			      : xrdstats_json(t->answer, t->name, t->hostport, x->compact);
		if (!text) {
			strbuf_addf(err, "xrdfs_q_stats:: %s answered no stats XML%s\n",
				    t->hostport, errno == ENOMEM ? " (out of memory)" : "");
			*code = 1;
			continue;
		}
		strbuf_addf(out, "%s\n", text);
		free(text);
	}
}

static void cmdxrd_out_pfn(struct cmdxrd *x, struct strbuf *out, int *code)
{
	for (int i = 0; i < x->n; i++) {
		const struct cmdxrd_target *t = &x->t[i];
		const struct xrdq_result *r = &t->res;
		unsigned f = r->flags;

		if (t->lfn)
			strbuf_addf(out, "LFN: %s\n", t->lfn);
		if (!r->ok) {
			strbuf_addf(out, "%s\t\tMessage: %s\tStatus/Code/ErrNo:%d/%d/%d\n", t->name,
				    r->msg, r->status, r->code, r->xerrno);
			*code = 1;
			continue;
		}
		strbuf_addf(out, "%s\t\tSize: %llu\tR/W status:%d/%d\n", t->name,
			    (unsigned long long)r->size, !!(f & XRDQ_F_IS_READABLE),
			    !!(f & XRDQ_F_IS_WRITABLE));
		if (x->verbose)
			strbuf_addf(out,
				    "IS DIR/OTHER/OFFLINE: %d/%d/%d\tModified: %s\tPOSC pending: "
				    "%d\t\tBACKUP: %d\n",
				    !!(f & XRDQ_F_IS_DIR), !!(f & XRDQ_F_OTHER),
				    !!(f & XRDQ_F_OFFLINE), r->modtimestr,
				    !!(f & XRDQ_F_POSC_PENDING), !!(f & XRDQ_F_BACKUP_EXISTS));
	}
}

static void cmdxrd_finish(struct cmdxrd *x)
{
	struct strbuf out = { 0 }, err = { 0 };
	int code = 0;

	if (x->verb == 'p')
		cmdxrd_out_ping(x, &out, &code);
	else if (x->verb == 'c')
		cmdxrd_out_config(x, &out, &err, &code);
	else if (x->verb == 's')
		cmdxrd_out_stats(x, &out, &err, &code);
	else
		cmdxrd_out_pfn(x, &out, &code);
	if (x->err.len) /* pfn-status: the LFNs whereis did not find */
		strbuf_add(&err, x->err.data, x->err.len);
	if (!code)
		code = x->lookup_failed;
	if (err.len && !strbuf_cstr(&err)) {
		strbuf_free(&out);
		strbuf_free(&err);
		command_fail(x->cmd, JD_EXIT_NOMEM);
		return;
	}
	cmdse_reply_sb(x->cmd, &out, code, err.len ? err.data : NULL);
	strbuf_free(&err);
}

static void cmdxrd_done(void *owner, struct xrdq_job *job, const struct xrdq_result *res)
{
	struct cmdxrd_target *t = owner;
	struct cmdxrd *x = t->x;

	(void)job;
	t->job = NULL;
	t->res = *res;
	t->res.answer = NULL;
	if (res->answer_len && !(t->answer = strdup(res->answer))) {
		t->res.ok = 0;
		snprintf(t->res.msg, sizeof(t->res.msg), "%s", exitcode_message(JD_EXIT_NOMEM));
	}
	t->done = 1;
	if (--x->pending == 0)
		cmdxrd_finish(x);
}

static void cmdxrd_submit_all(struct cmdxrd *x)
{
	static char keys[256];

	if (!keys[0])
		for (size_t k = 0; k < CMDXRD_NKEYS; k++)
			snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s",
				 k ? " " : "", cmdxrd_cfg_keys[k]);
	xrdq_init(command_lws_context(x->cmd));
	x->pending = 1; /* held until every job is queued, so none finishes the command early */
	for (int i = 0; i < x->n; i++) {
		struct cmdxrd_target *t = &x->t[i];
		struct xrdq_req r = { .hostport = t->hostport, .count = x->count };

		r.kind = x->verb == 'p'	  ? XRDQ_PING
			 : x->verb == 'c' ? XRDQ_CONFIG
			 : x->verb == 's' ? XRDQ_STATS
					  : XRDQ_STAT;
		r.arg = x->verb == 'c' ? keys : t->path;
		t->res.status = 3; /* stFatal, as XrdCl reports a URL it cannot use */
		if (!t->hostport[0] ||
		    (r.kind == XRDQ_STAT && !xrdq_path_ok(t->path ? t->path : ""))) {
			snprintf(t->res.msg, sizeof(t->res.msg),
				 "[FATAL] Invalid address (jaliend queries only %s)",
				 r.kind == XRDQ_STAT ? "root://host[:port]//path" : "host[:port]");
			continue;
		}
		t->job = xrdq_submit(&r, cmdxrd_done, t);
		if (!t->job) {
			snprintf(t->res.msg, sizeof(t->res.msg), "[FATAL] jaliend: %s",
				 errno == EAGAIN ? "too many XRootD queries at once"
						 : strerror(errno));
			continue;
		}
		x->pending++;
	}
	if (--x->pending == 0)
		cmdxrd_finish(x);
}

/* ---- xrd_*: the SEs from listSEs, as getSE -srv finds them ---- */

static void cmdxrd_ses_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	struct cmdxrd *x = arg;
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results"), *se;
	char b1[64], hp[512];
	int rc = 0;

	(void)code, (void)msg;
	/* alien.py: each label's matches in the list's order (-a: every SE) */
	for (int l = 0; l < (x->all ? 1 : x->nlabels) && rc == 0; l++)
		cJSON_ArrayForEach (se, results) {
			const char *name = cmdse_field(se, "seName", b1, sizeof(b1));
			const cJSON *url = cJSON_GetObjectItemCaseSensitive(se, "endpointUrl");

			if (!name || !cJSON_IsString(url) ||
			    (!x->all && !cmdse_match(se, x->labels[l])))
				continue;
			cmdse_netloc(url->valuestring, hp, sizeof(hp));
			if ((rc = cmdxrd_add(x, name, NULL, hp, NULL)) < 0)
				break;
		}
	/* not an SE of the list: the argument is the server (alien.py's root://<arg>) */
	for (int l = 0; !x->n && rc == 0 && l < x->nlabels; l++) {
		struct strbuf u = { 0 };

		strbuf_addf(&u, "root://%s", x->labels[l]);
		cmdse_netloc(strbuf_cstr(&u) ? u.data : "", hp, sizeof(hp));
		strbuf_free(&u);
		rc = cmdxrd_add(x, x->labels[l], NULL, hp, NULL);
	}
	cJSON_Delete(reply);
	if (rc < 0) {
		command_reply(cmd, NULL,
			      rc == -E2BIG ? "xrd: more than 256 SEs to query\n"
					   : exitcode_line(JD_EXIT_NOMEM),
			      rc == -E2BIG ? JD_EXIT_TOOBIG : JD_EXIT_NOMEM);
		return;
	}
	cmdxrd_submit_all(x);
}

/* ---- pfn-status: PFNs as given, LFNs through whereis -r ---- */

static void cmdxrd_pfn_next(struct cmdxrd *x);

/* root://host[:port]//path[?query] -> host:port and /path (urlparse's netloc and path) */
static int cmdxrd_add_pfn(struct cmdxrd *x, const char *pfn, const char *lfn)
{
	char hp[512];
	int root = strncmp(pfn, "root://", 7) == 0;
	/* not root://: no path (refused below) */
	const char *p = root ? pfn + 7 : pfn + strlen(pfn);
	size_t plen;
	char *path;
	int rc;

	cmdse_netloc(pfn, hp, sizeof(hp));
	p += strcspn(p, "/?#");
	plen = strcspn(p, "?#");
	path = strndup(p, plen);
	if (!path)
		return -ENOMEM;
	rc = cmdxrd_add(x, pfn, lfn, root ? hp : NULL, path);
	free(path);
	return rc;
}

static void cmdxrd_whereis_done(struct command *cmd, void *arg, cJSON *reply, int code,
				const char *msg)
{
	struct cmdxrd *x = arg;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(meta, "error"), *row;
	const char *lfn = x->labels[x->next_label - 1];
	int rc = 0;

	if (!reply || !cJSON_IsString(ec) || strcmp(ec->valuestring, "0")) {
		strbuf_addf(&x->err, "%s\n",
			    !reply				     ? msg
			    : cJSON_IsString(er) && *er->valuestring ? er->valuestring
								     : "whereis failed");
		x->lookup_failed = !reply ? code : cJSON_IsString(ec) ? atoi(ec->valuestring) : 1;
		if (!x->lookup_failed)
			x->lookup_failed = 1;
	}
	cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive(reply, "results")) {
		const cJSON *pfn = cJSON_GetObjectItemCaseSensitive(row, "pfn");

		if (cJSON_IsString(pfn) && (rc = cmdxrd_add_pfn(x, pfn->valuestring, lfn)) < 0)
			break;
	}
	cJSON_Delete(reply);
	if (rc < 0) {
		command_reply(cmd, NULL,
			      rc == -E2BIG ? "pfn-status: more than 256 replicas to query\n"
					   : exitcode_line(JD_EXIT_NOMEM),
			      rc == -E2BIG ? JD_EXIT_TOOBIG : JD_EXIT_NOMEM);
		return;
	}
	cmdxrd_pfn_next(x);
}

static void cmdxrd_pfn_next(struct cmdxrd *x)
{
	while (x->next_label < x->nlabels) {
		const char *a = x->labels[x->next_label++];
		char *lfn;
		cJSON *opts;
		int rc;

		if (strncmp(a, "root://", 7) == 0) {
			if ((rc = cmdxrd_add_pfn(x, a, NULL)) < 0) {
				command_reply(x->cmd, NULL,
					      rc == -E2BIG
						      ? "pfn-status: more than 256 PFNs to query\n"
						      : exitcode_line(JD_EXIT_NOMEM),
					      rc == -E2BIG ? JD_EXIT_TOOBIG : JD_EXIT_NOMEM);
				return;
			}
			continue;
		}
		/* an LFN: alien.py's expansion, then its replicas */
		lfn = cmdlocal_expand(a, command_term_cwd(x->cmd), upstream_home());
		opts = cJSON_CreateArray();
		if (!lfn || !opts) {
			free(lfn);
			cJSON_Delete(opts);
			command_fail(x->cmd, JD_EXIT_NOMEM);
			return;
		}
		free(x->labels[x->next_label - 1]);
		x->labels[x->next_label - 1] = lfn;
		cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
		cJSON_AddItemToArray(opts, cJSON_CreateString("-r"));
		cJSON_AddItemToArray(opts, cJSON_CreateString(lfn));
		if (command_upstream(x->cmd, "whereis", opts, UP_REQ_READONLY, cmdxrd_whereis_done,
				     x) < 0)
			command_fail(x->cmd, JD_EXIT_NOMEM);
		return;
	}
	cmdxrd_submit_all(x);
}

/* ---- the command line ---- */

int cmdxrd_run(struct command *cmd, cJSON *argv)
{
	const char *verb = argv->child->valuestring;
	struct cmdxrd *x = calloc(1, sizeof(*x));
	const cJSON *a;
	int n = cJSON_GetArraySize(argv);

	if (!x || !(x->labels = calloc((size_t)n, sizeof(*x->labels)))) {
		free(x);
		return -ENOMEM;
	}
	x->cmd = cmd;
	x->verb = strcmp(verb, "xrd_ping") == 0	    ? 'p'
		  : strcmp(verb, "xrd_config") == 0 ? 'c'
		  : strcmp(verb, "xrd_stats") == 0  ? 's'
						    : 'f';
	x->count = CMDXRD_PING_DEFAULT;
	command_hold(cmd, x, cmdxrd_release);
	for (a = argv->child->next; a; a = a->next) {
		const char *v = a->valuestring;

		if (x->verb == 'p' && strcmp(v, "-c") == 0) {
			char *end = NULL;
			long c = a->next ? strtol(a->next->valuestring, &end, 10) : 0;

			if (!a->next || *end || c < 1 || c > XRDQ_PING_MAX) {
				char line[200];

				snprintf(line, sizeof(line),
					 "xrd_ping: -c needs a count from 1 to %d\n",
					 XRDQ_PING_MAX);
				command_reply(cmd, NULL, line, JD_EXIT_USAGE);
				return 1;
			}
			x->count = (int)c;
			a = a->next;
			continue;
		}
		if ((x->verb == 'c' || x->verb == 'f') &&
		    (strcmp(v, "-v") == 0 || strcmp(v, "-verbose") == 0)) {
			x->verbose = 1;
			continue;
		}
		if ((x->verb == 'c' || x->verb == 's') &&
		    (strcmp(v, "-a") == 0 || strcmp(v, "-all") == 0)) {
			x->all = 1;
			continue;
		}
		if (x->verb == 's' && (strcmp(v, "-xml") == 0 || strcmp(v, "-xmlraw") == 0 ||
				       strcmp(v, "-compact") == 0)) {
			x->xml |= v[1] == 'x';
			x->xmlraw |= strcmp(v, "-xmlraw") == 0;
			x->compact |= v[1] == 'c';
			continue;
		}
		if (!(x->labels[x->nlabels++] = strdup(v)))
			return -ENOMEM;
	}
	if (x->verb == 'f') {
		cmdxrd_pfn_next(x);
		return 1;
	}
	{
		cJSON *opts = cJSON_CreateArray();

		if (!opts)
			return -ENOMEM;
		cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
		return command_upstream(cmd, "listSEs", opts, UP_REQ_READONLY, cmdxrd_ses_done, x) <
				       0
			       ? -ENOMEM
			       : 1;
	}
}
