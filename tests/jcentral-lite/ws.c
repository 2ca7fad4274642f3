/* ws.c - wss transport: TLS/client-certificate checks, upgrade filtering, permessage-deflate
 * (wspmd.c, through a private lws extension so that lws's own inflate chunking never shows),
 * frames -> requests the way Tomcat + JCentral do it (wsmsg.c), replies in 8192-byte frames as
 * Tomcat sends them, idle timeout, session lifetime, delayed execution and replies.
 *
 * Per connection: at most one request is processed at a time. While requests are waiting or a
 * reply is being sent, reading is paused (lws_rx_flow_control), so replies go out strictly in
 * request order. Caps: WS_MAX_JOBS requests/errors waiting (more: close 1009), one request of
 * at most WSMSG_MAX_UNITS units plus the part buffers of wsmsg.h, the replies being sent.
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
#include "wsmsg.h"
#include "wspmd.h"
#include "cmdcount.h"

#include <errno.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WS_TX_CHUNK  8192           /* bytes per reply frame: Tomcat's output buffer */
#define WS_RX_BUF    65536          /* lws rx buffer (a frame's wire payload arrives in these) */
#define WS_MAX_JOBS  64             /* requests + errors waiting on one connection */
#define WS_LONG_MS   1000           /* JCentral waits this long for a command, then reads on */
#define WS_PATH      "/websocket/json"

enum ws_park { WS_PARK_NONE, WS_PARK_EXEC, WS_PARK_SEND };

/* A complete request (or a too-big error to answer) waiting for its turn. */
struct ws_job {
	struct ws_job *next;
	enum wsmsg_event ev;
	size_t len;
	char text[];
};

/* A reply waiting to be sent (in order). */
struct ws_tx {
	struct ws_tx *next;
	char *p;
	size_t len, off;
};

struct ws_conn {
	struct jcl_session sess;
	struct lws *wsi;
	bool ready;                     /* session initialised (ESTABLISHED) */
	lws_sorted_usec_list_t sul;     /* delayed execution / delayed reply */
	enum ws_park park;
	char *parked_reply;             /* WS_PARK_SEND: reply waiting for its time */
	size_t parked_len;
	struct ws_job *parked_job;      /* WS_PARK_EXEC: request waiting for the throttle */
	bool busy;                      /* a request is parked or its reply is parked */
	/* a command over 1 s (JCentral's handler stops waiting after 1 s and reads on): */
	lws_sorted_usec_list_t sul_long;
	bool long_pending;              /* its reply is still to come; later requests get "" */
	bool hold;                      /* one of them is waiting its 1 s: reading paused */
	unsigned empties;               /* empty replies owed after the long reply */
	struct wsmsg msg;               /* frames -> parts -> requests */
	bool msg_compressed;            /* RSV1 on the first frame of the current message */
	struct ws_job *jobs, **jobs_tail;
	size_t njobs;
	struct ws_tx *txq, **txq_tail;
	/* permessage-deflate: negotiated at FILTER_PROTOCOL_CONNECTION, kept by session_setup */
	struct wspmd pmd;
	int pmd_offer;                  /* index of the offer wspmd_negotiate chose */
	int pmd_asked;                  /* CONFIRM_EXTENSION_OKAY calls so far */
	bool tx_compressed;             /* the frame being written was compressed: set RSV1 */
	unsigned char *ztx;             /* LWS_PRE + compressed frame */
	bool timed_out;                 /* idle timeout reached */
	bool expired;                   /* certificate notAfter or 48 h reached */
};

static struct jcl_server *g_srv;
static unsigned char g_chunk[LWS_PRE + WS_TX_CHUNK];

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
	struct wspmd pmd = cn->pmd;
	int rc = -EACCES;

	memset(cn, 0, sizeof(*cn));
	cn->pmd = pmd;
	cn->jobs_tail = &cn->jobs;
	cn->txq_tail = &cn->txq;
	cn->msg.tomcat = !g_srv->fixed_reassembly;
	if (cn->pmd.on && !(cn->ztx = malloc(LWS_PRE + wspmd_bound(WS_TX_CHUNK)))) {
		rc = -ENOMEM;
		goto out;
	}
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
	cmdcount_session_open(&cn->sess);
	rc = 0;
out:
	X509_free(cert);
	return rc;
}

