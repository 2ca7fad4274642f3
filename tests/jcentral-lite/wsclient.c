/* wsclient.c - jcl-wsclient: a minimal, independent JCentral websocket test client.
 *
 *   jcl-wsclient --url wss://127.0.0.1:PORT/websocket/json --cert C --key K --ca-dir D
 *                [--fragment N] [--deflate] [--wait-close] [--timeout SEC]
 *
 * Reads requests from stdin, one per line (sent verbatim, so invalid JSON can be tested),
 * sends each as one text message (or in N-byte frames with --fragment), waits for its reply
 * and prints each reply as one line on stdout. Exit codes: 0 all answered; 2 connection/TLS
 * failure or early close; 3 HTTP upgrade refused ("HTTP <status>" on stderr); 4 timeout.
 * --wait-close: after the last reply keep the connection open until the server closes it and
 * print "CLOSE <code> <reason>" on stdout.
 */
#include <errno.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LINE (1u << 20) /* one request line, bytes */

struct client {
	const char *ca_dir;
	char **lines;
	size_t nlines, next; /* next line to send */
	size_t frag;	     /* fragment size, 0 = one frame */
	size_t sent_off;     /* progress inside the current line */
	bool awaiting;	     /* a request is out, reply pending */
	char *rx;
	size_t rxlen, rxcap;
	bool wait_close;
	int close_code;
	char close_reason[128];
	bool got_close;
	int exit_code;
	bool done;
};

static struct client g;

static void finish(int code)
{
	if (!g.done) {
		g.exit_code = code;
		g.done = true;
	}
}

static int rx_add(const void *in, size_t len)
{
	if (g.rxlen + len + 1 > g.rxcap) {
		size_t nc = g.rxcap ? g.rxcap : 4096;
		while (nc < g.rxlen + len + 1)
			nc *= 2;
		char *np = realloc(g.rx, nc);
		if (!np)
			return -ENOMEM;
		g.rx = np;
		g.rxcap = nc;
	}
	memcpy(g.rx + g.rxlen, in, len);
	g.rxlen += len;
	g.rx[g.rxlen] = '\0';
	return 0;
}

static int send_some(struct lws *wsi)
{
	const char *line = g.lines[g.next];
	size_t total = strlen(line), n = total - g.sent_off;
	bool first = g.sent_off == 0;

	if (g.frag && n > g.frag)
		n = g.frag;
	unsigned char *buf = malloc(LWS_PRE + n + 1);
	if (!buf)
		return -1;
	memcpy(buf + LWS_PRE, line + g.sent_off, n);
	bool last = g.sent_off + n == total;
	int flags = lws_write_ws_flags(LWS_WRITE_TEXT, first, last);
	int w = lws_write(wsi, buf + LWS_PRE, n, (enum lws_write_protocol)flags);
	free(buf);
	if (w < (int)n) {
		fprintf(stderr, "jcl-wsclient: write failed\n");
		return -1;
	}
	g.sent_off += n;
	if (last) {
		g.awaiting = true;
		g.sent_off = 0;
	} else {
		lws_callback_on_writable(wsi);
	}
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
		if (SSL_CTX_load_verify_locations((SSL_CTX *)user, NULL, g.ca_dir) != 1) {
			fprintf(stderr, "jcl-wsclient: cannot load CA directory %s\n", g.ca_dir);
			return 1;
		}
		return 0;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		unsigned int st = wsi ? lws_http_client_http_response(wsi) : 0;
		if (st && st != 101) {
			fprintf(stderr, "HTTP %u\n", st);
			finish(3);
		} else {
			fprintf(stderr, "jcl-wsclient: connection failed: %s\n",
				in ? (const char *)in : "?");
			finish(2);
		}
		return 0;
	}

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (g.nlines)
			lws_callback_on_writable(wsi);
		else if (!g.wait_close)
			finish(0);
		return 0;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (g.done)
			return -1;
		if (!g.awaiting && g.next < g.nlines)
			return send_some(wsi);
		return 0;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (rx_add(in, len))
			return -1;
		if (!lws_is_final_fragment(wsi))
			return 0;
		if (!g.awaiting) {
			fprintf(stderr, "jcl-wsclient: unsolicited message: %s\n",
				g.rx ? g.rx : "");
			finish(2);
			return -1;
		}
		fwrite(g.rx ? g.rx : "", 1, g.rxlen, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		g.rxlen = 0;
		g.awaiting = false;
		g.next++;
		if (g.next < g.nlines)
			lws_callback_on_writable(wsi);
		else if (!g.wait_close) {
			finish(0);
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1;
		}
		return 0;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		g.got_close = true;
		if (len >= 2) {
			const unsigned char *p = in;
			g.close_code = (p[0] << 8) | p[1];
			snprintf(g.close_reason, sizeof(g.close_reason), "%.*s", (int)(len - 2),
				 (const char *)p + 2);
		}
		return 0;

	case LWS_CALLBACK_CLIENT_CLOSED:
		if (g.wait_close && g.next == g.nlines) {
			printf("CLOSE %d %s\n", g.got_close ? g.close_code : 1006, g.close_reason);
			fflush(stdout);
			finish(0);
		} else if (g.next < g.nlines) {
			fprintf(stderr,
				"jcl-wsclient: connection closed with %zu request(s) unanswered\n",
				g.nlines - g.next);
			finish(2);
		}
		finish(0);
		return 0;

	default: break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ "jcl-client", callback, 0, 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static const struct lws_extension extensions[] = {
	{ "permessage-deflate", lws_extension_callback_pm_deflate,
	  "permessage-deflate; client_no_context_takeover; client_max_window_bits" },
	{ NULL, NULL, NULL },
};

static int read_lines(void)
{
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t l;

	while ((l = getline(&line, &cap, stdin)) >= 0) {
		while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		if (l == 0)
			continue;
		if ((size_t)l > MAX_LINE) {
			fprintf(stderr, "jcl-wsclient: request line longer than %u bytes\n",
				MAX_LINE);
			free(line);
			return -1;
		}
		if (g.nlines == n) {
			n = n ? n * 2 : 16;
			char **nl = realloc(g.lines, n * sizeof(*nl));
			if (!nl)
				return -1;
			g.lines = nl;
		}
		if (!(g.lines[g.nlines++] = strdup(line)))
			return -1;
	}
	free(line);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: jcl-wsclient --url wss://HOST:PORT/PATH --cert C --key K --ca-dir D\n"
		"                    [--fragment N] [--deflate] [--wait-close] [--timeout SEC]\n");
}

