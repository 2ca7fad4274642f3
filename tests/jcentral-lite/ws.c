/* ws.c - wss transport: the listening context, TLS/client-certificate checks, upgrade
 * filtering, and a connection's life: its session, the idle timeout and lifetime, its close.
 * Its requests and replies (frames -> requests the way Tomcat + JCentral do it, wsmsg.c;
 * replies in 8192-byte frames as Tomcat sends them; delayed execution and replies): wsqueue.c.
 * permessage-deflate (wspmd.c) goes through a private lws extension, wsext.c, so that lws's own
 * inflate chunking never shows. Caps and the order of replies: ws_int.h. */
#include "ws.h"
#include "ws_int.h"
#include "auth.h"
#include "commander.h"
#include "throttle.h"
#include "cmdcount.h"

#include <errno.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#define WS_PATH "/websocket/json"

struct jcl_server *ws_srv;

static X509 *ws_peer_cert(struct lws *wsi)
{
	SSL *ssl = lws_get_ssl(wsi);
	return ssl ? SSL_get1_peer_certificate(ssl) : NULL;
}

/* The connection timer fires at the earliest of: idle timeout, certificate notAfter, 48 h after
 * connect (protocol reference 2.8). */
void ws_arm_idle(struct lws *wsi, struct ws_conn *cn)
{
	long long now = jcl_now_ms();
	long long due = now + (long long)ws_srv->idle_timeout_s * 1000;
	long long life = cn->sess.connected_ms + (long long)JCL_SESSION_MAX_S * 1000;

	if (cn->sess.cert_not_after > 0 && cn->sess.cert_not_after * 1000 < life)
		life = cn->sess.cert_not_after * 1000;
	if (life < due)
		due = life;
	if (due <= now)
		due = now + 1;
	lws_set_timer_usecs(wsi, (lws_usec_t)(due - now) * 1000);
}

static int ws_session_setup(struct lws *wsi, struct ws_conn *cn)
{
	X509 *cert = ws_peer_cert(wsi);
	const struct jcl_user *u = auth_lookup(ws_srv, cert);
	struct wspmd pmd = cn->pmd;
	int rc = -EACCES;

	memset(cn, 0, sizeof(*cn));
	cn->pmd = pmd;
	cn->jobs_tail = &cn->jobs;
	cn->txq_tail = &cn->txq;
	cn->msg.tomcat = !ws_srv->fixed_reassembly;
	if (cn->pmd.on && !(cn->ztx = malloc(LWS_PRE + wspmd_bound(WS_TX_CHUNK)))) {
		rc = -ENOMEM;
		goto out;
	}
	if (!u)
		goto out;
	if ((rc = commander_session_init(&cn->sess, ws_srv, u->account)))
		goto out;
	auth_comma_subject(X509_get_subject_name(cert), cn->sess.dn, sizeof(cn->sess.dn));
	auth_rfc2253_subject(X509_get_subject_name(cert), cn->sess.subject2253,
			     sizeof(cn->sess.subject2253));
	cn->sess.cert_not_after = auth_not_after(cert);
	cn->sess.connected_ms = jcl_now_ms();
	lws_get_peer_simple(wsi, cn->sess.peer, sizeof(cn->sess.peer));
	cn->wsi = wsi;
	cn->ready = true;
	if (ws_srv->throttle)
		throttle_connect(cn->sess.subject2253);
	cmdcount_session_open(&cn->sess);
	rc = 0;
out:
	X509_free(cert);
	return rc;
}

