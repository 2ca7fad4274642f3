/* cmdlocal.c - see cmdlocal.h. */
#include "cmdlocal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "base/certcheck.h"
#include "base/certinfo.h"
#include "cmddirs.h"
#include "cmdhelp.h"
#include "cmdjob.h"
#include "cmdfind2.h"
#include "cmdse.h"
#include "cmduri.h"
#include "cmdxrd.h"
#include "cmdxml.h"
#include "command.h"
#include "policy.h"
#include "complete.h"
#include "base/strbuf.h"
#include "upstream/token.h"
#include "upstream/upstream.h"

#define CMDLOCAL_HELP_COL 24 /* alien.py's help column width */

const char *const cmdlocal_names[] = {
	"ll", "la", "lla", "home", "quota", "token-info", "token-destroy", "cert-info", "exitcode",
	"help", "version", "ping", "time", "exit", "quit", "logout", "daemon", "less", "more", "edit",
	"pushd", "popd", "dirs", "prompt", "jobInfo", "getCE", "siteJobs", "checkAddr", "lfn2uri", "run", "exec", "pfn", "getSE", "SEqos", "token-init", "token-verify", "cert-verify", "certkey-match", "tokenkey-match", "find2", "xrd_ping", "xrd_config", "xrd_stats", "pfn-status",
	NULL,
};

/* ---- exit codes per terminal, for `exitcode` ---- */

struct cmdlocal_code {
	char key[LIM_SESSION_KEY_MAX];
	int code;
};
static struct cmdlocal_code cmdlocal_codes[LIM_SESSIONS_MAX];
static unsigned cmdlocal_next; /* ring: the oldest is overwritten */

static struct cmdlocal_code *cmdlocal_code_find(const char *session)
{
	for (unsigned i = 0; i < LIM_SESSIONS_MAX; i++)
		if (strcmp(cmdlocal_codes[i].key, session) == 0)
			return &cmdlocal_codes[i];
	return NULL;
}

void cmdlocal_record_exit(const char *session, int code)
{
	struct cmdlocal_code *c = cmdlocal_code_find(session);

	if (!c) {
		c = &cmdlocal_codes[cmdlocal_next++ % LIM_SESSIONS_MAX];
		snprintf(c->key, sizeof(c->key), "%s", session);
	}
	c->code = code;
}

static int cmdlocal_exitcode(struct command *cmd)
{
	struct cmdlocal_code *c = cmdlocal_code_find(command_session(cmd));
	char line[16];

	snprintf(line, sizeof(line), "%d\n", c ? c->code : -1); /* alien.py: -1 before any command */
	command_reply(cmd, line, NULL, c ? c->code : 0);
	return 1;
}

/* ---- grid path expansion (alien.py, cp/submit) ---- */

char *cmdlocal_expand(const char *path, const char *cwd, const char *home)
{
	struct strbuf raw = { 0 }, out = { 0 };
	int trailing = path[0] && path[strlen(path) - 1] == '/';
	const char *p;

	home = home ? home : "/";
	cwd = cwd ? cwd : home;
	if (strncmp(path, "%ALIEN", 6) == 0)
		strbuf_addf(&raw, "%s/%s", home, path + 6);
	else if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
		strbuf_addf(&raw, "%s/%s", home, path + 1);
	else if (path[0] == '/')
		strbuf_adds(&raw, path);
	else
		strbuf_addf(&raw, "%s/%s", cwd, path);
	if (!strbuf_cstr(&raw))
		return NULL;
	/* normalise: //, /./, /../ */
	for (p = raw.data; *p;) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0)
			break;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (out.len && out.data[out.len - 1] != '/')
				out.len--;
			if (out.len)
				out.len--;
		} else if (!(n == 1 && p[0] == '.')) {
			strbuf_addc(&out, '/');
			strbuf_add(&out, p, n);
		}
		p += n;
	}
	if (!out.len || trailing)
		strbuf_addc(&out, '/');
	strbuf_free(&raw);
	return strbuf_cstr(&out);
}

/* ---- help ---- */