static void tx_enqueue(struct lws *wsi, struct ws_conn *cn, char *reply, size_t len)
{
	struct ws_tx *t = malloc(sizeof(*t));

	if (!t) {
		jcl_log("%s: out of memory queueing a reply, closing", cn->sess.account);
		cmdcount_end(&cn->sess);
		free(reply);
		lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
		return;
	}
	cmdcount_end(&cn->sess);
	t->p = reply;
	t->len = len;
	t->off = 0;
	t->next = NULL;
	*cn->txq_tail = t;
	cn->txq_tail = &t->next;
	lws_callback_on_writable(wsi);
}

static void ws_sul_cb(lws_sorted_usec_list_t *sul);
static void ws_pump(struct lws *wsi, struct ws_conn *cn);

/* Reading may go on: nothing waits, or a long command is running and no request waits its
 * second for it. */
static bool ws_can_read(const struct ws_conn *cn)
{
	if (cn->jobs || cn->txq)
		return false;
	return !cn->busy || (cn->long_pending && !cn->hold);
}

/* WS_LONG_MS after a long command started, and after each request that came during it. */
static void ws_long_cb(lws_sorted_usec_list_t *sul)
{
	struct ws_conn *cn = lws_container_of(sul, struct ws_conn, sul_long);

	if (!cn->ready || !cn->busy || cn->park != WS_PARK_SEND)
		return;
	cn->long_pending = true;
	cn->hold = false;
	ws_pump(cn->wsi, cn);
	if (ws_can_read(cn))
		lws_rx_flow_control(cn->wsi, 1);
}

/* Run one request and queue (or park) its reply. */
static int ws_execute(struct lws *wsi, struct ws_conn *cn, struct ws_job *j)
{
	char *reply;
	size_t rlen = 0;

	cn->sess.reply_delay_ms = 0;
	reply = commander_handle(&cn->sess, j->text, j->len, &rlen);
	free(j);
	if (!reply) {
		jcl_log("out of memory building a reply, closing %s", cn->sess.account);
		return -1;
	}
	if (cn->sess.reply_delay_ms > 0) {
		cn->park = WS_PARK_SEND;
		cn->busy = true;
		cn->parked_reply = reply;
		cn->parked_len = rlen;
		lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul, ws_sul_cb,
				 (lws_usec_t)cn->sess.reply_delay_ms * 1000);
		if (cn->sess.reply_delay_ms > WS_LONG_MS)
			lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul_long, ws_long_cb,
					 (lws_usec_t)WS_LONG_MS * 1000);
		return 0;
	}
	tx_enqueue(wsi, cn, reply, rlen);
	return 0;
}

/* Start waiting requests until one has to wait (throttle, late reply). */
static void ws_pump(struct lws *wsi, struct ws_conn *cn)
{
	/* during a long command: the next request is answered with an empty message after the
	 * long reply (measured: ping -s 1500, then whoami, gets ""), and is not run here; its
	 * handler waits up to WS_LONG_MS before the one after it is read */
	while (cn->long_pending && !cn->hold && cn->jobs && cn->jobs->ev == WSMSG_EXEC) {
		struct ws_job *j = cn->jobs;
		cn->jobs = j->next;
		if (!cn->jobs)
			cn->jobs_tail = &cn->jobs;
		cn->njobs--;
		free(j);
		cn->empties++;
		cn->hold = true;
		jcl_debug("%s: request during a command over 1 s: empty reply", cn->sess.account);
		lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul_long, ws_long_cb, (lws_usec_t)WS_LONG_MS * 1000);
	}
	while (!cn->busy && cn->jobs) {
		struct ws_job *j = cn->jobs;

		cn->jobs = j->next;
		if (!cn->jobs)
			cn->jobs_tail = &cn->jobs;
		cn->njobs--;
		if (j->ev == WSMSG_TOO_BIG) {
			size_t rlen = 0;
			char *r = commander_backerror_reply(&cn->sess, EINVAL, "Message too big, limit is at 133120", &rlen);
			free(j);
			if (!r) {
				lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
				return;
			}
			tx_enqueue(wsi, cn, r, rlen);
			continue;
		}
		arm_idle(wsi, cn);
		long delay = g_srv->throttle ? throttle_command(cn->sess.subject2253) : 0;
		if (delay > 0) {
			jcl_debug("%s: throttled, command delayed by %ld ms", cn->sess.account, delay);
			cn->park = WS_PARK_EXEC;
			cn->busy = true;
			cn->parked_job = j;
			lws_sul_schedule(lws_get_context(wsi), 0, &cn->sul, ws_sul_cb, (lws_usec_t)delay * 1000);
			return;
		}
		if (ws_execute(wsi, cn, j)) {
			lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
			return;
		}
	}
}

