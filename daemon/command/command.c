/* command.c - see command.h. */
#include "command.h"
#include "cmdenv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define CMD_USAGE_ERROR 22 /* EINVAL, as alien.py for bad arguments */
#define COMMAND_TRACE_MAX (1u << 20) /* bytes of one JSON message shown for JALIENPY_DEBUG */

/* Output shape asked for with alien.py's special words (1.9). */
enum command_keys { CK_TEXT, CK_KEYS, CK_ALL };

/* the commands registered by command_extend */
static struct command_ext {
	const char *verb;
	command_ext_start_fn start;
	command_ext_cancel_fn cancel;
} command_exts[COMMAND_EXT_MAX];

struct command {
	struct command_sink sink; /* the door it came in by */
	const struct command_ext *ext; /* the registered command it runs (command_extend), or NULL */
	uint32_t id;
	char *session;          /* terminal key */
	int json;
	enum command_keys keys;
	int is_cd;
	int debug;              /* upstream JSON to this shim: 1 stderr (JALIENPY_DEBUG), 2 its log (ALIENPY_DEBUG) */
	int cols;
	cJSON *env;             /* the shim's variables (object), owned */
	cJSON *complete;        /* a completion request {"kind","word"}, owned */
	struct up_req *ureq;    /* while waiting for JCentral */
	command_then_fn then;   /* what to do with its answer */
	void *then_arg;         /* given back to then */
	struct render *render;  /* once there is something to print */
	void *held;             /* the implementation's state (command_hold) */
	void (*release)(void *held); /* frees it (NULL: free) */
	char *local_cwd;        /* the shim's own working folder (REQUEST "cwd"), or NULL */
};

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
		cmd->sink.send(cmd->sink.conn, fd == 2 ? FRAME_STDERR : FRAME_STDOUT, cmd->id, buf, n);
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
	cmd->render = r ? r : render_local(NULL, "jaliend: out of memory\n", 12);
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
	command_set_render(cmd, render_reply(reply, cmd->json ? cmd->json : cmd->keys == CK_ALL, command_term_cwd(cmd)));
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

static void command_cd_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg);

/* JALIENPY_DEBUG: what went to JCentral and what came back, on this shim's
 * stderr only (ALIENPY_DEBUG: in its log file, DEBUG frames) (at most COMMAND_TRACE_MAX bytes of each). */
void command_trace_to(struct command *cmd, int received, const char *text, size_t len)
{
	char head[64];
	uint16_t type = cmd && cmd->debug == 2 ? FRAME_DEBUG : FRAME_STDERR;
	size_t n = len > COMMAND_TRACE_MAX ? COMMAND_TRACE_MAX : len;

	snprintf(head, sizeof(head), "%s ", received ? "<<< JCentral:" : ">>> JCentral:");
	command_send(cmd, type, head, strlen(head));
	for (size_t off = 0; off < n; off += LIM_OUTPUT_CHUNK)
		command_send(cmd, type, text + off, n - off > LIM_OUTPUT_CHUNK ? LIM_OUTPUT_CHUNK : n - off);
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
	cmd->ureq->flags = flags | (cmd->then == command_print || cmd->then == command_cd_done ? UP_REQ_PRINT : 0);
	upstream_submit(cmd->ureq);
	return 0;
}

struct up_req *command_upstream_req(struct command *cmd, const char *verb, cJSON *options, unsigned flags,
				    up_done_fn done, void *owner)
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

static int command_version(struct command *cmd)
{
	struct strbuf sb = { 0 };
	char up[256];

	upstream_describe(up, sizeof(up));
	strbuf_addf(&sb, "jaliend version: %s\n", JALIEND_VERSION);
	strbuf_addf(&sb, "alien version: %s\n", cmd->sink.client_version && cmd->sink.client_version[0] ? cmd->sink.client_version : "?");
	strbuf_addf(&sb, "protocol: %d\n", FRAME_PROTO_VERSION);
	strbuf_addf(&sb, "jaliend pid: %d\n", (int)getpid());
	strbuf_addf(&sb, "upstream: %s\n", up);
	if (upstream_user())
		strbuf_addf(&sb, "user: %s\n", upstream_user());
	if (!strbuf_cstr(&sb))
		return -ENOMEM;
	command_reply(cmd, sb.data, NULL, 0);
	strbuf_free(&sb);
	return 0;
}

