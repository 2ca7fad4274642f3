/* commander.c - request parsing, global pseudo-options and command dispatch. */
#include "commander.h"
#include "pace.h"
#include "cmd.h"
#include "path.h"
#include "cmdcount.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cmd_names[] = {
	"cd",
	"pwd",
	"mkdir",
	"rmdir",
	"ls",
	"find",
	"toXml",
	"cat",
	"whereis",
	"cp",
	"rm",
	"mv",
	"touch",
	"type",
	"lfn2guid",
	"guid2lfn",
	"guidinfo",
	"access",
	"commit",
	"chown",
	"chmod",
	"deleteMirror",
	"md5sum",
	"mirror",
	"grep",
	"changeDiff",
	"listFilesFromCollection",
	"archiveList",
	"packages",
	"listCEs",
	"jobListMatch",
	"listpartitions",
	"setCEstatus",
	"submit",
	"ps",
	"masterjob",
	"kill",
	"w",
	"uptime",
	"resubmit",
	"top",
	"registerOutput",
	"df",
	"du",
	"fquota",
	"jquota",
	"listSEs",
	"listSEDistance",
	"setSite",
	"testSE",
	"listTransfer",
	"uuid",
	"stat",
	"xrdstat",
	"resyncLDAP",
	"optimiserLogs",
	"showTagValue",
	"time",
	"timing",
	"commandlist",
	"motd",
	"ping",
	"version",
	"echo",
	"whoami",
	"user",
	"whois",
	"groups",
	"token",
	"lfnexpiretime",
};
const size_t cmd_nnames = sizeof(cmd_names) / sizeof(cmd_names[0]);

/* executable but not advertised */
static const char *const admin_names[] = { "groupmembers", "moveDirectory", "randomPFNs" };
/* accepted silently, no output */
static const char *const hidden_names[] = {
	"roleami", "cdir", "gfilecomplete", "cdirtiled", "setshell", "blackwhite", "color",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

static const struct cmd_def *find_def(const char *name)
{
	static const struct {
		const struct cmd_def *defs;
		const size_t *n;
	} tables[] = {
		{ cmd_info_defs, &cmd_info_ndefs },	{ cmd_browse_defs, &cmd_browse_ndefs },
		{ cmd_modify_defs, &cmd_modify_ndefs }, { cmd_find_defs, &cmd_find_ndefs },
		{ cmd_misc_defs, &cmd_misc_ndefs },	{ cmd_token_defs, &cmd_token_ndefs },
		{ cmd_access_defs, &cmd_access_ndefs }, { cmd_replica_defs, &cmd_replica_ndefs },
		{ cmd_jobs_defs, &cmd_jobs_ndefs },	{ cmd_ps_defs, &cmd_ps_ndefs },
	};
	for (size_t t = 0; t < N_ELEMS(tables); t++)
		for (size_t i = 0; i < *tables[t].n; i++)
			if (!strcmp(tables[t].defs[i].name, name))
				return &tables[t].defs[i];
	return NULL;
}

/* ------------------------------------------------------------------ help helpers */

static void pad_right(struct reply *r, const char *s, int width)
{
	reply_outf(r, "%-*s", width, s);
}

void cmd_help_usage(struct reply *r, const char *name, const char *desc)
{
	char *s = NULL;
	if (asprintf(&s, "usage: %s%s%s", name, desc && *desc ? "   " : "", desc ? desc : "") < 0)
		return;
	pad_right(r, s, 20);
	reply_out(r, "\n");
	free(s);
}

void cmd_help_options(struct reply *r)
{
	reply_out(r, "\noptions:\n");
}

void cmd_help_option(struct reply *r, const char *opt, const char *desc)
{
	reply_outf(r, "%20s%-21s%s%s\n", "", opt, desc && *desc ? "  :  " : "", desc ? desc : "");
}

void cmd_help_param(struct reply *r, const char *desc)
{
	reply_outf(r, "%20s%s\n", "", desc);
}

int cmd_abs(struct cmd_ctx *c, const char *arg, char *out, size_t outsz)
{
	int rc = path_resolve(c->s->home, c->s->cwd, arg, out, outsz);
	if (rc)
		reply_error(c->r, ENAMETOOLONG, arg);
	return rc;
}

/* JCentral's human-readable size (lazyj Format.size): divide by 1024 while above 1024, then
 * 3 decimals below 10, 2 below 100, 1 below 1000, none above; trailing zeros dropped:
 * "1024 B", "293 KB", "6.106 MB". */
void cmd_fmt_size(long long n, char *out, size_t outsz)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB", "PB", "XB" };
	double v = n < 0 ? -(double)n : (double)n;
	size_t u = 0;
	char num[64];

	while (v > 1024 && u + 1 < N_ELEMS(units)) {
		v /= 1024;
		u++;
	}
	if (v < 10)
		snprintf(num, sizeof(num), "%.3f", round(v * 1000) / 1000);
	else if (v < 100)
		snprintf(num, sizeof(num), "%.2f", round(v * 100) / 100);
	else if (v < 1000)
		snprintf(num, sizeof(num), "%.1f", round(v * 10) / 10);
	else
		snprintf(num, sizeof(num), "%lld", (long long)v);
	if (strchr(num, '.')) {
		size_t l = strlen(num);
		while (num[l - 1] == '0')
			num[--l] = '\0';
		if (num[l - 1] == '.')
			num[--l] = '\0';
	}
	snprintf(out, outsz, "%s%s %s", n < 0 && strcmp(num, "0") ? "-" : "", num, units[u]);
}

