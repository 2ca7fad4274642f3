/* usession.c - see usession.h. */
#include "usession.h"
#include "useragent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "caps.h"
#include "log.h"
#include "base/leanjson.h"
#include "resolve.h"
#include "upstream.h"

static const char *const us_state_names[] = { "DOWN",  "CONNECTING", "INIT",
					      "READY", "BUSY",	     "CLOSING" };
static char us_tls_error[256];
static char us_tls_alert[96];	       /* the fatal TLS alert the server sent last ("" none) */
static const struct jd_config *us_cfg; /* for the CA folder, the endpoint */
static struct lws_context *us_ctx;
/* a connect's looked up addresses, by session (tried in turn, freed once it
 * is connected or has failed: nothing is cached beyond one connect) */
static struct resolve_result *us_addrs[LIM_POOL_MAX];

static const lws_retry_bo_t us_retry = {
	.secs_since_valid_ping = 30,   /* websocket ping after 30 s without traffic */
	.secs_since_valid_hangup = 75, /* peer dead when nothing came for 75 s */
};

const char *usession_state_name(enum us_state st)
{
	return us_state_names[st];
}

double usession_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usession_set_state(struct usession *s, enum us_state st)
{
	if (s->state != st)
		log_debug("upstream[%d]: %s -> %s", s->idx, us_state_names[s->state],
			  us_state_names[st]);
	s->state = st;
}

void usession_configure(const struct jd_config *cfg)
{
	us_cfg = cfg;
}

void usession_note_tls_error(const char *text)
{
	snprintf(us_tls_error, sizeof(us_tls_error), "%s", text);
}

const char *usession_tls_alert(void)
{
	return us_tls_alert[0] ? us_tls_alert : NULL;
}

/* OpenSSL's info callback on our client SSL_CTXs: a server that refuses our
 * certificate says why only in its alert ("certificate expired", "unknown
 * CA", ...); libwebsockets reports just "connect SSL err 1". */
static void usession_tls_info(const SSL *ssl, int where, int ret)
{
	(void)ssl;
	if ((where & SSL_CB_READ_ALERT) && strcmp(SSL_alert_type_string(ret), "F") == 0)
		snprintf(us_tls_alert, sizeof(us_tls_alert), "%s", SSL_alert_desc_string_long(ret));
}

static void usession_addrs_drop(struct usession *s)
{
	if (s->idx >= 0 && s->idx < LIM_POOL_MAX) {
		free(us_addrs[s->idx]);
		us_addrs[s->idx] = NULL;
	}
	s->addr_next = s->addr_pending = 0;
	lws_sul_cancel(&s->sul_addr);
}

/* A connect that never got a connection (no callback of lws will come). */
static void usession_connect_failed(struct usession *s, const char *why)
{
	usession_addrs_drop(s);
	s->wsi = NULL;
	usession_set_state(s, US_DOWN);
	upstream_session_down(s, US_CONNECTING, NULL, why, 0, NULL);
}

/* Connect to address: numeric once looked up (or the host name itself when
 * no lookup thread could run: lws then looks it up, on the loop). TLS checks
 * the endpoint's NAME: libwebsockets 4.1.6 takes the SNI and the name the
 * server certificate must carry (X509_VERIFY_PARAM_set1_host) from ci.host
 * (lws_ssl_client_bio_create), the Host header too; ci.address is only what
 * it connects to. */
static void usession_connect_to(struct usession *s, const char *address)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = us_ctx;
	ci.vhost = s->vh;
	ci.address = address;
	ci.port = us_cfg->ep_port;
	ci.path = us_cfg->ep_path;
	ci.host = us_cfg->ep_host;
	ci.origin = us_cfg->ep_host;
	ci.ssl_connection = LCCSCF_USE_SSL;
	ci.local_protocol_name = "jalien-upstream";
	ci.opaque_user_data = s;
	ci.retry_and_idle_policy = &us_retry;
	ci.pwsi = &s->wsi;
	us_tls_error[0] = '\0';
	us_tls_alert[0] = '\0';
	/* a failure inside may already have told (DOWN) or gone on to the next address */
	if (!lws_client_connect_via_info(&ci) && s->state == US_CONNECTING && !s->addr_pending)
		usession_connect_failed(s, "cannot start a connection");
}

/* The next looked up address (from sul_addr: not inside lws' callback of the
 * failed one). */
