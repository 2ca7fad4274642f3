/* upstream.c - the pool of websocket sessions (see upstream.h); one
 * session's protocol handling is usession.c. */
#include "upstream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "caps.h"
#include "log.h"
#include "base/strbuf.h"
#include "usession.h"

/* A read-only command lost mid-request waits this long for a session that
 * became ready after the loss, then takes any (docs/jaliend.md). */
#define UP_RETRY_FRESH_WAIT_S 2.0

/* Reconnect delays (ms) after failures; the last one repeats. lws adds up to
 * jitter_percent on top: the longest wait is 1.2 s, so the pool is back
 * within 2 s of the service (issue #8). */
static const uint32_t up_backoff_ms[] = { 100, 200, 400, 800, 1000 };
static const lws_retry_bo_t up_backoff = {
	.retry_ms_table = up_backoff_ms,
	.retry_ms_table_count = sizeof(up_backoff_ms) / sizeof(up_backoff_ms[0]),
	.conceal_count = LWS_RETRY_CONCEAL_ALWAYS,
	.jitter_percent = 20,
};

static struct {
	struct lws_context *ctx;
	struct lws_vhost *vh;          /* token for new shared sessions (NULL: the user certificate) */
	struct lws_vhost *login_vh;    /* the user certificate (NULL: the default vhost's, from start) */
	const struct jd_config *cfg;
	struct usession sess[LIM_POOL_MAX];
	int min, max;                  /* sessions kept / grown to on demand */
	struct up_req *qhead, **qtail; /* shared FIFO */
	unsigned qlen;
	struct up_req *phead, **ptail; /* private requests waiting for a slot */
	char *home, *user;
	char **cmds;                   /* the server's commandlist, NULL-terminated */
	int ncmds;
	time_t cmds_at;                /* when it was learned */
	uint16_t backoff_try;
	int auth_failed;               /* last failure was the credential: no background retries */
	int ever_up;                   /* a shared session was ready once: ride over outages */
	double down_since;             /* monotonic: no shared session serving since (0: serving) */
	int reconnect_pending;         /* the backoff timer will connect: up_pump must not */
	int watch_armed;
	int locked;                    /* the user key waits for its passphrase */
	lws_sorted_usec_list_t sul_reconnect, sul_keepalive, sul_watch;
	unsigned long connects, connect_failures, lost, retried, timeouts, poisoned;
	char last_error[512];
	int last_code;
} up;

/* ---- requests ---- */

struct up_req *upstream_req_new(const char *command, cJSON *options, const char *cwd,
				up_done_fn done, void *owner)
{
	struct up_req *r = calloc(1, sizeof(*r));

	if (!r)
		goto fail;
	r->command = strdup(command);
	r->cwd = cwd ? strdup(cwd) : NULL;
	r->options = options ? options : cJSON_CreateArray();
	r->done = done;
	r->owner = owner;
	r->queued_at = usession_now();
	if (!r->command || (cwd && !r->cwd) || !r->options)
		goto fail;
	return r;
fail:
	if (r) {
		free(r->command);
		free(r->cwd);
		if (r->options != options)
			cJSON_Delete(r->options);
		free(r);
	}
	cJSON_Delete(options);
	return NULL;
}

static void up_req_free(struct up_req *r)
{
	if (!r)
		return;
	free(r->command);
	free(r->cwd);
	cJSON_Delete(r->options);
	free(r);
}

/* Deliver the outcome and free the request. */
static void up_req_finish(struct up_req *r, cJSON *reply, int code, const char *msg)
{
	if (r->owner && r->done)
		r->done(r, reply, code, msg);
	else
		cJSON_Delete(reply);
	up_req_free(r);
}

static void up_fifo_push(struct up_req ***tail, struct up_req *r)
{
	r->next = NULL;
	r->queued = 1;
	**tail = r;
	*tail = &r->next;
}

static struct up_req *up_fifo_pop(struct up_req **head, struct up_req ***tail)
{
	struct up_req *r = *head;