static int cmdlocal_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void cmdlocal_help_list(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	const char *const *server = complete_cmdlist();
	const char *names[1024];
	struct strbuf sb = { 0 };
	size_t n = 0, per;

	if (reply)
		complete_cmdlist_store(reply);
	cJSON_Delete(reply);
	server = complete_cmdlist();
	if (!server) {
		char line[700];

		snprintf(line, sizeof(line), "help needs the command list of JCentral: %s\n", msg ? msg : "no reply");
		command_reply(cmd, NULL, line, code ? code : 1);
		return;
	}
	for (; *server && n < 1000; server++)
		names[n++] = *server;
	for (const char *const *l = cmdlocal_names; *l && n < 1023; l++) {
		size_t i;

		for (i = 0; i < n && strcmp(names[i], *l); i++)
			;
		if (i == n)
			names[n++] = *l;
	}
	qsort(names, n, sizeof(*names), cmdlocal_cmp);
	per = command_cols(cmd) >= CMDLOCAL_HELP_COL ? (size_t)command_cols(cmd) / CMDLOCAL_HELP_COL : 5;
	strbuf_adds(&sb, "Special arguments of alien (and of every alien-<cmd>, alien_<cmd>):\n"
		    "  -json       the full reply of JCentral as JSON (also ALIENPY_JSON=1)\n"
		    "  <file>      run the commands of a local script file\n"
		    "  --direct    one command without jaliend (a connection of its own)\n"
		    "  `alien` with no arguments opens the interactive shell; `cmd1; cmd2`, `!shell`,\n"
		    "  `cmd | shell-pipeline` and `time cmd` work as in alien.py.\n"
		    "Help of one command: help <cmd>, or <cmd> -h. Manual: man alien.\n"
		    "Not provided (they need services other than JAliEn): getCAcerts, ccdb, queryML.\n"
		    "The commands are:\n");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%-*s%s", (i + 1) % per && i + 1 < n ? CMDLOCAL_HELP_COL : 0, names[i],
			    (i + 1) % per && i + 1 < n ? "" : "\n");
	if (!strbuf_cstr(&sb)) {
		command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
		return;
	}
	command_reply(cmd, sb.data, NULL, 0);
	strbuf_free(&sb);
}

/* Get the command list (cached, or one `commandlist`), then call then(). */
static int cmdlocal_with_cmdlist(struct command *cmd, command_then_fn then)
{
	cJSON *opts;

	if (complete_cmdlist()) {
		then(cmd, NULL, 0, NULL);
		return 1;
	}
	opts = cJSON_CreateArray();
	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	return command_upstream(cmd, "commandlist", opts, UP_REQ_READONLY, then) < 0 ? -ENOMEM : 1;
}

/* ---- unknown command, with suggestions ---- */

/* Python difflib's SequenceMatcher(None, a, b).ratio() for short words (no
 * junk: b is under 200 characters): 2 * matched / total, where matched sums
 * the longest common blocks found recursively (the earliest in a on a tie). */
static size_t cmdlocal_matched(const char *a, size_t alo, size_t ahi, const char *b, size_t blo, size_t bhi)
{
	size_t besti = alo, bestj = blo, best = 0, len[CMDLOCAL_WORD_MAX + 1] = { 0 }, nlen[CMDLOCAL_WORD_MAX + 1];

	for (size_t i = alo; i < ahi; i++) {
		memset(nlen, 0, sizeof(nlen));
		for (size_t j = blo; j < bhi; j++) {
			if (a[i] != b[j])
				continue;
			nlen[j + 1] = len[j] + 1;
			if (nlen[j + 1] > best) {
				best = nlen[j + 1];
				besti = i + 1 - best;
				bestj = j + 1 - best;
			}
		}
		memcpy(len, nlen, sizeof(len));
	}
	if (!best)
		return 0;
	return best + cmdlocal_matched(a, alo, besti, b, blo, bestj) +
	       cmdlocal_matched(a, besti + best, ahi, b, bestj + best, bhi);
}

static double cmdlocal_ratio(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > CMDLOCAL_WORD_MAX || lb > CMDLOCAL_WORD_MAX || la + lb == 0)
		return 0;
	return 2.0 * (double)cmdlocal_matched(a, 0, la, b, 0, lb) / (double)(la + lb);
}

struct cmdlocal_match {
	double score;
	const char *name;
};

/* difflib.get_close_matches(verb, names, n=3, cutoff=0.6): best first, a tie
 * the greater name first. */
static void cmdlocal_unknown_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	const char *verb = *command_scratch(cmd);
	struct cmdlocal_match best[CMDLOCAL_SUGGEST_MAX] = { { 0, NULL } };
	struct strbuf sb = { 0 };
	int shown = 0;

	(void)code, (void)msg;
	if (reply)
		complete_cmdlist_store(reply);
	cJSON_Delete(reply);
	strbuf_addf(&sb, "WARNING! command >>> %.200s <<< not in the list of known commands!\n", verb);
	for (int pass = 0; pass < 2; pass++) {
		const char *const *l = pass == 0 ? complete_cmdlist() : cmdlocal_names;

		for (; l && *l; l++) {
			struct cmdlocal_match m = { cmdlocal_ratio(*l, verb), *l };
			int k, dup = 0;

			for (k = 0; k < shown; k++)
				dup |= strcmp(best[k].name, *l) == 0;
			if (dup || m.score < 0.6)
				continue;
			for (k = shown; k > 0 && (best[k - 1].score < m.score ||
						 (best[k - 1].score == m.score && strcmp(best[k - 1].name, m.name) < 0)); k--)
				if (k < CMDLOCAL_SUGGEST_MAX)
					best[k] = best[k - 1];
			if (k < CMDLOCAL_SUGGEST_MAX) {
				best[k] = m;
				shown += shown < CMDLOCAL_SUGGEST_MAX;
			}
		}
	}
	for (int k = 0; k < shown; k++)
		strbuf_addf(&sb, "%s%s", k ? " " : "Similar commands: ", best[k].name);
	if (shown)
		strbuf_addc(&sb, '\n');
	command_reply(cmd, NULL, strbuf_cstr(&sb) ? sb.data : "jaliend: out of memory\n", 1);
	strbuf_free(&sb);
}

