/* upstream_life.c - the pool's life: configure, attach, start (sessions
 * and keepalives), stop, fini; the credentials new sessions log in with
 * (token, user certificate, locked key); libwebsockets' log lines. */
#include "upstream_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

void upstream_configure(const struct jd_config *cfg, int lws_levels)
{
	memset(&up, 0, sizeof(up));
	up.cfg = cfg;
	up.qtail = &up.qhead;
	up.ptail = &up.phead;
	up.dtail = &up.dhead;
	up.min = cfg->pool < 1 ? 1 : cfg->pool > LIM_POOL_MAX ? LIM_POOL_MAX : cfg->pool;
	up.max = cfg->pool_max < up.min		? up.min
		 : cfg->pool_max > LIM_POOL_MAX ? LIM_POOL_MAX
						: cfg->pool_max;
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

static void upstream_life_keepalive_done(struct up_req *r, cJSON *reply, int code, const char *msg)
{
	(void)r, (void)code, (void)msg;
	cJSON_Delete(reply);
}

/* A cheap command on sessions idle for cfg->keepalive seconds: JCentral
 * closes a session 15 minutes after its last text message (spec 2.8). */
static void upstream_life_keepalive_cb(lws_sorted_usec_list_t *sul)
{
	time_t now = time(NULL);
	int period = up.cfg->keepalive;

	for (int i = 0; i < LIM_POOL_MAX; i++) {
		struct usession *s = &up.sess[i];
		struct up_req *r;

		if (s->private_ || s->state != US_READY || now - s->last_active < period)
			continue;
		r = upstream_req_new(upstream_knows("echo") == 1 ? "echo" : "pwd", NULL, NULL,
				     upstream_life_keepalive_done, &up);
		if (!r)
			continue;
		r->internal = 1;
		log_debug("upstream[%d]: keepalive after %ld s idle", s->idx,
			  (long)(now - s->last_active));
		up_dispatch(s, r);
	}
	lws_sul_schedule(up.ctx, 0, sul, upstream_life_keepalive_cb,
			 (lws_usec_t)(period > 120 ? 30
				      : period > 2 ? period / 2
						   : 1) *
				 LWS_US_PER_SEC);
}

int upstream_start(void)
{
	struct usession *s;

	while (up_count(up_shared_alive) < up.min && (s = up_free_slot()) && up_can_login(s))
		up_connect(s);
	if (up.cfg->keepalive > 0)
		lws_sul_schedule(up.ctx, 0, &up.sul_keepalive, upstream_life_keepalive_cb,
				 (lws_usec_t)(up.cfg->keepalive > 2 ? up.cfg->keepalive / 2 : 1) *
					 LWS_US_PER_SEC);
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
	lws_sul_cancel(&up.sul_deliver); /* what waits is dropped by upstream_fini */
	up.ctx = NULL;			 /* no more timers: sessions closed from now on stay down */
}

void upstream_fini(void)
{
	struct up_req *r;

	while ((r = up_queue_pop()))
		up_req_free(r);
	while ((r = up_fifo_pop(&up.phead, &up.ptail)))
		up_req_free(r);
	up_deliver_drop();
	for (int i = 0; i < LIM_POOL_MAX; i++) {
		struct usession *s = &up.sess[i];

		up_req_free(s->cur);
		up_req_free(s->private_req);
		up_req_free(s->site_next);
		free(s->site);
		free(s->site_default);
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
