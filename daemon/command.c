/* command.c - see command.h. */
#include "command.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "ctl.h"
#include "frame.h"
#include "caps.h"
#include "log.h"
#include "render.h"
#include "session.h"
#include "strbuf.h"
#include "upstream.h"

#define CMD_USAGE_ERROR 22 /* EINVAL, as alien.py for bad arguments */

struct command {
	struct client *cl;
	uint32_t id;
	char *session;          /* terminal key */
	int json;
	int is_cd;
	struct up_req *ureq;    /* while waiting for JCentral */
	struct render *render;  /* once there is something to print */
};

static void command_free(struct command *cmd)
{
	if (!cmd)
		return;
	if (cmd->ureq)
		upstream_cancel(cmd->ureq);
	render_free(cmd->render);
	free(cmd->session);
	free(cmd);
}

void command_cancel(struct command *cmd)
{
	command_free(cmd);
}

int command_has_output(const struct command *cmd)
{
	return cmd->render != NULL;
}

int command_produce(struct command *cmd)
{
	char buf[LIM_OUTPUT_CHUNK];
	cJSON *exit_obj;
	size_t n;
	int fd;

	if (!cmd->render)
		return 0;
	n = render_next(cmd->render, buf, sizeof(buf), &fd);
	if (n) {
		client_send(cmd->cl, fd == 2 ? FRAME_STDERR : FRAME_STDOUT, cmd->id, buf, n);
		return 0;
	}
	exit_obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(exit_obj, "code", render_exit_code(cmd->render));
	client_send_json(cmd->cl, FRAME_EXIT, cmd->id, exit_obj);
	command_free(cmd);
	return 1;
}

static void command_set_render(struct command *cmd, struct render *r)
{
	cmd->render = r ? r : render_local(NULL, "jaliend: out of memory\n", 12);
	client_wake(cmd->cl);
}

static void command_local(struct command *cmd, const char *out, const char *err, int code)
{
	command_set_render(cmd, render_local(out, err, code));
}

/* The terminal's cwd, or home if it never moved (NULL if not known yet). */
static const char *command_cwd(struct session_term *t)
{
	return t && t->cwd ? t->cwd : upstream_home();
}

static void command_upstream_done(struct up_req *req, cJSON *reply, int code, const char *msg)
{
	struct command *cmd = req->owner;
	struct session_term *t;

	cmd->ureq = NULL;
	if (!reply) {
		char line[700];

		snprintf(line, sizeof(line), "%s\n", msg);
		command_local(cmd, NULL, line, code);
		return;
	}
	t = session_get(cmd->session);
	if (cmd->is_cd && t) {
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
		const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");
		const cJSON *dir = cJSON_GetObjectItemCaseSensitive(meta, "currentdir");

		if (cJSON_IsString(ec) && strcmp(ec->valuestring, "0") == 0 && cJSON_IsString(dir)) {
			if (!t->cwd && upstream_home())
				session_set_cwd(t, upstream_home());
			session_set_cwd(t, dir->valuestring);
		}
	}
	command_set_render(cmd, render_reply(reply, cmd->json, command_cwd(t)));
}

static int command_version(struct command *cmd)
{
	struct strbuf sb = { 0 };
	char up[256];

	upstream_describe(up, sizeof(up));
	strbuf_addf(&sb, "jaliend version: %s\n", JALIEND_VERSION);
	strbuf_addf(&sb, "alien version: %s\n", cmd->cl->client_version[0] ? cmd->cl->client_version : "?");
	strbuf_addf(&sb, "protocol: %d\n", FRAME_PROTO_VERSION);
	strbuf_addf(&sb, "jaliend pid: %d\n", (int)getpid());
	strbuf_addf(&sb, "upstream: %s\n", up);
	if (upstream_user())
		strbuf_addf(&sb, "user: %s\n", upstream_user());
	if (!strbuf_cstr(&sb))
		return -ENOMEM;
	command_local(cmd, sb.data, NULL, 0);
	strbuf_free(&sb);
	return 0;
}

