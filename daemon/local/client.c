/* client.c - see client.h. */
#include "client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "command/command.h"
#include "upstream/unlock.h"
#include "frame.h"
#include "caps.h"
#include "log.h"
#include "command/render.h"
#include "version.h"

#define CL_IN_MAX (FRAME_HDR_LEN + LIM_FRAME_PAYLOAD_MAX)

struct cl_block {
	struct cl_block *next;
	size_t len;
	unsigned char data[]; /* LWS_PRE headroom, then the frame */
};

static const char *const cl_state_names[] = { "HELLO", "IDLE", "PASSPHRASE", "BUSY", "CLOSING" };
static unsigned long cl_serial;
static size_t cl_count, cl_busy;
static time_t cl_last_activity;
static int cl_write_timeout = CL_WRITE_TIMEOUT_DEFAULT;
static size_t cl_waiting; /* connections with output waiting (out_wait set) */

static void client_set_wait(struct client *c, time_t t)
{
	cl_waiting += (t != 0) - (c->out_wait != 0);
	c->out_wait = t;
}

size_t client_waiting_count(void)
{
	return cl_waiting;
}

void client_configure(int write_timeout)
{
	if (write_timeout > 0)
		cl_write_timeout = write_timeout;
}

static void client_set_state(struct client *c, enum client_state st)
{
	if (c->state == st)
		return;
	log_debug("client %lu: %s -> %s", c->serial, cl_state_names[c->state], cl_state_names[st]);
	cl_busy += (st == CL_BUSY) - (c->state == CL_BUSY);
	c->state = st;
	cl_last_activity = time(NULL);
}

size_t client_busy_count(void)
{
	return cl_busy;
}

time_t client_last_activity(void)
{
	return cl_last_activity;
}

struct client *client_new(struct lws *wsi, uid_t uid, pid_t pid)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->obj.kind = JD_OBJ_CLIENT;
	c->wsi = wsi;
	c->uid = uid;
	c->pid = pid;
	c->serial = ++cl_serial;
	c->state = CL_HELLO;
	cl_count++;
	cl_last_activity = time(NULL);
	log_debug("client %lu: connected (pid %d, uid %u)", c->serial, (int)pid, (unsigned)uid);
	return c;
}

size_t client_count(void)
{
	return cl_count;
}

static void client_pop_block(struct client *c)
{
	struct cl_block *b = c->out_head;

	c->out_head = b->next;
	if (!c->out_head)
		c->out_tail = NULL;
	c->out_bytes -= b->len;
	render_held_add(-(long long)b->len);
	free(b);
}

static void client_drop_output(struct client *c)
{
	while (c->out_head)
		client_pop_block(c);
}

/* The slow-reader policy: the request of a shim whose output passed its
 * queue, or that read nothing for the write timeout while output waited,
 * fails: what is queued is dropped (the daemon's memory comes back), the
 * shim gets one ERROR line with exit 105 once it reads again, then the
 * connection closes. */
static void client_slow_cb(lws_sorted_usec_list_t *sul)
{
	struct client *c = lws_container_of(sul, struct client, sul_slow);
	time_t now = time(NULL);
	size_t queued = c->out_bytes;

	if (c->state == CL_CLOSING || (!c->out_over && !c->out_wait))
		return;
	if (!c->out_over && now - c->out_wait < cl_write_timeout) {
		lws_sul_schedule(lws_get_context(c->wsi), 0, &c->sul_slow, client_slow_cb,
				 (lws_usec_t)(cl_write_timeout - (now - c->out_wait)) *
					 LWS_US_PER_SEC);
		return;
	}
	client_drop_output(c);
	if (c->out_over)
		client_fail(c, JD_EXIT_SLOW,
			    "jaliend: the request was stopped: its output waiting for this shim "
			    "passed %u MiB (the shim is not reading)",
			    LIM_CLIENT_OUTBUF_MAX >> 20);
	else
		client_fail(
			c, JD_EXIT_SLOW,
			"jaliend: the request was stopped: this shim read nothing for %d s "
			"while its output waited (--write-timeout; %zu bytes queued were dropped)",
			cl_write_timeout, queued);
	/* not closed before the shim reads: the rest of a frame partly written
	 * may wait in lws, and the ERROR frame goes after it (a few KiB held) */
}

static void client_slow_arm(struct client *c, lws_usec_t us)
{
	if (c->wsi)
		lws_sul_schedule(lws_get_context(c->wsi), 0, &c->sul_slow, client_slow_cb, us);
}