/* The pool had no command list yet: check the verb once it has come. */
static void cmdlocal_verify_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	cJSON *argv = cJSON_Parse(*command_scratch(cmd));
	const char *const *l;

	if (reply)
		complete_cmdlist_store(reply);
	cJSON_Delete(reply);
	l = complete_cmdlist();
	if (!argv || !argv->child) {
		cJSON_Delete(argv);
		command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
		return;
	}
	for (; l && *l && strcmp(*l, argv->child->valuestring); l++)
		;
	if (l && !*l) { /* the list came, and the verb is not in it */
		free(*command_scratch(cmd));
		*command_scratch(cmd) = strdup(argv->child->valuestring);
		cJSON_Delete(argv);
		if (!*command_scratch(cmd))
			command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
		else
			cmdlocal_unknown_done(cmd, NULL, code, msg);
		return;
	}
	/* known, or no list to be had (the pool's error will come with the command) */
	if (command_forward(cmd, argv) < 0)
		command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
	cJSON_Delete(argv);
}

/* ---- cert-info, token-info, token-destroy ---- */

static void cmdlocal_token_paths(struct command *cmd, char *cert, char *key, size_t n)
{
	const char *c = command_env(cmd, "JALIEN_TOKEN_CERT"), *k = command_env(cmd, "JALIEN_TOKEN_KEY");
	const char *tmp = command_env(cmd, "TMPDIR");

	c = c ? c : getenv("JALIEN_TOKEN_CERT");
	k = k ? k : getenv("JALIEN_TOKEN_KEY");
	tmp = tmp ? tmp : getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (c && *c)
		snprintf(cert, n, "%s", c);
	else
		snprintf(cert, n, "%s/tokencert_%u.pem", tmp, (unsigned)getuid());
	if (k && *k)
		snprintf(key, n, "%s", k);
	else
		snprintf(key, n, "%s/tokenkey_%u.pem", tmp, (unsigned)getuid());
}

static int cmdlocal_certinfo(struct command *cmd, int token)
{
	char cert[CERTINFO_PEM_MAX], key[4096], line[4200];
	struct strbuf sb = { 0 };
	int r;

	if (token) {
		cmdlocal_token_paths(cmd, cert, key, sizeof(cert) < sizeof(key) ? sizeof(cert) : sizeof(key));
	} else {
		const char *c = command_env(cmd, "X509_USER_CERT"), *home = command_env(cmd, "HOME");

		c = c ? c : getenv("X509_USER_CERT");
		home = home ? home : getenv("HOME") ? getenv("HOME") : "";
		if (c && *c)
			snprintf(cert, sizeof(cert), "%s", c);
		else
			snprintf(cert, sizeof(cert), "%s/.globus/usercert.pem", home);
	}
	r = certinfo_lines(cert, &sb);
	if (r < 0) {
		snprintf(line, sizeof(line), r == -ENOENT ? "File >>> %.4000s <<< not found/accessible!\n"
			 : "File >>> %.4000s <<< is not a PEM certificate!\n",
			 strncmp(cert, "-----BEGIN", 10) == 0 ? "(PEM text in JALIEN_TOKEN_CERT)" : cert);
		command_reply(cmd, NULL, line, r == -ENOENT ? 2 : 5);
	} else {
		command_reply(cmd, strbuf_cstr(&sb), NULL, 0);
	}
	strbuf_free(&sb);
	return 1;
}

static const cJSON *cmdlocal_row0(const cJSON *reply);

/* The user's certificate and key as this shim names them (alien.py's defaults). */
static void cmdlocal_user_paths(struct command *cmd, char *cert, char *key, size_t n)
{
	const char *c = command_env(cmd, "X509_USER_CERT"), *k = command_env(cmd, "X509_USER_KEY");
	const char *home = command_env(cmd, "HOME");

	c = c ? c : getenv("X509_USER_CERT");
	k = k ? k : getenv("X509_USER_KEY");
	home = home ? home : getenv("HOME") ? getenv("HOME") : "";
	if (c && *c)
		snprintf(cert, n, "%s", c);
	else
		snprintf(cert, n, "%s/.globus/usercert.pem", home);
	if (k && *k)
		snprintf(key, n, "%s", k);
	else
		snprintf(key, n, "%s/.globus/userkey.pem", home);
}

