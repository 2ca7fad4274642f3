/* upstream.c - see upstream.h. */
#include "upstream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "caps.h"
#include "log.h"

enum up_state {
	UP_DOWN,       /* no connection */
	UP_CONNECTING, /* TCP + TLS + upgrade in progress */
	UP_INIT,       /* upgraded; `commandlist` in flight */
	UP_READY,      /* idle, may take a request */
	UP_BUSY,       /* one request in flight */
};

static const char *const up_state_names[] = { "DOWN", "CONNECTING", "INIT", "READY", "BUSY" };

struct up_session {
	int idx;
	enum up_state state;
	struct lws *wsi;
	char *cwd;            /* server-side cwd of this websocket */
	struct up_req *cur;   /* in flight */
	unsigned char *tx;    /* LWS_PRE + request text */
	size_t tx_len;
	char *rx;             /* reply being assembled */
	size_t rx_len, rx_cap;
	unsigned long requests;
};

static struct {
	struct lws_context *ctx;
	const struct jd_config *cfg;
	struct up_session sess[LIM_POOL_MAX];
	int n;
	struct up_req *qhead, **qtail;
	unsigned qlen;
	char *home, *user;
	char **cmds;
	int ncmds;
	char last_tls_error[256];
	unsigned long connects, connect_failures;
} up;

static const lws_retry_bo_t up_retry = {
	.secs_since_valid_ping = 60,    /* websocket ping after 60 s of silence */
	.secs_since_valid_hangup = 120, /* peer dead if nothing for 120 s */
};

static void up_set_state(struct up_session *s, enum up_state st)
{
	if (s->state != st)
		log_debug("upstream[%d]: %s -> %s", s->idx, up_state_names[s->state], up_state_names[st]);
	s->state = st;
}

/* ---- lws log hook: keep the real reason of TLS failures ---- */

static void up_lws_log(int level, const char *line)
{
	const char *ssl = strstr(line, "SSL error:");
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (ssl) {
		const char *end = strstr(ssl, " (preverify");
		size_t m = end ? (size_t)(end - ssl) : strlen(ssl);

		while (m && (ssl[m - 1] == '\n' || ssl[m - 1] == '\r'))
			m--;
		ssl += strlen("SSL error: ");
		m -= strlen("SSL error: ");
		snprintf(up.last_tls_error, sizeof(up.last_tls_error), "%.*s", (int)m, ssl);
	}
	log_msg(level == LLL_ERR ? LOG_WARNING : LOG_DEBUG, "lws: %.*s", (int)n, line);
}

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

static struct up_req *up_queue_pop(void)
{
	struct up_req *r = up.qhead;

	if (!r)
		return NULL;
	up.qhead = r->next;
	if (!up.qhead)
		up.qtail = &up.qhead;
	r->next = NULL;
	r->queued = 0;
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

static void up_connect(struct up_session *s)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = up.ctx;
	ci.address = up.cfg->ep_host;
	ci.port = up.cfg->ep_port;
	ci.path = up.cfg->ep_path;
	ci.host = up.cfg->ep_host;
	ci.origin = up.cfg->ep_host;
	ci.ssl_connection = LCCSCF_USE_SSL;
	ci.local_protocol_name = "jalien-upstream";
	ci.opaque_user_data = s;
	ci.retry_and_idle_policy = &up_retry;
	ci.pwsi = &s->wsi;
	up.last_tls_error[0] = '\0';
	up.connects++;
	up_set_state(s, UP_CONNECTING);
	log_info("upstream[%d]: connecting to %s", s->idx, up.cfg->endpoint);
	if (!lws_client_connect_via_info(&ci) && s->state == UP_CONNECTING) {
		s->wsi = NULL;
		up_set_state(s, UP_DOWN);
		up.connect_failures++;
		log_err("upstream[%d]: cannot start a connection to %s", s->idx, up.cfg->endpoint);
	}
}

static int up_alive(const struct up_session *s)
{
	return s->state != UP_DOWN;
}

static int up_dispatch(struct up_session *s, struct up_req *r);

/* Give queued requests to idle sessions; connect one more session if
 * requests wait and nothing is on its way up. */