void client_wake(struct client *c)
{
	if (!c->wsi)
		return;
	if (!c->out_wait && c->state != CL_CLOSING) {
		client_set_wait(c, time(NULL));
		client_slow_arm(c, (lws_usec_t)cl_write_timeout * LWS_US_PER_SEC);
	}
	lws_callback_on_writable(c->wsi);
}

int client_send(struct client *c, uint16_t type, uint32_t id, const void *p, size_t n)
{
	struct cl_block *b;

	if (n > LIM_FRAME_PAYLOAD_MAX)
		return -ENOBUFS;
	if (c->out_bytes + n > LIM_CLIENT_OUTBUF_MAX) {
		if (!c->out_over && c->state != CL_CLOSING) { /* fail the request, from the loop */
			c->out_over = 1;
			client_slow_arm(c, 0);
		}
		return -ENOBUFS;
	}
	b = malloc(sizeof(*b) + LWS_PRE + FRAME_HDR_LEN + n);
	if (!b)
		return -ENOMEM;
	b->next = NULL;
	b->len = FRAME_HDR_LEN + n;
	frame_put_header(b->data + LWS_PRE, type, id, (uint32_t)n);
	if (n)
		memcpy(b->data + LWS_PRE + FRAME_HDR_LEN, p, n);
	if (c->out_tail)
		c->out_tail->next = b;
	else
		c->out_head = b;
	c->out_tail = b;
	c->out_bytes += b->len;
	render_held_add((long long)b->len);
	client_wake(c);
	return 0;
}

int client_send_json(struct client *c, uint16_t type, uint32_t id, cJSON *obj)
{
	char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
	int r = text ? client_send(c, type, id, text, strlen(text)) : -ENOMEM;

	free(text);
	cJSON_Delete(obj);
	return r;
}

void client_fail(struct client *c, int code, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("client %lu (pid %d): refused: %s", c->serial, (int)c->pid, msg);
	cJSON_AddNumberToObject(o, "code", code);
	cJSON_AddStringToObject(o, "message", msg);
	client_send_json(c, FRAME_ERROR, 0, o);
	if (c->cmd) {
		command_cancel(c->cmd);
		c->cmd = NULL;
	}
	client_set_state(c, CL_CLOSING);
	client_wake(c);
}

static void client_on_hello(struct client *c, const struct frame *f)
{
	cJSON *h = cJSON_ParseWithLength((const char *)f->payload, f->len);
	const cJSON *proto = cJSON_GetObjectItemCaseSensitive(h, "proto");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(h, "version");
	cJSON *reply;

	if (!cJSON_IsObject(h) || !cJSON_IsNumber(proto)) {
		client_fail(c, JD_EXIT_PROTO,
			    "HELLO must be a JSON object with a numeric \"proto\"");
	} else if (proto->valueint != FRAME_PROTO_VERSION) {
		client_fail(c, JD_EXIT_PROTO,
			    "protocol version %d is not supported (this jaliend speaks %d)",
			    proto->valueint, FRAME_PROTO_VERSION);
	} else {
		if (cJSON_IsString(ver))
			snprintf(c->client_version, sizeof(c->client_version), "%s",
				 ver->valuestring);
		reply = cJSON_CreateObject();
		cJSON_AddNumberToObject(reply, "proto", FRAME_PROTO_VERSION);
		cJSON_AddStringToObject(reply, "daemon", "jaliend");
		cJSON_AddStringToObject(reply, "version", JALIEND_VERSION);
		cJSON_AddNumberToObject(reply, "pid", (double)getpid());
		client_send_json(c, FRAME_HELLO, 0, reply);
		lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
		client_set_state(c, CL_IDLE);
	}
	cJSON_Delete(h);
}

/* ---- the command layer's sink: where a request's output goes ---- */

static int client_sink_send(void *conn, uint16_t type, uint32_t id, const void *p, size_t n)
{
	return client_send(conn, type, id, p, n);
}

static int client_sink_send_json(void *conn, uint16_t type, uint32_t id, cJSON *obj)
{
	return client_send_json(conn, type, id, obj);
}

static void client_sink_refuse(void *conn, int code, const char *msg)
{
	client_fail(conn, code, "%s", msg);
}

static void client_sink_wake(void *conn)
{
	client_wake(conn);
}