/* cert-verify, token-verify, certkey-match, tokenkey-match */
static int cmdlocal_certcheck(struct command *cmd, int token, int match)
{
	char cert[4096], key[4096];
	const char *ca = command_env(cmd, "X509_CERT_FILE");
	struct strbuf out = { 0 }, err = { 0 };
	int code;

	if (token)
		cmdlocal_token_paths(cmd, cert, key, sizeof(cert));
	else
		cmdlocal_user_paths(cmd, cert, key, sizeof(cert));
	ca = ca ? ca : command_env(cmd, "X509_CERT_DIR");
	ca = ca ? ca : getenv("X509_CERT_DIR") && *getenv("X509_CERT_DIR") ? getenv("X509_CERT_DIR")
									: "/etc/grid-security/certificates";
	code = match ? certcheck_keymatch(cert, key, &out, &err) : certcheck_verify(cert, ca, &out, &err);
	if (!strbuf_cstr(&out) || !strbuf_cstr(&err))
		command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
	else
		command_reply(cmd, out.len ? out.data : NULL, err.len ? err.data : NULL, code);
	strbuf_free(&out);
	strbuf_free(&err);
	return 1;
}

/* token-init, and token-destroy when it removed jaliend's own files: a new
 * token from JCentral (a session logged in with the user certificate, as
 * jaliend's own renewals), into jaliend's token files at once. */
static void cmdlocal_token_new_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	const cJSON *row = cmdlocal_row0(reply);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "tokencert");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(row, "tokenkey");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(meta, "error");
	int destroy = *command_scratch(cmd) != NULL, r;
	struct strbuf sb = { 0 };
	char line[700];

	if (!reply || !cJSON_IsString(ec) || strcmp(ec->valuestring, "0") || !cJSON_IsString(c) || !cJSON_IsString(k)) {
		snprintf(line, sizeof(line), "%sno new token from JCentral: %.500s\n",
			 destroy ? "Token was destroyed! " : "",
			 reply ? (cJSON_IsString(er) && *er->valuestring ? er->valuestring : "empty reply") : msg);
		command_reply(cmd, NULL, line, reply ? (cJSON_IsString(ec) && atoi(ec->valuestring) ? atoi(ec->valuestring) : 1) : code);
		cJSON_Delete(reply);
		return;
	}
	r = token_install(k->valuestring, c->valuestring);
	cJSON_Delete(reply);
	if (r < 0) {
		snprintf(line, sizeof(line), "cannot keep the new token in %.500s: %s\n", token_cert_path(), strerror(-r));
		command_reply(cmd, NULL, line, 5);
		return;
	}
	if (destroy) {
		command_reply(cmd, "Token was destroyed! Re-connect for token re-creation.\n", NULL, 0);
		return;
	}
	r = certinfo_lines(token_cert_path(), &sb); /* alien.py: token-init prints token-info */
	command_reply(cmd, r == 0 && strbuf_cstr(&sb) ? sb.data : NULL, r == 0 ? NULL : "token-info: cannot read the new token\n",
		      r == 0 ? 0 : 5);
	strbuf_free(&sb);
}

static int cmdlocal_token_new(struct command *cmd, const cJSON *argv, int destroy)
{
	cJSON *opts = cJSON_CreateArray();
	const cJSON *a;

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	for (a = argv && !destroy ? argv->child->next : NULL; a; a = a->next)
		cJSON_AddItemToArray(opts, cJSON_CreateString(a->valuestring));
	*command_scratch(cmd) = destroy ? strdup("destroy") : NULL;
	if (destroy && !*command_scratch(cmd)) {
		cJSON_Delete(opts);
		return -ENOMEM;
	}
	return command_upstream(cmd, "token", opts, UP_REQ_PRIVATE | UP_REQ_LOGIN, cmdlocal_token_new_done) < 0
		       ? -ENOMEM : 1;
}

static int cmdlocal_token_destroy(struct command *cmd)
{
	char cert[4096], key[4096];
	int ours;

	cmdlocal_token_paths(cmd, cert, key, sizeof(cert));
	/* the files this shell names; when they are jaliend's own, a new token replaces them now */
	ours = token_cert_path() && strcmp(cert, token_cert_path()) == 0;
	if (strncmp(cert, "-----BEGIN", 10) != 0)
		unlink(cert);
	if (strncmp(key, "-----BEGIN", 10) != 0)
		unlink(key);
	if (ours)
		return cmdlocal_token_new(cmd, NULL, 1);
	command_reply(cmd, "Token was destroyed! Re-connect for token re-creation.\n", NULL, 0);
	return 1;
}

/* ---- quota: jquota list + fquota list (alien.py's report) ---- */

static double cmdlocal_num(const cJSON *row, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	return cJSON_IsString(v) ? atof(v->valuestring) : 0;
}

static double cmdlocal_pct(double used, double max)
{
	return max > 0 ? used * 100.0 / max : 0;
}

