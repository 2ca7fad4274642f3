/* command.c - see command.h. */
#include "command.h"
#include "command_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdbind.h"
#include "cmdlocal.h"
#include "complete.h"
#include "frame.h"
#include "caps.h"
#include "log.h"
#include "policy.h"
#include "render.h"
#include "session.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"
#include "utf8.h"
#include "version.h"

#define COMMAND_TRACE_MAX (1u << 20) /* bytes of one JSON message shown for JALIENPY_DEBUG */

/* the handlers of the table's CMDTAB_REG rows (command_extend), row i at i */
static struct command_ext {
	command_ext_start_fn start;
	command_ext_cancel_fn cancel;
} command_exts[CMDTAB_ROWS_MAX];

static void command_free(struct command *cmd)
{
	if (!cmd)
		return;
	if (cmd->ureq)
		upstream_cancel(cmd->ureq);
	render_free(cmd->render);
	cJSON_Delete(cmd->env);
	cJSON_Delete(cmd->complete);
	command_hold(cmd, NULL, NULL);
	free(cmd->local_cwd);
	free(cmd->session);
	free(cmd);
}

void command_cancel(struct command *cmd)
{
	if (cmd->ext && cmd->ext->cancel)
		cmd->ext->cancel(cmd); /* cp: its transfers */
	command_free(cmd);
}

int command_has_output(const struct command *cmd)
{
	return cmd->render != NULL;
}

int command_cols(const struct command *cmd)
{
	return cmd->cols;
}

int command_json(const struct command *cmd)
{
	return cmd->json;
}

int command_debug(const struct command *cmd)
{
	return cmd->debug;
}

const char *command_session(const struct command *cmd)
{
	return cmd->session;
}

void command_hold(struct command *cmd, void *state, void (*release)(void *state))
{
	void *old = cmd->held;
	void (*old_release)(void *) = cmd->release;

	cmd->held = state;
	cmd->release = release;
	if (old && old != state)
		(old_release ? old_release : free)(old);
}

const char *command_env(struct command *cmd, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cmd->env, name);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

const char *command_local_cwd(const struct command *cmd)
{
	return cmd->local_cwd;
}

struct lws_context *command_lws_context(const struct command *cmd)
{
	return cmd->sink.ctx;
}

const char *command_term_cwd(struct command *cmd)
{
	struct session_term *t = session_find(cmd->session);

	return t && t->cwd ? t->cwd : upstream_home();
}

int command_produce(struct command *cmd)
{
	char buf[LIM_OUTPUT_CHUNK];
	cJSON *exit_obj;
	size_t n;
	int fd, code;

	if (!cmd->render)
		return 0;
	n = render_next(cmd->render, buf, sizeof(buf), &fd);
	if (n) {
		cmd->sink.send(cmd->sink.conn, fd == 2 ? FRAME_STDERR : FRAME_STDOUT, cmd->id, buf,
			       n);
		return 0;
	}
	code = render_exit_code(cmd->render);
	if (!cmd->complete)
		cmdlocal_record_exit(cmd->session, code);
	exit_obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(exit_obj, "code", code);
	/* the prompt of the interactive shell: AliEn[user]:cwd > */
	if (command_term_cwd(cmd))
		cJSON_AddStringToObject(exit_obj, "cwd", command_term_cwd(cmd));
	if (upstream_user())
		cJSON_AddStringToObject(exit_obj, "user", upstream_user());
	cmd->sink.send_json(cmd->sink.conn, FRAME_EXIT, cmd->id, exit_obj);
	command_free(cmd);
	return 1;
}

static void command_set_render(struct command *cmd, struct render *r)
{
	render_free(cmd->render);
	cmd->render = r ? r : render_local(NULL, exitcode_line(JD_EXIT_NOMEM), JD_EXIT_NOMEM);
	cmd->sink.wake(cmd->sink.conn);
}

int command_send(struct command *cmd, uint16_t type, const void *p, size_t n)
{
	return cmd->sink.send(cmd->sink.conn, type, cmd->id, p, n);
}