/* ------------------------------------------------------------------ session */

int commander_session_init(struct jcl_session *s, const struct jcl_server *srv, const char *account)
{
	int rc;

	snprintf(s->account, sizeof(s->account), "%s", account);
	if ((rc = jcl_home_of(srv, account, s->home, sizeof(s->home))))
		return rc;
	snprintf(s->cwd, sizeof(s->cwd), "%s", s->home);
	s->srv = srv;
	return 0;
}

char *commander_backerror_reply(struct jcl_session *s, int code, const char *text, size_t *outlen)
{
	struct jcl_buf b = { 0 };

	if (jcl_buf_addf(&b, "{\"metadata\":{\"exitcode\":\"%d\",\"error\":", code) ||
	    jcl_buf_add_json_str(&b, text) || jcl_buf_adds(&b, ",\"user\":") ||
	    jcl_buf_add_json_str(&b, s->account) || jcl_buf_adds(&b, ",\"currentdir\":") ||
	    jcl_buf_add_json_str(&b, s->cwd) || jcl_buf_adds(&b, "},\"results\":[]}")) {
		jcl_buf_free(&b);
		return NULL;
	}
	*outlen = b.len;
	return b.p;
}

/* Java String.valueOf() of a JSON option element. */
static char *option_string(const cJSON *it)
{
	char *s = NULL;

	if (cJSON_IsString(it))
		return strdup(it->valuestring);
	if (cJSON_IsNumber(it)) {
		double d = it->valuedouble;
		if (d == floor(d) && fabs(d) < 9.2e18) {
			if (asprintf(&s, "%lld", (long long)d) < 0)
				s = NULL;
		} else if (asprintf(&s, "%.17g", d) < 0) {
			s = NULL;
		}
		return s;
	}
	if (cJSON_IsTrue(it))
		return strdup("true");
	if (cJSON_IsFalse(it))
		return strdup("false");
	if (cJSON_IsNull(it))
		return strdup("null");
	return cJSON_PrintUnformatted(it);
}

static void set_pwd(struct jcl_session *s, const char *val)
{
	char norm[JCL_LFN_MAX];
	struct cat_entry *e = malloc(sizeof(*e));

	snprintf(s->cwd, sizeof(s->cwd), "[none]");
	if (!e)
		return;
	if (val[0] == '/' && !path_normalise(val, norm, sizeof(norm)) &&
	    !catalogue_get(s->srv->cat, norm, e))
		snprintf(s->cwd, sizeof(s->cwd), "%s", e->lfn);
	free(e);
}

struct request {
	char *command;
	char **argv;
	size_t argc;
};

static void request_free(struct request *q)
{
	free(q->command);
	for (size_t i = 0; i < q->argc; i++)
		free(q->argv[i]);
	free(q->argv);
}

/* 0, -EINVAL (not an acceptable request) or -ENOMEM */
static int request_parse(const char *msg, size_t len, struct request *q)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(msg, len, &end, 0);
	int rc = -EINVAL;

	memset(q, 0, sizeof(*q));
	if (!root)
		return -EINVAL;
	/* json-simple: nothing but white space may follow the value */
	for (const char *e = msg + len; end && end < e; end++)
		if (!strchr(" \t\r\n\f\b", *end) || !*end) {
			cJSON_Delete(root);
			return -EINVAL;
		}
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(root, "command");
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(root, "options");
	if (!cJSON_IsObject(root) || !cJSON_IsString(cmd) ||
	    (opts && !cJSON_IsNull(opts) && !cJSON_IsArray(opts)))
		goto out;
	int n = cJSON_IsArray(opts) ? cJSON_GetArraySize(opts) : 0;
	if (n > JCL_MAX_ARGS)
		goto out;
	rc = -ENOMEM;
	q->command = strdup(cmd->valuestring);
	q->argv = calloc((size_t)n + 1, sizeof(*q->argv));
	if (!q->command || !q->argv)
		goto out;
	const cJSON *it;
	cJSON_ArrayForEach (it, opts) {
		char *a = option_string(it);
		if (!a)
			goto out;
		q->argv[q->argc++] = a;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	if (rc)
		request_free(q);
	return rc;
}