	if (!r)
		return NULL;
	*head = r->next;
	if (!*head)
		*tail = head;
	r->next = NULL;
	r->queued = 0;
	return r;
}

static int up_fifo_remove(struct up_req **head, struct up_req ***tail, struct up_req *r)
{
	for (struct up_req **pp = head; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			if (*tail == &r->next)
				*tail = pp;
			r->next = NULL;
			r->queued = 0;
			return 1;
		}
	}
	return 0;
}

static struct up_req *up_queue_pop(void)
{
	struct up_req *r = up_fifo_pop(&up.qhead, &up.qtail);

	if (r)
		up.qlen--;
	return r;
}

/* The request s should take next: the first in line, except that a retry
 * (lost_at set) waits for a session that became ready after the loss, for
 * the cause that closed the first one (the service going away, the token's
 * end) may close the others a moment later. Past UP_RETRY_FRESH_WAIT_S any
 * session will do, so a retry cannot starve when the pool cannot grow.
 * Retries go to the front and only leave it here, so they are a prefix of
 * the queue and the scan stops at the first request that is not one. */
static struct up_req *up_queue_take_for(const struct usession *s, double now)
{
	struct up_req *r;

	for (r = up.qhead; r; r = r->next)
		if (!r->lost_at || s->ready_at > r->lost_at || now - r->lost_at >= UP_RETRY_FRESH_WAIT_S)
			break;
	if (r && up_fifo_remove(&up.qhead, &up.qtail, r))
		up.qlen--;
	if (r && r->lost_at && s->ready_at <= r->lost_at)
		log_info("upstream[%d]: no fresh session within %.0f s; retrying `%s` here", s->idx,
			 UP_RETRY_FRESH_WAIT_S, r->command);
	return r;
}

static void up_queue_push_front(struct up_req *r)
{
	r->next = up.qhead;
	r->queued = 1;
	up.qhead = r;
	if (up.qtail == &up.qhead)
		up.qtail = &r->next;
	up.qlen++;
}

static void up_fail_queue(int code, const char *msg)
{
	struct up_req *r;

	while ((r = up_queue_pop()))
		up_req_finish(r, NULL, code, msg);
}

/* ---- sessions ---- */

static int up_count(int (*pred)(const struct usession *))
{
	int n = 0;

	for (int i = 0; i < LIM_POOL_MAX; i++)
		n += pred(&up.sess[i]);
	return n;
}

static int up_shared_alive(const struct usession *s)
{
	return !s->private_ && s->state != US_DOWN && s->state != US_CLOSING;
}

static int up_shared_serving(const struct usession *s)
{
	return !s->private_ && (s->state == US_READY || s->state == US_BUSY);
}

static int up_shared_starting(const struct usession *s)
{
	return !s->private_ && (s->state == US_CONNECTING || s->state == US_INIT);
}

static struct usession *up_free_slot(void)
{
	for (int i = 0; i < LIM_POOL_MAX; i++)
		if (up.sess[i].state == US_DOWN && !up.sess[i].private_)
			return &up.sess[i];
	return NULL;
}

/* Whether s could log in now (a locked user key cannot). */
static int up_can_login(const struct usession *s)
{
	int login = s->private_ && s->private_req && (s->private_req->flags & UP_REQ_LOGIN);

	return !up.locked || (!login && up.vh);
}

static void up_connect(struct usession *s)
{
	int login = s->private_ && s->private_req && (s->private_req->flags & UP_REQ_LOGIN);

	up.connects++;
	s->with_token = !login && up.vh;
	usession_connect(s, up.ctx, login || !up.vh ? up.login_vh : up.vh, up.cfg);
}

static void up_dispatch(struct usession *s, struct up_req *r)
{
	char err[200];
	int rc = usession_send(s, r, r->cwd ? r->cwd : up.home, err, sizeof(err));

	if (rc < 0)
		up_req_finish(r, NULL, rc == -E2BIG ? UP_EXIT_TOOBIG : 12, err);
}