static void up_pump(void)
{
	int connecting = 0;

	for (int i = 0; i < up.n && up.qhead; i++) {
		struct up_session *s = &up.sess[i];

		while (s->state == UP_READY && up.qhead)
			up_dispatch(s, up_queue_pop());
	}
	if (!up.qhead)
		return;
	for (int i = 0; i < up.n; i++) {
		connecting += up.sess[i].state == UP_CONNECTING || up.sess[i].state == UP_INIT;
	}
	if (connecting)
		return;
	for (int i = 0; i < up.n; i++) {
		if (up.sess[i].state == UP_DOWN) {
			up_connect(&up.sess[i]);
			return;
		}
	}
}

static int up_queue_tx(struct up_session *s, const char *text)
{
	size_t n = strlen(text);

	free(s->tx);
	s->tx = malloc(LWS_PRE + n);
	if (!s->tx)
		return -ENOMEM;
	memcpy(s->tx + LWS_PRE, text, n);
	s->tx_len = n;
	lws_callback_on_writable(s->wsi);
	return 0;
}

/* Serialise r for s (with -pwd= if the cwd must move) and send it. */
static int up_dispatch(struct up_session *s, struct up_req *r)
{
	const char *cwd = r->cwd ? r->cwd : up.home;
	cJSON *msg = cJSON_CreateObject(), *opts;
	char *text = NULL;
	char err[160];
	int rc = -ENOMEM;

	if (!msg)
		goto fail;
	cJSON_AddStringToObject(msg, "command", r->command);
	opts = cJSON_Duplicate(r->options, 1);
	if (!opts)
		goto fail;
	if (cwd && (!s->cwd || strcmp(cwd, s->cwd) != 0)) {
		char pwd[LIM_PATH_MAX + 8];

		snprintf(pwd, sizeof(pwd), "-pwd=%s", cwd);
		cJSON_InsertItemInArray(opts, 0, cJSON_CreateString(pwd));
	}
	cJSON_AddItemToObject(msg, "options", opts);
	text = cJSON_PrintUnformatted(msg);
	if (!text)
		goto fail;
	if (strlen(text) > LIM_UPSTREAM_REQUEST_MAX) {
		snprintf(err, sizeof(err), "jaliend: the request is %zu bytes; JCentral takes at most %d per command",
			 strlen(text), LIM_UPSTREAM_REQUEST_MAX);
		cJSON_Delete(msg);
		free(text);
		up_req_finish(r, NULL, UP_EXIT_TOOBIG, err);
		return -E2BIG;
	}
	if ((rc = up_queue_tx(s, text)) < 0)
		goto fail;
	log_debug("upstream[%d]: > %s", s->idx, r->internal ? r->command : text);
	s->cur = r;
	s->requests++;
	if (s->state == UP_READY)
		up_set_state(s, UP_BUSY);
	cJSON_Delete(msg);
	free(text);
	return 0;
fail:
	cJSON_Delete(msg);
	free(text);
	up_req_finish(r, NULL, 1, "jaliend: out of memory");
	return rc;
}

static void up_init_done(struct up_req *r, cJSON *reply, int code, const char *msg);

static void up_on_established(struct up_session *s)
{
	struct up_req *r = upstream_req_new("commandlist", NULL, NULL, up_init_done, s);

	up_set_state(s, UP_INIT);
	log_info("upstream[%d]: connected to %s", s->idx, up.cfg->endpoint);
	if (!r)
		return;
	r->internal = 1;
	up_dispatch(s, r);
}

static void up_set_str(char **dst, const cJSON *v)
{
	if (!cJSON_IsString(v))
		return;
	if (*dst && strcmp(*dst, v->valuestring) == 0)
		return;
	free(*dst);
	*dst = strdup(v->valuestring);
}

static void up_learn_commands(const cJSON *results)
{
	const cJSON *row;
	int n = cJSON_GetArraySize(results), i = 0;
	char **cmds = calloc((size_t)n + 1, sizeof(*cmds));

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
		cmds[i] = strdup(c->valuestring);
		if (cmds[i])
			i++;
	}
	for (int j = 0; j < up.ncmds; j++)
		free(up.cmds[j]);
	free(up.cmds);
	up.cmds = cmds;
	up.ncmds = i;
}

static void up_init_done(struct up_req *r, cJSON *reply, int code, const char *msg)
{
	struct up_session *s = r->owner;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");

	if (!reply) {
		log_warn("upstream[%d]: session set-up failed (%d): %s", s->idx, code, msg);
		return;
	}
	up_set_str(&up.home, cJSON_GetObjectItemCaseSensitive(meta, "currentdir"));
	up_set_str(&up.user, cJSON_GetObjectItemCaseSensitive(meta, "user"));
	up_learn_commands(cJSON_GetObjectItemCaseSensitive(reply, "results"));
	log_info("upstream[%d]: ready as %s, home %s, %d commands", s->idx,
		 up.user ? up.user : "?", up.home ? up.home : "?", up.ncmds);
	cJSON_Delete(reply);
}