static void ws_sul_cb(lws_sorted_usec_list_t *sul)
{
	struct ws_conn *cn = lws_container_of(sul, struct ws_conn, sul);
	enum ws_park p = cn->park;

	cn->park = WS_PARK_NONE;
	if (!cn->ready)
		return;
	cn->busy = false;
	if (p == WS_PARK_EXEC) {
		struct ws_job *j = cn->parked_job;
		cn->parked_job = NULL;
		if (ws_execute(cn->wsi, cn, j))
			lws_set_timeout(cn->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
	} else if (p == WS_PARK_SEND) {
		char *r = cn->parked_reply;
		cn->parked_reply = NULL;
		tx_enqueue(cn->wsi, cn, r, cn->parked_len);
		lws_sul_cancel(&cn->sul_long);
		cn->long_pending = cn->hold = false;
		for (; cn->empties; cn->empties--) {
			char *e = strdup("");
			if (!e) {
				lws_set_timeout(cn->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
				return;
			}
			tx_enqueue(cn->wsi, cn, e, 0);
		}
	}
}

/* wsmsg callback: a request or a too-big error joins the queue. */
static int ws_on_msg(void *arg, enum wsmsg_event ev, const char *text, size_t len)
{
	struct ws_conn *cn = arg;
	struct ws_job *j;

	if (cn->njobs >= WS_MAX_JOBS) {
		jcl_log("%s: more than %d requests waiting, closing", cn->sess.account, WS_MAX_JOBS);
		lws_close_reason(cn->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"Too many parts", 14);
		return -E2BIG;
	}
	if (!(j = malloc(sizeof(*j) + len + 1)))
		return -ENOMEM;
	j->next = NULL;
	j->ev = ev;
	j->len = len;
	if (len)
		memcpy(j->text, text, len);
	j->text[len] = '\0';
	*cn->jobs_tail = j;
	cn->jobs_tail = &j->next;
	cn->njobs++;
	cmdcount_begin(&cn->sess);
	return 0;
}

static int ws_on_text(void *arg, const unsigned char *b, size_t len)
{
	struct ws_conn *cn = arg;
	return wsmsg_feed(&cn->msg, b, len, ws_on_msg, cn);
}

static int handle_rx(struct lws *wsi, struct ws_conn *cn, const void *in, size_t len)
{
	int rc;

	if (lws_frame_is_binary(wsi)) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
				 (unsigned char *)"Binary messages are not supported", 33);
		return -1;
	}
	if (lws_is_first_fragment(wsi))
		cn->msg_compressed = cn->pmd.on && (lws_get_reserved_bits(wsi) & 0x40);
	/* lws hands over a frame's wire payload in pieces of at most WS_RX_BUF bytes; the frame
	 * ends when nothing of it remains (lws's own chunking is not a Tomcat part) */
	bool frame_end = lws_remaining_packet_payload(wsi) == 0;
	bool fin = frame_end && lws_is_final_fragment(wsi);

	if (cn->msg_compressed) {
		rc = wspmd_inflate(&cn->pmd, in, len, fin, ws_on_text, cn);
		if (rc == -EBADMSG) {
			jcl_log("%s: bad permessage-deflate data, closing", cn->sess.account);
			lws_close_reason(wsi, LWS_CLOSE_STATUS_INVALID_PAYLOAD, (unsigned char *)"Bad deflate data", 16);
			return -1;
		}
	} else {
		rc = wsmsg_feed(&cn->msg, in, len, ws_on_msg, cn);
	}
	if (!rc && frame_end)
		rc = wsmsg_frame_end(&cn->msg, fin, ws_on_msg, cn);
	if (rc)
		return -1;
	if (fin)
		arm_idle(wsi, cn);
	ws_pump(wsi, cn);
	if (!ws_can_read(cn))
		lws_rx_flow_control(wsi, 0);        /* until the replies are out */
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
	if (cn->expired) {
		static const char why[] = "Certificate expired";
		jcl_debug("%s: session lifetime reached", cn->sess.account);
		lws_close_reason(wsi, (enum lws_close_status)1013, (unsigned char *)why, sizeof(why) - 1);
		return -1;
	}
	struct ws_tx *t = cn->txq;
	if (!t)
		return 0;
	if (lws_send_pipe_choked(wsi)) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	size_t n = t->len - t->off;
	if (n > WS_TX_CHUNK)
		n = WS_TX_CHUNK;
	int flags = lws_write_ws_flags(LWS_WRITE_TEXT, t->off == 0, t->off + n == t->len);
	memcpy(g_chunk + LWS_PRE, t->p + t->off, n);
	if (lws_write(wsi, g_chunk + LWS_PRE, n, (enum lws_write_protocol)flags) < (int)n) {
		jcl_log("%s: write failed", cn->sess.account);
		return -1;
	}
	t->off += n;
	if (t->off < t->len) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	cn->txq = t->next;
	if (!cn->txq)
		cn->txq_tail = &cn->txq;
	free(t->p);
	free(t);
	if (cn->txq) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	ws_pump(wsi, cn);
	if (ws_can_read(cn))
		lws_rx_flow_control(wsi, 1);
	return 0;
}