static void usession_addr_next_cb(lws_sorted_usec_list_t *sul)
{
	struct usession *s = lws_container_of(sul, struct usession, sul_addr);
	const struct resolve_result *a = us_addrs[s->idx];

	s->addr_pending = 0;
	if (s->state == US_CLOSING) { /* closed while it waited */
		usession_addrs_drop(s);
		s->wsi = NULL;
		usession_set_state(s, US_DOWN);
		upstream_session_down(s, US_CLOSING, NULL, "closed", 0, NULL);
		return;
	}
	if (a && s->addr_next < a->n)
		usession_connect_to(s, a->addr[s->addr_next++]);
}

/* The endpoint's host name looked up (on the loop, from resolve_drain). */
static void usession_resolved(void *owner, struct resolve_result *res)
{
	struct usession *s = owner;
	char why[sizeof(us_cfg->ep_host) + sizeof(res->why) + 64];

	s->resolving = NULL;
	if (s->state == US_CLOSING) {
		free(res);
		s->wsi = NULL;
		usession_set_state(s, US_DOWN);
		upstream_session_down(s, US_CLOSING, NULL, "closed", 0, NULL);
		return;
	}
	if (res->vhost_gone || res->gai) {
		if (res->vhost_gone)
			snprintf(why, sizeof(why),
				 "its credential went away while %s was looked up",
				 us_cfg->ep_host);
		else
			snprintf(why, sizeof(why), "cannot resolve %s: %s", us_cfg->ep_host,
				 res->why);
		free(res);
		usession_connect_failed(s, why);
		return;
	}
	log_debug("upstream[%d]: %s is %s%s", s->idx, us_cfg->ep_host, res->addr[0],
		  res->n > 1 ? " (and more)" : "");
	usession_addrs_drop(s);
	us_addrs[s->idx] = res;
	s->addr_next = 1;
	usession_connect_to(s, res->addr[0]);
}

/* A connection that failed before TCP was up, with more addresses: try the
 * next (as lws does with getaddrinfo's results: its "Unable to connect" is
 * the TCP connect failing, or timing out, for every address it had). 1 if
 * it goes on. */
static int usession_try_next(struct usession *s, const char *why)
{
	const struct resolve_result *a =
		s->idx >= 0 && s->idx < LIM_POOL_MAX ? us_addrs[s->idx] : NULL;

	if (!a || s->addr_next >= a->n || !why || strcmp(why, "Unable to connect") != 0 ||
	    s->state != US_CONNECTING)
		return 0;
	log_debug("upstream[%d]: %s: cannot connect to %s; trying %s", s->idx, us_cfg->ep_host,
		  a->addr[s->addr_next - 1], a->addr[s->addr_next]);
	s->wsi = NULL;
	s->addr_pending = 1;
	lws_sul_schedule(us_ctx, 0, &s->sul_addr, usession_addr_next_cb, 1);
	return 1;
}

void usession_connect(struct usession *s, struct lws_context *ctx, struct lws_vhost *vh,
		      const struct jd_config *cfg)
{
	s->vh = vh;
	s->retire = 0;
	us_ctx = ctx;
	usession_addrs_drop(s);
	usession_set_state(s, US_CONNECTING);
	log_info("upstream[%d]: connecting to %s%s", s->idx, cfg->endpoint,
		 s->private_ ? " (private session)" : "");
	if (resolve_numeric(cfg->ep_host) || s->idx < 0 || s->idx >= LIM_POOL_MAX) {
		usession_connect_to(s, cfg->ep_host);
		return;
	}
	s->resolving = resolve_start(ctx, vh, cfg->ep_host, usession_resolved, s);
	if (!s->resolving) {
		log_warn("upstream[%d]: cannot look %s up off the loop; libwebsockets looks it up",
			 s->idx, cfg->ep_host);
		usession_connect_to(s, cfg->ep_host);
	}
}

static int usession_queue_tx(struct usession *s, const char *text)
{
	size_t n = strlen(text);
	unsigned char *p = malloc(LWS_PRE + n);

	if (!p)
		return -ENOMEM;
	memcpy(p + LWS_PRE, text, n);
	free(s->tx);
	s->tx = p;
	s->tx_len = n;
	lws_callback_on_writable(s->wsi);
	return 0;
}