/* The reply to s->cur is complete in s->rx. */
static void up_on_reply(struct up_session *s)
{
	struct up_req *r = s->cur;
	cJSON *reply = s->rx_len ? cJSON_ParseWithLength(s->rx, s->rx_len) : NULL;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	size_t got = s->rx_len;

	s->rx_len = 0;
	if (s->rx_cap > (1u << 20)) { /* do not keep a huge buffer around */
		free(s->rx);
		s->rx = NULL;
		s->rx_cap = 0;
	}
	up_set_str(&s->cwd, cJSON_GetObjectItemCaseSensitive(meta, "currentdir"));
	s->cur = NULL;
	up_set_state(s, UP_READY);
	if (!r) {
		log_warn("upstream[%d]: unexpected reply of %zu bytes dropped", s->idx, got);
		cJSON_Delete(reply);
	} else if (!reply || !cJSON_IsObject(reply)) {
		char m[128];

		cJSON_Delete(reply);
		snprintf(m, sizeof(m), "jaliend: JCentral sent %s (%zu bytes) for `%s`",
			 got ? "a reply that is not JSON" : "an empty reply", got, r->command);
		up_req_finish(r, NULL, UP_EXIT_EMPTY, m);
	} else {
		up_set_str(&up.user, cJSON_GetObjectItemCaseSensitive(meta, "user"));
		up_req_finish(r, reply, 0, NULL);
	}
	up_pump();
}

static int up_on_rx(struct up_session *s, const void *in, size_t len)
{
	if (len > LIM_UPSTREAM_REPLY_MAX - s->rx_len) {
		log_err("upstream[%d]: reply over %u bytes; closing the session", s->idx, LIM_UPSTREAM_REPLY_MAX);
		return -E2BIG;
	}
	if (s->rx_len + len > s->rx_cap) {
		size_t ncap = s->rx_cap ? s->rx_cap : 16384;
		char *p;

		while (ncap < s->rx_len + len)
			ncap *= 2;
		if (ncap > LIM_UPSTREAM_REPLY_MAX)
			ncap = LIM_UPSTREAM_REPLY_MAX;
		p = realloc(s->rx, ncap);
		if (!p)
			return -ENOMEM;
		s->rx = p;
		s->rx_cap = ncap;
	}
	memcpy(s->rx + s->rx_len, in, len);
	s->rx_len += len;
	return 0;
}

/* The connection is gone (or never came up). */
static void up_on_down(struct up_session *s, const char *why, int http_status)
{
	enum up_state was = s->state;
	struct up_req *r = s->cur;
	char msg[512];
	int code = UP_EXIT_NOCONN, alive = 0;

	s->wsi = NULL;
	s->cur = NULL;
	free(s->tx);
	s->tx = NULL;
	s->rx_len = 0;
	free(s->cwd);
	s->cwd = NULL;
	up_set_state(s, UP_DOWN);
	if (was == UP_CONNECTING) {
		up.connect_failures++;
		if (http_status == 401) {
			code = UP_EXIT_UNAUTHORIZED;
			snprintf(msg, sizeof(msg), "jaliend: %s refused the certificate %s (HTTP 401: not registered in the VO?)",
				 up.cfg->endpoint, up.cfg->cert);
		} else if (http_status > 0) {
			snprintf(msg, sizeof(msg), "jaliend: %s answered the websocket upgrade with HTTP %d",
				 up.cfg->endpoint, http_status);
		} else if (up.last_tls_error[0]) {
			snprintf(msg, sizeof(msg), "jaliend: TLS with %s failed: %s (CA folder %s)",
				 up.cfg->endpoint, up.last_tls_error, up.cfg->ca_dir);
		} else {
			snprintf(msg, sizeof(msg), "jaliend: cannot connect to %s: %s", up.cfg->endpoint,
				 why ? why : "connection failed");
		}
		log_err("upstream[%d]: %s", s->idx, msg + 9);
	} else {
		snprintf(msg, sizeof(msg), "jaliend: connection to %s lost (%s)", up.cfg->endpoint,
			 why ? why : "closed");
		log_warn("upstream[%d]: %s", s->idx, msg + 9);
	}
	if (r) {
		char lost[600];

		snprintf(lost, sizeof(lost), "%s during `%s`; not retried, it may have run", msg, r->command);
		up_req_finish(r, NULL, was == UP_CONNECTING ? code : UP_EXIT_LOST, lost);
	}
	for (int i = 0; i < up.n; i++)
		alive += up_alive(&up.sess[i]);
	if (!alive && (was == UP_CONNECTING || was == UP_INIT))
		up_fail_queue(code, msg); /* nothing else can serve them: do not spin */
	else
		up_pump();
}