static void up_watch_arm(void);

/* Give queued work to idle sessions; grow the pool when all are busy. */
static void up_pump(void)
{
	struct usession *s;

	while (up.phead && (!up.locked || (!(up.phead->flags & UP_REQ_LOGIN) && up.vh)) &&
	       (s = up_free_slot())) { /* a private request gets a fresh session */
		s->private_ = 1;
		s->private_req = up_fifo_pop(&up.phead, &up.ptail);
		up_connect(s);
	}
	for (int i = 0; i < LIM_POOL_MAX && up.qhead; i++) {
		struct up_req *r;

		s = &up.sess[i];
		if (!s->private_ && s->state == US_READY && (r = up_queue_take_for(s, usession_now())))
			up_dispatch(s, r);
	}
	up_watch_arm();
	if (!up.qhead || up_count(up_shared_starting) > 0)
		return;
	if (up.reconnect_pending)
		return; /* a connect failed (or the pool is short): the backoff timer
			 * comes first, so a refused extra session is not retried at once */
	if (up_count(up_shared_alive) < up.max && (s = up_free_slot()) && up_can_login(s))
		up_connect(s); /* all busy (or none up): one more session */
}

/* Bring the pool back to its minimum size (timer, with backoff). */
static void up_reconnect_cb(lws_sorted_usec_list_t *sul)
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

static void up_schedule_reconnect(int failed)
{
	if (!up.ctx)
		return;
	if (failed && up.reconnect_pending)
		return; /* one step of backoff a round, not one a failed session */
	if (!failed)
		up.backoff_try = 0;
	up.reconnect_pending = 1;
	lws_retry_sul_schedule(up.ctx, 0, &up.sul_reconnect, &up_backoff, up_reconnect_cb, &up.backoff_try);
}

/* Whether requests may keep waiting for a session that cannot be connected
 * now: only while an outage of a pool that was up is younger than
 * --connect-wait (a JCentral restart). At start, after a credential error or
 * once the outage is older, a failed connection fails them (as alien.py). */
static int up_in_grace(double now)
{
	return up.ever_up && !up.auth_failed && up.down_since > 0 && now - up.down_since < up.cfg->connect_wait;
}

/* Fail the queued requests that have waited for a session since before cutoff. */
static void up_fail_queued_before(double cutoff, int code, const char *msg)
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
static void up_timeout(struct usession *s)
{
	struct up_req *r = s->cur;
	char m[300];

	s->cur = NULL;
	up.timeouts++;
	snprintf(m, sizeof(m), "jaliend: no reply from %s within %d s for `%.40s` (--request-timeout); "
		 "it may still run there", up.cfg->endpoint, up.cfg->request_timeout, r ? r->command : "commandlist");
	log_warn("upstream[%d]: %s; closing the session", s->idx, m + 9);
	if (r)
		up_req_finish(r, NULL, UP_EXIT_TIMEOUT, m);
	usession_close(s);
}

/* Every 250 ms while there is something to watch: replies overdue, and
 * requests waiting while no session serves. */
static void up_watch_cb(lws_sorted_usec_list_t *sul)
{
	double now = usession_now();
	int limit = up.cfg->request_timeout;

	(void)sul;
	up.watch_armed = 0;
	for (int i = 0; i < LIM_POOL_MAX; i++) {
		struct usession *s = &up.sess[i];

		if (limit > 0 && (s->cur || s->state == US_INIT) && s->state != US_CLOSING &&
		    now - s->sent_at >= limit)
			up_timeout(s);
	}
	if (up.qhead && up_count(up_shared_serving) == 0 && !up_in_grace(now)) {
		char m[300];

		snprintf(m, sizeof(m), "jaliend: no session to %s within %d s (--connect-wait)", up.cfg->endpoint,
			 up.cfg->connect_wait);
		if (up.last_error[0] && up.last_code != UP_EXIT_LOST) /* the last connection attempt's */
			up_fail_queued_before(now - up.cfg->connect_wait, up.last_code, up.last_error);
		else
			up_fail_queued_before(now - up.cfg->connect_wait, UP_EXIT_NOCONN, m);
	}
	up_pump(); /* re-arms while needed */
}