int usession_send(struct usession *s, struct up_req *r, const char *cwd, char *err, size_t errn)
{
	cJSON *msg = cJSON_CreateObject(), *opts = cJSON_CreateArray();
	const cJSON *o;
	char *text = NULL;
	int rc = -ENOMEM;

	if (!msg || !opts)
		goto out;
	cJSON_AddStringToObject(msg, "command", r->command);
	if (cwd && (!s->cwd || strcmp(cwd, s->cwd) != 0)) { /* built in order: see command.c */
		char pwd[LIM_PATH_MAX + 8];

		snprintf(pwd, sizeof(pwd), "-pwd=%s", cwd);
		cJSON_AddItemToArray(opts, cJSON_CreateString(pwd));
	}
	cJSON_ArrayForEach (o, r->options)
		cJSON_AddItemToArray(opts, cJSON_Duplicate(o, 1));
	cJSON_AddItemToObject(msg, "options", opts);
	opts = NULL;
	text = cJSON_PrintUnformatted(msg);
	if (!text)
		goto out;
	if (strlen(text) > LIM_UPSTREAM_REQUEST_MAX) {
		snprintf(err, errn,
			 "jaliend: the request is %zu bytes; JCentral takes at most %d per command",
			 strlen(text), LIM_UPSTREAM_REQUEST_MAX);
		rc = -E2BIG;
		goto out;
	}
	if ((rc = usession_queue_tx(s, text)) < 0)
		goto out;
	log_debug("upstream[%d]: > %s", s->idx, r->internal ? r->command : text);
	if (r->trace)
		r->trace(r, 0, text, strlen(text));
	s->cur = r;
	s->requests++;
	s->sent_len = strlen(text);
	s->bytes_out += s->sent_len;
	s->last_active = time(NULL);
	s->sent_at = usession_now();
	if (s->state == US_READY)
		usession_set_state(s, US_BUSY);
out:
	if (rc == -ENOMEM)
		snprintf(err, errn, "%s", exitcode_message(JD_EXIT_NOMEM));
	cJSON_Delete(msg);
	cJSON_Delete(opts);
	free(text);
	return rc;
}

void usession_close(struct usession *s)
{
	if ((s->resolving || s->addr_pending) && s->state == US_CONNECTING) {
		/* the lookup's answer or the next address ends it */
		usession_set_state(s, US_CLOSING);
		return;
	}
	if (!s->wsi || s->state == US_DOWN)
		return;
	usession_set_state(s, US_CLOSING);
	lws_callback_on_writable(s->wsi); /* the WRITEABLE callback closes it */
}

void usession_copy_str(char **dst, const cJSON *v)
{
	if (!cJSON_IsString(v) || (*dst && strcmp(*dst, v->valuestring) == 0))
		return;
	free(*dst);
	*dst = strdup(v->valuestring);
}

/* JCentral breaks a session for good on the first request that comes in more
 * than one websocket frame (see upstream/upstream_retry.c, upstream_retry_poisoned), so every
  * request
 * must go out as one frame. Uncompressed, one lws_write is one frame. With
 * permessage-deflate, libwebsockets 4.1.6 deflates into a buffer of
 * 2^tx_buf_size bytes (default 2^10) and sends each time it fills as a frame
 * of its own: a request whose deflated form passes 1 KiB went in pieces. The
 * buffer is made larger than the deflated form of the largest request we send
 * can be (deflate adds at most a few bytes per 16 KiB to data it cannot
 * shrink, plus 5 for the flush). */
#define US_PMD_TX_BUF_PWR2 "14"
_Static_assert(LIM_UPSTREAM_REQUEST_MAX + LIM_UPSTREAM_REQUEST_MAX / 1024 + 64 < (1 << 14),
	       "a deflated request must fit the permessage-deflate output buffer");

static void usession_on_established(struct usession *s)
{
	usession_addrs_drop(s);
	/* fails (harmlessly) when the server did not take permessage-deflate */
	(void)lws_set_extension_option(s->wsi, "permessage-deflate", "tx_buf_size",
				       US_PMD_TX_BUF_PWR2);
	usession_set_state(s, US_INIT);
	s->connected_at = s->last_active = time(NULL);
	s->sent_at = usession_now();
	log_info("upstream[%d]: connected to %s", s->idx, us_cfg->endpoint);
	if (usession_queue_tx(s, "{\"command\":\"commandlist\",\"options\":[]}") < 0)
		usession_close(s);
}