static void run_command(struct cmd_ctx *c, const struct cmd_def *d, bool help)
{
	struct opt_result o;
	bool args_ok = true;

	memset(&o, 0, sizeof(o));
	if (d->spec) {
		int rc = opts_parse(d->spec, d->nspec, c->argv, c->argc, &o);
		if (rc == -ENOMEM) {
			reply_error(c->r, ENOMEM, NULL);
			return;
		}
		if (rc) {
			args_ok = false;
			switch (d->opterr) {
			case OPTERR_EINVAL: reply_error(c->r, EINVAL, o.err); break;
			case OPTERR_ILLEGAL:
				/* the constructor prints the help, then throws */
				d->help(c);
				reply_error(c->r, EINVAL, "Illegal command options");
				opts_free(&o);
				return;
			case OPTERR_NOTFOUND:
				reply_error_raw(c->r, ENOENT,
						"Command not found or not implemented yet");
				opts_free(&o);
				return;
			}
		}
	} else {
		o.args = (const char **)c->argv;
		o.nargs = c->argc;
	}

	if (help) {
		reply_set_filters(c->r, false, false);
		d->help(c);
	} else if (args_ok && (c->argc > 0 || d->no_args_ok)) {
		d->run(c, &o);
	} else if (reply_exitcode(c->r) == 0) {
		reply_error(c->r, EINVAL, "Command requires an argument");
		d->help(c);
	}
	if (d->spec)
		opts_free(&o);
}

static void not_implemented(struct cmd_ctx *c)
{
	reply_errorf(c->r, ENOSYS, "%s is not implemented by jcentral-lite", c->name);
}

char *commander_handle(struct jcl_session *s, const char *msg, size_t len, size_t *outlen)
{
	struct request q;
	struct reply *r;
	bool nomsg = false, nokeys = false, help = false, silent = false;
	char *out = NULL;
	int rc = request_parse(msg, len, &q);

	cmdcount_add(s, rc ? NULL : q.command);
	if (rc == -ENOMEM)
		return NULL;
	if (rc)
		return commander_backerror_reply(s, EINVAL, "Incoming JSON is not ok", outlen);
	if (!strcmp(q.command, "cp")) {
		request_free(&q);
		return commander_backerror_reply(s, EINVAL,
						 "'cp' grid command is not implemented. Please use "
						 "native client's Cp() method",
						 outlen);
	}

	/* Global pseudo-options, any position, removed before the command sees its arguments. */
	size_t w = 0;
	for (size_t i = 0; i < q.argc; i++) {
		char *a = q.argv[i];
		bool drop = true;

		if (!strncmp(a, "-pwd=", 5))
			set_pwd(s, a + 5);
		else if (!strncmp(a, "-debug=", 7))
			s->debug = atoi(a + 7);
		else if (!strcmp(a, "-silent"))
			silent = true;
		else if (!strcmp(a, "-nomsg"))
			nomsg = true;
		else if (!strcmp(a, "-nokeys"))
			nokeys = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--h") || !strcmp(a, "-help") ||
			 !strcmp(a, "--help"))
			help = true;
		else
			drop = false;
		if (drop)
			free(a);
		else
			q.argv[w++] = a;
	}
	q.argc = w;

	if (silent && !s->ran_command) {
		/* JCentral: -silent acts on the previous command object; on a fresh session that is
		 * an internal error and the reply is an empty text message. */
		request_free(&q);
		*outlen = 0;
		return strdup("");
	}

	r = reply_new();
	if (!r) {
		request_free(&q);
		return NULL;
	}
	reply_set_filters(r, nomsg, nokeys);

	struct cmd_ctx c = {
		.s = s,
		.srv = s->srv,
		.cat = s->srv->cat,
		.r = r,
		.name = q.command,
		.argv = q.argv,
		.argc = q.argc,
	};
	bool listed = in_list(cmd_names, cmd_nnames, q.command) ||
		      in_list(admin_names, N_ELEMS(admin_names), q.command);

	if (!listed) {
		if (!in_list(hidden_names, N_ELEMS(hidden_names), q.command))
			reply_errorf(r, ENOENT, "Command [%s] not found!", q.command);
	} else {
		const struct cmd_def *d = find_def(q.command);
		s->ran_command = true;
		if (!d)
			not_implemented(&c);
		else
			run_command(&c, d, help);
	}

	for (size_t i = 0; i < s->srv->n_slow; i++)
		if (!strcmp(s->srv->slow[i].cmd, q.command))
			s->reply_delay_ms += s->srv->slow[i].ms;
	if (s->srv->service_real)
		s->reply_delay_ms += pace_service_ms(q.command);
	if (s->srv->verbose)
		jcl_debug("%s: %s -> %d", s->account, q.command, reply_exitcode(r));
	out = reply_serialize(r, s->cwd, s->account, outlen);
	reply_free(r);
	request_free(&q);
	return out;
}
