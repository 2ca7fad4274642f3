/* upstream_retry.c - the pool's policy when JCentral fails it: the backoff
 * of reconnects, how long requests wait through an outage (--connect-wait),
 * replies overdue (--request-timeout, the watch timer), and the one retry of
 * a request lost with its session or refused by a broken one. */
#include "upstream_int.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

/* A read-only command lost mid-request waits this long for a session that
 * became ready after the loss, then takes any (docs/jaliend.md). */
#define UP_RETRY_FRESH_WAIT_S 2.0

/* Reconnect delays (ms) after failures; the last one repeats. lws adds up to
 * jitter_percent on top: the longest wait is 1.2 s, so the pool is back
 * within 2 s of the service (issue #8). */
static const uint32_t upstream_retry_backoff_ms[] = { 100, 200, 400, 800, 1000 };
static const lws_retry_bo_t upstream_retry_backoff = {
	.retry_ms_table = upstream_retry_backoff_ms,
	.retry_ms_table_count =
		sizeof(upstream_retry_backoff_ms) / sizeof(upstream_retry_backoff_ms[0]),
	.conceal_count = LWS_RETRY_CONCEAL_ALWAYS,
	.jitter_percent = 20,
};

/* The request s should take next: the first in line, except that a retry
 * (lost_at set) waits for a session that became ready after the loss, for
 * the cause that closed the first one (the service going away, the token's
 * end) may close the others a moment later. Past UP_RETRY_FRESH_WAIT_S any
 * session will do, so a retry cannot starve when the pool cannot grow.
 * Retries go to the front and only leave it here, so they are a prefix of
 * the queue and the scan stops at the first request that is not one. */
struct up_req *upstream_retry_take_for(const struct usession *s, double now)
{
	struct up_req *r;

	for (r = up.qhead; r; r = r->next)
		if (!r->lost_at || s->ready_at > r->lost_at ||
		    now - r->lost_at >= UP_RETRY_FRESH_WAIT_S)
			break;
	if (r && up_fifo_remove(&up.qhead, &up.qtail, r))
		up.qlen--;
	if (r && r->lost_at && s->ready_at <= r->lost_at)
		log_info("upstream[%d]: no fresh session within %.0f s; retrying `%s` here", s->idx,
			 UP_RETRY_FRESH_WAIT_S, r->command);
	return r;
}

/* A retry goes to the front of the shared FIFO (see upstream_retry_take_for). */
static void upstream_retry_push_front(struct up_req *r)
{
	r->next = up.qhead;
	r->queued = 1;
	up.qhead = r;
	if (up.qtail == &up.qhead)
		up.qtail = &r->next;
	up.qlen++;
}

/* Bring the pool back to its minimum size (timer, with backoff). */
static void upstream_retry_reconnect_cb(lws_sorted_usec_list_t *sul)
{
	int want = up.min - up_count(up_shared_alive);

	(void)sul;
	up.reconnect_pending = 0;
	for (int i = 0; i < LIM_POOL_MAX && want > 0; i++) {
		struct usession *s = &up.sess[i];

		if (s->state == US_DOWN && !s->private_ && up_can_login(s)) {
			up_connect(s);
			want--;
		}
	}
	up_pump(); /* growth on demand waited for this timer */
}

void upstream_retry_reconnect(int failed)
{
	if (!up.ctx)
		return;
	if (failed && up.reconnect_pending)
		return; /* one step of backoff a round, not one a failed session */
	if (!failed)
		up.backoff_try = 0;
	up.reconnect_pending = 1;
	lws_retry_sul_schedule(up.ctx, 0, &up.sul_reconnect, &upstream_retry_backoff,
			       upstream_retry_reconnect_cb, &up.backoff_try);
}

/* Whether requests may keep waiting for a session that cannot be connected
 * now: only while an outage of a pool that was up is younger than
 * --connect-wait (a JCentral restart). At start, after a credential error or
 * once the outage is older, a failed connection fails them (as alien.py). */
int upstream_retry_in_grace(double now)
{
	return up.ever_up && !up.auth_failed && up.down_since > 0 &&
	       now - up.down_since < up.cfg->connect_wait;
}

/* Fail the queued requests that have waited for a session since before cutoff. */
static void upstream_retry_fail_before(double cutoff, int code, const char *msg)
{
	struct up_req *list = up.qhead, *r;

	up.qhead = NULL;
	up.qtail = &up.qhead;
	up.qlen = 0;
	while ((r = list)) {
		list = r->next;
		r->queued = 0;
		if (r->queued_at <= cutoff)
			up_req_finish(r, NULL, code, msg);
		else {
			up_fifo_push(&up.qtail, r);
			up.qlen++;
		}
	}
}

/* No reply for --request-timeout seconds: the request fails (it is not sent
 * again: it may be what stalls the server) and its session is closed, for
 * it can serve nothing else until that reply comes. */
static void upstream_retry_timeout(struct usession *s)
{
	struct up_req *r = s->cur;
	char m[300];

	s->cur = NULL;
	up.timeouts++;
	snprintf(m, sizeof(m),
		 "jaliend: no reply from %s within %d s for `%.40s` (--request-timeout); "
		 "it may still run there",
		 up.cfg->endpoint, up.cfg->request_timeout, r ? r->command : "commandlist");
	log_warn("upstream[%d]: %s; closing the session", s->idx, m + 9);
	if (r)
		up_req_finish(r, NULL, JD_EXIT_TIMEOUT, m);
	usession_close(s);
}

