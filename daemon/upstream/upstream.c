/* upstream.c - the pool of websocket sessions (see upstream.h) as a state
 * machine: requests, their FIFOs, the sessions they go to (pump, dispatch,
 * growth), submit and cancel, and the events of usession.c, which handles
 * one session's protocol. The rest of the pool: see upstream_int.h. */
#include "upstream_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct upstream_pool up;

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

void up_req_free(struct up_req *r)
{
	if (!r)
		return;
	free(r->command);
	free(r->cwd);
	free(r->site);
	cJSON_Delete(r->options);
	cJSON_Delete(r->out_reply);
	free(r->out_msg);
	free(r);
}

/* ---- completions: deferred, as tmux's event_active ----
 * A request can end inside a call its owner made (upstream_submit on a full
 * queue, a connection refused at once, a request too big): its done() waits
 * on a list the loop drains (sul_deliver, zero delay), so it never runs
 * before that call returns. Replies take the same path, so every owner sees
 * one order of events. upstream_cancel of a finished request clears its owner:
 * the drain frees it without a call. */

static void up_deliver_cb(lws_sorted_usec_list_t *sul)
{
	unsigned n = up.dlen; /* those finished by now: a done() that makes more waits a turn */

	(void)sul;
	while (n-- && up.dhead) {
		struct up_req *r = up.dhead;

		up.dhead = r->next;
		if (!up.dhead)
			up.dtail = &up.dhead;
		up.dlen--;
		r->next = NULL;
		r->finished = 0;
		if (r->owner && r->done) {
			cJSON *reply = r->out_reply;

			r->out_reply = NULL;
			r->done(r, reply, r->out_code,
				reply || r->out_msg ? r->out_msg : exitcode_message(JD_EXIT_NOMEM));
		}
		up_req_free(r);
	}
	if (up.dhead && up.ctx)
		lws_sul_schedule(up.ctx, 0, &up.sul_deliver, up_deliver_cb, 1);
}

void up_req_finish(struct up_req *r, cJSON *reply, int code, const char *msg)
{
	if (!r->owner || !r->done) {
		cJSON_Delete(reply);
		up_req_free(r);
		return;
	}
	if (r->inline_done || !up.ctx) { /* after upstream_stop no loop turns any more */
		r->done(r, reply, code, msg);
		up_req_free(r);
		return;
	}
	r->out_reply = reply;
	r->out_code = code;
	r->out_msg = msg ? strdup(msg) : NULL; /* NULL on ENOMEM: "out of memory" is delivered */
	r->finished = 1;
	r->next = NULL;
	*up.dtail = r;
	up.dtail = &r->next;
	up.dlen++;
	lws_sul_schedule(up.ctx, 0, &up.sul_deliver, up_deliver_cb, 1);
}

void up_deliver_drop(void)
{
	struct up_req *r;

	while ((r = up.dhead)) {
		up.dhead = r->next;
		up_req_free(r);
	}
	up.dtail = &up.dhead;
	up.dlen = 0;
}

void up_fifo_push(struct up_req ***tail, struct up_req *r)
{
	r->next = NULL;
	r->queued = 1;
	**tail = r;
	*tail = &r->next;
}

struct up_req *up_fifo_pop(struct up_req **head, struct up_req ***tail)
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

int up_fifo_remove(struct up_req **head, struct up_req ***tail, struct up_req *r)
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

struct up_req *up_queue_pop(void)
{
	struct up_req *r = up_fifo_pop(&up.qhead, &up.qtail);

	if (r)
		up.qlen--;
	return r;
}

static void up_fail_queue(int code, const char *msg)
{
	struct up_req *r;

	while ((r = up_queue_pop()))
		up_req_finish(r, NULL, code, msg);
}

/* ---- sessions ---- */

int up_count(int (*pred)(const struct usession *))
{
	int n = 0;

	for (int i = 0; i < LIM_POOL_MAX; i++)
		n += pred(&up.sess[i]);
	return n;
}

int up_shared_alive(const struct usession *s)
{
	return !s->private_ && s->state != US_DOWN && s->state != US_CLOSING;
}

int up_shared_serving(const struct usession *s)
{
	return !s->private_ && (s->state == US_READY || s->state == US_BUSY);
}

static int up_shared_starting(const struct usession *s)
{
	return !s->private_ && (s->state == US_CONNECTING || s->state == US_INIT);
}

struct usession *up_free_slot(void)
{
	for (int i = 0; i < LIM_POOL_MAX; i++)
		if (up.sess[i].state == US_DOWN && !up.sess[i].private_)
			return &up.sess[i];
	return NULL;
}

/* Whether s could log in now (a locked user key cannot). */
int up_can_login(const struct usession *s)
{
	int login = s->private_ && s->private_req && (s->private_req->flags & UP_REQ_LOGIN);

	return !up.locked || (!login && up.vh);
}

void up_connect(struct usession *s)
{
	int login = s->private_ && s->private_req && (s->private_req->flags & UP_REQ_LOGIN);

	up.connects++;
	s->with_token = !login && up.vh;
	usession_connect(s, up.ctx, login || !up.vh ? up.login_vh : up.vh, up.cfg);
}

void up_dispatch(struct usession *s, struct up_req *r)
{
	char err[200];
	int rc;

	if (upstream_site_detour(s, r))
		return; /* setSite first; r goes out with its reply */
	rc = usession_send(s, r, r->cwd ? r->cwd : up.home, err, sizeof(err));

	if (rc < 0)
		up_req_finish(r, NULL, rc == -E2BIG ? JD_EXIT_TOOBIG : JD_EXIT_NOMEM, err);
}