/* alien-daemon ...: the daemon's own control commands. */
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
		cJSON_AddItemToArray(opts, cJSON_CreateString(cJSON_GetArrayItem(argv, i)->valuestring));
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

int command_forward(struct command *cmd, cJSON *argv)
{
	const char *verb = cJSON_GetArrayItem(argv, 0)->valuestring;
	const char *const *extra;
	const char *sverb = command_rewrite(verb, &extra);
	cJSON *opts = command_options(cmd, argv, extra);
	int at = cmd->json || cmd->keys == CK_ALL ? 0 : cmd->keys == CK_KEYS ? 2 : 1;

	if (!opts)
		return -ENOMEM;
	if (strcmp(verb, "cd") == 0) {
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
	const char *verb = cJSON_GetArrayItem(argv, 0)->valuestring;
	char line[300];
	int r;

	if (cmd->complete)
		return complete_run(cmd, cmd->complete);
	if (strcmp(verb, "version") == 0)
		return command_version(cmd);
	if (strcmp(verb, "home") == 0 && upstream_home()) {
		snprintf(line, sizeof(line), "%s\n", upstream_home());
		command_reply(cmd, line, NULL, 0);
		return 0;
	}
	if (strcmp(verb, "home") == 0) { /* not known yet: the server's pwd at home */
		cJSON *opts = cJSON_CreateArray();

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
		return 0;
	}
	r = cmdlocal_run(cmd, argv);
	if (r != 0)
		return r < 0 ? r : 0;
	return command_forward(cmd, argv);
}

/* alien.py 1.9: the special words leave the arguments and choose what the
 * server sends (nokeys/showmsg: text; nomsg/showkeys: keys; allkeys: both). */
static void command_special_words(struct command *cmd, cJSON *argv)
{
	static const char *const words[] = { "nokeys", "showmsg", "nomsg", "showkeys", "allkeys" };
	/* alien.py 1.6.3: nomsg sends -nokeys -nomsg (errors only, on stderr); showkeys and
	 * showmsg are text as without them; allkeys (1.7) is the whole reply as JSON */
	static const enum command_keys kind[] = { CK_TEXT, CK_TEXT, CK_KEYS, CK_TEXT, CK_ALL };
	cJSON *a = argv->child ? argv->child->next : NULL;

	while (a) {
		cJSON *next = a->next;
		const char *w = a->valuestring[0] == '-' ? a->valuestring + 1 : a->valuestring;

		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strcmp(w, words[i]) == 0) {
				cmd->keys = kind[i];
				cJSON_Delete(cJSON_DetachItemViaPointer(argv, a));
				break;
			}
		}
		a = next;
	}
}

/* Whether the JSON text holds a NUL byte or an escaped one (\u0000, which
 * cJSON would silently cut the string at). */
static int command_has_nul(const char *p, size_t len)
{
	if (memchr(p, 0, len))
		return 1;
	for (size_t i = 0; i + 6 <= len; i++) {
		if (p[i] != '\\')
			continue;
		if (p[i + 1] == 'u' && p[i + 2] == '0' && p[i + 3] == '0' && p[i + 4] == '0' && p[i + 5] == '0')
			return 1;
		i++; /* skip the escaped character (\\ included) */
	}
	return 0;
}

/* Check the REQUEST's shape; on a bad one the client gets an ERROR frame
 * (and the connection closes). A well-formed request with an argument that
 * is not UTF-8 (common/utf8.c, the shim's rule) fails alone: exit 22 and one
 * line, *answered set, the connection stays. */