static const cJSON *cmdlocal_row0(const cJSON *reply)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
}

/* Whether a jquota/fquota reply has its first row (exit code 0). */
static int cmdlocal_quota_ok(const cJSON *reply)
{
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply, "metadata"),
							   "exitcode");

	return reply && cJSON_IsString(ec) && strcmp(ec->valuestring, "0") == 0 && cmdlocal_row0(reply);
}

/* alien.py's lines about one of the two: "<what> exitcode: N\n<error>" */
static void cmdlocal_quota_why(struct strbuf *sb, const cJSON *reply, int code, const char *msg, const char *what)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(meta, "error");

	if (!reply)
		strbuf_addf(sb, "%s exitcode: %d\n%.600s", what, code, msg ? msg : "");
	else
		strbuf_addf(sb, "%s exitcode: %s\n%.600s", what, cJSON_IsString(ec) ? ec->valuestring : "?",
			    cJSON_IsString(err) ? err->valuestring : "");
}

static void cmdlocal_fquota_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	const char *jt = *command_scratch(cmd);
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
	if (!j || !cmdlocal_quota_ok(reply)) { /* alien.py: both answers, exit code 1 */
		struct strbuf why = { 0 };

		if (command_json(cmd) && reply) {
			cJSON_Delete(j);
			command_reply_json(cmd, reply);
			return;
		}
		strbuf_addf(&why, "Something went wrong with the command arguments and got empty results\n%s\n",
			    j ? "jquota exitcode: 0\n" : jt && jt[0] == '!' ? jt + 1 : "");
		cmdlocal_quota_why(&why, reply, code, msg, "fquota");
		strbuf_addc(&why, '\n');
		command_reply(cmd, NULL, strbuf_cstr(&why) ? why.data : "jaliend: out of memory\n", 1);
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
		command_reply(cmd, t ? t : NULL, t ? NULL : "jaliend: out of memory\n", t ? 0 : 12);
		free(t);
		cJSON_Delete(o);
		cJSON_Delete(reply);
		return;
	}
	{
		double run = cmdlocal_num(j, "running"), wait = cmdlocal_num(j, "waiting");
		double unf = cmdlocal_num(j, "maxUnfinishedJobs");
		double rt = cmdlocal_num(j, "totalRunningTimeLast24h") / 3600, rtm = cmdlocal_num(j, "maxTotalRunningTime") / 3600;
		double cpu = cmdlocal_num(j, "totalCpuCostLast24h") / 3600, cpum = cmdlocal_num(j, "maxTotalCpuCost") / 3600;
		double sz = cmdlocal_num(f, "totalSize") / 1048576, szm = cmdlocal_num(f, "maxTotalSize") / 1048576;
		double nf = cmdlocal_num(f, "nbFiles"), nfm = cmdlocal_num(f, "maxNbFiles");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "username");

		strbuf_addf(&sb, "Quota report for user : %s\n", cJSON_IsString(u) ? u->valuestring : "?");
		strbuf_addf(&sb, "Unfinished jobs(R + W / Max):\t\t%.0f + %.0f / %.0f --> %.2f%% used\n", run, wait, unf,
			    cmdlocal_pct(run + wait, unf));
		strbuf_addf(&sb, "Running time (last 24h) used/max:\t%.2f/%.2f(h) --> %.2f%% used\n", rt, rtm,
			    cmdlocal_pct(rt, rtm));
		strbuf_addf(&sb, "CPU Cost (last 24h) used/max:\t\t%.2f/%.2f(h) --> %.2f%% used\n", cpu, cpum,
			    cmdlocal_pct(cpu, cpum));
		strbuf_addf(&sb, "ParallelJobs (nominal/max) :\t%.0f/%.0f\n", cmdlocal_num(j, "nominalparallelJobs"),
			    cmdlocal_num(j, "maxparallelJobs"));
		strbuf_addf(&sb, "Storage size :\t\t\t%.2f/%.2f MiB --> %.2f%%\n", sz, szm, cmdlocal_pct(sz, szm));
		strbuf_addf(&sb, "Number of files :\t\t%.0f/%.0f --> %.2f%%\n", nf, nfm, cmdlocal_pct(nf, nfm));
	}
	command_reply(cmd, strbuf_cstr(&sb) ? sb.data : NULL, sb.data ? NULL : "jaliend: out of memory\n",
		      sb.data ? 0 : 12);
	strbuf_free(&sb);
	cJSON_Delete(j);
	cJSON_Delete(reply);
}

static cJSON *cmdlocal_quota_opts(const char *user)
{
	cJSON *o = cJSON_CreateArray();

	if (!o)
		return NULL;
	cJSON_AddItemToArray(o, cJSON_CreateString("-nomsg"));
	cJSON_AddItemToArray(o, cJSON_CreateString("list"));
	cJSON_AddItemToArray(o, cJSON_CreateString(user));
	return o;
}