/* Whether up_watch_cb has something to look at. */
static int up_watch_needed(void)
{
	if (up.qhead && up_count(up_shared_serving) == 0)
		return 1;
	if (up.qhead && up.qhead->lost_at && usession_now() - up.qhead->lost_at < UP_RETRY_FRESH_WAIT_S + 0.5)
		return 1; /* a retry waits for a fresh session: wake to give it any one */
	if (up.cfg->request_timeout > 0)
		for (int i = 0; i < LIM_POOL_MAX; i++)
			if (up.sess[i].cur || up.sess[i].state == US_INIT)
				return 1;
	return 0;
}

static void up_watch_arm(void)
{
	if (up.watch_armed || !up.ctx || !up_watch_needed())
		return;
	up.watch_armed = 1;
	lws_sul_schedule(up.ctx, 0, &up.sul_watch, up_watch_cb, 250 * LWS_US_PER_MS);
}

static void up_keepalive_done(struct up_req *r, cJSON *reply, int code, const char *msg)
{
	(void)r, (void)code, (void)msg;
	cJSON_Delete(reply);
}

/* A cheap command on sessions idle for cfg->keepalive seconds: JCentral
 * closes a session 15 minutes after its last text message (spec 2.8). */
static void up_keepalive_cb(lws_sorted_usec_list_t *sul)
{
	time_t now = time(NULL);
	int period = up.cfg->keepalive;

	for (int i = 0; i < LIM_POOL_MAX; i++) {
		struct usession *s = &up.sess[i];
		struct up_req *r;

		if (s->private_ || s->state != US_READY || now - s->last_active < period)
			continue;
		r = upstream_req_new(upstream_knows("echo") == 1 ? "echo" : "pwd", NULL, NULL,
				     up_keepalive_done, &up);
		if (!r)
			continue;
		r->internal = 1;
		log_debug("upstream[%d]: keepalive after %ld s idle", s->idx, (long)(now - s->last_active));
		up_dispatch(s, r);
	}
	lws_sul_schedule(up.ctx, 0, sul, up_keepalive_cb,
			 (lws_usec_t)(period > 120 ? 30 : period > 2 ? period / 2 : 1) * LWS_US_PER_SEC);
}

/* ---- events from usession.c ---- */

void upstream_learn_commands(const cJSON *results)
{
	int n = cJSON_GetArraySize(results), i = 0;
	char **cmds = calloc((size_t)n + 1, sizeof(*cmds));
	const cJSON *row;

	if (!cmds)
		return;
	cJSON_ArrayForEach(row, results) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "commandlist");
		size_t len;

		if (!cJSON_IsString(c))
			continue;
		len = strlen(c->valuestring);
		if (len > 4 && strcmp(c->valuestring + len - 4, "_csd") == 0)
			continue; /* as alien.py: experimental, unreachable */
		if ((cmds[i] = strdup(c->valuestring)))
			i++;
	}
	for (int j = 0; j < up.ncmds; j++)
		free(up.cmds[j]);
	free(up.cmds);
	up.cmds = cmds;
	up.ncmds = i;
	up.cmds_at = time(NULL);
}

const char *const *upstream_commands(time_t *learned_at)
{
	*learned_at = up.cmds_at;
	return (const char *const *)up.cmds;
}

