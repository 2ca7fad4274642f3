/* oneshot.c - see oneshot.h. */
#include "oneshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "caps.h"

#define ONESHOT_CLOSE_WAIT_US (500 * LWS_US_PER_MS) /* for the server's close frame */

enum oneshot_state {
	OS_CONNECTING,
	OS_OPEN,
	OS_FAILED, /* never came up */
	OS_CLOSED, /* was up, now gone */
};

struct oneshot {
	const struct oneshot_cfg *cfg;
	char host[256], path[512];
	int port;
	struct lws_context *ctx;
	struct lws *wsi;
	enum oneshot_state state;
	int http_status;
	char why[256];	    /* lws' reason for a failed connection */
	char ca_error[256]; /* the CA folder could not be loaded */
	unsigned char *tx;  /* LWS_PRE + request, until written */
	size_t tx_len;
	char *rx; /* reply being assembled */
	size_t rx_len, rx_cap;
	int rx_done, rx_too_big;
	int closing, close_timed_out;
	lws_sorted_usec_list_t close_sul;
};

/* lws gives no per-connection user pointer before the wsi exists (CA
 * loading, its log): one session per process, so one pointer. */
static struct oneshot *oneshot_cur;
static char oneshot_tls_error[256];

static void oneshot_lws_log(int level, const char *line)
{
	const char *ssl = strstr(line, "SSL error: ");
	size_t n;

	if (ssl) {
		ssl += strlen("SSL error: ");
		n = strcspn(ssl, "\r\n");
		if (strstr(ssl, " (preverify") && (size_t)(strstr(ssl, " (preverify") - ssl) < n)
			n = (size_t)(strstr(ssl, " (preverify") - ssl);
		snprintf(oneshot_tls_error, sizeof(oneshot_tls_error), "%.*s", (int)n, ssl);
	}
	if (oneshot_cur && oneshot_cur->cfg->verbose)
		fprintf(stderr, "alien-direct: lws %s: %s", level == LLL_ERR ? "error" : "warning",
			line);
}

static int oneshot_rx(struct oneshot *os, const void *in, size_t len)
{
	if (len > LIM_UPSTREAM_REPLY_MAX - os->rx_len) {
		os->rx_too_big = 1;
		return -E2BIG;
	}
	if (os->rx_len + len > os->rx_cap) {
		size_t ncap = os->rx_cap ? os->rx_cap : 16384;
		char *p;

		while (ncap < os->rx_len + len)
			ncap *= 2;
		if (ncap > LIM_UPSTREAM_REPLY_MAX)
			ncap = LIM_UPSTREAM_REPLY_MAX;
		p = realloc(os->rx, ncap);
		if (!p)
			return -ENOMEM;
		os->rx = p;
		os->rx_cap = ncap;
	}
	memcpy(os->rx + os->rx_len, in, len);
	os->rx_len += len;
	return 0;
}

static int oneshot_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			    size_t len)
{
	struct oneshot *os = oneshot_cur;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
		if (os && SSL_CTX_load_verify_locations(user, NULL, os->cfg->ca_dir) != 1) {
			unsigned long e = ERR_get_error();

			snprintf(os->ca_error, sizeof(os->ca_error), "%s",
				 e && ERR_reason_error_string(e) ? ERR_reason_error_string(e)
								 : "unreadable");
			ERR_clear_error();
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!os)
			return 0;
		snprintf(os->why, sizeof(os->why), "%.*s", in ? (int)len : 0,
			 in ? (const char *)in : "");
		os->http_status = (int)lws_http_client_http_response(wsi);
		os->state = OS_FAILED;
		os->wsi = NULL;
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (os)
			os->state = OS_OPEN;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!os || oneshot_rx(os, in, len) < 0)
			return -1;
		if (lws_is_final_fragment(wsi))
			os->rx_done = 1;
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!os)
			return 0;
		if (os->closing) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1; /* lws sends the close frame and waits for the answer */
		}
		if (!os->tx)
			return 0;
		if (lws_write(wsi, os->tx + LWS_PRE, os->tx_len, LWS_WRITE_TEXT) < (int)os->tx_len)
			return -1;
		free(os->tx);
		os->tx = NULL;
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (os) {
			os->state = OS_CLOSED;
			os->wsi = NULL;
		}
		return 0;
	default: return 0;
	}
}

