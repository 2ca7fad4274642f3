/* fuzz_stubs.c - see fuzz_stubs.h. The fakes answer at once and keep no
 * state between inputs beyond what fuzz_stubs_reset clears. */
#include "fuzz_stubs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <cjson/cJSON.h>

#include "caps.h"
#include "local/client.h"
#include "command/cmdbind.h"
#include "command/cmdlocal.h"
#include "command/command.h"
#include "command/complete.h"
#include "cp/cp.h"
#include "ctl.h"
#include "frame.h"
#include "log.h"
#include "base/strbuf.h"
#include "upstream/unlock.h"
#include "upstream/upstream.h"

#define FZ_PENDING_MAX 8

static struct {
	int writable, locked, asking, errored, replies;
	struct up_req *pending[FZ_PENDING_MAX];
} fz;

static int fuzz_stubs_cp(struct command *cmd, const cJSON *argv, const char *payload, size_t len);
static void fuzz_stubs_cp_cancel(struct command *cmd);
static int fuzz_stubs_ctl(struct command *cmd, const cJSON *argv, const char *payload, size_t len);

void fuzz_stubs_reset(int locked)
{
	static int once;

	if (!once) {
		log_init("fuzz", LOG_ERR);
		/* as main.c registers cp and daemon (the stubs here) */
		command_extend("cp", fuzz_stubs_cp, fuzz_stubs_cp_cancel);
		command_extend("daemon", fuzz_stubs_ctl, NULL);
		once = 1;
	}
	memset(&fz, 0, sizeof(fz));
	fz.locked = locked;
}

/* ---- libwebsockets ---- */

int lws_callback_on_writable(struct lws *wsi)
{
	(void)wsi;
	fz.writable = 1;
	return 1;
}

void lws_set_timeout(struct lws *wsi, enum pending_timeout reason, int secs)
{
	(void)wsi, (void)reason, (void)secs;
}

/* timers (the write timeout) never fire here */
struct lws_context *lws_get_context(const struct lws *wsi)
{
	(void)wsi;
	return NULL;
}

void lws_sul_schedule(struct lws_context *ctx, int tsi, lws_sorted_usec_list_t *sul, sul_cb_t cb,
		      lws_usec_t us)
{
	(void)ctx, (void)tsi, (void)sul, (void)cb, (void)us;
}

void lws_sul_cancel(lws_sorted_usec_list_t *sul)
{
	(void)sul;
}

/* One frame, checked against docs/PROTOCOL.md. */
static void fuzz_stubs_check_frame(const unsigned char *buf, size_t len)
{
	uint32_t n, type;
	cJSON *o;

	if (len < 12 || fz.errored)
		abort(); /* nothing may follow an ERROR frame */
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	type = (uint32_t)buf[4] << 8 | buf[5];
	if (n != len - 12 || n > LIM_FRAME_PAYLOAD_MAX || buf[6] || buf[7])
		abort();
	switch (type) {
	case FRAME_STDOUT:
	case FRAME_STDERR:
		if (n > LIM_OUTPUT_CHUNK)
			abort();
		break;
	case FRAME_HELLO:
	case FRAME_EXIT:
	case FRAME_ERROR:
	case FRAME_PASSPHRASE:
		o = cJSON_ParseWithLength((const char *)buf + 12, n);
		if (!cJSON_IsObject(o))
			abort();
		if ((type == FRAME_EXIT || type == FRAME_ERROR) &&
		    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "code")))
			abort();
		cJSON_Delete(o);
		fz.errored = type == FRAME_ERROR;
		break;
	default: abort(); /* not a daemon -> shim frame */
	}
}

/* Whole frames only, one or several back to back (client_write_queued). */
int lws_write(struct lws *wsi, unsigned char *buf, size_t len, enum lws_write_protocol protocol)
{
	size_t off = 0;

	(void)wsi;
	if (protocol != LWS_WRITE_RAW || len < 12)
		abort();
	while (off < len) {
		uint32_t n;

		if (len - off < 12)
			abort();
		n = (uint32_t)buf[off] << 24 | (uint32_t)buf[off + 1] << 16 |
		    (uint32_t)buf[off + 2] << 8 | buf[off + 3];
		if (n > len - off - 12)
			abort();
		fuzz_stubs_check_frame(buf + off, 12 + (size_t)n);
		off += 12 + (size_t)n;
	}
	return (int)len;
}

/* ---- the upstream pool: answers come from fuzz_stubs_pump ---- */

struct up_req *upstream_req_new(const char *command, cJSON *options, const char *cwd,
				up_done_fn done, void *owner)
{
	struct up_req *r = calloc(1, sizeof(*r));

	if (!r) {
		cJSON_Delete(options);
		return NULL;
	}
	r->command = strdup(command);
	r->cwd = cwd ? strdup(cwd) : NULL;
	r->options = options ? options : cJSON_CreateArray();
	r->done = done;
	r->owner = owner;
	return r;
}

/* the site a request needs is the pool's business (upstream_site.c), not the request's shape */
int upstream_req_site(struct up_req *r, const char *site)
{
	(void)r;
	(void)site;
	return 0;
}

static void fuzz_stubs_free_req(struct up_req *r)
{
	free(r->command);
	free(r->cwd);
	cJSON_Delete(r->options);
	free(r);
}