void upstream_session_ready(struct usession *s, cJSON *reply)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	struct up_req *r;

	if (reply) {
		usession_copy_str(&up.home, cJSON_GetObjectItemCaseSensitive(meta, "currentdir"));
		usession_copy_str(&up.user, cJSON_GetObjectItemCaseSensitive(meta, "user"));
		upstream_learn_commands(cJSON_GetObjectItemCaseSensitive(reply, "results"));
		cJSON_Delete(reply);
	}
	up.backoff_try = 0;
	up.auth_failed = 0;
	s->ready_at = usession_now();
	if (!s->private_) {
		if (up.down_since > 0)
			log_info("upstream[%d]: JCentral back after %.1f s", s->idx, usession_now() - up.down_since);
		up.ever_up = 1;
		up.down_since = 0;
	}
	log_info("upstream[%d]: ready as %s, home %s, %d commands", s->idx, up.user ? up.user : "?",
		 up.home ? up.home : "?", up.ncmds);
	if (s->private_ && (r = s->private_req)) {
		s->private_req = NULL;
		up_dispatch(s, r);
		return;
	}
	up_pump();
}

/* JCentral's websocket endpoint (WebsocketEndpoint.java, Tomcat 9) keeps the
 * parts of a message that came in several frames and never clears them: from
 * then on every request on that websocket is parsed behind the old parts and
 * answered "Incoming JSON is not ok" (22). We only send JSON that cJSON built,
 * so that answer means the session is broken, and that the server ran
 * nothing: the request may go again, once, on a fresh session. */
static int up_reply_poisoned(const cJSON *meta)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(meta, "error");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");

	return cJSON_IsString(e) && strcmp(e->valuestring, UP_POISON_TEXT) == 0 && cJSON_IsString(c) &&
	       strcmp(c->valuestring, "22") == 0;
}

static int up_poisoned(struct usession *s, struct up_req *r, cJSON *reply)
{
	if (!r || !up_reply_poisoned(cJSON_GetObjectItemCaseSensitive(reply, "metadata")))
		return 0;
	up.poisoned++;
	log_warn("upstream[%d]: JCentral could not parse a well-formed request of %zu bytes (`%.40s`): "
		 "the session is broken; closing it", s->idx, s->sent_len, r->command);
	s->retire = 1;
	if (!r->retried && !s->private_) {
		r->retried = 1;
		r->lost_at = usession_now();
		up.retried++;
		log_info("upstream[%d]: sending `%s` again on a fresh session (the server ran nothing)", s->idx,
			 r->command);
		cJSON_Delete(reply);
		up_queue_push_front(r);
	} else {
		char m[200];

		snprintf(m, sizeof(m), "jaliend: JCentral's session broke (\"%s\") during `%.40s`; it did not run: "
			 "try again", UP_POISON_TEXT, r->command);
		cJSON_Delete(reply);
		up_req_finish(r, NULL, UP_EXIT_LOST, m);
	}
	return 1;
}

void upstream_session_reply(struct usession *s, struct up_req *r, cJSON *reply, size_t bytes)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");

	if (up_poisoned(s, r, reply)) {
		/* handled: retried or failed */
	} else if (!r) {
		log_warn("upstream[%d]: a reply of %zu bytes nobody asked for; dropped", s->idx, bytes);
		cJSON_Delete(reply);
	} else if (!reply) {
		char m[160];

		snprintf(m, sizeof(m), "jaliend: JCentral sent %s (%zu bytes) for `%.40s`",
			 bytes ? "a reply that is not JSON" : "an empty reply", bytes, r->command);
		up_req_finish(r, NULL, UP_EXIT_EMPTY, m);
	} else {
		if (!s->private_)
			usession_copy_str(&up.user, cJSON_GetObjectItemCaseSensitive(meta, "user"));
		up_req_finish(r, reply, 0, NULL);
	}
	if (s->private_ || s->retire)
		usession_close(s); /* private: its state (user, site, ...) must not serve anyone else */
	up_pump();
}