/* alien-daemon ...: the daemon's own control commands. */
static int command_ctl(struct command *cmd, const cJSON *argv)
{
	struct strbuf out = { 0 }, err = { 0 };
	int code = ctl_run(argv, &out, &err);

	if (!strbuf_cstr(&out) || !strbuf_cstr(&err)) {
		strbuf_free(&out);
		strbuf_free(&err);
		return -ENOMEM;
	}
	command_local(cmd, out.len ? out.data : NULL, err.len ? err.data : NULL, code);
	strbuf_free(&out);
	strbuf_free(&err);
	return 0;
}

/* Options for JCentral, in order: -nokeys (text mode), the alias's own
 * options, then the arguments after the verb minus -json. (Built in order:
 * cJSON 1.7.15 loses items inserted in the middle of an array.) */
static cJSON *command_options(cJSON *argv, int nokeys, const char *const *extra)
{
	cJSON *opts = cJSON_CreateArray();
	int n = cJSON_GetArraySize(argv);

	if (opts && nokeys)
		cJSON_AddItemToArray(opts, cJSON_CreateString("-nokeys"));
	for (; opts && extra && *extra; extra++)
		cJSON_AddItemToArray(opts, cJSON_CreateString(*extra));
	for (int i = 1; opts && i < n; i++) {
		const char *a = cJSON_GetArrayItem(argv, i)->valuestring;

		if (strcmp(a, "-json") != 0)
			cJSON_AddItemToArray(opts, cJSON_CreateString(a));
	}
	return opts;
}

/* alien.py's aliases: ls always gets -F; ll, la, lla. */
static const char *command_rewrite(const char *verb, const char *const **extra)
{
	static const char *const ls[] = { "-F", NULL }, *const ll[] = { "-F", "-l", NULL },
				 *const la[] = { "-F", "-a", NULL }, *const lla[] = { "-F", "-l", "-a", NULL };

	*extra = NULL;
	if (strcmp(verb, "ls") == 0)
		*extra = ls;
	else if (strcmp(verb, "ll") == 0)
		*extra = ll;
	else if (strcmp(verb, "la") == 0)
		*extra = la;
	else if (strcmp(verb, "lla") == 0)
		*extra = lla;
	return *extra ? "ls" : verb;
}

static int command_forward(struct command *cmd, cJSON *argv, struct session_term *t)
{
	const char *verb = cJSON_GetArrayItem(argv, 0)->valuestring;
	const char *const *extra;
	const char *sverb = command_rewrite(verb, &extra);
	cJSON *opts = command_options(argv, !cmd->json, extra);
	int at = cmd->json ? 0 : 1;

	if (!opts)
		return -ENOMEM;
	if (strcmp(verb, "cd") == 0) {
		cmd->is_cd = 1;
		if (cJSON_GetArraySize(opts) == at + 1 &&
		    strcmp(cJSON_GetArrayItem(opts, at)->valuestring, "-") == 0) {
			const char *prev = t && t->prev ? t->prev : command_cwd(t);

			cJSON_ReplaceItemInArray(opts, at, cJSON_CreateString(prev ? prev : "~"));
		}
	}
	cmd->ureq = upstream_req_new(sverb, opts, t ? t->cwd : NULL, command_upstream_done, cmd);
	if (!cmd->ureq)
		return -ENOMEM;
	upstream_submit(cmd->ureq);
	return 0;
}

static int command_run(struct command *cmd, cJSON *argv)
{
	const char *verb = cJSON_GetArrayItem(argv, 0)->valuestring;
	struct session_term *t = session_get(cmd->session);
	char line[300];

	if (strcmp(verb, "version") == 0)
		return command_version(cmd);
	if (strcmp(verb, "daemon") == 0)
		return command_ctl(cmd, argv);
	if (strcmp(verb, "home") == 0 && upstream_home()) {
		snprintf(line, sizeof(line), "%s\n", upstream_home());
		command_local(cmd, line, NULL, 0);
		return 0;
	}
	if (strcmp(verb, "home") == 0) { /* not known yet: the server's pwd at home */
		cJSON_ReplaceItemInArray(argv, 0, cJSON_CreateString("pwd"));
		return command_forward(cmd, argv, NULL);
	}
	if (strcmp(verb, "ll") && strcmp(verb, "la") && strcmp(verb, "lla") && upstream_knows(verb) == 0) {
		snprintf(line, sizeof(line), "WARNING! command >>> %.200s <<< not in the list of known commands!\n", verb);
		command_local(cmd, NULL, line, 1);
		return 0;
	}
	return command_forward(cmd, argv, t);
}