int command_send_json(struct command *cmd, uint16_t type, cJSON *obj)
{
	return cmd->sink.send_json(cmd->sink.conn, type, cmd->id, obj);
}

void command_reply(struct command *cmd, const char *out, const char *err, int code)
{
	command_set_render(cmd, render_local(out, err, code));
}

int command_reply_text(cJSON *reply, struct strbuf *out, struct strbuf *err)
{
	struct render *r = reply ? render_reply(reply, 0, NULL) : NULL;
	char buf[4096];
	size_t n;
	int fd, code;

	while (r && (n = render_next(r, buf, sizeof(buf), &fd)) > 0)
		if (fd == 1 || err)
			strbuf_add(fd == 1 ? out : err, buf, n);
	code = r ? render_exit_code(r) : 1;
	render_free(r);
	return code;
}

void command_reply_json(struct command *cmd, cJSON *reply)
{
	command_set_render(cmd, render_reply(reply, cmd->json ? cmd->json : cmd->keys == CK_ALL,
					     command_term_cwd(cmd)));
}

/* The default: print JCentral's answer as alien.py does. */
static void command_print(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	char line[700];

	(void)arg;
	if (!reply) {
		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		return;
	}
	command_reply_json(cmd, reply);
}

static void command_cd_done(struct command *cmd, void *arg, cJSON *reply, int code,
			    const char *msg);

/* JALIENPY_DEBUG: what went to JCentral and what came back, on this shim's
 * stderr only (ALIENPY_DEBUG: in its log file, DEBUG frames) (at most COMMAND_TRACE_MAX bytes of
  * each). */
void command_trace_to(struct command *cmd, int received, const char *text, size_t len)
{
	char head[64];
	uint16_t type = cmd && cmd->debug == 2 ? FRAME_DEBUG : FRAME_STDERR;
	size_t n = len > COMMAND_TRACE_MAX ? COMMAND_TRACE_MAX : len;

	snprintf(head, sizeof(head), "%s ", received ? "<<< JCentral:" : ">>> JCentral:");
	command_send(cmd, type, head, strlen(head));
	for (size_t off = 0; off < n; off += LIM_OUTPUT_CHUNK)
		command_send(cmd, type, text + off,
			     n - off > LIM_OUTPUT_CHUNK ? LIM_OUTPUT_CHUNK : n - off);
	if (n < len) {
		snprintf(head, sizeof(head), " ... (%zu bytes more)", len - n);
		command_send(cmd, type, head, strlen(head));
	}
	command_send(cmd, type, "\n", 1);
}

static void command_trace(struct up_req *r, int received, const char *text, size_t len)
{
	if (r->owner)
		command_trace_to(r->owner, received, text, len);
}

static void command_upstream_done(struct up_req *req, cJSON *reply, int code, const char *msg)
{
	struct command *cmd = req->owner;

	cmd->ureq = NULL;
	if (reply && !(req->flags & UP_REQ_READONLY))
		complete_forget(); /* the catalogue may have changed */
	cmd->then(cmd, cmd->then_arg, reply, code, msg);
}

int command_upstream(struct command *cmd, const char *verb, cJSON *options, unsigned flags,
		     command_then_fn then, void *arg)
{
	struct session_term *t = session_find(cmd->session);

	cmd->then = then ? then : command_print;
	cmd->then_arg = arg;
	cmd->ureq = upstream_req_new(verb, options, t ? t->cwd : NULL, command_upstream_done, cmd);
	if (!cmd->ureq)
		return -ENOMEM;
	if (cmd->debug)
		cmd->ureq->trace = command_trace;
	/* on a session set to this terminal's close site (upstream_site.c) */
	if (upstream_req_site(cmd->ureq, command_env(cmd, "ALIEN_SITE")) < 0)
		log_warn("out of memory: `%s` runs on any session's site", verb);
	/* printed and nothing else: a big reply is parsed lean (leanjson_parse) */
	cmd->ureq->flags =
		flags |
		(cmd->then == command_print || cmd->then == command_cd_done ? UP_REQ_PRINT : 0);
	upstream_submit(cmd->ureq);
	return 0;
}