static void up_connect_error(const struct usession *s, char *msg, size_t n, const char *why, int http,
			     const char *tls, int *code)
{
	const char *alert = usession_tls_alert();

	*code = UP_EXIT_NOCONN;
	if (alert && tls == alert) { /* the server refused us, not we the server */
		snprintf(msg, n, "jaliend: %s refused %s%s in TLS: \"%s\"", up.cfg->endpoint,
			 s->with_token ? "the token certificate (from " : "the certificate ",
			 s->with_token ? "`token`)" : up.cfg->cert, alert);
	} else if (http == 401) {
		*code = UP_EXIT_UNAUTHORIZED;
		snprintf(msg, n, "jaliend: %s refused the certificate %s (HTTP 401: not registered in the VO?)",
			 up.cfg->endpoint, up.cfg->cert);
	} else if (http > 0) {
		snprintf(msg, n, "jaliend: %s answered the websocket upgrade with HTTP %d", up.cfg->endpoint, http);
	} else if (tls) {
		snprintf(msg, n, "jaliend: TLS with %s failed: %s (CA folder %s)", up.cfg->endpoint, tls,
			 up.cfg->ca_dir);
	} else {
		snprintf(msg, n, "jaliend: cannot connect to %s: %s", up.cfg->endpoint, why ? why : "connection failed");
	}
}

void upstream_session_down(struct usession *s, enum us_state was, struct up_req *lost,
			   const char *why, int http_status, const char *tls_error)
{
	struct up_req *pending = s->private_req;
	int failed = was == US_CONNECTING || was == US_INIT, code;
	char msg[512];

	s->private_req = NULL;
	if (failed) {
		up.connect_failures++;
		up_connect_error(s, msg, sizeof(msg), why, http_status, tls_error, &code);
		up.auth_failed = http_status == 401 || tls_error != NULL;
		log_err("upstream[%d]: %s", s->idx, msg + 9);
	} else {
		code = UP_EXIT_LOST;
		snprintf(msg, sizeof(msg), "jaliend: connection to %s lost (%s)", up.cfg->endpoint, why ? why : "closed");
		if (was != US_CLOSING)
			log_warn("upstream[%d]: %s", s->idx, msg + 9);
	}
	if (failed || was != US_CLOSING) { /* not one we closed ourselves */
		snprintf(up.last_error, sizeof(up.last_error), "%s", msg);
		up.last_code = code;
	}
	if (pending)
		up_req_finish(pending, NULL, code, msg);
	if (lost) {
		char m[640];

		up.lost++;
		if ((lost->flags & UP_REQ_READONLY) && !lost->retried && !s->private_ && !lost->internal) {
			lost->retried = 1; /* read-only: safe to run again, once */
			lost->lost_at = usession_now();
			up.retried++;
			log_info("upstream[%d]: `%s` lost mid-request; retrying once on a fresh session",
				 s->idx, lost->command);
			up_queue_push_front(lost);
		} else {
			snprintf(m, sizeof(m), "%s during `%.40s`; not retried, it may have run: try again", msg,
				 lost->command);
			up_req_finish(lost, NULL, failed ? code : UP_EXIT_LOST, m);
		}
	}
	s->private_ = 0;
	if (up_count(up_shared_serving) == 0 && up.down_since == 0)
		up.down_since = usession_now();
	if (failed && up_count(up_shared_alive) == 0 && !up_in_grace(usession_now()))
		up_fail_queue(code, msg); /* nothing can serve them now: fail fast, as alien.py */
	if (!up.auth_failed && (failed || up_count(up_shared_alive) < up.min))
		up_schedule_reconnect(failed); /* a failed extra session too: its retry waits */
	up_pump();
}

/* ---- public ---- */

void upstream_configure(const struct jd_config *cfg, int lws_levels)
{
	memset(&up, 0, sizeof(up));
	up.cfg = cfg;
	up.qtail = &up.qhead;
	up.ptail = &up.phead;
	up.min = cfg->pool < 1 ? 1 : cfg->pool > LIM_POOL_MAX ? LIM_POOL_MAX : cfg->pool;
	up.max = cfg->pool_max < up.min ? up.min : cfg->pool_max > LIM_POOL_MAX ? LIM_POOL_MAX : cfg->pool_max;
	for (int i = 0; i < LIM_POOL_MAX; i++)
		up.sess[i].idx = i;
	usession_configure(cfg);
	lws_set_log_level(lws_levels, upstream_lws_log);
}

