/* cmdreq.c - a REQUEST frame's JSON read into its command (command_int.h):
 * its shape checked, -json, the special words, the shell's variables. */
#include "command_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cmdenv.h"
#include "log.h"
#include "session.h"
#include "utf8.h"

/* alien.py 1.9: the special words leave the arguments and choose what the
 * server sends (nokeys/showmsg: text; nomsg/showkeys: keys; allkeys: both). */
static void cmdreq_special_words(struct command *cmd, cJSON *argv)
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
static int cmdreq_has_nul(const char *p, size_t len)
{
	if (memchr(p, 0, len))
		return 1;
	for (size_t i = 0; i + 6 <= len; i++) {
		if (p[i] != '\\')
			continue;
		if (p[i + 1] == 'u' && p[i + 2] == '0' && p[i + 3] == '0' && p[i + 4] == '0' &&
		    p[i + 5] == '0')
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
static void cmdreq_refuse(struct command *cmd, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cmdreq_refuse(struct command *cmd, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cmd->sink.refuse(cmd->sink.conn, code, msg);
}

/* Whether v is a terminal session key: a string of 1 to LIM_SESSION_KEY_MAX - 1
 * bytes of valid UTF-8 ("session" and "session_from" alike). */
static int cmdreq_session_key_ok(const cJSON *v)
{
	return cJSON_IsString(v) && *v->valuestring &&
	       strlen(v->valuestring) < LIM_SESSION_KEY_MAX && utf8_invalid_at(v->valuestring) < 0;
}

/* "session_from": a line of `alien -j` names its terminal; its own session
 * starts as a copy of that one (session_fork). 0, or -1 once refused. */
static int cmdreq_session_from(struct command *cmd, const cJSON *from)
{
	if (!from || !cmd->session)
		return 0;
	if (!cmdreq_session_key_ok(from)) {
		cmdreq_refuse(cmd, JD_EXIT_USAGE,
			      "REQUEST \"session_from\" must be a string of 1 to %d bytes",
			      LIM_SESSION_KEY_MAX - 1);
		return -1;
	}
	if (strcmp(from->valuestring, cmd->session) != 0 &&
	    !session_fork(cmd->session, from->valuestring)) {
		cmdreq_refuse(cmd, ENOMEM, "out of memory forking session %s", cmd->session);
		return -1;
	}
	return 0;
}

cJSON *cmdreq_parse(struct command *cmd, const char *payload, size_t len, int *answered)
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
	if (cmdreq_has_nul(payload, len)) {
		cmdreq_refuse(cmd, JD_EXIT_USAGE, "REQUEST holds a NUL byte");
		goto bad;
	}
	if (!cJSON_IsObject(req)) {
		cmdreq_refuse(cmd, JD_EXIT_USAGE, "REQUEST payload is not a JSON object");
		goto bad;
	}
	if (!cJSON_IsArray(argv) || !argv->child) {
		cmdreq_refuse(cmd, JD_EXIT_USAGE, "REQUEST needs a non-empty \"argv\" array");
		goto bad;
	}
	cJSON_ArrayForEach (a, argv) {
		if (!cJSON_IsString(a)) {
			cmdreq_refuse(cmd, JD_EXIT_USAGE, "REQUEST argv[%d] is not a string", n);
			goto bad;
		}
		if (bad_arg < 0 && (bad_at = utf8_invalid_at(a->valuestring)) >= 0) {
			bad_arg = n; /* answered below, once the session is known */
			bad_byte = (unsigned char)a->valuestring[bad_at];
		}
		if (strlen(a->valuestring) > LIM_ARG_MAX) {
			cmdreq_refuse(cmd, JD_EXIT_USAGE, "argument %d is over %u bytes", n,
				      LIM_ARG_MAX);
			goto bad;
		}
		n++;
	}
	if (n > LIM_REQUEST_ARGS_MAX) {
		cmdreq_refuse(cmd, JD_EXIT_USAGE, "REQUEST has %d arguments; the limit is %d", n,
			      LIM_REQUEST_ARGS_MAX);
		goto bad;
	}
	if (!cmdreq_session_key_ok(sess)) {
		cmdreq_refuse(cmd, JD_EXIT_USAGE,
			      "REQUEST needs a \"session\" string of 1 to %d bytes",
			      LIM_SESSION_KEY_MAX - 1);
		goto bad;
	}
	cmd->session = strdup(sess->valuestring);
	if (bad_arg >= 0 && cmd->session) {
		snprintf(msg, sizeof(msg),
			 "jaliend: argument %d is not valid UTF-8 (byte %ld is 0x%02x)\n", bad_arg,
			 bad_at + 1, bad_byte);
		log_info("client %lu: request refused: %.*s", cmd->sink.serial,
			 (int)strlen(msg) - 1, msg);
		command_reply(cmd, NULL, msg, JD_EXIT_USAGE);
		*answered = 1;
		goto bad;
	}
	if (cmdreq_session_from(cmd, cJSON_GetObjectItemCaseSensitive(req, "session_from")) < 0)
		goto bad;
	cmd->json = cJSON_IsTrue(json);
	if (cmd->json && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "json_results")))
		cmd->json = 2; /* alien_json: the reply's results only */
	cmd->debug = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "debug"))	? 1
		     : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "debug_log")) ? 2
											: 0;
	cmd->cols = cJSON_IsNumber(cols) && cols->valueint > 0 && cols->valueint < 10000
			    ? cols->valueint
			    : 0;
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
		    req, "cwd"))) /* NULL on ENOMEM: as if not sent */
		cmd->local_cwd = strdup(cJSON_GetObjectItemCaseSensitive(req, "cwd")->valuestring);
	if (cJSON_IsObject(env)) {
		cJSON_DetachItemViaPointer(req, env);
		cmd->env = env;
	}
	if ((n = cmdenv_check(cmd, msg,
			      sizeof(msg)))) { /* ALIENPY_JCENTRAL, JALIEN_HOST, ALIEN_SITE */
		log_info("client %lu: request refused: %.*s", cmd->sink.serial,
			 (int)strlen(msg) - 1, msg);
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
		cmdreq_refuse(cmd, JD_EXIT_USAGE, "no command given, only -json");
		goto bad;
	}
	cmdreq_special_words(cmd, argv);
	cJSON_DetachItemViaPointer(req, argv);
	cJSON_Delete(req);
	return argv;
bad:
	cJSON_Delete(req);
	return NULL;
}
