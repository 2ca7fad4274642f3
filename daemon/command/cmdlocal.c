/* cmdlocal.c - see cmdlocal.h: the dispatch of the local commands, the
 * exit codes per terminal, the grid path expansion, help, and the helpers
 * the other files of cmdlocal_int.h share. */
#include "cmdlocal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cmddirs.h"
#include "cmdhelp.h"
#include "session.h"
#include "cmdjob.h"
#include "cmdfind2.h"
#include "cmdlocal_int.h"
#include "cmdse.h"
#include "cmduri.h"
#include "cmdxrd.h"
#include "cmdxml.h"
#include "command.h"
#include "complete.h"
#include "base/strbuf.h"
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

	/* before any command: -1, and alien.py 1.7.0's exit code for it (255) */
	snprintf(line, sizeof(line), "%d\n", c ? c->code : -1);
	command_reply(cmd, line, NULL, c ? c->code : 255);
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

/* words the shim answers itself: help lists them too (alien.py 1.7.0 does) */
static const char *const cmdlocal_shim_words[] = { "$?", "?", "mcedit", "nano", "vi", "vim", NULL };

/* names[n..]: each of l not already there (at most 1023 in all) */
static size_t cmdlocal_help_add(const char **names, size_t n, const char *const *l)
{
	for (; *l && n < 1023; l++) {
		size_t i;

		for (i = 0; i < n && strcmp(names[i], *l); i++)
			;
		if (i == n)
			names[n++] = *l;
	}
	return n;
}

static void cmdlocal_help_list(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	const char *const *server = complete_cmdlist();
	const char *names[1024];
	struct strbuf sb = { 0 };
	size_t n = 0, per;

	(void)arg;
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
	n = cmdlocal_help_add(names, n, cmdlocal_names);
	n = cmdlocal_help_add(names, n, cmdlocal_shim_words);
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

/* Get the command list (cached, or one `commandlist`), then call then(cmd, arg, ...). */
int cmdlocal_with_cmdlist(struct command *cmd, command_then_fn then, void *arg)
{
	cJSON *opts;

	if (complete_cmdlist()) {
		then(cmd, arg, NULL, 0, NULL);
		return 1;
	}
	opts = cJSON_CreateArray();
	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	return command_upstream(cmd, "commandlist", opts, UP_REQ_READONLY, then, arg) < 0 ? -ENOMEM : 1;
}

/* The first row of a reply's results (token, quota). */
const cJSON *cmdlocal_row0(const cJSON *reply)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
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
			return cmdlocal_with_cmdlist(cmd, cmdlocal_help_list, NULL);
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
		return cmdcert_info(cmd, 0);
	if (cmdlocal_is(verb, "token-info", NULL))
		return cmdcert_info(cmd, 1);
	if (cmdlocal_is(verb, "token-destroy", NULL))
		return cmdcert_token_destroy(cmd);
	if (cmdlocal_is(verb, "token-init", NULL))
		return cmdcert_token_new(cmd, argv, 0);
	if (cmdlocal_is(verb, "cert-verify", "token-verify"))
		return cmdcert_check(cmd, verb[0] == 't', 0);
	if (cmdlocal_is(verb, "certkey-match", "tokenkey-match"))
		return cmdcert_check(cmd, verb[0] == 't', 1);
	if (cmdlocal_is(verb, "quota", NULL))
		return cmdquota_run(cmd, argv);
	if (cmdlocal_is(verb, "ping", NULL))
		return cmdping_run(cmd, argv);
	if (cmdlocal_is(verb, "ps", NULL) && cmdlocal_has(argv, "-trace") && !command_json(cmd) &&
	    !cmdlocal_has_help_flag(argv))
		return cmdtrace_run(cmd, argv);
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
		char *text = cJSON_PrintUnformatted(argv);

		if (!text)
			return -ENOMEM;
		command_hold(cmd, text, NULL);
		return cmdlocal_with_cmdlist(cmd, cmdsuggest_verify_done, text);
	}
	if (known < 0) { /* our own copy of the list decides */
		const char *const *l = complete_cmdlist();

		while (*l && strcmp(*l, verb))
			l++;
		known = *l != NULL;
	}
	if (known == 0) {
		char *v = strdup(verb);

		if (!v)
			return -ENOMEM;
		command_hold(cmd, v, NULL);
		return cmdlocal_with_cmdlist(cmd, cmdsuggest_unknown_done, v);
	}
	return 0;
}