static void client_start(struct client *c, uint32_t id, const char *payload, size_t len)
{
	const struct command_sink sink = {
		.conn = c,
		.serial = c->serial,
		.client_version = c->client_version,
		.ctx = c->wsi ? lws_get_context(c->wsi) : NULL,
		.send = client_sink_send,
		.send_json = client_sink_send_json,
		.refuse = client_sink_refuse,
		.wake = client_sink_wake,
	};

	client_set_state(c, CL_BUSY);
	if (command_start(&sink, id, payload, len, &c->cmd) < 0 && c->state != CL_CLOSING)
		client_fail(c, JD_EXIT_NOMEM, "%s starting the request",
			    exitcode_meaning(JD_EXIT_NOMEM));
}

static void client_ask_passphrase(struct client *c, uint32_t id)
{
	cJSON *o = cJSON_CreateObject();
	char prompt[1200];

	unlock_prompt(prompt, sizeof(prompt), c->tries);
	cJSON_AddStringToObject(o, "prompt", prompt);
	client_send_json(c, FRAME_PASSPHRASE, id, o);
	client_set_state(c, CL_PASSPHRASE);
	unlock_asking(1);
}

static void client_drop_held(struct client *c)
{
	free(c->held);
	c->held = NULL;
	c->held_len = 0;
}

/* The shim's answer to our PASSPHRASE frame. */
static void client_on_passphrase(struct client *c, const struct frame *f)
{
	cJSON *o = cJSON_ParseWithLength((const char *)f->payload, f->len);
	cJSON *pass = cJSON_GetObjectItemCaseSensitive(o, "passphrase");
	const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "error");
	char err[600];
	int r;

	if (!cJSON_IsString(pass)) {
		unlock_give_up(cJSON_IsString(why) ? why->valuestring
						   : "the shim sent no passphrase");
		client_drop_held(c);
		client_fail(c, JD_EXIT_IO,
			    "the user key is encrypted and %s: run an alien command in a terminal, "
			    "or set X509_USER_KEY to an unencrypted copy",
			    cJSON_IsString(why) ? why->valuestring : "no passphrase came");
	} else if ((r = unlock_try(pass->valuestring, err, sizeof(err))) == 0) {
		client_start(c, c->held_id, c->held, c->held_len);
		client_drop_held(c);
	} else if (r == -EKEYREJECTED && ++c->tries < UNLOCK_TRIES) {
		client_ask_passphrase(c, c->held_id);
	} else {
		unlock_give_up(err);
		client_drop_held(c);
		client_fail(c, JD_EXIT_IO, "%s", err);
	}
	if (cJSON_IsString(pass))
		OPENSSL_cleanse(pass->valuestring, strlen(pass->valuestring));
	OPENSSL_cleanse((void *)f->payload, f->len);
	cJSON_Delete(o);
}

static void client_on_frame(struct client *c, const struct frame *f)
{
	log_debug("client %lu: < %s id %u, %u bytes", c->serial, frame_type_name(f->type), f->id,
		  f->len);
	if (c->state == CL_HELLO) {
		if (f->type != FRAME_HELLO)
			client_fail(c, JD_EXIT_PROTO, "expected HELLO as the first frame, got %s",
				    frame_type_name(f->type));
		else
			client_on_hello(c, f);
		return;
	}
	switch (f->type) {
	case FRAME_REQUEST:
		if (c->state != CL_IDLE) {
			client_fail(c, JD_EXIT_PROTO, "a REQUEST arrived while %s; one at a time",
				    c->state == CL_CLOSING ? "the connection closes"
							   : "another request runs");
			return;
		}
		if (unlock_should_ask()) { /* hold the request until the key is open */
			c->held = malloc(f->len ? f->len : 1);
			if (!c->held) {
				client_fail(c, JD_EXIT_NOMEM, "%s",
					    exitcode_meaning(JD_EXIT_NOMEM));
				return;
			}
			memcpy(c->held, f->payload, f->len);
			c->held_len = f->len;
			c->held_id = f->id;
			c->tries = 0;
			client_ask_passphrase(c, f->id);
			return;
		}
		client_start(c, f->id, (const char *)f->payload, f->len);
		return;
	case FRAME_PASSPHRASE:
		if (c->state != CL_PASSPHRASE) {
			client_fail(c, JD_EXIT_PROTO, "a PASSPHRASE frame nobody asked for");
			return;
		}
		client_on_passphrase(c, f);
		return;
	case FRAME_CANCEL:
		if (c->cmd) {
			command_cancel(c->cmd);
			c->cmd = NULL;
			client_set_state(c, CL_IDLE);
		}
		return;
	default:
		client_fail(c, JD_EXIT_PROTO, "unexpected %s frame from a client",
			    frame_type_name(f->type));
		return;
	}
}