/* Check the REQUEST's shape; on a bad one the client gets an ERROR frame. */
static cJSON *command_parse(struct client *c, const char *payload, size_t len, struct command *cmd)
{
	cJSON *req = cJSON_ParseWithLength(payload, len);
	cJSON *argv = cJSON_GetObjectItemCaseSensitive(req, "argv");
	const cJSON *sess = cJSON_GetObjectItemCaseSensitive(req, "session");
	const cJSON *json = cJSON_GetObjectItemCaseSensitive(req, "json");
	const cJSON *a;
	int n = 0;

	if (!cJSON_IsObject(req)) {
		client_fail(c, CMD_USAGE_ERROR, "REQUEST payload is not a JSON object");
		goto bad;
	}
	if (!cJSON_IsArray(argv) || !argv->child) {
		client_fail(c, CMD_USAGE_ERROR, "REQUEST needs a non-empty \"argv\" array");
		goto bad;
	}
	cJSON_ArrayForEach(a, argv) {
		if (!cJSON_IsString(a)) {
			client_fail(c, CMD_USAGE_ERROR, "REQUEST argv[%d] is not a string", n);
			goto bad;
		}
		if (strlen(a->valuestring) > LIM_ARG_MAX) {
			client_fail(c, CMD_USAGE_ERROR, "argument %d is over %u bytes", n, LIM_ARG_MAX);
			goto bad;
		}
		n++;
	}
	if (n > LIM_REQUEST_ARGS_MAX) {
		client_fail(c, CMD_USAGE_ERROR, "REQUEST has %d arguments; the limit is %d", n, LIM_REQUEST_ARGS_MAX);
		goto bad;
	}
	if (!cJSON_IsString(sess) || !*sess->valuestring || strlen(sess->valuestring) >= LIM_SESSION_KEY_MAX) {
		client_fail(c, CMD_USAGE_ERROR, "REQUEST needs a \"session\" string of 1 to %d bytes",
			    LIM_SESSION_KEY_MAX - 1);
		goto bad;
	}
	cmd->session = strdup(sess->valuestring);
	cmd->json = cJSON_IsTrue(json);
	cJSON_ArrayForEach(a, argv)
		if (strcmp(a->valuestring, "-json") == 0)
			cmd->json = 1;
	/* "-json" alone as the verb: drop it, the next word is the verb */
	while (argv->child && strcmp(argv->child->valuestring, "-json") == 0)
		cJSON_DeleteItemFromArray(argv, 0);
	if (!argv->child) {
		client_fail(c, CMD_USAGE_ERROR, "no command given, only -json");
		goto bad;
	}
	cJSON_DetachItemViaPointer(req, argv);
	cJSON_Delete(req);
	return argv;
bad:
	cJSON_Delete(req);
	return NULL;
}

int command_start(struct client *c, uint32_t id, const char *payload, size_t len)
{
	struct command *cmd = calloc(1, sizeof(*cmd));
	cJSON *argv;
	int r;

	if (!cmd)
		return -ENOMEM;
	cmd->cl = c;
	cmd->id = id;
	argv = command_parse(c, payload, len, cmd);
	if (!argv) {
		command_free(cmd);
		return 0;
	}
	if (!cmd->session) {
		cJSON_Delete(argv);
		command_free(cmd);
		return -ENOMEM;
	}
	c->cmd = cmd;
	log_debug("client %lu: request `%s` (session %s%s)", c->serial, argv->child->valuestring,
		  cmd->session, cmd->json ? ", json" : "");
	r = command_run(cmd, argv);
	cJSON_Delete(argv);
	if (r < 0) {
		c->cmd = NULL;
		command_free(cmd);
	}
	return r;
}