/* A complete reply is in s->rx. */
static void usession_on_reply(struct usession *s)
{
	struct up_req *r = s->cur;
	size_t got = s->rx_len;
	cJSON *reply = NULL;
	const cJSON *meta;

	if (s->state != US_INIT && r && r->owner && r->trace)
		r->trace(r, 1, s->rx ? s->rx : "", s->rx_len);
	if (s->rx_len && s->state != US_INIT && r && (r->flags & UP_REQ_PRINT)) {
		reply = leanjson_parse(s->rx, s->rx_len); /* takes the buffer */
		s->rx = NULL;
		s->rx_cap = 0;
	} else if (s->rx_len) {
		reply = cJSON_ParseWithLength(s->rx, s->rx_len);
	}
	meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	s->rx_len = 0;
	if (s->rx_cap > (1u << 20)) { /* do not keep a huge buffer around */
		free(s->rx);
		s->rx = NULL;
		s->rx_cap = 0;
	}
	s->last_active = time(NULL);
	usession_copy_str(&s->cwd, cJSON_GetObjectItemCaseSensitive(meta, "currentdir"));
	if (!cJSON_IsObject(reply)) {
		cJSON_Delete(reply);
		reply = NULL;
	}
	if (s->state == US_INIT) {
		usession_set_state(s, US_READY);
		upstream_session_ready(s, reply);
		return;
	}
	s->cur = NULL;
	if (s->state == US_BUSY)
		usession_set_state(s, US_READY);
	upstream_session_reply(s, r, reply, got);
}

static int usession_on_rx(struct usession *s, const void *in, size_t len)
{
	if (len > LIM_UPSTREAM_REPLY_MAX - s->rx_len) {
		log_err("upstream[%d]: reply over %u bytes; closing the session", s->idx,
			LIM_UPSTREAM_REPLY_MAX);
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
	s->bytes_in += len;
	return 0;
}

static void usession_on_down(struct usession *s, const char *why, int http_status)
{
	enum us_state was = s->state;
	struct up_req *lost = s->cur;

	usession_addrs_drop(s);
	s->wsi = NULL;
	s->cur = NULL;
	free(s->tx);
	s->tx = NULL;
	s->rx_len = 0;
	free(s->cwd);
	s->cwd = NULL;
	usession_set_state(s, US_DOWN);
	upstream_session_down(s, was, lost, why, http_status,
			      us_tls_error[0]	? us_tls_error
			      : us_tls_alert[0] ? us_tls_alert
						: NULL);
}

static void usession_peer_close_reason(struct usession *s, const unsigned char *in, size_t len)
{
	int code = len >= 2 ? in[0] << 8 | in[1] : 0;

	/* libwebsockets 4.1.6 hands codes above 1011 (JCentral's idle close is
	 * 1013) over as 1002: then the reason text is all that is known */
	if (code == LWS_CLOSE_STATUS_PROTOCOL_ERR && len > 2)
		log_info("upstream[%d]: server closed the websocket: %.*s", s->idx, (int)(len - 2),
			 (const char *)in + 2);
	else
		log_info("upstream[%d]: server closed the websocket (code %d%s%.*s)", s->idx, code,
			 len > 2 ? ": " : "", len > 2 ? (int)(len - 2) : 0,
			 len > 2 ? (const char *)in + 2 : "");
}

int usession_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		      size_t len)
{
	struct usession *s = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	char why[256];

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
		if (us_cfg && (us_cfg->ca_dir || us_cfg->ca_file) &&
		    SSL_CTX_load_verify_locations(user, us_cfg->ca_file, us_cfg->ca_dir) != 1)
			log_err("cannot load CA %s %s: %s", us_cfg->ca_file ? "file" : "folder",
				us_cfg->ca_file ? us_cfg->ca_file : us_cfg->ca_dir,
				ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_set_info_callback(user, usession_tls_info);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!s)
			return 0;
		snprintf(why, sizeof(why), "%.*s", in ? (int)len : 0, in ? (const char *)in : "");
		if (!lws_http_client_http_response(wsi) && usession_try_next(s, why))
			return 0;
		usession_on_down(s, why[0] ? why : NULL, (int)lws_http_client_http_response(wsi));
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED: /* once per vhost, spuriously too */
		resolve_drain();
		return 0;
	case LWS_CALLBACK_PROTOCOL_DESTROY: resolve_vhost_gone(lws_get_vhost(wsi)); return 0;
	/* alien.py 1.7.0's shape (useragent.h) */
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = in, *end = *p + len;
		const char *ua = useragent_get();

		return lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_USER_AGENT,
						    (const unsigned char *)ua, (int)strlen(ua), p,
						    end)
			       ? -1
			       : 0;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (s)
			usession_on_established(s);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!s || usession_on_rx(s, in, len) < 0)
			return -1;
		if (lws_is_final_fragment(wsi))
			usession_on_reply(s);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!s)
			return 0;
		if (s->state == US_CLOSING) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1;
		}
		if (!s->tx)
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
			usession_peer_close_reason(s, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (s)
			usession_on_down(s, "closed", 0);
		return 0;
	default: return 0;
	}
}