/* The request is refused by its door (an ERROR frame; the connection closes). */
static void command_refuse(struct command *cmd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void command_refuse(struct command *cmd, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cmd->sink.refuse(cmd->sink.conn, code, msg);
}

/* "session_from": a line of `alien -j` names its terminal; its own session
 * starts as a copy of that one (session_fork). 0, or -1 once refused. */
static int command_session_from(struct command *cmd, const cJSON *from)
{
	if (!from || !cmd->session)
		return 0;
	if (!cJSON_IsString(from) || !*from->valuestring || strlen(from->valuestring) >= LIM_SESSION_KEY_MAX ||
	    utf8_invalid_at(from->valuestring) >= 0) {
		command_refuse(cmd, CMD_USAGE_ERROR, "REQUEST \"session_from\" must be a string of 1 to %d bytes",
			       LIM_SESSION_KEY_MAX - 1);
		return -1;
	}
	if (strcmp(from->valuestring, cmd->session) != 0 && !session_fork(cmd->session, from->valuestring)) {
		command_refuse(cmd, ENOMEM, "out of memory forking session %s", cmd->session);
		return -1;
	}
	return 0;
}

static cJSON *command_parse(struct command *cmd, const char *payload, size_t len, int *answered)
{
	cJSON *req = cJSON_ParseWithLength(payload, len);
	cJSON *argv = cJSON_GetObjectItemCaseSensitive(req, "argv");
	const cJSON *sess = cJSON_GetObjectItemCaseSensitive(req, "session");
	const cJSON *json = cJSON_GetObjectItemCaseSensitive(req, "json");
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(req, "cols");
	cJSON *env = cJSON_GetObjectItemCaseSensitive(req, "env"), *a;
	cJSON *complete = cJSON_GetObjectItemCaseSensitive(req, "complete");
	int n = 0, bad_arg = -1;
	long bad_at = -1;
	unsigned char bad_byte = 0;
	char msg[512];

	*answered = 0;
	if (command_has_nul(payload, len)) {
		command_refuse(cmd, CMD_USAGE_ERROR, "REQUEST holds a NUL byte");
		goto bad;
	}
	if (!cJSON_IsObject(req)) {
		command_refuse(cmd, CMD_USAGE_ERROR, "REQUEST payload is not a JSON object");
		goto bad;
	}
	if (!cJSON_IsArray(argv) || !argv->child) {
		command_refuse(cmd, CMD_USAGE_ERROR, "REQUEST needs a non-empty \"argv\" array");
		goto bad;
	}
	cJSON_ArrayForEach(a, argv) {
		if (!cJSON_IsString(a)) {
			command_refuse(cmd, CMD_USAGE_ERROR, "REQUEST argv[%d] is not a string", n);
			goto bad;
		}
		if (bad_arg < 0 && (bad_at = utf8_invalid_at(a->valuestring)) >= 0) {
			bad_arg = n; /* answered below, once the session is known */
			bad_byte = (unsigned char)a->valuestring[bad_at];
		}
		if (strlen(a->valuestring) > LIM_ARG_MAX) {
			command_refuse(cmd, CMD_USAGE_ERROR, "argument %d is over %u bytes", n, LIM_ARG_MAX);
			goto bad;
		}
		n++;
	}
	if (n > LIM_REQUEST_ARGS_MAX) {
		command_refuse(cmd, CMD_USAGE_ERROR, "REQUEST has %d arguments; the limit is %d", n, LIM_REQUEST_ARGS_MAX);
		goto bad;
	}
	if (!cJSON_IsString(sess) || !*sess->valuestring || strlen(sess->valuestring) >= LIM_SESSION_KEY_MAX ||
	    utf8_invalid_at(sess->valuestring) >= 0) {
		command_refuse(cmd, CMD_USAGE_ERROR, "REQUEST needs a \"session\" string of 1 to %d bytes",
			    LIM_SESSION_KEY_MAX - 1);
		goto bad;
	}
	cmd->session = strdup(sess->valuestring);
	if (bad_arg >= 0 && cmd->session) {
		snprintf(msg, sizeof(msg), "jaliend: argument %d is not valid UTF-8 (byte %ld is 0x%02x)\n", bad_arg,
			 bad_at + 1, bad_byte);
		log_info("client %lu: request refused: %.*s", cmd->sink.serial, (int)strlen(msg) - 1, msg);
		command_reply(cmd, NULL, msg, CMD_USAGE_ERROR);
		*answered = 1;
		goto bad;
	}
	if (command_session_from(cmd, cJSON_GetObjectItemCaseSensitive(req, "session_from")) < 0)
		goto bad;
	cmd->json = cJSON_IsTrue(json);
	if (cmd->json && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "json_results")))
		cmd->json = 2; /* alien_json: the reply's results only */
	cmd->debug = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "debug")) ? 1
		: cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "debug_log")) ? 2 : 0;
	cmd->cols = cJSON_IsNumber(cols) && cols->valueint > 0 && cols->valueint < 10000 ? cols->valueint : 0;
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(req, "cwd"))) /* NULL on ENOMEM: as if not sent */
		cmd->local_cwd = strdup(cJSON_GetObjectItemCaseSensitive(req, "cwd")->valuestring);
	if (cJSON_IsObject(env)) {
		cJSON_DetachItemViaPointer(req, env);
		cmd->env = env;
	}
	if ((n = cmdenv_check(cmd, msg, sizeof(msg)))) { /* ALIENPY_JCENTRAL, JALIEN_HOST, ALIEN_SITE */
		log_info("client %lu: request refused: %.*s", cmd->sink.serial, (int)strlen(msg) - 1, msg);
		command_reply(cmd, NULL, msg, n);
		*answered = 1;
		goto bad;
	}
	if (cJSON_IsObject(complete)) {
		cJSON_DetachItemViaPointer(req, complete);
		cmd->complete = complete;
	}
	/* -json anywhere: JSON output, and the word is not sent (alien.py 1.8) */
	for (a = argv->child; a;) {
		cJSON *next = a->next;

		if (strcmp(a->valuestring, "-json") == 0) {
			cmd->json = cmd->json ? cmd->json : 1;
			cJSON_Delete(cJSON_DetachItemViaPointer(argv, a));
		}
		a = next;
	}
	if (!argv->child) {
		command_refuse(cmd, CMD_USAGE_ERROR, "no command given, only -json");
		goto bad;
	}
	command_special_words(cmd, argv);
	cJSON_DetachItemViaPointer(req, argv);
	cJSON_Delete(req);
	return argv;