/* The Sec-WebSocket-Extensions header, or false if absent/too long. */
static bool ext_header(struct lws *wsi, char *out, size_t outsz)
{
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_EXTENSIONS);
	if (n <= 0 || (size_t)n >= outsz)
		return false;
	return lws_hdr_copy(wsi, out, (int)outsz, WSI_TOKEN_EXTENSIONS) >= 0;
}

/* Which permessage-deflate offer (0-based, in header order) wspmd_negotiate accepted. */
static int pmd_offer_index(const char *hdr, const struct wspmd *chosen)
{
	char one[WSPMD_HDR_MAX];
	int idx = 0;
	const char *s = hdr;

	(void)chosen;
	while (*s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		struct wspmd p;
		if (n >= sizeof(one))
			return -1;
		memcpy(one, s, n);
		one[n] = '\0';
		enum wspmd_offer r = wspmd_negotiate(one, &p);
		if (r == WSPMD_ACCEPT)
			return idx;
		const char *t = one;
		while (*t == ' ' || *t == '\t')
			t++;
		if (!strncasecmp(t, "permessage-deflate", 18) &&
		    (t[18] == '\0' || t[18] == ';' || t[18] == ' ' || t[18] == '\t'))
			idx++;
		s += n + (c ? 1 : 0);
	}
	return -1;
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
		struct wspmd probe;
		char ext[WSPMD_HDR_MAX];
		if (g_srv->deflate && ext_header(wsi, ext, sizeof(ext)) &&
		    wspmd_negotiate(ext, &probe) == WSPMD_FAIL) {
			jcl_debug("upgrade refused: bad permessage-deflate offer %s", ext);
			return http_status(wsi, HTTP_STATUS_INTERNAL_SERVER_ERROR);
		}
		return 0;
	}

	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
		/* user space exists from here on; the extension is confirmed next */
		char ext[WSPMD_HDR_MAX], ua[256];
		if (!cn)
			return 1;
		if (lws_hdr_copy(wsi, ua, sizeof(ua), WSI_TOKEN_HTTP_USER_AGENT) > 0)
			jcl_log("client user-agent: %s", ua); /* what JCentral logs of its clients */
		memset(cn, 0, sizeof(*cn));
		cn->pmd_offer = -1;
		if (g_srv->deflate && ext_header(wsi, ext, sizeof(ext)) &&
		    wspmd_negotiate(ext, &cn->pmd) == WSPMD_ACCEPT)
			cn->pmd_offer = pmd_offer_index(ext, &cn->pmd);
		cn->pmd.on = false;             /* set when lws confirms it below */
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
			cmdcount_session_close(&cn->sess);
			lws_sul_cancel(&cn->sul);
			lws_sul_cancel(&cn->sul_long);
			if (g_srv->throttle)
				throttle_disconnect(cn->sess.subject2253);
			wsmsg_free(&cn->msg);
			while (cn->jobs) {
				struct ws_job *j = cn->jobs;
				cn->jobs = j->next;
				free(j);
			}
			while (cn->txq) {
				struct ws_tx *t = cn->txq;
				cn->txq = t->next;
				free(t->p);
				free(t);
			}
			free(cn->parked_job);
			cn->parked_job = NULL;
			free(cn->parked_reply);
			cn->parked_reply = NULL;
			cn->ready = false;
		}
		if (cn) {
			wspmd_free(&cn->pmd);
			free(cn->ztx);
			cn->ztx = NULL;
		}
		return 0;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ "jalien", ws_callback, sizeof(struct ws_conn), WS_RX_BUF, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* Our own permessage-deflate "extension": lws only needs one to accept RSV1 and to let us mark
 * our frames; it passes received payload through untouched (ws.c inflates it, wspmd.c) and
 * compresses our frames whole, one lws_write = one frame. lws echoes the offer's
 * server_no_context_takeover / client_no_context_takeover in its answer. */