static int ws_http_status(struct lws *wsi, unsigned int code)
{
	lws_return_http_status(wsi, code, NULL);
	return -1; /* close after the status went out */
}

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		       size_t len)
{
	struct ws_conn *cn = user;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		if (SSL_CTX_load_verify_locations((SSL_CTX *)user, NULL, ws_srv->ca_dir) != 1) {
			jcl_log("cannot load CA directory %s", ws_srv->ca_dir);
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

		if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 ||
		    strcmp(uri, WS_PATH)) {
			jcl_debug("upgrade refused: path %s", uri);
			return ws_http_status(wsi, HTTP_STATUS_NOT_FOUND);
		}
		if (!in || strcmp((const char *)in, "websocket"))
			return ws_http_status(wsi, HTTP_STATUS_BAD_REQUEST);
		cert = ws_peer_cert(wsi);
		u = auth_lookup(ws_srv, cert);
		if (!u) {
			char subj[JCL_DN_MAX] = "?";
			if (cert)
				auth_slash_subject(X509_get_subject_name(cert), subj, sizeof(subj));
			jcl_log("unknown certificate subject %s: 401", subj);
			X509_free(cert);
			return ws_http_status(wsi, HTTP_STATUS_UNAUTHORIZED);
		}
		X509_free(cert);
		struct wspmd probe;
		char ext[WSPMD_HDR_MAX];
		if (ws_srv->deflate && wsext_header(wsi, ext, sizeof(ext)) &&
		    wspmd_negotiate(ext, &probe) == WSPMD_FAIL) {
			jcl_debug("upgrade refused: bad permessage-deflate offer %s", ext);
			return ws_http_status(wsi, HTTP_STATUS_INTERNAL_SERVER_ERROR);
		}
		return 0;
	}

	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
		/* user space exists from here on; the extension is confirmed next */
		char ext[WSPMD_HDR_MAX], ua[256];
		if (!cn)
			return 1;
		if (lws_hdr_copy(wsi, ua, sizeof(ua), WSI_TOKEN_HTTP_USER_AGENT) > 0)
			jcl_log("client user-agent: %s",
				ua); /* what JCentral logs of its clients */
		memset(cn, 0, sizeof(*cn));
		cn->pmd_offer = -1;
		if (ws_srv->deflate && wsext_header(wsi, ext, sizeof(ext)) &&
		    wspmd_negotiate(ext, &cn->pmd) == WSPMD_ACCEPT)
			cn->pmd_offer = wsext_offer_index(ext, &cn->pmd);
		cn->pmd.on = false; /* set when lws confirms it below */
		return 0;
	}

	case LWS_CALLBACK_CONFIRM_EXTENSION_OKAY:
		/* asked once per permessage-deflate offer, in order, until one is accepted */
		if (!cn || !in || strcmp((const char *)in, "permessage-deflate"))
			return 1;
		if (cn->pmd_offer >= 0 && cn->pmd_asked++ == cn->pmd_offer) {
			cn->pmd.on = true;
			return 0;
		}
		return 1;

	case LWS_CALLBACK_HTTP: return ws_http_status(wsi, HTTP_STATUS_NOT_FOUND);

	case LWS_CALLBACK_ESTABLISHED:
		if (ws_session_setup(wsi, cn)) {
			jcl_log("session setup failed");
			return -1;
		}
		jcl_debug("%s connected from %s", cn->sess.account, cn->sess.peer);
		ws_arm_idle(wsi, cn);
		return 0;

	case LWS_CALLBACK_RECEIVE:
		if (!cn || !cn->ready)
			return -1;
		return wsqueue_rx(wsi, cn, in, len);

	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!cn || !cn->ready)
			return -1;
		return wsqueue_writeable(wsi, cn);

	case LWS_CALLBACK_TIMER:
		if (cn && cn->ready) {
			long long now = jcl_now_ms();
			long long life =
				cn->sess.connected_ms + (long long)JCL_SESSION_MAX_S * 1000;
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
			cmdcount_session_close(&cn->sess);
			lws_sul_cancel(&cn->sul);
			lws_sul_cancel(&cn->sul_long);
			if (ws_srv->throttle)
				throttle_disconnect(cn->sess.subject2253);
			wsqueue_free(cn);
			cn->ready = false;
		}
		if (cn) {
			wspmd_free(&cn->pmd);
			free(cn->ztx);
			cn->ztx = NULL;
		}
		return 0;

	default: break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ "jalien", ws_callback, sizeof(struct ws_conn), WS_RX_BUF, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
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

	ws_srv = srv;
	lws_set_log_level(srv->verbose ? (LLL_ERR | LLL_WARN | LLL_NOTICE) : LLL_ERR, ws_log);
	memset(&info, 0, sizeof(info));
	info.port = srv->port;
	info.iface = srv->listen_addr;
	info.protocols = protocols;
	info.extensions = srv->deflate ? wsext_extensions : NULL;
	info.ssl_cert_filepath = srv->cert;
	info.ssl_private_key_filepath = srv->key;
	info.ssl_options_set = (long)(SSL_OP_NO_TLSv1_3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT |
		       LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	info.server_string = "jcentral-lite";
	info.timeout_secs = 20; /* Tomcat connectionTimeout */

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