bad:
	cJSON_Delete(req);
	return NULL;
}

int command_extend(const char *verb, command_ext_start_fn start, command_ext_cancel_fn cancel)
{
	for (int i = 0; i < COMMAND_EXT_MAX; i++)
		if (!command_exts[i].verb) {
			command_exts[i] = (struct command_ext){ verb, start, cancel };
			return 0;
		}
	return -ENOSPC;
}

static const struct command_ext *command_ext_of(const char *verb)
{
	for (int i = 0; i < COMMAND_EXT_MAX && command_exts[i].verb; i++)
		if (strcmp(command_exts[i].verb, verb) == 0)
			return &command_exts[i];
	return NULL;
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
	argv = command_parse(cmd, payload, len, &answered);
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
	/* help cp / ? cp: cp -h, which cp answers itself */
	if ((strcmp(argv->child->valuestring, "help") == 0 || strcmp(argv->child->valuestring, "?") == 0) &&
	    argv->child->next && strcmp(argv->child->next->valuestring, "cp") == 0 && !argv->child->next->next) {
		cJSON_ReplaceItemInArray(argv, 0, cJSON_CreateString("cp"));
		cJSON_ReplaceItemInArray(argv, 1, cJSON_CreateString("-h"));
	}
	cmd->ext = cmd->complete ? NULL : command_ext_of(argv->child->valuestring);
	r = cmd->ext ? cmd->ext->start(cmd, argv, payload, len) : command_run(cmd, argv);
	cJSON_Delete(argv);
	if (r < 0) {
		*out = NULL;
		command_free(cmd);
	}
	return r;
}