int client_on_rx(struct client *c, const void *in, size_t len)
{
	size_t off = 0;

	if (c->state == CL_CLOSING)
		return 0; /* ignore input while we flush the error */
	if (len > CL_IN_MAX - c->in_len) {
		/* more than one full frame pending: only possible with a bad length */
		client_fail(c, JD_EXIT_PROTO, "more than %u bytes of unframed input", CL_IN_MAX);
		return 0;
	}
	/* what this input needs, not CL_IN_MAX (1 MiB: an mmap per shim) */
	if (c->in_len + len > c->in_cap) {
		size_t cap = c->in_len + len < 4096 ? 4096 : c->in_len + len;
		unsigned char *p = realloc(c->in, cap);

		if (!p)
			return -1;
		c->in = p;
		c->in_cap = cap;
	}
	memcpy(c->in + c->in_len, in, len);
	c->in_len += len;
	while (c->state != CL_CLOSING) {
		struct frame f;
		long n = frame_decode(c->in + off, c->in_len - off, LIM_FRAME_PAYLOAD_MAX, &f);

		if (n == -EMSGSIZE) {
			client_fail(c, JD_EXIT_TOOBIG, "frame length over the %u-byte limit",
				    LIM_FRAME_PAYLOAD_MAX);
			break;
		}
		if (n < 0) {
			client_fail(c, JD_EXIT_PROTO, "malformed frame header (bad type or flags)");
			break;
		}
		if (n == 0)
			break;
		client_on_frame(c, &f);
		off += (size_t)n;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	if (c->in_len == 0) { /* idle shims hold no input buffer */
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
	return 0;
}

/* One write per writable callback: the head frame, or the small frames
 * queued back to back (the STDOUT and EXIT of a short reply) joined
 * up to CL_COALESCE_MAX bytes, so a short command costs the shim one read
 * and the loop one wake-up. */
#define CL_COALESCE_MAX (64u << 10)
static unsigned char cl_wbuf[LWS_PRE + CL_COALESCE_MAX]; /* the loop thread's only */

static int client_write_queued(struct client *c)
{
	struct cl_block *b = c->out_head, *e;
	size_t total = 0;
	int n = 0;

	for (e = b; e && total + e->len <= CL_COALESCE_MAX; e = e->next, n++)
		total += e->len;
	if (n <= 1) {
		if (lws_write(c->wsi, b->data + LWS_PRE, b->len, LWS_WRITE_RAW) < (int)b->len)
			return -1;
		client_pop_block(c);
		return 0;
	}
	total = 0;
	for (e = b; n-- > 0; e = e->next) {
		memcpy(cl_wbuf + LWS_PRE + total, e->data + LWS_PRE, e->len);
		total += e->len;
	}
	if (lws_write(c->wsi, cl_wbuf + LWS_PRE, total, LWS_WRITE_RAW) < (int)total)
		return -1;
	while (total) {
		total -= c->out_head->len;
		client_pop_block(c);
	}
	return 0;
}

int client_on_writable(struct client *c)
{
	/* the reply is made as the shim takes it: up to CL_COALESCE_MAX queued
	 * (a short reply's STDOUT and EXIT in one write) */
	while (c->cmd && c->state == CL_BUSY && command_has_output(c->cmd) &&
	       c->out_bytes < CL_COALESCE_MAX && !c->out_over) {
		if (command_produce(c->cmd) == 1) {
			c->cmd = NULL;
			client_set_state(c, CL_IDLE);
		}
	}
	if (c->out_head) {
		if (client_write_queued(c) < 0)
			return -1;
		client_set_wait(c, time(NULL)); /* the shim reads: the write timeout starts again */
	}
	if (c->out_head || (c->cmd && command_has_output(c->cmd))) {
		lws_callback_on_writable(c->wsi);
	} else {
		client_set_wait(c, 0); /* nothing waits */
		if (c->state == CL_CLOSING)
			return -1;
	}
	return 0;
}

void client_on_close(struct client *c)
{
	log_debug("client %lu: closed", c->serial);
	if (c->state == CL_PASSPHRASE)
		unlock_give_up("the terminal asked for it went away");
	client_drop_held(c);
	if (c->cmd)
		command_cancel(c->cmd);
	lws_sul_cancel(&c->sul_slow);
	client_set_wait(c, 0);
	client_drop_output(c);
	free(c->in);
	cl_count--;
	cl_busy -= c->state == CL_BUSY;
	cl_last_activity = time(NULL);
	free(c);
}