static const struct lws_protocols oneshot_protocols[] = {
	/* first protocol: lws asks it to load the CA folder for the client SSL_CTX */
	{ "jalien-direct", oneshot_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static const struct lws_extension oneshot_exts[] = {
	{ "permessage-deflate", lws_extension_callback_pm_deflate,
	  "permessage-deflate; client_no_context_takeover; client_max_window_bits" },
	{ NULL, NULL, NULL },
};

static const lws_retry_bo_t oneshot_retry = {
	.secs_since_valid_ping = 20, /* as alien.py's ALIENPY_TIMEOUT */
	.secs_since_valid_hangup = 40,
};

static int oneshot_parse_endpoint(struct oneshot *os)
{
	char buf[1024];
	const char *proto, *addr, *path;
	int port = 0;

	if (strlen(os->cfg->endpoint) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, os->cfg->endpoint);
	if (lws_parse_uri(buf, &proto, &addr, &port, &path) || strcmp(proto, "wss") != 0 || !*addr)
		return -EINVAL;
	snprintf(os->host, sizeof(os->host), "%s", addr);
	snprintf(os->path, sizeof(os->path), "/%s", path);
	os->port = port ? port : 443;
	return 0;
}

/* Run the loop until *flag is set or the connection is gone. */
static void oneshot_loop_until(struct oneshot *os, const int *flag)
{
	while (!*flag && (os->state == OS_OPEN || os->state == OS_CONNECTING))
		if (lws_service(os->ctx, 0) < 0)
			break;
}

static void oneshot_free(struct oneshot *os)
{
	if (!os)
		return;
	if (os->ctx)
		lws_context_destroy(os->ctx);
	free(os->tx);
	free(os->rx);
	free(os);
	oneshot_cur = NULL;
}

static void oneshot_connect_error(struct oneshot *os, int *code, char *err, size_t errn)
{
	const struct oneshot_cfg *c = os->cfg;

	*code = JD_EXIT_NOCONN;
	if (os->http_status == 401) {
		*code = JD_EXIT_UNAUTHORIZED;
		snprintf(err, errn,
			 "%s refused the certificate %s (HTTP 401: not registered in the VO?)",
			 c->endpoint, c->cert);
	} else if (os->http_status > 0) {
		snprintf(err, errn, "%s answered the websocket upgrade with HTTP %d", c->endpoint,
			 os->http_status);
	} else if (os->ca_error[0]) {
		snprintf(err, errn, "cannot load the CA folder %s: %s", c->ca_dir, os->ca_error);
	} else if (oneshot_tls_error[0]) {
		snprintf(err, errn, "TLS with %s failed: %s (CA folder %s)", c->endpoint,
			 oneshot_tls_error, c->ca_dir);
	} else {
		snprintf(err, errn, "cannot connect to %s: %s", c->endpoint,
			 os->why[0] ? os->why : "connection failed");
	}
}

struct oneshot *oneshot_open(const struct oneshot_cfg *cfg, int *code, char *err, size_t errn)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	struct oneshot *os = calloc(1, sizeof(*os));

	*code = JD_EXIT_NOCONN;
	if (!os) {
		snprintf(err, errn, "%s", exitcode_meaning(JD_EXIT_NOMEM));
		return NULL;
	}
	os->cfg = cfg;
	if (oneshot_parse_endpoint(os) < 0) {
		snprintf(err, errn, "bad endpoint %s: expected wss://host:port/path",
			 cfg->endpoint);
		free(os);
		return NULL;
	}
	oneshot_cur = os;
	oneshot_tls_error[0] = '\0';
	lws_set_log_level(LLL_ERR | LLL_WARN, oneshot_lws_log);

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = oneshot_protocols;
	info.extensions = oneshot_exts;
	/* trust X509_CERT_DIR only, as alien.py: not the OS bundle either, whose
	 * loading (about 140 certificates parsed) cost 21 ms of a 26 ms set-up */
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	info.client_ssl_cert_filepath = cfg->cert;
	info.client_ssl_private_key_filepath = cfg->key;
	info.client_ssl_ca_filepath = NULL; /* the CA folder is loaded by the callback */
	info.timeout_secs = ONESHOT_CONNECT_TIMEOUT_S;
	info.connect_timeout_secs = ONESHOT_CONNECT_TIMEOUT_S;
	os->ctx = lws_create_context(&info);
	if (!os->ctx) {
		snprintf(err, errn,
			 "cannot use certificate %s with key %s (libwebsockets refused them)",
			 cfg->cert, cfg->key);
		oneshot_free(os);
		return NULL;
	}
	if (os->ca_error[0]) {
		oneshot_connect_error(os, code, err, errn);
		oneshot_free(os);
		return NULL;
	}

	memset(&ci, 0, sizeof(ci));
	ci.context = os->ctx;
	ci.address = os->host;
	ci.port = os->port;
	ci.path = os->path;
	ci.host = os->host;
	ci.origin = os->host;
	ci.ssl_connection = LCCSCF_USE_SSL;
	ci.local_protocol_name = oneshot_protocols[0].name;
	ci.retry_and_idle_policy = &oneshot_retry;
	ci.pwsi = &os->wsi;
	if (!lws_client_connect_via_info(&ci) && os->state == OS_CONNECTING)
		os->state = OS_FAILED;
	while (os->state == OS_CONNECTING)
		if (lws_service(os->ctx, 0) < 0)
			break;
	if (os->state != OS_OPEN) {
		oneshot_connect_error(os, code, err, errn);
		oneshot_free(os);
		return NULL;
	}
	return os;
}

cJSON *oneshot_call(struct oneshot *os, const char *command, const cJSON *options, int *code,
		    char *err, size_t errn)
{
	cJSON *msg = cJSON_CreateObject(), *reply;
	char *text = NULL;
	size_t n;

	if (!msg || !cJSON_AddStringToObject(msg, "command", command) ||
	    !cJSON_AddItemToObject(msg, "options",
				   options ? cJSON_Duplicate(options, 1) : cJSON_CreateArray()) ||
	    !(text = cJSON_PrintUnformatted(msg))) {
		cJSON_Delete(msg);
		*code = 1;
		snprintf(err, errn, "%s", exitcode_meaning(JD_EXIT_NOMEM));
		return NULL;
	}
	cJSON_Delete(msg);
	n = strlen(text);
	if (n > LIM_UPSTREAM_REQUEST_MAX) {
		*code = JD_EXIT_TOOBIG;
		snprintf(err, errn,
			 "the request is %zu bytes; JCentral takes at most %d per command", n,
			 LIM_UPSTREAM_REQUEST_MAX);
		free(text);
		return NULL;
	}
	free(os->tx);
	os->tx = malloc(LWS_PRE + n);
	if (!os->tx) {
		free(text);
		*code = 1;
		snprintf(err, errn, "%s", exitcode_meaning(JD_EXIT_NOMEM));
		return NULL;
	}
	memcpy(os->tx + LWS_PRE, text, n);
	os->tx_len = n;
	free(text);
	os->rx_len = 0;
	os->rx_done = 0;
	if (os->wsi)
		lws_callback_on_writable(os->wsi);
	oneshot_loop_until(os, &os->rx_done);
	if (!os->rx_done) {
		*code = JD_EXIT_LOST;
		if (os->rx_too_big)
			snprintf(err, errn, "the reply to `%s` is over %u bytes", command,
				 LIM_UPSTREAM_REPLY_MAX);
		else
			snprintf(err, errn, "connection to %s lost during `%s`", os->cfg->endpoint,
				 command);
		return NULL;
	}
	reply = os->rx_len ? cJSON_ParseWithLength(os->rx, os->rx_len) : NULL;
	if (!cJSON_IsObject(reply)) {
		*code = JD_EXIT_EMPTY;
		snprintf(err, errn, "JCentral sent %s (%zu bytes) for `%s`",
			 os->rx_len ? "a reply that is not JSON" : "an empty reply", os->rx_len,
			 command);
		cJSON_Delete(reply);
		reply = NULL;
	}
	if (os->rx_cap > (1u << 20)) { /* a big reply: give the memory back now */
		free(os->rx);
		os->rx = NULL;
		os->rx_cap = 0;
	}
	os->rx_len = 0;
	return reply;
}

static void oneshot_close_timeout(lws_sorted_usec_list_t *sul)
{
	struct oneshot *os = lws_container_of(sul, struct oneshot, close_sul);

	os->close_timed_out = 1;
}

void oneshot_close(struct oneshot *os)
{
	if (!os)
		return;
	if (os->wsi && os->state == OS_OPEN) {
		os->closing = 1;
		lws_sul_schedule(os->ctx, 0, &os->close_sul, oneshot_close_timeout,
				 ONESHOT_CLOSE_WAIT_US);
		lws_callback_on_writable(os->wsi);
		oneshot_loop_until(os, &os->close_timed_out);
		/* lws 4.3 asserts on a NULL callback, the 4.1 way to cancel */
		lws_sul_cancel(&os->close_sul);
	}
	oneshot_free(os);
}
