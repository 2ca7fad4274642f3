/* usession.c - see usession.h. */
#include "usession.h"

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
#include "upstream.h"

static const char *const us_state_names[] = { "DOWN", "CONNECTING", "INIT", "READY", "BUSY", "CLOSING" };
static char us_tls_error[256];
static char us_tls_alert[96]; /* the fatal TLS alert the server sent last ("" none) */
static const struct jd_config *us_cfg; /* for the CA folder */

static const lws_retry_bo_t us_retry = {
	.secs_since_valid_ping = 30,    /* websocket ping after 30 s without traffic */
	.secs_since_valid_hangup = 75,  /* peer dead when nothing came for 75 s */
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
		log_debug("upstream[%d]: %s -> %s", s->idx, us_state_names[s->state], us_state_names[st]);
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

void usession_connect(struct usession *s, struct lws_context *ctx, struct lws_vhost *vh,
		      const struct jd_config *cfg)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	s->vh = vh;
	s->retire = 0;
	ci.context = ctx;
	ci.vhost = vh;
	ci.address = cfg->ep_host;
	ci.port = cfg->ep_port;
	ci.path = cfg->ep_path;
	ci.host = cfg->ep_host;
	ci.origin = cfg->ep_host;
	ci.ssl_connection = LCCSCF_USE_SSL;
	ci.local_protocol_name = "jalien-upstream";
	ci.opaque_user_data = s;
	ci.retry_and_idle_policy = &us_retry;
	ci.pwsi = &s->wsi;
	us_tls_error[0] = '\0';
	us_tls_alert[0] = '\0';
	usession_set_state(s, US_CONNECTING);
	log_info("upstream[%d]: connecting to %s%s", s->idx, cfg->endpoint, s->private_ ? " (private session)" : "");
	if (!lws_client_connect_via_info(&ci) && s->state == US_CONNECTING) {
		s->wsi = NULL;
		usession_set_state(s, US_DOWN);
		upstream_session_down(s, US_CONNECTING, NULL, "cannot start a connection", 0, NULL);
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
	cJSON_ArrayForEach(o, r->options)
		cJSON_AddItemToArray(opts, cJSON_Duplicate(o, 1));
	cJSON_AddItemToObject(msg, "options", opts);
	opts = NULL;
	text = cJSON_PrintUnformatted(msg);
	if (!text)
		goto out;
	if (strlen(text) > LIM_UPSTREAM_REQUEST_MAX) {
		snprintf(err, errn, "jaliend: the request is %zu bytes; JCentral takes at most %d per command",
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
		snprintf(err, errn, "jaliend: out of memory");
	cJSON_Delete(msg);
	cJSON_Delete(opts);
	free(text);
	return rc;
}

void usession_close(struct usession *s)
{
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
 * than one websocket frame (see upstream/upstream_retry.c, upstream_retry_poisoned), so every request
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
	/* fails (harmlessly) when the server did not take permessage-deflate */
	(void)lws_set_extension_option(s->wsi, "permessage-deflate", "tx_buf_size", US_PMD_TX_BUF_PWR2);
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
	s->bytes_in += len;
	return 0;
}

static void usession_on_down(struct usession *s, const char *why, int http_status)
{
	enum us_state was = s->state;
	struct up_req *lost = s->cur;

	s->wsi = NULL;
	s->cur = NULL;
	free(s->tx);
	s->tx = NULL;
	s->rx_len = 0;
	free(s->cwd);
	s->cwd = NULL;
	usession_set_state(s, US_DOWN);
	upstream_session_down(s, was, lost, why, http_status,
			      us_tls_error[0] ? us_tls_error : us_tls_alert[0] ? us_tls_alert : NULL);
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
			 len > 2 ? ": " : "", len > 2 ? (int)(len - 2) : 0, len > 2 ? (const char *)in + 2 : "");
}

int usession_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct usession *s = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	char why[256];

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
		if (us_cfg && us_cfg->ca_dir && SSL_CTX_load_verify_locations(user, NULL, us_cfg->ca_dir) != 1)
			log_err("cannot load CA folder %s: %s", us_cfg->ca_dir,
				ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_set_info_callback(user, usession_tls_info);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!s)
			return 0;
		snprintf(why, sizeof(why), "%.*s", in ? (int)len : 0, in ? (const char *)in : "");
		usession_on_down(s, why[0] ? why : NULL, (int)lws_http_client_http_response(wsi));
		return 0;
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
	default:
		return 0;
	}
}
