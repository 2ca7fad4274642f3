/* ws.c - wss transport: TLS/client-certificate checks, upgrade filtering, request reassembly,
 * chunked reply sending, idle timeout, session lifetime, delayed execution and replies.
 *
 * Per connection: at most one request is processed at a time. From the moment a request is
 * complete until its reply is sent, reading is paused (lws_rx_flow_control), so replies go out
 * strictly in request order and memory stays bounded by one request (JCL_REQ_MAX_CHARS) plus
 * one reply.
 *
 * Delays never block the loop: a throttled request (--throttle) is parked and run from an lws
 * scheduler callback (lws_sul) later; a reply that must go out late (--slow, ping -s) is parked
 * and handed to the WRITEABLE callback from another lws_sul callback. Other connections are
 * served meanwhile.
 */
#include "ws.h"
#include "auth.h"
#include "commander.h"
#include "reply.h"
#include "throttle.h"

#include <errno.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#define WS_TX_CHUNK  (64 * 1024)    /* bytes per lws_write of a reply */
#define WS_PATH      "/websocket/json"

enum ws_park { WS_PARK_NONE, WS_PARK_EXEC, WS_PARK_SEND };

struct ws_conn {
	struct jcl_session sess;
	struct lws *wsi;
	bool ready;                     /* session initialised (ESTABLISHED) */
	lws_sorted_usec_list_t sul;     /* delayed execution / delayed reply */
	enum ws_park park;
	char *parked_reply;             /* WS_PARK_SEND: reply waiting for its time */
	size_t parked_len;
	struct jcl_buf rx;              /* request being reassembled */
	size_t rx_chars;                /* UTF-16 units so far */
	bool rx_too_big;
	char *tx;                       /* reply being sent */
	size_t tx_len, tx_off;
	bool timed_out;                 /* idle timeout reached */
	bool expired;                   /* certificate notAfter or 48 h reached */
};

static struct jcl_server *g_srv;
static unsigned char g_chunk[LWS_PRE + WS_TX_CHUNK];

/* count UTF-16 units of UTF-8 text: every non-continuation byte is one unit, 4-byte
 * sequences are two (surrogate pair) */
static size_t utf16_units(const unsigned char *p, size_t n)
{
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			u++;
		if ((p[i] & 0xf8) == 0xf0)
			u++;
	}
	return u;
}

static X509 *peer_cert(struct lws *wsi)
{
	SSL *ssl = lws_get_ssl(wsi);
	return ssl ? SSL_get1_peer_certificate(ssl) : NULL;
}

/* The connection timer fires at the earliest of: idle timeout, certificate notAfter, 48 h after
 * connect (protocol reference 2.8). */
static void arm_idle(struct lws *wsi, struct ws_conn *cn)
{
	long long now = jcl_now_ms();
	long long due = now + (long long)g_srv->idle_timeout_s * 1000;
	long long life = cn->sess.connected_ms + (long long)JCL_SESSION_MAX_S * 1000;

	if (cn->sess.cert_not_after > 0 && cn->sess.cert_not_after * 1000 < life)
		life = cn->sess.cert_not_after * 1000;
	if (life < due)
		due = life;
	if (due <= now)
		due = now + 1;
	lws_set_timer_usecs(wsi, (lws_usec_t)(due - now) * 1000);
}

static int session_setup(struct lws *wsi, struct ws_conn *cn)
{
	X509 *cert = peer_cert(wsi);
	const struct jcl_user *u = auth_lookup(g_srv, cert);
	int rc = -EACCES;

	memset(cn, 0, sizeof(*cn));
	if (!u)
		goto out;
	if ((rc = commander_session_init(&cn->sess, g_srv, u->account)))
		goto out;
	auth_comma_subject(X509_get_subject_name(cert), cn->sess.dn, sizeof(cn->sess.dn));
	auth_rfc2253_subject(X509_get_subject_name(cert), cn->sess.subject2253, sizeof(cn->sess.subject2253));
	cn->sess.cert_not_after = auth_not_after(cert);
	cn->sess.connected_ms = jcl_now_ms();
	lws_get_peer_simple(wsi, cn->sess.peer, sizeof(cn->sess.peer));
	cn->wsi = wsi;
	cn->ready = true;
	if (g_srv->throttle)
		throttle_connect(cn->sess.subject2253);
	rc = 0;
out:
	X509_free(cert);
	return rc;
}

static void queue_reply(struct lws *wsi, struct ws_conn *cn, char *reply, size_t len)
{
	cn->tx = reply;
	cn->tx_len = len;
	cn->tx_off = 0;
	lws_callback_on_writable(wsi);
}

static void ws_sul_cb(lws_sorted_usec_list_t *sul);

