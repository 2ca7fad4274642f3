/* jbox_conn.c - see jbox_conn.h. */
#include "jbox_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jbox_json.h"
#include "log.h"
#include "command/policy.h"
#include "upstream/upstream.h"

#define JBOX_TX_CHUNK (64u << 10) /* bytes per lws_write */

struct jbox_item {
	struct jbox_item *next;
	char *command;
	cJSON *options; /* array of strings */
	unsigned flags; /* UP_REQ_* */
	int err_code;	/* non-zero: answer with this error instead */
	char *err_msg;
};

static const char *const jbox_state_names[] = { "IDLE", "BUSY", "SENDING", "CLOSING" };
static unsigned char jbox_chunk[LWS_PRE + JBOX_TX_CHUNK];
static int jbox_draining;

static void jbox_conn_set_state(struct jbox_conn *c, enum jbox_state st)
{
	if (c->state != st)
		log_debug("jbox[%lu]: %s -> %s", c->serial, jbox_state_names[c->state],
			  jbox_state_names[st]);
	c->state = st;
}

void jbox_conn_set_draining(void)
{
	jbox_draining = 1;
}

struct jbox_conn *jbox_conn_new(struct lws *wsi, unsigned long serial)
{
	struct jbox_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->wsi = wsi;
	c->serial = serial;
	c->qtail = &c->qhead;
	c->rx.max = JBOX_REQUEST_MAX_UNITS * 4; /* bytes: never reached, units are checked first */
	if (upstream_home() && !(c->cwd = strdup(upstream_home()))) {
		free(c);
		return NULL;
	}
	c->state = JB_IDLE;
	return c;
}

static void jbox_item_free(struct jbox_item *it)
{
	if (!it)
		return;
	free(it->command);
	cJSON_Delete(it->options);
	free(it->err_msg);
	free(it);
}

void jbox_conn_free(struct jbox_conn *c)
{
	struct jbox_item *it;

	if (!c)
		return;
	jbox_conn_set_state(c, JB_CLOSING);
	if (c->ureq)
		upstream_cancel(c->ureq); /* its reply, if any, is dropped */
	while ((it = c->qhead)) {
		c->qhead = it->next;
		jbox_item_free(it);
	}
	strbuf_free(&c->rx);
	free(c->tx);
	free(c->cwd);
	free(c->site);
	free(c);
}

/* ---- replies ---- */

static void jbox_conn_send(struct jbox_conn *c, char *text, size_t len)
{
	free(c->tx);
	c->tx = text;
	c->tx_len = len;
	c->tx_off = 0;
	c->tx_started = 0;
	jbox_conn_set_state(c, JB_SENDING);
	lws_callback_on_writable(c->wsi);
}

/* A reply of our own, in JCentral's shape and key order (spec 3.3). */
static void jbox_conn_error(struct jbox_conn *c, int code, const char *msg)
{
	struct strbuf b = { 0 };
	const char *dir = c->cwd ? c->cwd : upstream_home(), *user = upstream_user();
	int r = strbuf_adds(&b, "{\"metadata\":{");

	if (r == 0 && dir) {
		r = strbuf_adds(&b, "\"currentdir\":");
		r = r ? r : jbox_json_string(&b, dir);
		r = r ? r : strbuf_addc(&b, ',');
	}
	r = r ? r : strbuf_addf(&b, "\"exitcode\":\"%d\",\"error\":", code);
	r = r ? r : jbox_json_string(&b, msg);
	r = r ? r : strbuf_adds(&b, ",\"user\":");
	r = r ? r : jbox_json_string(&b, user ? user : "");
	r = r ? r : strbuf_adds(&b, "},\"results\":[]}");
	if (r < 0 || !strbuf_cstr(&b)) {
		strbuf_free(&b);
		jbox_conn_send(c, NULL, 0); /* out of memory: an empty reply (alien.py: error 70) */
		return;
	}
	jbox_conn_send(c, b.data, b.len);
}

static void jbox_conn_next(struct jbox_conn *c);