static const struct lws_ext_options ws_ext_opts[] = {
	{ "server_no_context_takeover", EXTARG_NONE },
	{ "client_no_context_takeover", EXTARG_NONE },
	{ "server_max_window_bits", EXTARG_OPT_DEC },
	{ "client_max_window_bits", EXTARG_OPT_DEC },
	{ NULL, 0 },
};

/* lws 4.1.6 private enum pmd_return (lib/core-net/private-lib-core-net.h) */
#define WS_PMDR_EMPTY_NONFINAL      3
#define WS_PMDR_EMPTY_FINAL         4
#define WS_PMDR_NOTHING_WE_SHOULD_DO 5
/* lws 4.1.6 struct lws_ext_pm_deflate_rx_ebufs (lib/roles/ws/private-lib-roles-ws.h) */
struct ws_ebufs {
	struct lws_tokens eb_in, eb_out;
};

static int ws_ext_cb(struct lws_context *ctx, const struct lws_extension *ext, struct lws *wsi,
		     enum lws_extension_callback_reasons reason, void *user, void *in, size_t len)
{
	struct ws_conn *cn = wsi ? lws_wsi_user(wsi) : NULL;
	struct ws_ebufs *eb = in;

	(void)ctx;
	(void)ext;
	switch ((int)reason) {
	case LWS_EXT_CB_CONSTRUCT:
		*(void **)user = NULL;
		if (in)
			*(const struct lws_ext_options **)in = ws_ext_opts;
		return 0;
	case LWS_EXT_CB_OPTION_SET:
	case LWS_EXT_CB_NAMED_OPTION_SET:
		return 0;                       /* echoed in the answer; wspmd.c already decided */
	case LWS_EXT_CB_PAYLOAD_RX:
		return WS_PMDR_NOTHING_WE_SHOULD_DO;
	case LWS_EXT_CB_PAYLOAD_TX: {
		bool first = (len & 0xf) == LWS_WRITE_TEXT, fin = !(len & LWS_WRITE_NO_FIN);
		if (!cn || !cn->ready || !cn->pmd.on || !cn->ztx)
			return WS_PMDR_NOTHING_WE_SHOULD_DO;
		if (first && fin && eb->eb_in.len == 0)
			return WS_PMDR_NOTHING_WE_SHOULD_DO;   /* Tomcat: empty messages go uncompressed */
		long n = wspmd_deflate(&cn->pmd, eb->eb_in.token, (size_t)eb->eb_in.len, fin,
				       cn->ztx + LWS_PRE, wspmd_bound(WS_TX_CHUNK));
		if (n < 0) {
			jcl_log("%s: deflate failed (%ld)", cn->sess.account, n);
			return -1;
		}
		eb->eb_in.token += eb->eb_in.len;
		eb->eb_in.len = 0;
		eb->eb_out.token = cn->ztx + LWS_PRE;
		eb->eb_out.len = (int)n;
		if (first)
			cn->tx_compressed = true;
		return fin ? WS_PMDR_EMPTY_FINAL : WS_PMDR_EMPTY_NONFINAL;
	}
	case LWS_EXT_CB_PACKET_TX_PRESEND:
		/* eb_in.token = the frame header: RSV1 on the first frame of a compressed message */
		if (cn && cn->tx_compressed && eb && eb->eb_in.token) {
			cn->tx_compressed = false;
			if ((eb->eb_in.token[0] & 0xf) == 0x1)   /* text opcode */
				eb->eb_in.token[0] |= 0x40;
		}
		return 0;
	default:
		return 0;
	}
}

static const struct lws_extension extensions[] = {
	{ "permessage-deflate", ws_ext_cb, "" },
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