/* Run the complete request in cn->rx and queue (or park) its reply. */
static int ws_execute(struct lws *wsi, struct ws_conn *cn)
{
	char *reply;
	size_t rlen = 0;

	cn->sess.reply_delay_ms = 0;
	if (cn->rx_too_big)
		reply = commander_error_reply(&cn->sess, EINVAL, "Message too big, limit is at 133120", &rlen);
	else
		reply = commander_handle(&cn->sess, cn->rx.p ? cn->rx.p : "", cn->rx.len, &rlen);
	jcl_buf_free(&cn->rx);
	cn->rx_chars = 0;
	cn->rx_too_big = false;
	if (!reply) {
		jcl_log("out of memory building a reply, closing %s", cn->sess.account);
		return -1;
	}
	if (cn->sess.reply_delay_ms > 0) {
		cn->park = WS_PARK_SEND;
		cn->parked_reply = reply;
		cn->parked_len = rlen;
		lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul, ws_sul_cb,
				 (lws_usec_t)cn->sess.reply_delay_ms * 1000);
		return 0;
	}
	queue_reply(wsi, cn, reply, rlen);
	return 0;
}

static void ws_sul_cb(lws_sorted_usec_list_t *sul)
{
	struct ws_conn *cn = lws_container_of(sul, struct ws_conn, sul);
	enum ws_park p = cn->park;

	cn->park = WS_PARK_NONE;
	if (!cn->ready)
		return;
	if (p == WS_PARK_EXEC) {
		if (ws_execute(cn->wsi, cn))
			lws_set_timeout(cn->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
	} else if (p == WS_PARK_SEND) {
		char *r = cn->parked_reply;
		cn->parked_reply = NULL;
		queue_reply(cn->wsi, cn, r, cn->parked_len);
	}
}

static int handle_rx(struct lws *wsi, struct ws_conn *cn, const void *in, size_t len)
{
	size_t units = utf16_units(in, len);

	if (lws_frame_is_binary(wsi)) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
				 (unsigned char *)"Binary messages are not supported", 33);
		return -1;
	}
	if (!cn->rx_too_big) {
		if (cn->rx_chars + units > JCL_REQ_MAX_CHARS) {
			cn->rx_too_big = true;
			jcl_buf_free(&cn->rx);
		} else if (jcl_buf_add(&cn->rx, in, len)) {
			return -1;
		} else {
			cn->rx_chars += units;
		}
	}
	if (!lws_is_final_fragment(wsi))
		return 0;

	lws_rx_flow_control(wsi, 0);        /* until the reply is out */
	arm_idle(wsi, cn);
	long delay = g_srv->throttle && !cn->rx_too_big ? throttle_command(cn->sess.subject2253) : 0;
	if (delay > 0) {
		jcl_debug("%s: throttled, command delayed by %ld ms", cn->sess.account, delay);
		cn->park = WS_PARK_EXEC;
		lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul, ws_sul_cb, (lws_usec_t)delay * 1000);
		return 0;
	}
	return ws_execute(wsi, cn);
}

static int handle_writeable(struct lws *wsi, struct ws_conn *cn)
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
		lws_close_reason(wsi, (enum lws_close_status)1013, (unsigned char *)why, sizeof(why) - 1);
		return -1;
	}
	if (!cn->tx)
		return 0;
	if (lws_send_pipe_choked(wsi)) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	size_t n = cn->tx_len - cn->tx_off;
	if (n > WS_TX_CHUNK)
		n = WS_TX_CHUNK;
	int flags = lws_write_ws_flags(LWS_WRITE_TEXT, cn->tx_off == 0, cn->tx_off + n == cn->tx_len);
	memcpy(g_chunk + LWS_PRE, cn->tx + cn->tx_off, n);
	if (lws_write(wsi, g_chunk + LWS_PRE, n, (enum lws_write_protocol)flags) < (int)n) {
		jcl_log("%s: write failed", cn->sess.account);
		return -1;
	}
	cn->tx_off += n;
	if (cn->tx_off < cn->tx_len) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	free(cn->tx);
	cn->tx = NULL;
	lws_rx_flow_control(wsi, 1);
	return 0;
}