static void jbox_conn_done(struct up_req *req, cJSON *reply, int code, const char *msg)
{
	struct jbox_conn *c = req->owner;
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	cJSON *dir = cJSON_GetObjectItemCaseSensitive(meta, "currentdir");
	struct strbuf b = { .max = JBOX_REPLY_MAX };

	c->ureq = NULL;
	if (!reply) {
		if (code == JD_EXIT_EMPTY)
			jbox_conn_send(c, NULL, 0); /* JCentral sent nothing usable: pass that on */
		else
			jbox_conn_error(c, code, msg);
		return;
	}
	/* As on JCentral, the connection's cwd is the session's cwd after the
	 * command (it ran with -pwd=<our cwd>): so the currentdir relayed is
	 * always this connection's own, whatever other connections did. */
	if (cJSON_IsString(dir)) {
		char *d = strdup(dir->valuestring);

		if (!d) {
			cJSON_Delete(reply);
			jbox_conn_error(c, JD_EXIT_NOMEM, exitcode_message(JD_EXIT_NOMEM));
			return;
		}
		free(c->cwd);
		c->cwd = d;
	}
	if (jbox_json_write(&b, reply) < 0 || !strbuf_cstr(&b)) {
		strbuf_free(&b);
		cJSON_Delete(reply);
		jbox_conn_error(c, JD_EXIT_NOMEM, exitcode_message(JD_EXIT_NOMEM));
		return;
	}
	cJSON_Delete(reply);
	jbox_conn_send(c, b.data, b.len);
}

/* ---- requests ---- */

static void jbox_conn_push(struct jbox_conn *c, struct jbox_item *it)
{
	it->next = NULL;
	*c->qtail = it;
	c->qtail = &it->next;
	c->qlen++;
	if (c->qlen >= JBOX_QUEUE_MAX && !c->paused) {
		c->paused = 1;
		lws_rx_flow_control(c->wsi, 0);
	}
}

static struct jbox_item *jbox_conn_pop(struct jbox_conn *c)
{
	struct jbox_item *it = c->qhead;

	if (!it)
		return NULL;
	c->qhead = it->next;
	if (!c->qhead)
		c->qtail = &c->qhead;
	c->qlen--;
	if (c->paused && c->qlen < JBOX_QUEUE_MAX / 2) {
		c->paused = 0;
		lws_rx_flow_control(c->wsi, 1);
	}
	return it;
}

/* {"command": ..., "options": [...]}: options stringified as JCentral does;
 * -silent dropped (JCentral's handling of it is broken, spec 3.2). */
static int jbox_conn_parse(struct jbox_item *it, const char *text, size_t len)
{
	cJSON *req = cJSON_ParseWithLength(text, len);
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(req, "command");
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(req, "options"), *o;
	int r = -EINVAL;

	if (!cJSON_IsObject(req) || !cJSON_IsString(cmd) ||
	    (opts && !cJSON_IsArray(opts) && !cJSON_IsNull(opts)))
		goto out;
	r = -ENOMEM;
	if (!(it->command = strdup(cmd->valuestring)) || !(it->options = cJSON_CreateArray()))
		goto out;
	if (!cJSON_IsArray(opts))
		opts = NULL; /* absent or null: no options */
	cJSON_ArrayForEach (o, opts) {
		char *s = jbox_json_option_text(o);
		cJSON *v = s ? cJSON_CreateString(s) : NULL;

		if (v && !strcmp(s, "-silent"))
			cJSON_Delete(v);
		else if (!v || !cJSON_AddItemToArray(it->options, v)) {
			free(s);
			cJSON_Delete(v);
			goto out;
		}
		free(s);
	}
	it->flags = policy_flags(it->command, it->options); /* the shims' table too */
	r = 0;
out:
	cJSON_Delete(req);
	return r;
}

static int jbox_conn_fail_item(struct jbox_item *it, int code, const char *msg)
{
	it->err_code = code;
	it->err_msg = strdup(msg);
	return it->err_msg ? 0 : -ENOMEM;
}

/* A whole message arrived: queue it (answers keep the order of requests). */
static int jbox_conn_message(struct jbox_conn *c)
{
	struct jbox_item *it = calloc(1, sizeof(*it));
	int r;

	if (!it)
		return -ENOMEM;
	if (c->rx_too_big)
		r = jbox_conn_fail_item(it, JD_EXIT_USAGE, "Message too big, limit is at 133120");
	else if (c->qlen >= JBOX_QUEUE_HARD)
		r = jbox_conn_fail_item(it, JD_EXIT_BUSY,
					"jaliend: too many requests queued on this connection");
	else if ((r = jbox_conn_parse(it, c->rx.data ? c->rx.data : "", c->rx.len)) == -EINVAL)
		r = jbox_conn_fail_item(it, JD_EXIT_USAGE, "Incoming JSON is not ok");
	strbuf_reset(&c->rx);
	c->rx_units = 0;
	c->rx_too_big = 0;
	if (r < 0) {
		jbox_item_free(it);
		return r;
	}
	jbox_conn_push(c, it);
	jbox_conn_next(c);
	return 0;
}