void upstream_submit(struct up_req *req)
{
	for (int i = 0; i < FZ_PENDING_MAX; i++) {
		if (!fz.pending[i]) {
			fz.pending[i] = req;
			return;
		}
	}
	req->done(req, NULL, JD_EXIT_BUSY, "jaliend: too many requests waiting (fuzz)");
	fuzz_stubs_free_req(req);
}

void upstream_cancel(struct up_req *req)
{
	for (int i = 0; i < FZ_PENDING_MAX; i++)
		if (fz.pending[i] == req)
			fz.pending[i] = NULL;
	fuzz_stubs_free_req(req);
}

const char *upstream_home(void)
{
	return "/alice/cern.ch/user/f/fuzz/";
}

const char *upstream_user(void)
{
	return "fuzz";
}

int upstream_knows(const char *cmd)
{
	return cmd[0] != 'z';
}

void upstream_describe(char *buf, size_t n)
{
	snprintf(buf, n, "fuzz");
}

/* JCentral's answer: the options as the message; cd moves to an absolute
 * path; every third request gets no answer (connection failure). */
static void fuzz_stubs_answer(struct up_req *r)
{
	cJSON *reply = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(reply, "metadata");
	cJSON *rows = cJSON_AddArrayToObject(reply, "results"), *row = cJSON_CreateObject();
	const cJSON *o, *last = NULL;
	struct strbuf msg = { 0 };

	cJSON_ArrayForEach (o, r->options) {
		strbuf_adds(&msg, cJSON_IsString(o) ? o->valuestring : "?");
		strbuf_addc(&msg, ' ');
		last = o;
	}
	cJSON_AddStringToObject(row, "message", strbuf_cstr(&msg) ? msg.data : "");
	cJSON_AddItemToArray(rows, row);
	cJSON_AddStringToObject(meta, "exitcode", "0");
	cJSON_AddStringToObject(meta, "error", "");
	cJSON_AddStringToObject(meta, "user", "fuzz");
	cJSON_AddStringToObject(meta, "currentdir",
				strcmp(r->command, "cd") == 0 && cJSON_IsString(last) &&
						last->valuestring[0] == '/'
					? last->valuestring
					: upstream_home());
	strbuf_free(&msg);
	if (++fz.replies % 3 == 0) {
		cJSON_Delete(reply);
		r->done(r, NULL, JD_EXIT_LOST, "jaliend: connection lost (fuzz)");
	} else {
		r->done(r, reply, 0, NULL);
	}
	fuzz_stubs_free_req(r);
}

int fuzz_stubs_pump(struct client *c)
{
	for (int i = 0; i < 100000; i++) {
		struct up_req *r = NULL;

		for (int k = 0; k < FZ_PENDING_MAX && !r; k++)
			if (fz.pending[k]) {
				r = fz.pending[k];
				fz.pending[k] = NULL;
			}
		if (r)
			fuzz_stubs_answer(r);
		if (!fz.writable && !r)
			return 0;
		if (fz.writable) {
			fz.writable = 0;
			if (client_on_writable(c) < 0)
				return -1;
		}
	}
	abort(); /* output that never ends */
}

void fuzz_stubs_finish(void)
{
	for (int i = 0; i < FZ_PENDING_MAX; i++)
		if (fz.pending[i])
			abort(); /* a request of a closed connection was not cancelled */
}

/* ---- local commands, transfers, completion, control, key unlock ---- */

static int fuzz_stubs_cp(struct command *cmd, const cJSON *argv, const char *payload, size_t len)
{
	(void)argv, (void)payload, (void)len;
	command_reply(cmd, NULL, "cp: not in the fuzzer\n", 38);
	return 0;
}

static void fuzz_stubs_cp_cancel(struct command *cmd)
{
	(void)cmd;
}

int cmdbind_dispatch(struct command *cmd, cJSON *argv)
{
	/* nothing local: forward (the rows' handlers do file I/O; not fuzzed here) */
	return command_forward(cmd, argv);
}

const char *cmdbind_up(const char *verb)
{
	(void)verb;
	return NULL;
}

void cmdlocal_record_exit(const char *session, int code)
{
	(void)session, (void)code;
}

int complete_run(struct command *cmd, const cJSON *req)
{
	(void)req;
	command_reply(cmd, "", NULL, 0);
	return 0;
}

void complete_forget(void)
{
}

static int fuzz_stubs_ctl(struct command *cmd, const cJSON *argv, const char *payload, size_t len)
{
	(void)argv, (void)payload, (void)len;
	command_reply(cmd, "status: fuzz\n", NULL, 0);
	return 0;
}

int unlock_should_ask(void)
{
	return fz.locked && !fz.asking;
}

void unlock_prompt(char *out, size_t n, int attempt)
{
	snprintf(out, n, "Enter PEM pass phrase (attempt %d): ", attempt + 1);
}

void unlock_asking(int on)
{
	fz.asking = on;
}

int unlock_try(char *pass, char *err, size_t errn)
{
	if (strcmp(pass, "open") == 0) {
		fz.locked = 0;
		fz.asking = 0;
		return 0;
	}
	snprintf(err, errn, "wrong passphrase");
	return -EKEYREJECTED;
}

void unlock_give_up(const char *why)
{
	(void)why;
	fz.asking = 0;
}
