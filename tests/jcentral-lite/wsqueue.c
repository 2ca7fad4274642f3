/* wsqueue.c - the requests and replies of one wss connection (ws_int.h): frames -> requests
 * the way Tomcat + JCentral do it (wsmsg.c, inflated by wspmd.c first), one request run at a
 * time, replies in 8192-byte frames as Tomcat sends them.
 *
 * Delays never block the loop: a throttled request (--throttle) is parked and run from an lws
 * scheduler callback (lws_sul) later; a reply that must go out late (--slow, ping -s) is parked
 * and handed to the WRITEABLE callback from another lws_sul callback. Other connections are
 * served meanwhile. */
#include "ws_int.h"
#include "commander.h"
#include "throttle.h"
#include "cmdcount.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static unsigned char wsqueue_chunk[LWS_PRE + WS_TX_CHUNK];

static void wsqueue_tx(struct lws *wsi, struct ws_conn *cn, char *reply, size_t len)
{
	struct ws_tx *t = malloc(sizeof(*t));

	if (!t) {
		jcl_log("%s: out of memory queueing a reply, closing", cn->sess.account);
		cmdcount_end(&cn->sess);
		free(reply);
		lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
		return;
	}
	cmdcount_end(&cn->sess);
	t->p = reply;
	t->len = len;
	t->off = 0;
	t->next = NULL;
	*cn->txq_tail = t;
	cn->txq_tail = &t->next;
	lws_callback_on_writable(wsi);
}

static void wsqueue_sul_cb(lws_sorted_usec_list_t *sul);
static void wsqueue_pump(struct lws *wsi, struct ws_conn *cn);

/* Reading may go on: nothing waits, or a long command is running and no request waits its
 * second for it. */
static bool wsqueue_can_read(const struct ws_conn *cn)
{
	if (cn->jobs || cn->txq)
		return false;
	return !cn->busy || (cn->long_pending && !cn->hold);
}

/* WS_LONG_MS after a long command started, and after each request that came during it. */
static void wsqueue_long_cb(lws_sorted_usec_list_t *sul)
{
	struct ws_conn *cn = lws_container_of(sul, struct ws_conn, sul_long);

	if (!cn->ready || !cn->busy || cn->park != WS_PARK_SEND)
		return;
	cn->long_pending = true;
	cn->hold = false;
	wsqueue_pump(cn->wsi, cn);
	if (wsqueue_can_read(cn))
		lws_rx_flow_control(cn->wsi, 1);
}

/* Run one request and queue (or park) its reply. */
static int wsqueue_execute(struct lws *wsi, struct ws_conn *cn, struct ws_job *j)
{
	char *reply;
	size_t rlen = 0;

	cn->sess.reply_delay_ms = 0;
	reply = commander_handle(&cn->sess, j->text, j->len, &rlen);
	free(j);
	if (!reply) {
		jcl_log("out of memory building a reply, closing %s", cn->sess.account);
		return -1;
	}
	if (cn->sess.reply_delay_ms > 0) {
		cn->park = WS_PARK_SEND;
		cn->busy = true;
		cn->parked_reply = reply;
		cn->parked_len = rlen;
		lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul, wsqueue_sul_cb,
				 (lws_usec_t)cn->sess.reply_delay_ms * 1000);
		if (cn->sess.reply_delay_ms > WS_LONG_MS)
			lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul_long, wsqueue_long_cb,
					 (lws_usec_t)WS_LONG_MS * 1000);
		return 0;
	}
	wsqueue_tx(wsi, cn, reply, rlen);
	return 0;
}