static void cmdlocal_jquota_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	const cJSON *u;
	cJSON *opts;

	if (!reply && code == 107) { /* no JCentral at all: its one line */
		char line[700];

		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		return;
	}
	free(*command_scratch(cmd));
	*command_scratch(cmd) = NULL;
	if (cmdlocal_quota_ok(reply)) {
		u = cJSON_GetObjectItemCaseSensitive(cmdlocal_row0(reply), "username");
		/* keep jquota's row, as text, for the report; freed with the command */
		*command_scratch(cmd) = cJSON_PrintUnformatted(cmdlocal_row0(reply));
	} else { /* alien.py asks fquota all the same: "!" + why, for the report */
		struct strbuf sb = { 0 };

		u = NULL;
		strbuf_addc(&sb, '!');
		cmdlocal_quota_why(&sb, reply, code, msg, "jquota");
		*command_scratch(cmd) = strbuf_cstr(&sb);
	}
	opts = cmdlocal_quota_opts(cJSON_IsString(u) ? u->valuestring : upstream_user() ? upstream_user() : "");
	cJSON_Delete(reply);
	if (!opts || !*command_scratch(cmd)) {
		cJSON_Delete(opts);
		command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
		return;
	}
	if (command_upstream(cmd, "fquota", opts, UP_REQ_READONLY, cmdlocal_fquota_done) < 0)
		command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
}

static int cmdlocal_quota(struct command *cmd, const cJSON *argv)
{
	const cJSON *a = cJSON_GetArrayItem(argv, 1);
	const char *user = cJSON_IsString(a) ? a->valuestring : upstream_user();
	cJSON *opts;

	if (user && (strcmp(user, "set") == 0)) {
		command_reply(cmd, NULL, "quota set: not implemented (use jquota set / fquota set)\n", 38);
		return 1;
	}
	opts = cmdlocal_quota_opts(user ? user : "");
	if (!opts || command_upstream(cmd, "jquota", opts, UP_REQ_READONLY, cmdlocal_jquota_done) < 0)
		return -ENOMEM;
	return 1;
}

/* ---- ping: round trips of `echo` through a warm session ---- */

struct cmdlocal_ping {
	int want, done;
	double t0, min, max, sum, sumsq;
};

static double cmdlocal_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmdlocal_ping_send(struct command *cmd);

static void cmdlocal_ping_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	struct cmdlocal_ping *p = *command_scratch(cmd);
	double dt = cmdlocal_now_ms() - p->t0, avg, mdev;
	char out[512];

	if (!reply) {
		snprintf(out, sizeof(out), "%s\n", msg);
		command_reply(cmd, NULL, out, code);
		return;
	}
	cJSON_Delete(reply);
	p->min = p->done == 0 || dt < p->min ? dt : p->min;
	p->max = dt > p->max ? dt : p->max;
	p->sum += dt;
	p->sumsq += dt * dt;
	if (++p->done < p->want) {
		if (cmdlocal_ping_send(cmd) < 0)
			command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
		return;
	}
	avg = p->sum / p->done;
	mdev = sqrt(fmax(0, p->sumsq / p->done - avg * avg));
	snprintf(out, sizeof(out), "Websocket ping/pong(s) : %d time(s) to %s\nrtt min/avg/max/mdev (ms) = %.3f/%.3f/%.3f/%.3f\n",
		 p->done, getenv("JALIEND_ENDPOINT") ? getenv("JALIEND_ENDPOINT") : "JCentral", p->min, avg, p->max, mdev);
	command_reply(cmd, out, NULL, 0);
}

static int cmdlocal_ping_send(struct command *cmd)
{
	struct cmdlocal_ping *p = *command_scratch(cmd);
	cJSON *opts = cJSON_CreateArray();

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	p->t0 = cmdlocal_now_ms();
	return command_upstream(cmd, upstream_knows("echo") == 1 ? "echo" : "pwd", opts, UP_REQ_READONLY,
				cmdlocal_ping_done);
}