void upstream_lws_log(int level, const char *line)
{
	const char *ssl = strstr(line, "SSL error: ");
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (ssl) {
		char text[256];
		const char *end;
		size_t m;

		ssl += strlen("SSL error: ");
		end = strstr(ssl, " (preverify");
		m = end ? (size_t)(end - ssl) : strcspn(ssl, "\r\n");
		snprintf(text, sizeof(text), "%.*s", (int)m, ssl);
		usession_note_tls_error(text);
	}
	log_msg(level == LLL_ERR ? LOG_WARNING : LOG_DEBUG, "lws: %.*s", (int)n, line);
}

void upstream_attach(struct lws_context *ctx)
{
	up.ctx = ctx;
}

void upstream_lock(int locked)
{
	struct usession *s;

	up.locked = locked;
	if (locked || !up.ctx)
		return;
	while (up_count(up_shared_alive) < up.min && (s = up_free_slot()))
		up_connect(s);
	up_pump();
}

int upstream_has_token(void)
{
	return up.vh != NULL;
}

void upstream_fail_waiting(int code, const char *msg)
{
	struct up_req *r;

	up_fail_queue(code, msg);
	while ((r = up_fifo_pop(&up.phead, &up.ptail)))
		up_req_finish(r, NULL, code, msg);
}

int upstream_start(void)
{
	struct usession *s;

	while (up_count(up_shared_alive) < up.min && (s = up_free_slot()) && up_can_login(s))
		up_connect(s);
	if (up.cfg->keepalive > 0)
		lws_sul_schedule(up.ctx, 0, &up.sul_keepalive, up_keepalive_cb,
				 (lws_usec_t)(up.cfg->keepalive > 2 ? up.cfg->keepalive / 2 : 1) * LWS_US_PER_SEC);
	return 0;
}

void upstream_use_login(struct lws_vhost *vh)
{
	up.login_vh = vh;
	up.auth_failed = 0; /* new credentials: background reconnects may work again */
}

void upstream_use_token(struct lws_vhost *vh)
{
	up.vh = vh;
	for (int i = 0; i < LIM_POOL_MAX; i++) {
		struct usession *s = &up.sess[i];

		if (s->private_ || !s->with_token || s->vh == vh || s->state == US_DOWN)
			continue;
		if (s->state == US_READY)
			usession_close(s); /* the pool reconnects it with the new token */
		else
			s->retire = 1;
	}
}

void upstream_stop(void)
{
	lws_sul_cancel(&up.sul_reconnect);
	lws_sul_cancel(&up.sul_keepalive);
	lws_sul_cancel(&up.sul_watch);
	up.ctx = NULL; /* no more timers: sessions closed from now on stay down */
}

void upstream_fini(void)
{
	struct up_req *r;

	while ((r = up_queue_pop()))
		up_req_free(r);
	while ((r = up_fifo_pop(&up.phead, &up.ptail)))
		up_req_free(r);
	for (int i = 0; i < LIM_POOL_MAX; i++) {
		struct usession *s = &up.sess[i];

		up_req_free(s->cur);
		up_req_free(s->private_req);
		free(s->tx);
		free(s->rx);
		free(s->cwd);
	}
	for (int j = 0; j < up.ncmds; j++)
		free(up.cmds[j]);
	free(up.cmds);
	free(up.home);
	free(up.user);
	memset(&up, 0, sizeof(up));
}

void upstream_submit(struct up_req *r)
{
	if (r->flags & UP_REQ_PRIVATE) {
		up_fifo_push(&up.ptail, r);
		up_pump();
		return;
	}
	if (up.qlen >= LIM_UPSTREAM_QUEUE_MAX) {
		up_req_finish(r, NULL, UP_EXIT_BUSY, "jaliend: too many requests waiting for JCentral; try again");
		return;
	}
	up_fifo_push(&up.qtail, r);
	up.qlen++;
	up_pump();
}