/* Start waiting requests until one has to wait (throttle, late reply). */
static void wsqueue_pump(struct lws *wsi, struct ws_conn *cn)
{
	/* during a long command: the next request is answered with an empty message after the
	 * long reply (measured: ping -s 1500, then whoami, gets ""), and is not run here; its
	 * handler waits up to WS_LONG_MS before the one after it is read */
	while (cn->long_pending && !cn->hold && cn->jobs && cn->jobs->ev == WSMSG_EXEC) {
		struct ws_job *j = cn->jobs;
		cn->jobs = j->next;
		if (!cn->jobs)
			cn->jobs_tail = &cn->jobs;
		cn->njobs--;
		free(j);
		cn->empties++;
		cn->hold = true;
		jcl_debug("%s: request during a command over 1 s: empty reply", cn->sess.account);
		lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul_long, wsqueue_long_cb,
				 (lws_usec_t)WS_LONG_MS * 1000);
	}
	while (!cn->busy && cn->jobs) {
		struct ws_job *j = cn->jobs;

		cn->jobs = j->next;
		if (!cn->jobs)
			cn->jobs_tail = &cn->jobs;
		cn->njobs--;
		if (j->ev == WSMSG_TOO_BIG) {
			size_t rlen = 0;
			char *r = commander_backerror_reply(
				&cn->sess, EINVAL, "Message too big, limit is at 133120", &rlen);
			free(j);
			if (!r) {
				lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT,
						LWS_TO_KILL_ASYNC);
				return;
			}
			wsqueue_tx(wsi, cn, r, rlen);
			continue;
		}
		ws_arm_idle(wsi, cn);
		long delay = ws_srv->throttle ? throttle_command(cn->sess.subject2253) : 0;
		if (delay > 0) {
			jcl_debug("%s: throttled, command delayed by %ld ms", cn->sess.account,
				  delay);
			cn->park = WS_PARK_EXEC;
			cn->busy = true;
			cn->parked_job = j;
			lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul, wsqueue_sul_cb,
					 (lws_usec_t)delay * 1000);
			return;
		}
		if (wsqueue_execute(wsi, cn, j)) {
			lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
			return;
		}
	}
}

static void wsqueue_sul_cb(lws_sorted_usec_list_t *sul)
{
	struct ws_conn *cn = lws_container_of(sul, struct ws_conn, sul);
	enum ws_park p = cn->park;

	cn->park = WS_PARK_NONE;
	if (!cn->ready)
		return;
	cn->busy = false;
	if (p == WS_PARK_EXEC) {
		struct ws_job *j = cn->parked_job;
		cn->parked_job = NULL;
		if (wsqueue_execute(cn->wsi, cn, j))
			lws_set_timeout(cn->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT,
					LWS_TO_KILL_ASYNC);
	} else if (p == WS_PARK_SEND) {
		char *r = cn->parked_reply;
		cn->parked_reply = NULL;
		wsqueue_tx(cn->wsi, cn, r, cn->parked_len);
		lws_sul_cancel(&cn->sul_long);
		cn->long_pending = cn->hold = false;
		for (; cn->empties; cn->empties--) {
			char *e = strdup("");
			if (!e) {
				lws_set_timeout(cn->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT,
						LWS_TO_KILL_ASYNC);
				return;
			}
			wsqueue_tx(cn->wsi, cn, e, 0);
		}
	}
}

/* wsmsg callback: a request or a too-big error joins the queue. */
static int wsqueue_on_msg(void *arg, enum wsmsg_event ev, const char *text, size_t len)
{
	struct ws_conn *cn = arg;
	struct ws_job *j;

	if (cn->njobs >= WS_MAX_JOBS) {
		jcl_log("%s: more than %d requests waiting, closing", cn->sess.account,
			WS_MAX_JOBS);
		lws_close_reason(cn->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
				 (unsigned char *)"Too many parts", 14);
		return -E2BIG;
	}
	if (!(j = malloc(sizeof(*j) + len + 1)))
		return -ENOMEM;
	j->next = NULL;
	j->ev = ev;
	j->len = len;
	if (len)
		memcpy(j->text, text, len);
	j->text[len] = '\0';
	*cn->jobs_tail = j;
	cn->jobs_tail = &j->next;
	cn->njobs++;
	cmdcount_begin(&cn->sess);
	return 0;
}

static int wsqueue_on_text(void *arg, const unsigned char *b, size_t len)
{
	struct ws_conn *cn = arg;
	return wsmsg_feed(&cn->msg, b, len, wsqueue_on_msg, cn);
}

