/* jbox.c - see jbox.h: the listening vhost, its lws protocol, the
 * advertisement file's life. One connection's logic is jbox_conn.c. */
#include "jbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>

#include "jbox_advert.h"
#include "jbox_conn.h"
#include "jbox_tls.h"
#include "log.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"

#define JBOX_CONNS_MAX 64 /* local websocket connections at once */
#define JBOX_PATH "/websocket/json"
#define JBOX_TICK_S 1	      /* advertisement refresh and drain check */
#define JBOX_TICK_FAST_MS 100 /* until the pool tells user and home */

struct jbox_pss {
	struct jbox_conn *c;
};

static struct {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	int port;
	int draining;
	struct jbox_conn *conns;
	unsigned nconns;
	unsigned long serial, accepted, refused;
	char *adv_user, *adv_home; /* what the advertisement file says */
	int advertised;		   /* 1: ours, 0: not yet, -1: another process has it */
	lws_sorted_usec_list_t sul_tick;
} jb;

static int jbox_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len);

static const struct lws_protocols jbox_protocols[] = {
	{ "jalien-jbox", jbox_callback, sizeof(struct jbox_pss), 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static int jbox_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void jbox_set(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
}

/* (Re)write the advertisement once the pool knows user and home and there is
 * a token to serve with; take it back while there is none (alien.py then
 * goes to JCentral itself). */
static void jbox_advertise(void)
{
	const char *user = upstream_user(), *home = upstream_home();
	int r;

	if (jb.advertised > 0 && !jbox_tls_ready()) {
		jbox_advert_remove();
		jb.advertised = 0;
		jbox_set(&jb.adv_user, NULL);
		jbox_set(&jb.adv_home, NULL);
		log_notice("jbox: no valid token: not advertised until there is one");
		return;
	}
	if (jb.advertised < 0 || jb.draining || !jbox_tls_ready() ||
	    (jb.advertised && jbox_same(user, jb.adv_user) && jbox_same(home, jb.adv_home)))
		return;
	r = jbox_advert_write(jb.port, user, home);
	if (r == 1)
		jb.advertised = -1;
	if (r != 0)
		return;
	if (!jb.advertised)
		log_notice("jbox: serving alien.py on 127.0.0.1:%d (%s)", jb.port,
			   jbox_advert_path());
	jb.advertised = 1;
	jbox_set(&jb.adv_user, user);
	jbox_set(&jb.adv_home, home);
}

void jbox_drain(void)
{
	if (!jb.ctx || jb.draining)
		return;
	jb.draining = 1; /* no new alien.py finds us; running requests finish */
	jbox_conn_set_draining();
	jbox_advert_remove();
	log_info("jbox: stopping: advertisement removed, %u connections open", jb.nconns);
}

static void jbox_tick(lws_sorted_usec_list_t *sul)
{
	jbox_advertise();
	lws_sul_schedule(jb.ctx, 0, sul, jbox_tick,
			 jb.adv_home || jb.advertised < 0 ? (lws_usec_t)JBOX_TICK_S * LWS_US_PER_SEC
							  : (lws_usec_t)JBOX_TICK_FAST_MS * 1000);
}

static X509 *jbox_peer_cert(struct lws *wsi)
{
	SSL *ssl = lws_get_ssl(wsi);

	return ssl ? SSL_get1_peer_certificate(ssl) : NULL;
}

static int jbox_http_status(struct lws *wsi, unsigned code)
{
	lws_return_http_status(wsi, code, NULL);
	return -1;
}

/* Second line of defence after the TLS check: HTTP 401. */
static int jbox_confirm_upgrade(struct lws *wsi, const char *what)
{
	char uri[128], why[128];
	X509 *cert;
	int ok;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 ||
	    strcmp(uri, JBOX_PATH) != 0)
		return jbox_http_status(wsi, HTTP_STATUS_NOT_FOUND);
	if (!what || strcmp(what, "websocket") != 0)
		return jbox_http_status(wsi, HTTP_STATUS_BAD_REQUEST);
	cert = jbox_peer_cert(wsi);
	ok = jbox_tls_client_ok(cert, NULL, why, sizeof(why));
	X509_free(cert);
	if (!ok) {
		jb.refused++;
		log_warn("jbox: upgrade refused (401): %s", why);
		return jbox_http_status(wsi, HTTP_STATUS_UNAUTHORIZED);
	}
	return 0;
}

static int jbox_established(struct lws *wsi, struct jbox_pss *pss)
{
	struct jbox_conn *c;

	if (jb.draining || jb.nconns >= JBOX_CONNS_MAX) {
		jb.refused++;
		log_warn("jbox: connection refused: %s",
			 jb.draining ? "stopping" : "too many connections");
		lws_close_reason(wsi, (enum lws_close_status)1013, NULL, 0); /* try again later */
		return -1;
	}
	c = jbox_conn_new(wsi, ++jb.serial);
	if (!c)
		return -1;
	c->next = jb.conns;
	jb.conns = c;
	jb.nconns++;
	jb.accepted++;
	pss->c = c;
	log_debug("jbox[%lu]: connected (%u open)", c->serial, jb.nconns);
	return 0;
}

static void jbox_closed(struct jbox_pss *pss)
{
	struct jbox_conn **pp;

	if (!pss || !pss->c)
		return;
	for (pp = &jb.conns; *pp; pp = &(*pp)->next) {
		if (*pp == pss->c) {
			*pp = pss->c->next;
			jb.nconns--;
			break;
		}
	}
	log_debug("jbox[%lu]: closed after %lu requests", pss->c->serial, pss->c->requests);
	jbox_conn_free(pss->c);
	pss->c = NULL;
}

static int jbox_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len)
{
	struct jbox_pss *pss = user;
	char why[128];

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		return jbox_tls_setup_ctx(user) < 0 ? 1 : 0;
	case LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION: {
		/* not reached (jbox_tls replaces the chain check); if it were, the
		 * same rule: the answer for the leaf decides, never lws' default */
		X509_STORE_CTX *vc = user;

		if (X509_STORE_CTX_get_error_depth(vc) != 0)
			return 0;
		return jbox_tls_client_ok(X509_STORE_CTX_get_current_cert(vc), NULL, why,
					  sizeof(why))
			       ? 0
			       : 1;
	}
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		return jb.draining || jb.nconns >= JBOX_CONNS_MAX; /* non-zero: close before TLS */
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: return jbox_confirm_upgrade(wsi, in);
	case LWS_CALLBACK_HTTP: return jbox_http_status(wsi, HTTP_STATUS_NOT_FOUND);
	case LWS_CALLBACK_ESTABLISHED: return jbox_established(wsi, pss);
	case LWS_CALLBACK_RECEIVE:
		if (!pss || !pss->c)
			return -1;
		if (jbox_conn_on_rx(pss->c, in, len, lws_is_final_fragment(wsi),
				    lws_frame_is_binary(wsi)) < 0) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, NULL, 0);
			return -1;
		}
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!pss || !pss->c)
			return 0;
		return jbox_conn_on_writable(pss->c) < 0 ? -1 : 0;
	case LWS_CALLBACK_CLOSED: jbox_closed(pss); return 0;
	default: break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int jbox_start(struct lws_context *ctx, const struct jd_config *cfg)
{
	struct lws_context_creation_info info;
	int r;

	if (cfg->no_jbox) {
		log_info("jbox: off (--no-jbox)");
		return 0;
	}
	jb.ctx = ctx;
	if ((r = jbox_tls_init(cfg)) < 0)
		return r;
	memset(&info, 0, sizeof(info));
	info.vhost_name = "jbox";
	info.port = cfg->jbox_port; /* 0: any free port */
	info.iface = "127.0.0.1";
	info.protocols = jbox_protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_CREATE_VHOST_SSL_CTX |
		       LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT |
		       LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	info.ssl_options_set = (long)(SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_3);
	info.server_string = "jaliend";
	jb.vh = lws_create_vhost(ctx, &info);
	jb.port = jb.vh ? lws_get_vhost_listen_port(jb.vh) : -1;
	if (!jb.vh || jb.port <= 0) {
		log_err("jbox: cannot listen on 127.0.0.1:%d; going on without the JBox endpoint",
			cfg->jbox_port);
		if (jb.vh)
			lws_vhost_destroy(jb.vh);
		jb.vh = NULL;
		jbox_tls_fini();
		return -EADDRINUSE;
	}
	log_info("jbox: listening on 127.0.0.1:%d", jb.port);
	jbox_advertise();
	lws_sul_schedule(ctx, 0, &jb.sul_tick, jbox_tick, (lws_usec_t)JBOX_TICK_FAST_MS * 1000);
	return 0;
}

void jbox_stop(void)
{
	if (!jb.ctx)
		return;
	lws_sul_cancel(&jb.sul_tick);
	jb.draining = 1;
	jbox_conn_set_draining();
	jbox_advert_remove();
	free(jb.adv_user);
	free(jb.adv_home);
	jb.adv_user = jb.adv_home = NULL;
	/* connections close with the context; the TLS material stays referenced by its SSL_CTX */
	jbox_tls_fini();
}

void jbox_status(struct strbuf *out)
{
	if (!jb.vh) {
		strbuf_addf(out, "jbox: off\n");
		return;
	}
	strbuf_addf(out, "jbox: 127.0.0.1:%d, %s, %u connections (%lu accepted, %lu refused)\n",
		    jb.port, jb.advertised > 0 ? jbox_advert_path() : "not advertised", jb.nconns,
		    jb.accepted, jb.refused);
}

int jbox_listen_port(void)
{
	return jb.port > 0 ? jb.port : 0;
}
