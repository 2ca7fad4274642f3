/* ws.c - wss transport: TLS/client-certificate checks, upgrade filtering, request reassembly,
 * chunked reply sending, idle timeout.
 *
 * Per connection: at most one request is processed at a time. While a reply is being sent,
 * reading is paused (lws_rx_flow_control), so replies go out strictly in request order and
 * memory stays bounded by one request (JCL_REQ_MAX_CHARS) plus one reply.
 */
#include "ws.h"
#include "auth.h"
#include "commander.h"
#include "reply.h"

#include <errno.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#define WS_TX_CHUNK  (64 * 1024)    /* bytes per lws_write of a reply */
#define WS_PATH      "/websocket/json"

struct ws_conn {
	struct jcl_session sess;
	bool ready;                     /* session initialised (ESTABLISHED) */
	struct jcl_buf rx;              /* request being reassembled */
	size_t rx_chars;                /* UTF-16 units so far */
	bool rx_too_big;
	char *tx;                       /* reply being sent */
	size_t tx_len, tx_off;
	bool timed_out;
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

static void arm_idle(struct lws *wsi)
{
	lws_set_timer_usecs(wsi, (lws_usec_t)g_srv->idle_timeout_s * LWS_US_PER_SEC);
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
	cn->sess.cert_not_after = auth_not_after(cert);
	lws_get_peer_simple(wsi, cn->sess.peer, sizeof(cn->sess.peer));
	cn->ready = true;
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
	lws_rx_flow_control(wsi, 0);
	lws_callback_on_writable(wsi);
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

	char *reply;
	size_t rlen = 0;
	arm_idle(wsi);
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
	queue_reply(wsi, cn, reply, rlen);
	return 0;
}

static int handle_writeable(struct lws *wsi, struct ws_conn *cn)
{
	if (cn->timed_out) {
		jcl_debug("%s: session timed out", cn->sess.account);
		lws_close_reason(wsi, (enum lws_close_status)1013 /* TRY_AGAIN_LATER */,
				 (unsigned char *)"Session timed out", 17);
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
		arm_idle(wsi);
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
			cn->timed_out = true;
			lws_callback_on_writable(wsi);
		}
		return 0;

	case LWS_CALLBACK_CLOSED:
		if (cn && cn->ready) {
			jcl_debug("%s disconnected", cn->sess.account);
			jcl_buf_free(&cn->rx);
			free(cn->tx);
			cn->tx = NULL;
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