static int http_status(struct lws *wsi, unsigned int code)
{
	lws_return_http_status(wsi, code, NULL);
	return -1;              /* close after the status went out */
}

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct ws_conn *cn = user;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		if (SSL_CTX_load_verify_locations((SSL_CTX *)user, NULL, g_srv->ca_dir) != 1) {
			jcl_log("cannot load CA directory %s", g_srv->ca_dir);
			return 1;
		}
		return 0;

	case LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION:
		/* len = OpenSSL's preverify_ok; non-zero return rejects the chain */
		if (!len) {
			X509_STORE_CTX *xs = (X509_STORE_CTX *)user;
			jcl_debug("client certificate rejected: %s",
				  X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs)));
		}
		return len ? 0 : 1;

	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: {
		char uri[256];
		X509 *cert;
		const struct jcl_user *u;

		if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 || strcmp(uri, WS_PATH)) {
			jcl_debug("upgrade refused: path %s", uri);
			return http_status(wsi, HTTP_STATUS_NOT_FOUND);
		}
		if (!in || strcmp((const char *)in, "websocket"))
			return http_status(wsi, HTTP_STATUS_BAD_REQUEST);
		cert = peer_cert(wsi);
		u = auth_lookup(g_srv, cert);
		if (!u) {
			char subj[JCL_DN_MAX] = "?";
			if (cert)
				auth_slash_subject(X509_get_subject_name(cert), subj, sizeof(subj));
			jcl_log("unknown certificate subject %s: 401", subj);
			X509_free(cert);
			return http_status(wsi, HTTP_STATUS_UNAUTHORIZED);
		}
		X509_free(cert);
		return 0;
	}

	case LWS_CALLBACK_HTTP:
		return http_status(wsi, HTTP_STATUS_NOT_FOUND);

	case LWS_CALLBACK_ESTABLISHED:
		if (session_setup(wsi, cn)) {
			jcl_log("session setup failed");
			return -1;
		}
		jcl_debug("%s connected from %s", cn->sess.account, cn->sess.peer);
		arm_idle(wsi, cn);
		return 0;

	case LWS_CALLBACK_RECEIVE:
		if (!cn || !cn->ready)
			return -1;
		return handle_rx(wsi, cn, in, len);

	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!cn || !cn->ready)
			return -1;
		return handle_writeable(wsi, cn);

	case LWS_CALLBACK_TIMER:
		if (cn && cn->ready) {
			long long now = jcl_now_ms();
			long long life = cn->sess.connected_ms + (long long)JCL_SESSION_MAX_S * 1000;
			if (cn->sess.cert_not_after > 0 && cn->sess.cert_not_after * 1000 < life)
				life = cn->sess.cert_not_after * 1000;
			if (now >= life)
				cn->expired = true;
			else
				cn->timed_out = true;
			lws_callback_on_writable(wsi);
		}
		return 0;

	case LWS_CALLBACK_CLOSED:
		if (cn && cn->ready) {
			jcl_debug("%s disconnected", cn->sess.account);
			lws_sul_cancel(&cn->sul);
			if (g_srv->throttle)
				throttle_disconnect(cn->sess.subject2253);
			jcl_buf_free(&cn->rx);
			free(cn->tx);
			cn->tx = NULL;
			free(cn->parked_reply);
			cn->parked_reply = NULL;
			cn->ready = false;
		}
		return 0;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ "jalien", ws_callback, sizeof(struct ws_conn), 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static const struct lws_extension extensions[] = {
	{ "permessage-deflate", lws_extension_callback_pm_deflate,
	  "permessage-deflate; client_no_context_takeover; client_max_window_bits" },
	{ NULL, NULL, NULL },
};

static void ws_log(int level, const char *line)
{
	size_t l = strlen(line);
	if (l && line[l - 1] == '\n')
		l--;
	if (level & LLL_ERR)
		jcl_log("lws: %.*s", (int)l, line);
	else
		jcl_debug("lws: %.*s", (int)l, line);
}

int ws_start(struct jcl_server *srv, struct lws_context **ctx, int *port)
{
	struct lws_context_creation_info info;

	g_srv = srv;
	lws_set_log_level(srv->verbose ? (LLL_ERR | LLL_WARN | LLL_NOTICE) : LLL_ERR, ws_log);
	memset(&info, 0, sizeof(info));
	info.port = srv->port;
	info.iface = srv->listen_addr;
	info.protocols = protocols;
	info.extensions = srv->deflate ? extensions : NULL;
	info.ssl_cert_filepath = srv->cert;
	info.ssl_private_key_filepath = srv->key;
	info.ssl_options_set = (long)(SSL_OP_NO_TLSv1_3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT |
		       LWS_SERVER_OPTION_DISABLE_IPV6 |
		       LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	info.server_string = "jcentral-lite";
	info.timeout_secs = 20;     /* Tomcat connectionTimeout */

	*ctx = lws_create_context(&info);
	if (!*ctx) {
		jcl_log("cannot create the wss listener on %s:%d", srv->listen_addr, srv->port);
		return -EIO;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(*ctx, "default");
	*port = vh ? lws_get_vhost_listen_port(vh) : -1;
	if (*port <= 0) {
		jcl_log("cannot determine the listening port");
		lws_context_destroy(*ctx);
		*ctx = NULL;
		return -EIO;
	}
	return 0;
}

void ws_run(struct lws_context *ctx, volatile int *stop)
{
	while (!*stop)
		if (lws_service(ctx, 0) < 0)
			break;
}

void ws_stop(struct lws_context *ctx)
{
	if (ctx)
		lws_context_destroy(ctx);
}