static void up_peer_close_reason(struct up_session *s, const unsigned char *in, size_t len)
{
	int code = len >= 2 ? in[0] << 8 | in[1] : 0;

	log_info("upstream[%d]: server closed the websocket (code %d%s%.*s)", s->idx, code,
		 len > 2 ? ": " : "", len > 2 ? (int)(len - 2) : 0, len > 2 ? (const char *)in + 2 : "");
}

int upstream_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct up_session *s = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	char why[256];

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
		if (up.cfg && up.cfg->ca_dir && SSL_CTX_load_verify_locations(user, NULL, up.cfg->ca_dir) != 1)
			log_err("cannot load CA folder %s: %s", up.cfg->ca_dir,
				ERR_reason_error_string(ERR_get_error()));
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!s)
			return 0;
		snprintf(why, sizeof(why), "%.*s", in ? (int)len : 0, in ? (const char *)in : "");
		up_on_down(s, why[0] ? why : NULL, (int)lws_http_client_http_response(wsi));
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (s)
			up_on_established(s);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!s || up_on_rx(s, in, len) < 0)
			return -1;
		if (lws_is_final_fragment(wsi))
			up_on_reply(s);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!s || !s->tx)
			return 0;
		if (lws_write(wsi, s->tx + LWS_PRE, s->tx_len, LWS_WRITE_TEXT) < (int)s->tx_len) {
			log_warn("upstream[%d]: write failed", s->idx);
			return -1;
		}
		free(s->tx);
		s->tx = NULL;
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (s)
			up_peer_close_reason(s, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (s)
			up_on_down(s, "closed", 0);
		return 0;
	default:
		return 0;
	}
}

/* ---- public ---- */

void upstream_configure(const struct jd_config *cfg, int lws_levels)
{
	memset(&up, 0, sizeof(up));
	up.cfg = cfg;
	up.qtail = &up.qhead;
	up.n = cfg->pool < 1 ? 1 : cfg->pool > LIM_POOL_MAX ? LIM_POOL_MAX : cfg->pool;
	lws_set_log_level(lws_levels, up_lws_log);
}

int upstream_start(struct lws_context *ctx)
{
	up.ctx = ctx;
	for (int i = 0; i < up.n; i++) {
		up.sess[i].idx = i;
		up_connect(&up.sess[i]);
	}
	return 0;
}

void upstream_fini(void)
{
	struct up_req *r;

	while ((r = up_queue_pop()))
		up_req_free(r);
	for (int i = 0; i < up.n; i++) {
		struct up_session *s = &up.sess[i];

		up_req_free(s->cur);
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
	if (up.qlen >= LIM_UPSTREAM_QUEUE_MAX) {
		up_req_finish(r, NULL, UP_EXIT_BUSY, "jaliend: too many requests waiting for JCentral; try again");
		return;
	}
	r->queued = 1;
	*up.qtail = r;
	up.qtail = &r->next;
	up.qlen++;
	up_pump();
}

void upstream_cancel(struct up_req *r)
{
	struct up_req **pp;

	if (!r->queued) { /* in flight: the reply will be dropped */
		r->owner = NULL;
		return;
	}
	for (pp = &up.qhead; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			if (up.qtail == &r->next)
				up.qtail = pp;
			up.qlen--;
			up_req_free(r);
			return;
		}
	}
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

void upstream_describe(char *buf, size_t n)
{
	int cnt[UP_BUSY + 1] = { 0 };

	for (int i = 0; i < up.n; i++)
		cnt[up.sess[i].state]++;
	snprintf(buf, n, "%d sessions (%d ready, %d busy, %d connecting, %d down), %u queued, %lu connects, %lu failed",
		 up.n, cnt[UP_READY], cnt[UP_BUSY], cnt[UP_CONNECTING] + cnt[UP_INIT], cnt[UP_DOWN], up.qlen,
		 up.connects, up.connect_failures);
}