struct up_req *command_upstream_req(struct command *cmd, const char *verb, cJSON *options,
				    unsigned flags, up_done_fn done, void *owner)
{
	struct session_term *t = session_find(cmd->session);
	struct up_req *r = upstream_req_new(verb, options, t ? t->cwd : NULL, done, owner);

	if (r)
		r->flags = flags;
	return r;
}

void command_cd_apply(struct command *cmd, const cJSON *reply)
{
	struct session_term *t = session_get(cmd->session);
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");
	const cJSON *dir = cJSON_GetObjectItemCaseSensitive(meta, "currentdir");

	if (t && cJSON_IsString(ec) && strcmp(ec->valuestring, "0") == 0 && cJSON_IsString(dir)) {
		if (!t->cwd && upstream_home())
			session_set_cwd(t, upstream_home());
		session_set_cwd(t, dir->valuestring);
	}
}

static void command_cd_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	command_cd_apply(cmd, reply);
	command_print(cmd, arg, reply, code, msg);
}

int command_version(struct command *cmd, cJSON *argv)
{
	struct strbuf sb = { 0 };
	char up[256];

	(void)argv;
	upstream_describe(up, sizeof(up));
	strbuf_addf(&sb, "jaliend version: %s\n", JALIEND_VERSION);
	strbuf_addf(&sb, "alien version: %s\n",
		    cmd->sink.client_version && cmd->sink.client_version[0]
			    ? cmd->sink.client_version
			    : "?");
	strbuf_addf(&sb, "protocol: %d\n", FRAME_PROTO_VERSION);
	strbuf_addf(&sb, "jaliend pid: %d\n", (int)getpid());
	strbuf_addf(&sb, "upstream: %s\n", up);
	if (upstream_user())
		strbuf_addf(&sb, "user: %s\n", upstream_user());
	if (!strbuf_cstr(&sb))
		return -ENOMEM;
	command_reply(cmd, sb.data, NULL, 0);
	strbuf_free(&sb);
	return 1;
}

/* home: known once a session has logged in; before, the server's pwd at home */
int command_home(struct command *cmd, cJSON *argv)
{
	char line[300];
	cJSON *opts;

	(void)argv;
	if (upstream_home()) {
		snprintf(line, sizeof(line), "%s\n", upstream_home());
		command_reply(cmd, line, NULL, 0);
		return 1;
	}
	opts = cJSON_CreateArray();
	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nokeys"));
	cmd->ureq = upstream_req_new("pwd", opts, NULL, command_upstream_done, cmd);
	if (!cmd->ureq)
		return -ENOMEM;
	cmd->then = command_print;
	cmd->then_arg = NULL;
	cmd->ureq->flags = UP_REQ_READONLY;
	upstream_submit(cmd->ureq);
	return 1;
}

/* cp, daemon: the start bound by command_extend */
int command_registered(struct command *cmd, cJSON *argv)
{
	int i = cmdtab_find(argv->child->valuestring), r;

	if (i < 0 || !command_exts[i].start) {
		command_reply(cmd, NULL, "jaliend: this command is not available in this build\n",
			      JD_EXIT_NOSYS);
		return 1;
	}
	cmd->ext = &command_exts[i];
	r = cmd->ext->start(cmd, argv, cmd->payload, cmd->len);
	return r < 0 ? r : 1;
}

/* Options for JCentral, in order: -nokeys (text) or -nomsg (keys only), the
 * alias's own options, then the arguments after the verb. (Built in order:
 * cJSON 1.7.15 loses items inserted in the middle of an array.) */
static cJSON *command_options(struct command *cmd, cJSON *argv, const char *const *extra)
{
	cJSON *opts = cJSON_CreateArray();
	int n = cJSON_GetArraySize(argv);

	if (opts && !cmd->json && cmd->keys != CK_ALL)
		cJSON_AddItemToArray(opts, cJSON_CreateString("-nokeys"));
	if (opts && !cmd->json && cmd->keys == CK_KEYS)
		cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	for (; opts && extra && *extra; extra++)
		cJSON_AddItemToArray(opts, cJSON_CreateString(*extra));
	for (int i = 1; opts && i < n; i++)
		cJSON_AddItemToArray(opts,
				     cJSON_CreateString(cJSON_GetArrayItem(argv, i)->valuestring));
	return opts;
}