int wsqueue_rx(struct lws *wsi, struct ws_conn *cn, const void *in, size_t len)
{
	int rc;

	if (lws_frame_is_binary(wsi)) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
				 (unsigned char *)"Binary messages are not supported", 33);
		return -1;
	}
	if (lws_is_first_fragment(wsi))
		cn->msg_compressed = cn->pmd.on && (lws_get_reserved_bits(wsi) & 0x40);
	/* lws hands over a frame's wire payload in pieces of at most WS_RX_BUF bytes; the frame
	 * ends when nothing of it remains (lws's own chunking is not a Tomcat part) */
	bool frame_end = lws_remaining_packet_payload(wsi) == 0;
	bool fin = frame_end && lws_is_final_fragment(wsi);

	if (cn->msg_compressed) {
		rc = wspmd_inflate(&cn->pmd, in, len, fin, wsqueue_on_text, cn);
		if (rc == -EBADMSG) {
			jcl_log("%s: bad permessage-deflate data, closing", cn->sess.account);
			lws_close_reason(wsi, LWS_CLOSE_STATUS_INVALID_PAYLOAD,
					 (unsigned char *)"Bad deflate data", 16);
			return -1;
		}
	} else {
		rc = wsmsg_feed(&cn->msg, in, len, wsqueue_on_msg, cn);
	}
	if (!rc && frame_end)
		rc = wsmsg_frame_end(&cn->msg, fin, wsqueue_on_msg, cn);
	if (rc)
		return -1;
	if (fin)
		ws_arm_idle(wsi, cn);
	wsqueue_pump(wsi, cn);
	if (!wsqueue_can_read(cn))
		lws_rx_flow_control(wsi, 0); /* until the replies are out */
	return 0;
}

int wsqueue_writeable(struct lws *wsi, struct ws_conn *cn)
{
	if (cn->timed_out) {
		jcl_debug("%s: session timed out", cn->sess.account);
		lws_close_reason(wsi, (enum lws_close_status)1013 /* TRY_AGAIN_LATER */,
				 (unsigned char *)"Session timed out", 17);
		return -1;
	}
	if (cn->expired) {
		static const char why[] = "Certificate expired";
		jcl_debug("%s: session lifetime reached", cn->sess.account);
		lws_close_reason(wsi, (enum lws_close_status)1013, (unsigned char *)why,
				 sizeof(why) - 1);
		return -1;
	}
	struct ws_tx *t = cn->txq;
	if (!t)
		return 0;
	if (lws_send_pipe_choked(wsi)) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	size_t n = t->len - t->off;
	if (n > WS_TX_CHUNK)
		n = WS_TX_CHUNK;
	int flags = lws_write_ws_flags(LWS_WRITE_TEXT, t->off == 0, t->off + n == t->len);
	memcpy(wsqueue_chunk + LWS_PRE, t->p + t->off, n);
	if (lws_write(wsi, wsqueue_chunk + LWS_PRE, n, (enum lws_write_protocol)flags) < (int)n) {
		jcl_log("%s: write failed", cn->sess.account);
		return -1;
	}
	t->off += n;
	if (t->off < t->len) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	cn->txq = t->next;
	if (!cn->txq)
		cn->txq_tail = &cn->txq;
	free(t->p);
	free(t);
	if (cn->txq) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	wsqueue_pump(wsi, cn);
	if (wsqueue_can_read(cn))
		lws_rx_flow_control(wsi, 1);
	return 0;
}

void wsqueue_free(struct ws_conn *cn)
{
	wsmsg_free(&cn->msg);
	while (cn->jobs) {
		struct ws_job *j = cn->jobs;
		cn->jobs = j->next;
		free(j);
	}
	while (cn->txq) {
		struct ws_tx *t = cn->txq;
		cn->txq = t->next;
		free(t->p);
		free(t);
	}
	free(cn->parked_job);
	cn->parked_job = NULL;
	free(cn->parked_reply);
	cn->parked_reply = NULL;
}
