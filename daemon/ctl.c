/* ctl.c - see ctl.h. */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command/command.h"
#include "upstream/auth.h"
#include "local/client.h"
#include "upstream/creds.h"
#include "jbox/jbox.h"
#include "jbox/jbox_tls.h"
#include "log.h"
#include "command/session.h"
#include "base/strbuf.h"
#include "upstream/token.h"
#include "upstream/unlock.h"
#include "upstream/upstream.h"
#include "version.h"

static struct {
	time_t started;
	const char *endpoint, *socket_path;
	int stop;
} ctl;

void ctl_init(const char *endpoint, const char *socket_path)
{
	ctl.started = time(NULL);
	ctl.endpoint = endpoint;
	ctl.socket_path = socket_path;
}

int ctl_stop_requested(void)
{
	return ctl.stop;
}

static void ctl_status(struct strbuf *out)
{
	long up = (long)(time(NULL) - ctl.started);

	strbuf_addf(out, "pid: %d\n", (int)getpid());
	strbuf_addf(out, "version: %s\n", JALIEND_VERSION);
	strbuf_addf(out, "uptime: %ldd %02ld:%02ld:%02ld\n", up / 86400, up / 3600 % 24,
		    up / 60 % 60, up % 60);
	strbuf_addf(out, "socket: %s\n", ctl.socket_path ? ctl.socket_path : "?");
	strbuf_addf(out, "endpoint: %s\n", ctl.endpoint ? ctl.endpoint : "?");
	strbuf_addf(out, "user: %s\n", upstream_user() ? upstream_user() : "(not logged in yet)");
	strbuf_addf(out, "home: %s\n", upstream_home() ? upstream_home() : "?");
	upstream_status(out);
	token_status(out);
	jbox_status(out);
	strbuf_addf(out, "clients: %zu connected\n", client_count());
	strbuf_addf(out, "terminals: %u remembered\n", session_count());
}

int ctl_reload(char *err, size_t errn)
{
	static struct auth_files af; /* the vhost reads these paths: keep them */
	struct auth_files next;
	struct lws_vhost *vh;

	if (auth_resolve(&next, err, errn) < 0)
		return -EINVAL;
	if (next.key_encrypted) { /* never let OpenSSL prompt on the daemon's terminal */
		unlock_init(&next);
		log_notice("reloaded: user key %s is encrypted; the next command asks for its "
			   "passphrase",
			   next.key);
		return 0;
	}
	vh = creds_vhost(next.cert, next.key, NULL, err, errn);
	if (!vh)
		return -EINVAL;
	af = next;
	upstream_use_login(vh);
	jbox_tls_reload(af.cert);
	log_notice("reloaded: user certificate %s, key %s", af.cert, af.key);
	return 0;
}

int ctl_run(const cJSON *argv, struct strbuf *out, struct strbuf *err)
{
	const cJSON *sub = cJSON_GetArrayItem(argv, 1);
	const char *s = cJSON_IsString(sub) ? sub->valuestring : "status";

	if (strcmp(s, "-h") == 0 || strcmp(s, "--h") == 0 || strcmp(s, "-help") == 0 ||
	    strcmp(s, "--help") == 0) { /* also `help daemon` (the table's help rule) */
		strbuf_adds(
			out,
			"usage: alien-daemon [status]   the daemon's state, sessions and counters\n"
			"       alien-daemon stop       finish running requests, then exit\n"
			"       alien-daemon reload     read the certificate and key again\n"
			"       alien-daemon renew      ask JCentral for a new token now\n"
			"       alien-daemon debug on|off\n");
		return 0;
	}
	if (strcmp(s, "status") == 0) {
		ctl_status(out);
		return 0;
	}
	if (strcmp(s, "stop") == 0) {
		log_notice("stop requested by a client");
		ctl.stop = 1;
		strbuf_addf(out, "jaliend (pid %d) is stopping\n", (int)getpid());
		return 0;
	}
	if (strcmp(s, "reload") == 0) {
		char why[600];

		if (ctl_reload(why, sizeof(why)) < 0) {
			strbuf_addf(
				err,
				"alien-daemon reload: %s (still using the previous credentials)\n",
				why);
			return 1;
		}
		strbuf_adds(out, "credentials reloaded\n");
		return 0;
	}
	if (strcmp(s, "renew") == 0) {
		char why[200];

		if (token_renew_now(why, sizeof(why)) < 0) {
			strbuf_addf(err, "alien-daemon renew: %s\n", why);
			return 1;
		}
		strbuf_adds(out, "asked JCentral for a new token (alien-daemon status shows it)\n");
		return 0;
	}
	if (strcmp(s, "debug") == 0) {
		const cJSON *v = cJSON_GetArrayItem(argv, 2);
		int on = cJSON_IsString(v) && strcmp(v->valuestring, "on") == 0;

		if (!cJSON_IsString(v) || (!on && strcmp(v->valuestring, "off") != 0)) {
			strbuf_adds(err, "usage: alien-daemon debug on|off\n");
			return JD_EXIT_USAGE;
		}
		log_set_level(on ? LOG_DEBUG : LOG_INFO);
		strbuf_addf(out, "debug logging %s\n", on ? "on" : "off");
		return 0;
	}
	strbuf_addf(err,
		    "alien-daemon: unknown subcommand %.64s (status, stop, reload, renew, debug "
		    "on|off)\n",
		    s);
	return JD_EXIT_USAGE;
}

int ctl_command(struct command *cmd, const cJSON *argv, const char *payload, size_t len)
{
	struct strbuf out = { 0 }, err = { 0 };
	int code = ctl_run(argv, &out, &err);

	(void)payload;
	(void)len;
	if (!strbuf_cstr(&out) || !strbuf_cstr(&err)) {
		strbuf_free(&out);
		strbuf_free(&err);
		return -ENOMEM;
	}
	command_reply(cmd, out.len ? out.data : NULL, err.len ? err.data : NULL, code);
	strbuf_free(&out);
	strbuf_free(&err);
	return 0;
}