static int cmdlocal_ping(struct command *cmd, const cJSON *argv)
{
	const cJSON *a = cJSON_GetArrayItem(argv, 1);
	struct cmdlocal_ping *p;
	int n = cJSON_IsString(a) ? atoi(a->valuestring) : 3;

	if (n < 1 || n > CMDLOCAL_PING_MAX) {
		command_reply(cmd, NULL, "usage: ping [N]   (N round trips, 1 to 100, default 3)\n", 22);
		return 1;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->want = n;
	*command_scratch(cmd) = p;
	return cmdlocal_ping_send(cmd) < 0 ? -ENOMEM : 1;
}

/* ---- ps -trace: alien.py turns each line's leading epoch into local time ---- */

/* alien.py's convert_time(): a line "<10 digits> [..." gets the time as
 * YYYY-mm-dd HH:MM:SS+zzzz; every other line becomes empty. */
static void cmdlocal_trace_line(struct strbuf *sb, const char *l, size_t n)
{
	char when[64];
	struct tm tm;
	time_t t;

	if (n < 12 || strspn(l, "0123456789") != 10 || l[10] != ' ' || l[11] != '[')
		return;
	t = (time_t)strtoll(l, NULL, 10);
	if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S%z", &tm))
		return;
	strbuf_adds(sb, when);
	strbuf_add(sb, l + 10, n - 10);
}

static void cmdlocal_ps_trace_done(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode"), *row;
	struct strbuf sb = { 0 };
	size_t a = 0, b;
	int first = 1;
	char line[700];

	if (!reply) {
		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		return;
	}
	if (!cJSON_IsString(ec) || strcmp(ec->valuestring, "0")) {
		command_reply_json(cmd, reply);
		return;
	}
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(reply, "results")) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(row, "message");
		const char *p = cJSON_IsString(m) ? m->valuestring : "";

		for (;;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			if (!first)
				strbuf_addc(&sb, '\n');
			first = 0;
			cmdlocal_trace_line(&sb, p, n);
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	cJSON_Delete(reply);
	/* Python's strip() of the whole, then one newline */
	if (!strbuf_cstr(&sb)) {
		command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
		return;
	}
	while (a < sb.len && strchr(" \t\n\r", sb.data[a]))
		a++;
	for (b = sb.len; b > a && strchr(" \t\n\r", sb.data[b - 1]); b--)
		;
	sb.len = b;
	if (b > a)
		strbuf_addc(&sb, '\n');
	if (!strbuf_cstr(&sb))
		command_reply(cmd, NULL, "jaliend: out of memory\n", 12);
	else
		command_reply(cmd, b > a ? sb.data + a : NULL, NULL, 0);
	strbuf_free(&sb);
}

static int cmdlocal_ps_trace(struct command *cmd, const cJSON *argv)
{
	cJSON *opts = cJSON_CreateArray();
	const cJSON *a;

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nokeys"));
	for (a = argv->child->next; a; a = a->next)
		cJSON_AddItemToArray(opts, cJSON_CreateString(a->valuestring));
	return command_upstream(cmd, "ps", opts, policy_flags("ps", opts), cmdlocal_ps_trace_done) < 0 ? -ENOMEM
													      : 1;
}

static int cmdlocal_has(const cJSON *argv, const char *word)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, argv)
		if (a != argv->child && strcmp(a->valuestring, word) == 0)
			return 1;
	return 0;
}

/* ---- dispatch ---- */

static int cmdlocal_is(const char *verb, const char *a, const char *b)
{
	return strcmp(verb, a) == 0 || (b && strcmp(verb, b) == 0);
}

static int cmdlocal_has_help_flag(const cJSON *argv)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, argv)
		if (a != argv->child && (strcmp(a->valuestring, "-h") == 0 || strcmp(a->valuestring, "--h") == 0 ||
					 strcmp(a->valuestring, "-help") == 0 || strcmp(a->valuestring, "--help") == 0))
			return 1;
	return 0;
}

/* alien.py answers `<cmd> -h` of its client-side commands itself (cmdhelp.c);
 * `time` and `submit` alone print it too. */
static int cmdlocal_usage(struct command *cmd, const char *verb)
{
	const char *text = cmdhelp_text(verb);

	if (!text)
		return 0;
	command_reply(cmd, text, NULL, 0);
	return 1;
}