void upstream_cancel(struct up_req *r)
{
	if (r->queued && up_fifo_remove(&up.qhead, &up.qtail, r)) {
		up.qlen--;
		up_req_free(r);
		return;
	}
	if (r->queued && up_fifo_remove(&up.phead, &up.ptail, r)) {
		up_req_free(r);
		return;
	}
	r->owner = NULL; /* in flight, or parked on a private session: its reply is dropped */
}

const char *upstream_home(void)
{
	return up.home;
}

const char *upstream_user(void)
{
	return up.user;
}

int upstream_knows(const char *cmd)
{
	if (!up.cmds)
		return -1;
	for (int i = 0; i < up.ncmds; i++)
		if (strcmp(up.cmds[i], cmd) == 0)
			return 1;
	return 0;
}

int upstream_idle(void)
{
	for (int i = 0; i < LIM_POOL_MAX; i++)
		if (up.sess[i].cur && !up.sess[i].cur->internal)
			return 0;
	/* the daemon's own requests (token, keepalive) do not hold a drain */
	for (const struct up_req *r = up.qhead; r; r = r->next)
		if (!r->internal)
			return 0;
	for (const struct up_req *r = up.phead; r; r = r->next)
		if (!r->internal)
			return 0;
	return 1;
}

void upstream_describe(char *buf, size_t n)
{
	int cnt[US_CLOSING + 1] = { 0 };

	for (int i = 0; i < LIM_POOL_MAX; i++)
		if (up.sess[i].state != US_DOWN || i < up.min)
			cnt[up.sess[i].state]++;
	snprintf(buf, n, "%d ready, %d busy, %d connecting, %d down; %u queued; %lu connects, %lu failed, "
		 "%lu lost, %lu retried", cnt[US_READY], cnt[US_BUSY], cnt[US_CONNECTING] + cnt[US_INIT],
		 cnt[US_DOWN], up.qlen, up.connects, up.connect_failures, up.lost, up.retried);
}

void upstream_status(struct strbuf *out)
{
	time_t now = time(NULL);

	strbuf_addf(out, "pool: %d to %d sessions, keepalive %d s\n", up.min, up.max, up.cfg ? up.cfg->keepalive : 0);
	for (int i = 0; i < LIM_POOL_MAX; i++) {
		const struct usession *s = &up.sess[i];

		if (s->state == US_DOWN && i >= up.min)
			continue;
		strbuf_addf(out, "session %d: %s%s%s", i, usession_state_name(s->state), s->private_ ? " (private)" : "",
			    s->state == US_DOWN ? "" : s->with_token ? ", token" : ", user certificate");
		if (s->state != US_DOWN)
			strbuf_addf(out, ", up %lds, idle %lds, %lu requests, %llu bytes in, %llu out",
				    (long)(now - s->connected_at), (long)(now - s->last_active), s->requests,
				    (unsigned long long)s->bytes_in, (unsigned long long)s->bytes_out);
		if (s->cur && !s->cur->internal)
			strbuf_addf(out, ", running `%.40s`", s->cur->command);
		strbuf_addc(out, '\n');
	}
	strbuf_addf(out, "queue: %u shared, %s private waiting\n", up.qlen, up.phead ? "some" : "none");
	strbuf_addf(out, "connects: %lu, failed %lu, lost mid-request %lu, retried %lu, timed out %lu, "
		    "broken by the server %lu\n",
		    up.connects, up.connect_failures, up.lost, up.retried, up.timeouts, up.poisoned);
	if (up.down_since > 0 && up.ever_up)
		strbuf_addf(out, "JCentral unreachable for %.0f s (requests wait up to %d s: --connect-wait)\n",
			    usession_now() - up.down_since, up.cfg->connect_wait);
	if (up.last_error[0])
		strbuf_addf(out, "last error: %s\n", up.last_error + 9);
}