int main(int argc, char **argv)
{
	const char *url = NULL, *cert = NULL, *key = NULL;
	bool deflate = false;
	int timeout = 30;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--deflate")) {
			deflate = true;
			continue;
		}
		if (!strcmp(a, "--wait-close")) {
			g.wait_close = true;
			continue;
		}
		if (!v) {
			usage();
			return 2;
		}
		if (!strcmp(a, "--url"))
			url = v;
		else if (!strcmp(a, "--cert"))
			cert = v;
		else if (!strcmp(a, "--key"))
			key = v;
		else if (!strcmp(a, "--ca-dir"))
			g.ca_dir = v;
		else if (!strcmp(a, "--fragment"))
			g.frag = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--timeout"))
			timeout = atoi(v);
		else {
			usage();
			return 2;
		}
		i++;
	}
	if (!url || !cert || !key || !g.ca_dir) {
		usage();
		return 2;
	}

	char host[256], path[1024];
	int port;
	if (sscanf(url, "wss://%255[^:/]:%d%1023s", host, &port, path) != 3) {
		fprintf(stderr, "jcl-wsclient: bad --url %s (want wss://HOST:PORT/PATH)\n", url);
		return 2;
	}
	if (read_lines()) {
		fprintf(stderr, "jcl-wsclient: cannot read requests from stdin\n");
		return 2;
	}

	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_cert_filepath = cert;
	info.client_ssl_private_key_filepath = key;
	info.extensions = deflate ? extensions : NULL;
	struct lws_context *ctx = lws_create_context(&info);
	if (!ctx) {
		fprintf(stderr,
			"jcl-wsclient: cannot create the lws context (check --cert/--key)\n");
		return 2;
	}

	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = ctx;
	ci.address = host;
	ci.port = port;
	ci.path = path;
	ci.host = host;
	ci.origin = host;
	ci.ssl_connection = LCCSCF_USE_SSL;
	ci.protocol = NULL;
	if (!lws_client_connect_via_info(&ci)) {
		fprintf(stderr, "jcl-wsclient: cannot connect to %s\n", url);
		finish(2);
	}

	time_t deadline = time(NULL) + timeout;
	while (!g.done) {
		if (time(NULL) > deadline) {
			fprintf(stderr, "jcl-wsclient: timeout after %d s\n", timeout);
			finish(4);
			break;
		}
		if (lws_service(ctx, 100) < 0)
			break;
	}
	lws_context_destroy(ctx);
	for (size_t i = 0; i < g.nlines; i++)
		free(g.lines[i]);
	free(g.lines);
	free(g.rx);
	return g.exit_code;
}