/* Give queued work to idle sessions; grow the pool when all are busy. */
void up_pump(void)
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
		if (!s->private_ && s->state == US_READY &&
		    (r = upstream_retry_take_for(s, usession_now())))
			up_dispatch(s, r);
	}
	upstream_retry_watch_arm();
	if (!up.qhead || up.reconnect_pending)
		/* a connect failed (or the pool is short): the backoff timer comes first, so a
		 * refused extra session is not retried at once */
		return;
	/* all busy (or none up): one more session for each request waiting beyond
	 * those already starting (a cp's pipeline queues several at once), up to
	 * the pool's max */
	for (unsigned starting = (unsigned)up_count(up_shared_starting); starting < up.qlen;
	     starting++) {
		if (up_count(up_shared_alive) >= up.max || !(s = up_free_slot()) ||
		    !up_can_login(s))
			break;
		up_connect(s);
	}
}

/* ---- events from usession.c ---- */

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
			log_info("upstream[%d]: JCentral back after %.1f s", s->idx,
				 usession_now() - up.down_since);
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

void upstream_session_reply(struct usession *s, struct up_req *r, cJSON *reply, size_t bytes)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");

	if (upstream_retry_poisoned(s, r, reply)) {
		/* handled: retried or failed */
	} else if (!r) {
		log_warn("upstream[%d]: a reply of %zu bytes nobody asked for; dropped", s->idx,
			 bytes);
		cJSON_Delete(reply);
	} else if (!reply) {
		char m[160];

		snprintf(m, sizeof(m), "jaliend: JCentral sent %s (%zu bytes) for `%.40s`",
			 bytes ? "a reply that is not JSON" : "an empty reply", bytes, r->command);
		up_req_finish(r, NULL, JD_EXIT_EMPTY, m);
	} else {
		if (!s->private_)
			usession_copy_str(&up.user, cJSON_GetObjectItemCaseSensitive(meta, "user"));
		up_req_finish(r, reply, 0, NULL);
	}
	if ((s->private_ || s->retire) && !s->cur)
		/* private: its state (user, site, ...) must not serve anyone else */
		usession_close(s);
	up_pump();
}

void upstream_session_down(struct usession *s, enum us_state was, struct up_req *lost,
			   const char *why, int http_status, const char *tls_error)
{
	struct up_req *pending = s->private_req;
	int failed = was == US_CONNECTING || was == US_INIT, code;
	char msg[512];

	s->private_req = NULL;
	upstream_site_requeue(s);
	if (failed) {
		up.connect_failures++;
		upstream_status_connect_error(s, msg, sizeof(msg), why, http_status, tls_error,
					      &code);
		up.auth_failed = http_status == 401 || tls_error != NULL;
		log_err("upstream[%d]: %s", s->idx, msg + 9);
	} else {
		code = JD_EXIT_LOST;
		snprintf(msg, sizeof(msg), "jaliend: connection to %s lost (%s)", up.cfg->endpoint,
			 why ? why : "closed");
		if (was != US_CLOSING)
			log_warn("upstream[%d]: %s", s->idx, msg + 9);
	}
	if (failed || was != US_CLOSING) { /* not one we closed ourselves */
		snprintf(up.last_error, sizeof(up.last_error), "%s", msg);
		up.last_code = code;
	}
	if (pending)
		up_req_finish(pending, NULL, code, msg);
	if (lost)
		upstream_retry_lost(s, lost, failed ? code : JD_EXIT_LOST, msg);
	s->private_ = 0;
	if (up_count(up_shared_serving) == 0 && up.down_since == 0)
		up.down_since = usession_now();
	if (failed && up_count(up_shared_alive) == 0 && !upstream_retry_in_grace(usession_now()))
		up_fail_queue(code, msg); /* nothing can serve them now: fail fast, as alien.py */
	if (!up.auth_failed && (failed || up_count(up_shared_alive) < up.min))
		upstream_retry_reconnect(failed); /* a failed extra session too: its retry waits */
	up_pump();
}

/* ---- public ---- */

void upstream_fail_waiting(int code, const char *msg)
{
	struct up_req *r;

	up_fail_queue(code, msg);
	while ((r = up_fifo_pop(&up.phead, &up.ptail)))
		up_req_finish(r, NULL, code, msg);
}

void upstream_submit(struct up_req *r)
{
	if (r->flags & UP_REQ_PRIVATE) {
		up_fifo_push(&up.ptail, r);
		up_pump();
		return;
	}
	if (up.qlen >= LIM_UPSTREAM_QUEUE_MAX) {
		up_req_finish(r, NULL, JD_EXIT_BUSY,
			      "jaliend: too many requests waiting for JCentral; try again");
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
	/* in flight, parked on a private session, or finished and not delivered yet: its reply or
	 * outcome is dropped */
	r->owner = NULL;
}

int upstream_idle(void)
{
	for (int i = 0; i < LIM_POOL_MAX; i++)
		if ((up.sess[i].cur && !up.sess[i].cur->internal) || up.sess[i].site_next)
			return 0;
	/* the daemon's own requests (token, keepalive) do not hold a drain */
	for (const struct up_req *r = up.qhead; r; r = r->next)
		if (!r->internal)
			return 0;
	for (const struct up_req *r = up.phead; r; r = r->next)
		if (!r->internal)
			return 0;
	for (const struct up_req *r = up.dhead; r; r = r->next)
		if (!r->internal && r->owner)
			return 0; /* an outcome still to be delivered */
	return 1;
}