int cmdlocal_run(struct command *cmd, cJSON *argv)
{
	const char *verb = argv->child->valuestring;
	int known;

	if (cmdlocal_is(verb, "help", "?")) {
		if (cJSON_GetArraySize(argv) == 1)
			return cmdlocal_with_cmdlist(cmd, cmdlocal_help_list);
		/* help <cmd> = <cmd> -h */
		cJSON_Delete(cJSON_DetachItemViaPointer(argv, argv->child));
		cJSON_AddItemToArray(argv, cJSON_CreateString("-h"));
		return cmdlocal_run(cmd, argv);
	}
	if (cmdlocal_is(verb, "toXml", NULL)) {
		int r = cmdxml_run(cmd, argv, cmdlocal_has_help_flag(argv));

		if (r)
			return r;
	}
	if (cmdlocal_is(verb, "find2", NULL))
		return cmdfind2_run(cmd, argv, cmdlocal_has_help_flag(argv));
	if (cmdlocal_has_help_flag(argv) && cmdlocal_usage(cmd, verb))
		return 1;
	if (cmdlocal_is(verb, "exitcode", "$?"))
		return cmdlocal_exitcode(cmd);
	if (cmdlocal_is(verb, "prompt", NULL)) { /* the shell's; a command alone has no prompt (alien.py: 0) */
		command_reply(cmd, NULL, NULL, 0);
		return 1;
	}
	if (cmdlocal_is(verb, "getCAcerts", "ccdb") || cmdlocal_is(verb, "queryML", NULL)) {
		char line[200];

		snprintf(line, sizeof(line), "%s: not provided by jaliend: it needs services other than JAliEn "
			 "(alien.py has it)\n", verb);
		command_reply(cmd, NULL, line, 38); /* ENOSYS */
		return 1;
	}
	if (cmdlocal_is(verb, "cert-info", NULL))
		return cmdlocal_certinfo(cmd, 0);
	if (cmdlocal_is(verb, "token-info", NULL))
		return cmdlocal_certinfo(cmd, 1);
	if (cmdlocal_is(verb, "token-destroy", NULL))
		return cmdlocal_token_destroy(cmd);
	if (cmdlocal_is(verb, "token-init", NULL))
		return cmdlocal_token_new(cmd, argv, 0);
	if (cmdlocal_is(verb, "cert-verify", "token-verify"))
		return cmdlocal_certcheck(cmd, verb[0] == 't', 0);
	if (cmdlocal_is(verb, "certkey-match", "tokenkey-match"))
		return cmdlocal_certcheck(cmd, verb[0] == 't', 1);
	if (cmdlocal_is(verb, "quota", NULL))
		return cmdlocal_quota(cmd, argv);
	if (cmdlocal_is(verb, "ping", NULL))
		return cmdlocal_ping(cmd, argv);
	if (cmdlocal_is(verb, "ps", NULL) && cmdlocal_has(argv, "-trace") && !command_json(cmd) &&
	    !cmdlocal_has_help_flag(argv))
		return cmdlocal_ps_trace(cmd, argv);
	if (cmdlocal_is(verb, "jobInfo", NULL))
		return cmdjob_info(cmd, argv);
	if (cmdlocal_is(verb, "siteJobs", NULL) && !argv->child->next)
		return cmdlocal_usage(cmd, verb);
	if (cmdlocal_is(verb, "getCE", "siteJobs"))
		return cmdjob_ce(cmd, argv);
	if (cmdlocal_is(verb, "xrd_ping", "xrd_config") || cmdlocal_is(verb, "xrd_stats", "pfn-status")) {
		if (!argv->child->next) /* alien.py: its usage */
			return cmdlocal_usage(cmd, verb);
		return cmdxrd_run(cmd, argv);
	}
	if (cmdlocal_is(verb, "lfn2uri", NULL) && !argv->child->next)
		return cmdlocal_usage(cmd, verb);
	if (cmdlocal_is(verb, "lfn2uri", NULL))
		return cmduri_run(cmd, argv);
	if (cmdlocal_is(verb, "SEqos", NULL) && !argv->child->next)
		return cmdlocal_usage(cmd, verb);
	if (cmdlocal_is(verb, "pfn", "getSE") || cmdlocal_is(verb, "SEqos", NULL))
		return cmdse_run(cmd, argv);
	if (cmdlocal_is(verb, "pushd", "popd") || cmdlocal_is(verb, "dirs", NULL))
		return cmddirs_run(cmd, argv);
	if (cmdlocal_is(verb, "time", "submit") && !argv->child->next)
		return cmdlocal_usage(cmd, verb);
	if (cmdlocal_is(verb, "submit", NULL) && strncmp(argv->child->next->valuestring, "file:", 5) == 0) {
		/* alien.py 1.6.3's words, and its exit code 0 */
		command_reply(cmd, "Specifications as where to upload the jdl to be submitted and with what parameters "
			      "are not yet definedUpload first the jdl to a suitable location (with a safe number of "
			      "replicas) and then submit\n", NULL, 0);
		return 1;
	}
	if (cmdlocal_is(verb, "submit", NULL) && argv->child->next) {
		char *p = cmdlocal_expand(argv->child->next->valuestring, command_term_cwd(cmd), upstream_home());

		if (!p)
			return -ENOMEM;
		cJSON_ReplaceItemInArray(argv, 1, cJSON_CreateString(p));
		free(p);
		return 0;
	}
	if (cmdlocal_is(verb, "ll", "la") || cmdlocal_is(verb, "lla", NULL))
		return 0;
	known = upstream_knows(verb);
	if (known < 0 && !complete_cmdlist()) {
		*command_scratch(cmd) = cJSON_PrintUnformatted(argv);
		if (!*command_scratch(cmd))
			return -ENOMEM;
		return cmdlocal_with_cmdlist(cmd, cmdlocal_verify_done);
	}
	if (known < 0) { /* our own copy of the list decides */
		const char *const *l = complete_cmdlist();

		while (*l && strcmp(*l, verb))
			l++;
		known = *l != NULL;
	}
	if (known == 0) {
		*command_scratch(cmd) = strdup(verb);
		if (!*command_scratch(cmd))
			return -ENOMEM;
		return cmdlocal_with_cmdlist(cmd, cmdlocal_unknown_done);
	}
	return 0;
}