/* Every 250 ms while there is something to watch: replies overdue, and
 * requests waiting while no session serves. */
static void upstream_retry_watch_cb(lws_sorted_usec_list_t *sul)
{
	double now = usession_now();
	int limit = up.cfg->request_timeout;

	(void)sul;
	up.watch_armed = 0;
	for (int i = 0; i < LIM_POOL_MAX; i++) {
		struct usession *s = &up.sess[i];

		if (limit > 0 && (s->cur || s->state == US_INIT) && s->state != US_CLOSING &&
		    now - s->sent_at >= limit)
			upstream_retry_timeout(s);
	}
	if (up.qhead && up_count(up_shared_serving) == 0 && !upstream_retry_in_grace(now)) {
		char m[300];

		snprintf(m, sizeof(m), "jaliend: no session to %s within %d s (--connect-wait)",
			 up.cfg->endpoint, up.cfg->connect_wait);
		/* the last connection attempt's */
		if (up.last_error[0] && up.last_code != JD_EXIT_LOST)
			upstream_retry_fail_before(now - up.cfg->connect_wait, up.last_code,
						   up.last_error);
		else
			upstream_retry_fail_before(now - up.cfg->connect_wait, JD_EXIT_NOCONN, m);
	}
	up_pump(); /* re-arms while needed */
}

/* Whether upstream_retry_watch_cb has something to look at. */
static int upstream_retry_watch_needed(void)
{
	if (up.qhead && up_count(up_shared_serving) == 0)
		return 1;
	if (up.qhead && up.qhead->lost_at &&
	    usession_now() - up.qhead->lost_at < UP_RETRY_FRESH_WAIT_S + 0.5)
		return 1; /* a retry waits for a fresh session: wake to give it any one */
	if (up.cfg->request_timeout > 0)
		for (int i = 0; i < LIM_POOL_MAX; i++)
			if (up.sess[i].cur || up.sess[i].state == US_INIT)
				return 1;
	return 0;
}

void upstream_retry_watch_arm(void)
{
	if (up.watch_armed || !up.ctx || !upstream_retry_watch_needed())
		return;
	up.watch_armed = 1;
	lws_sul_schedule(up.ctx, 0, &up.sul_watch, upstream_retry_watch_cb, 250 * LWS_US_PER_MS);
}

/* JCentral's websocket endpoint (WebsocketEndpoint.java, Tomcat 9) keeps the
 * parts of a message that came in several frames and never clears them: from
 * then on every request on that websocket is parsed behind the old parts and
 * answered "Incoming JSON is not ok" (22). We only send JSON that cJSON built,
 * so that answer means the session is broken, and that the server ran
 * nothing: the request may go again, once, on a fresh session. */
static int upstream_retry_reply_poisoned(const cJSON *meta)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(meta, "error");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");

	return cJSON_IsString(e) && strcmp(e->valuestring, UP_POISON_TEXT) == 0 &&
	       cJSON_IsString(c) && strcmp(c->valuestring, "22") == 0;
}

int upstream_retry_poisoned(struct usession *s, struct up_req *r, cJSON *reply)
{
	if (!r ||
	    !upstream_retry_reply_poisoned(cJSON_GetObjectItemCaseSensitive(reply, "metadata")))
		return 0;
	up.poisoned++;
	log_warn("upstream[%d]: JCentral could not parse a well-formed request of %zu bytes "
		 "(`%.40s`): "
		 "the session is broken; closing it",
		 s->idx, s->sent_len, r->command);
	s->retire = 1;
	if (!r->retried && !s->private_) {
		r->retried = 1;
		r->lost_at = usession_now();
		up.retried++;
		log_info("upstream[%d]: sending `%s` again on a fresh session (the server ran "
			 "nothing)",
			 s->idx, r->command);
		cJSON_Delete(reply);
		upstream_retry_push_front(r);
	} else {
		char m[200];

		snprintf(m, sizeof(m),
			 "jaliend: JCentral's session broke (\"%s\") during `%.40s`; it did not "
			 "run: "
			 "try again",
			 UP_POISON_TEXT, r->command);
		cJSON_Delete(reply);
		up_req_finish(r, NULL, JD_EXIT_LOST, m);
	}
	return 1;
}

/* A request lost with its session (msg says how): a read-only one of a
 * user's goes again, once, on a fresh session; any other fails with code. */
void upstream_retry_lost(const struct usession *s, struct up_req *lost, int code, const char *msg)
{
	char m[640];

	up.lost++;
	if ((lost->flags & UP_REQ_READONLY) && !lost->retried && !s->private_ && !lost->internal) {
		lost->retried = 1; /* read-only: safe to run again, once */
		lost->lost_at = usession_now();
		up.retried++;
		log_info("upstream[%d]: `%s` lost mid-request; retrying once on a fresh session",
			 s->idx, lost->command);
		upstream_retry_push_front(lost);
	} else {
		snprintf(m, sizeof(m), "%s during `%.40s`; not retried, it may have run: try again",
			 msg, lost->command);
		up_req_finish(lost, NULL, code, m);
	}
}
