/* cmdlocal.c - see cmdlocal.h: the table's name lists, the exit codes per
 * terminal, the grid path expansion, help, and the helpers the other files
 * of cmdlocal_int.h share. */
#include "cmdlocal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cmdbind.h"
#include "cmdlocal_int.h"
#include "command.h"
#include "complete.h"
#include "session.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"

#define CMDLOCAL_HELP_COL 24 /* alien.py's help column width */

/* the names of the rows flagged CMDTAB_LIST (words only) or CMDTAB_HELP, built once */
struct cmdlocal_list {
	const char *v[CMDLOCAL_NAMES_MAX + 1]; /* NULL-terminated */
	char name[CMDLOCAL_NAMES_MAX][CMDTAB_NAME_MAX];
	int n, built;
	unsigned want;
};
static struct cmdlocal_list cmdlocal_lists[2] = { { .want = CMDTAB_LIST },
						  { .want = CMDTAB_HELP } };

static void cmdlocal_list_add(const char *name, unsigned long len, void *ctx)
{
	struct cmdlocal_list *l = ctx;

	if (l->n == CMDLOCAL_NAMES_MAX || len >= CMDTAB_NAME_MAX ||
	    (l->want == CMDTAB_LIST && !cmdtab_is_word(name, len)))
		return;
	memcpy(l->name[l->n], name, len);
	l->name[l->n][len] = '\0';
	l->v[l->n] = l->name[l->n];
	l->n++;
}

const char *const *cmdlocal_names(unsigned want)
{
	struct cmdlocal_list *l = &cmdlocal_lists[want == CMDTAB_HELP];

	if (!l->built) {
		cmdtab_each_name(l->want, cmdlocal_list_add, l);
		l->built = 1;
	}
	return l->v;
}

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

int cmdlocal_exitcode(struct command *cmd, cJSON *argv)
{
	struct cmdlocal_code *c = cmdlocal_code_find(command_session(cmd));
	char line[16];

	(void)argv;
	/* before any command: -1, and alien.py 1.7.0's exit code for it (255) */
	snprintf(line, sizeof(line), "%d\n", c ? c->code : -1);
	command_reply(cmd, line, NULL, c ? c->code : JD_EXIT_NONE_YET);
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

static void cmdlocal_help_list(struct command *cmd, void *arg, cJSON *reply, int code,
			       const char *msg)
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

		snprintf(line, sizeof(line), "help needs the command list of JCentral: %s\n",
			 msg ? msg : "no reply");
		command_reply(cmd, NULL, line, code ? code : 1);
		return;
	}
	for (; *server && n < 1000; server++)
		names[n++] = *server;
	/* the shim's words too, as alien.py 1.7.0 */
	n = cmdlocal_help_add(names, n, cmdlocal_names(CMDTAB_HELP));
	qsort(names, n, sizeof(*names), cmdlocal_cmp);
	per = command_cols(cmd) >= CMDLOCAL_HELP_COL ? (size_t)command_cols(cmd) / CMDLOCAL_HELP_COL
						     : 5;
	strbuf_adds(
		&sb,
		"Special arguments of alien (and of every alien-<cmd>, alien_<cmd>):\n"
		"  -json       the full reply of JCentral as JSON (also ALIENPY_JSON=1)\n"
		"  <file>      run the commands of a local script file\n"
		"  --direct    one command without jaliend (a connection of its own)\n"
		"  `alien` with no arguments opens the interactive shell; `cmd1; cmd2`, `!shell`,\n"
		"  `cmd | shell-pipeline` and `time cmd` work as in alien.py.\n"
		"Help of one command: help <cmd>, or <cmd> -h. Manual: man alien.\n"
		"Not provided (they need services other than JAliEn): getCAcerts, ccdb, queryML.\n"
		"The commands are:\n");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%-*s%s", (i + 1) % per && i + 1 < n ? CMDLOCAL_HELP_COL : 0,
			    names[i], (i + 1) % per && i + 1 < n ? "" : "\n");
	if (!strbuf_cstr(&sb)) {
		command_fail(cmd, JD_EXIT_NOMEM);
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
	return command_upstream(cmd, "commandlist", opts, UP_REQ_READONLY, then, arg) < 0 ? -ENOMEM
											  : 1;
}

/* The first row of a reply's results (token, quota). */
const cJSON *cmdlocal_row0(const cJSON *reply)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "results"), 0);
}

/* help: the list of commands; help <cmd> ...: <cmd> ... -h. */
int cmdlocal_help(struct command *cmd, cJSON *argv)
{
	if (cJSON_GetArraySize(argv) == 1)
		return cmdlocal_with_cmdlist(cmd, cmdlocal_help_list, NULL);
	cJSON_Delete(cJSON_DetachItemViaPointer(argv, argv->child));
	cJSON_AddItemToArray(argv, cJSON_CreateString("-h"));
	return CMDBIND_AGAIN;
}