/* `setSite NAME` (alien.py sends it first when ALIEN_SITE is set): this
 * connection's close site from now on, as it is its JCentral session's.
 * It runs on a private session (policy.c), set to NAME first. */
static void jbox_conn_note_site(struct jbox_conn *c, const struct jbox_item *it)
{
	const cJSON *a;

	if (strcmp(it->command, "setSite") != 0)
		return;
	cJSON_ArrayForEach (a, it->options) {
		const char *v = cJSON_GetStringValue(a);

		if (!v || v[0] == '-')
			continue; /* -nokeys, -nomsg */
		if (strlen(v) >= UP_SITE_MAX)
			return;
		free(c->site);
		c->site = strdup(v);
		return;
	}
}

/* Start the next queued request if nothing runs. */
static void jbox_conn_next(struct jbox_conn *c)
{
	struct jbox_item *it;
	struct up_req *req;
	unsigned flags;

	if (c->state != JB_IDLE || !(it = jbox_conn_pop(c)))
		return;
	if (it->err_code || jbox_draining) {
		jbox_conn_error(c, it->err_code ? it->err_code : JD_EXIT_NOCONN,
				it->err_code ? it->err_msg : "jaliend is stopping");
		jbox_item_free(it);
		return;
	}
	c->requests++;
	log_debug("jbox[%lu]: request `%s`%s", c->serial, it->command,
		  it->flags & UP_REQ_PRIVATE ? " (private session)" : "");
	flags = it->flags;
	jbox_conn_note_site(c, it);
	req = upstream_req_new(it->command, it->options, c->cwd, jbox_conn_done, c);
	it->options = NULL; /* taken over, even on failure */
	jbox_item_free(it);
	if (!req) {
		jbox_conn_error(c, JD_EXIT_NOMEM, exitcode_message(JD_EXIT_NOMEM));
		return;
	}
	req->flags = flags;
	/* this connection's close site on whichever session runs it (upstream_site.c) */
	if (upstream_req_site(req, c->site) < 0)
		log_warn("jbox[%lu]: %s: `%s` runs on any session's site", c->serial,
			 exitcode_meaning(JD_EXIT_NOMEM), req->command);
	c->ureq = req;
	jbox_conn_set_state(c, JB_BUSY);
	upstream_submit(req); /* answered from the loop (full queue, no pool: on its next turn) */
}

int jbox_conn_on_rx(struct jbox_conn *c, const void *in, size_t len, int final, int binary)
{
	if (binary)
		return -EPROTO; /* JCentral has no handler for binary frames */
	if (!c->rx_too_big) {
		c->rx_units += jbox_json_utf16_units(in, len);
		if (c->rx_units > JBOX_REQUEST_MAX_UNITS) {
			c->rx_too_big = 1;
			strbuf_free(&c->rx);
		} else if (strbuf_add(&c->rx, in, len) < 0) {
			return -ENOMEM;
		}
	}
	return final ? jbox_conn_message(c) : 0;
}

int jbox_conn_on_writable(struct jbox_conn *c)
{
	size_t n;
	int flags;

	if (c->state != JB_SENDING)
		return 0;
	if (lws_send_pipe_choked(c->wsi)) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	n = c->tx_len - c->tx_off;
	if (n > JBOX_TX_CHUNK)
		n = JBOX_TX_CHUNK;
	flags = lws_write_ws_flags(LWS_WRITE_TEXT, !c->tx_started, c->tx_off + n == c->tx_len);
	if (n)
		memcpy(jbox_chunk + LWS_PRE, c->tx + c->tx_off, n);
	if (lws_write(c->wsi, jbox_chunk + LWS_PRE, n, (enum lws_write_protocol)flags) < (int)n) {
		log_warn("jbox[%lu]: write failed", c->serial);
		return -EIO;
	}
	c->tx_started = 1;
	c->tx_off += n;
	if (c->tx_off < c->tx_len) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	free(c->tx);
	c->tx = NULL;
	jbox_conn_set_state(c, JB_IDLE);
	jbox_conn_next(c);
	return 0;
}