#define COMMAND_UP_WORDS 8 /* words of a row's `up` (cmdtab.def) */

/* A row's `up` ("ls -F -l"): the verb sent into verb, the options into extra
 * (NULL-terminated); without one the verb itself. */
static void command_up(const char *verb, char *buf, size_t n,
		       const char *extra[COMMAND_UP_WORDS + 1], const char **sverb)
{
	const char *up = cmdbind_up(verb);
	int k = 0;

	*sverb = verb;
	extra[0] = NULL;
	if (!up || snprintf(buf, n, "%s", up) >= (int)n)
		return;
	*sverb = strtok(buf, " ");
	for (char *w = strtok(NULL, " "); w && k < COMMAND_UP_WORDS; w = strtok(NULL, " "))
		extra[k++] = w;
	extra[k] = NULL;
}

int command_forward(struct command *cmd, cJSON *argv)
{
	const char *verb = cJSON_GetArrayItem(argv, 0)->valuestring, *sverb,
		   *extra[COMMAND_UP_WORDS + 1];
	char buf[256];
	int row = cmdtab_find(verb), at = cmd->json || cmd->keys == CK_ALL ? 0
					  : cmd->keys == CK_KEYS	   ? 2
									   : 1;
	cJSON *opts;

	command_up(verb, buf, sizeof(buf), extra, &sverb);
	opts = command_options(cmd, argv, extra);
	if (!opts)
		return -ENOMEM;
	if (row >= 0 && (cmdtab_rows[row].flags & CMDTAB_CWD)) { /* cd, cd -: the terminal's cwd */
		struct session_term *t = session_find(cmd->session);

		if (cJSON_GetArraySize(opts) == at + 1 &&
		    strcmp(cJSON_GetArrayItem(opts, at)->valuestring, "-") == 0) {
			const char *prev = t && t->prev ? t->prev : command_term_cwd(cmd);

			cJSON_ReplaceItemInArray(opts, at, cJSON_CreateString(prev ? prev : "~"));
		}
		return command_upstream(cmd, sverb, opts, UP_REQ_READONLY, command_cd_done, NULL);
	}
	return command_upstream(cmd, sverb, opts, policy_flags(sverb, opts), NULL, NULL);
}

static int command_run(struct command *cmd, cJSON *argv)
{
	int r;

	if (cmd->complete)
		return complete_run(cmd, cmd->complete);
	r = cmdbind_dispatch(cmd, argv);
	return r < 0 ? r : 0;
}

int command_extend(const char *verb, command_ext_start_fn start, command_ext_cancel_fn cancel)
{
	int i = cmdtab_find(verb);

	if (i < 0 || cmdtab_rows[i].where != CMDTAB_REG)
		return -ENOENT;
	command_exts[i] = (struct command_ext){ start, cancel };
	return 0;
}

int command_start(const struct command_sink *sink, uint32_t id, const char *payload, size_t len,
		  struct command **out)
{
	struct command *cmd = calloc(1, sizeof(*cmd));
	cJSON *argv;
	int r, answered;

	*out = NULL;
	if (!cmd)
		return -ENOMEM;
	cmd->sink = *sink;
	cmd->id = id;
	argv = cmdreq_parse(cmd, payload, len, &answered);
	if (answered) {
		*out = cmd; /* it holds the answer */
		return 0;
	}
	if (!argv) {
		command_free(cmd);
		return 0;
	}
	if (!cmd->session) {
		cJSON_Delete(argv);
		command_free(cmd);
		return -ENOMEM;
	}
	*out = cmd;
	log_debug("client %lu: request `%s` (session %s%s)", sink->serial, argv->child->valuestring,
		  cmd->session, cmd->json ? ", json" : "");
	cmd->payload = payload;
	cmd->len = len;
	r = command_run(cmd, argv);
	cmd->payload = NULL;
	cJSON_Delete(argv);
	if (r < 0) {
		*out = NULL;
		command_free(cmd);
	}
	return r;
}
