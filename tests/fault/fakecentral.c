/* fakecentral.c - a fake JCentral for fault injection (tests/fault/).
 *
 * A libwebsockets wss server (TLS 1.2, client certificate required) that
 * speaks just enough of the JAliEn JSON protocol: `commandlist` like JCentral
 * (the first row carries the message, then one row per command), `token`
 * refused, and every other command answered according to its mode:
 *
 *   echo        normal reply: the options (without -nokeys/-nomsg/-pwd=) joined
 *   whoami      is always "the account name" (jalien) unless a mode says otherwise
 *   nonjson     a reply that is not JSON
 *   empty       an empty text message
 *   big:N       a reply of N MB (rows of ~1 KB messages)
 *   slow:S      the echo reply after S seconds (other connections are served)
 *   hang        never answer
 *   cut         send the first 64 KiB of a 4 MB reply, then drop the TCP connection
 *   close:K     the echo reply, then, once the connection has sent K replies
 *               (commandlist included), a websocket close 1013 "Session timed out"
 *   doom        the service going away: cut as above, and every connection open
 *               now is dead from then on (a request on it is dropped unanswered
 *               with the TCP connection) and dropped 0.5 s later; connections
 *               opened later work
 *   lockout:S   cut as above, and refuse new websocket connections for S seconds
 *               (the connections open now keep working)
 *   poison      the connection breaks as JCentral's does after a request that
 *               came in several frames: this request and every later one on it
 *               are answered "Incoming JSON is not ok" (22) and not run
 * A mode may end in @N: it applies to the first N such commands only, then echo.
 *
 *   fakecentral --cert host.pem --key host.key --ca-dir DIR [--port P]
 *               [--port-file F] [--default MODE] [--mode CMD=MODE]... [--user NAME]
 *
 * It prints one line per command to stderr ("fakecentral: #3 ls -> big:200").
 * Written for the tests only; nothing here is JCentral's code. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>

#define FC_MODES_MAX 32
#define FC_CHUNK (64u << 10)
#define FC_REQ_MAX 65536

enum fc_kind {
	FK_ECHO,
	FK_NONJSON,
	FK_EMPTY,
	FK_BIG,
	FK_SLOW,
	FK_HANG,
	FK_CUT,
	FK_CLOSE,
	FK_DOOM,
	FK_LOCKOUT,
	FK_POISON
};

struct fc_mode {
	char cmd[64]; /* "" = the default */
	enum fc_kind kind;
	long arg;
	long times; /* applies this many times (-1: always) */
};

struct fc_conn {
	struct lws *wsi;
	char *rx;
	size_t rx_len;
	char *tx; /* reply being sent */
	size_t tx_len, tx_off;
	size_t cut_at; /* drop the connection once this much went out (0: never) */
	long close_at; /* close with 1013 once this many replies went out (0: never) */
	int closing;
	int poisoned;	   /* poison: every request from now on fails to "parse" */
	unsigned long gen; /* order of opening (1, 2, ...) */
	unsigned long replies;
	char cwd[512];
	lws_sorted_usec_list_t sul;
	char *parked; /* slow: the reply waiting for its time */
	size_t parked_len;
};

static struct {
	const char *cert, *key, *ca_dir, *port_file, *user;
	int port;
	struct fc_mode modes[FC_MODES_MAX];
	int nmodes;
	unsigned long served;
	struct lws_context *ctx;
	unsigned long opened; /* connections opened so far */
	unsigned long doomed; /* connections with gen <= this are dead (doom) */
	time_t refuse_until;  /* lockout: no new connections before this */
	int drop_doomed;      /* doom: 0.5 s later, doomed connections go */
	lws_sorted_usec_list_t sul_doom;
	volatile sig_atomic_t stop;
} fc = { .user = "jalien" };

static const char *const fc_known[] = {
	"whoami", "pwd", "echo", "ls",	   "cd",	  "cat",   "stat",     "find",	 "mkdir",
	"touch",  "rm",	 "motd", "uptime", "commandlist", "token", "faultcmd", "mutate", NULL,
};

static int fc_parse_mode(const char *spec, struct fc_mode *m)
{
	static const char *const names[] = { "echo", "nonjson", "empty", "big",	    "slow",  "hang",
					     "cut",  "close",	"doom",	 "lockout", "poison" };
	const char *at = strchr(spec, '@');
	size_t len = at ? (size_t)(at - spec) : strlen(spec);

	m->times = at ? atol(at + 1) : -1;
	for (int k = 0; k <= FK_POISON; k++) {
		size_t n = strlen(names[k]);

		if (len >= n && strncmp(spec, names[k], n) == 0 && (len == n || spec[n] == ':')) {
			m->kind = (enum fc_kind)k;
			m->arg = len > n ? atol(spec + n + 1) : 0;
			return 0;
		}
	}
	fprintf(stderr, "fakecentral: unknown mode %s\n", spec);
	return -1;
}

/* The mode that applies to cmd now, or NULL (echo). */
static struct fc_mode *fc_mode_find(const char *cmd)
{
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < fc.nmodes; i++)
			if (strcmp(fc.modes[i].cmd, pass ? "" : cmd) == 0 && fc.modes[i].times != 0)
				return &fc.modes[i];
	return NULL;
}

/* The mode for cmd (used up once per call when it has a count). */
static struct fc_mode fc_mode_for(const char *cmd)
{
	struct fc_mode echo = { .kind = FK_ECHO, .times = -1 }, *m = fc_mode_find(cmd);

	if (!m)
		return echo;
	if (m->times > 0)
		m->times--;
	return *m;
}

static char *fc_reply(const struct fc_conn *c, const char *error, int code, cJSON *results)
{
	cJSON *o = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(o, "metadata");
	char ec[16];
	char *text;

	snprintf(ec, sizeof(ec), "%d", code);
	cJSON_AddStringToObject(meta, "currentdir", c->cwd);
	cJSON_AddStringToObject(meta, "exitcode", ec);
	cJSON_AddStringToObject(meta, "error", error);
	cJSON_AddStringToObject(meta, "user", fc.user);
	cJSON_AddItemToObject(o, "results", results ? results : cJSON_CreateArray());
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

static cJSON *fc_rows(const char *message)
{
	cJSON *rows = cJSON_CreateArray(), *row = cJSON_CreateObject();

	cJSON_AddStringToObject(row, "message", message);
	cJSON_AddItemToArray(rows, row);
	return rows;
}

static char *fc_commandlist(const struct fc_conn *c)
{
	cJSON *rows = cJSON_CreateArray();
	char msg[1024] = "";

	for (int i = 0; fc_known[i]; i++) {
		strncat(msg, fc_known[i], sizeof(msg) - strlen(msg) - 2);
		strcat(msg, " ");
	}
	for (int i = 0; fc_known[i]; i++) {
		cJSON *row = cJSON_CreateObject();

		if (i == 0)
			cJSON_AddStringToObject(row, "message", msg);
		cJSON_AddStringToObject(row, "commandlist", fc_known[i]);
		cJSON_AddItemToArray(rows, row);
	}
	for (int i = 0; i < fc.nmodes; i++) { /* commands named in --mode exist too */
		cJSON *row = cJSON_CreateObject();

		if (!fc.modes[i].cmd[0])
			continue;
		cJSON_AddStringToObject(row, "commandlist", fc.modes[i].cmd);
		cJSON_AddItemToArray(rows, row);
	}
	return fc_reply(c, "", 0, rows);
}

/* A reply of about mb MB: rows of ~1 KB messages. */
static char *fc_big(const struct fc_conn *c, long mb, size_t *len)
{
	size_t target = (size_t)mb << 20, off;
	const char *head = "{\"metadata\":{\"currentdir\":\"/"
			   "\",\"exitcode\":\"0\",\"error\":\"\",\"user\":\"jalien\"},"
			   "\"results\":[";
	char *buf = malloc(target + 4096);
	unsigned long row = 0;

	(void)c;
	if (!buf)
		return NULL;
	off = (size_t)sprintf(buf, "%s", head);
	while (off < target) {
		off += (size_t)sprintf(buf + off, "%s{\"message\":\"row %08lu ", row ? "," : "",
				       row);
		memset(buf + off, 'x', 1000);
		off += 1000;
		off += (size_t)sprintf(buf + off, "\"}");
		row++;
	}
	off += (size_t)sprintf(buf + off, "]}");
	*len = off;
	return buf;
}

static void fc_send(struct fc_conn *c, char *text, size_t len)
{
	c->tx = text;
	c->tx_len = len;
	c->tx_off = 0;
	lws_callback_on_writable(c->wsi);
}

static const struct lws_protocols fc_protocols[];

static void fc_doom_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	fc.drop_doomed = 1;
	lws_callback_on_writable_all_protocol(fc.ctx, &fc_protocols[0]);
}

static void fc_slow_cb(lws_sorted_usec_list_t *sul)
{
	struct fc_conn *c = lws_container_of(sul, struct fc_conn, sul);

	fc_send(c, c->parked, c->parked_len);
	c->parked = NULL;
}

/* Options without the daemon's own (-nokeys, -nomsg, -pwd=); -pwd= moves the cwd. */
static void fc_options(struct fc_conn *c, const cJSON *opts, char *out, size_t n)
{
	const cJSON *o;

	out[0] = '\0';
	cJSON_ArrayForEach (o, opts) {
		if (!cJSON_IsString(o))
			continue;
		if (strncmp(o->valuestring, "-pwd=", 5) == 0) {
			snprintf(c->cwd, sizeof(c->cwd), "%s", o->valuestring + 5);
			continue;
		}
		if (strcmp(o->valuestring, "-nokeys") == 0 || strcmp(o->valuestring, "-nomsg") == 0)
			continue;
		if (out[0])
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, o->valuestring, n - strlen(out) - 1);
	}
}

static int fc_on_request(struct fc_conn *c)
{
	cJSON *req = cJSON_ParseWithLength(c->rx, c->rx_len);
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(req, "command");
	const char *name = cJSON_IsString(cmd) ? cmd->valuestring : "?";
	struct fc_mode m = { .kind = FK_ECHO };
	char args[2048], *text = NULL;
	size_t len = 0;

	c->rx_len = 0;
	fc_options(c, cJSON_GetObjectItemCaseSensitive(req, "options"), args, sizeof(args));
	fc.served++;
	if (c->gen <= fc.doomed) {
		fprintf(stderr, "fakecentral: #%lu %s %s on doomed connection %lu: dropped\n",
			fc.served, name, args, c->gen);
		cJSON_Delete(req);
		return -1;
	}
	if (!c->poisoned && strcmp(name, "commandlist") != 0 && strcmp(name, "token") != 0 &&
	    fc_mode_find(name) && fc_mode_find(name)->kind == FK_POISON) {
		(void)fc_mode_for(name); /* use up one of its @N */
		c->poisoned = 1;
	}
	if (c->poisoned) {
		m.kind = FK_POISON;
		text = fc_reply(c, "Incoming JSON is not ok", 22, NULL);
	} else if (strcmp(name, "commandlist") == 0) {
		text = fc_commandlist(c);
	} else if (strcmp(name, "token") == 0) {
		text = fc_reply(c, "Function not implemented : no tokens from fakecentral", 38,
				NULL);
	} else {
		m = fc_mode_for(name);
		if (m.kind == FK_ECHO || m.kind == FK_SLOW || m.kind == FK_CLOSE)
			text = fc_reply(c, "", 0,
					fc_rows(strcmp(name, "whoami") == 0 ? fc.user
						: strcmp(name, "pwd") == 0  ? c->cwd
									    : args));
		else if (m.kind == FK_NONJSON)
			text = strdup("this is not JSON <html>");
		else if (m.kind == FK_EMPTY)
			text = strdup("");
		else if (m.kind == FK_BIG || m.kind == FK_CUT || m.kind == FK_DOOM ||
			 m.kind == FK_LOCKOUT)
			text = fc_big(c, m.kind == FK_BIG ? m.arg : 4, &len);
	}
	fprintf(stderr, "fakecentral: #%lu %s %s (mode %d:%ld)\n", fc.served, name, args,
		(int)m.kind, m.arg);
	cJSON_Delete(req);
	if (m.kind == FK_HANG)
		return 0;
	if (!text)
		return -1;
	if (!len)
		len = strlen(text);
	if (m.kind == FK_CUT || m.kind == FK_DOOM || m.kind == FK_LOCKOUT)
		c->cut_at = FC_CHUNK;
	if (m.kind == FK_DOOM) {
		fc.drop_doomed = 0;
		lws_sul_schedule(fc.ctx, 0, &fc.sul_doom, fc_doom_cb, 500 * LWS_US_PER_MS);
	}
	if (m.kind == FK_LOCKOUT)
		fc.refuse_until = time(NULL) + m.arg;
	if (m.kind == FK_DOOM)
		fc.doomed = fc.opened; /* every connection open now; c itself is cut */
	c->close_at = m.kind == FK_CLOSE ? (m.arg > 0 ? m.arg : 1) : 0;
	if (m.kind == FK_SLOW) {
		c->parked = text;
		c->parked_len = len;
		lws_sul_schedule(lws_get_context(c->wsi), 0, &c->sul, fc_slow_cb,
				 (lws_usec_t)m.arg * LWS_US_PER_SEC);
		return 0;
	}
	fc_send(c, text, len);
	return 0;
}

static int fc_on_rx(struct fc_conn *c, const void *in, size_t len)
{
	if (len > FC_REQ_MAX - c->rx_len)
		return -1;
	if (!c->rx && !(c->rx = malloc(FC_REQ_MAX)))
		return -1;
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	return lws_is_final_fragment(c->wsi) ? fc_on_request(c) : 0;
}

static int fc_on_writable(struct fc_conn *c)
{
	size_t n;
	int flags;
	static unsigned char chunk[LWS_PRE + FC_CHUNK];

	if (fc.drop_doomed && c->gen <= fc.doomed) {
		fprintf(stderr, "fakecentral: dropping doomed connection %lu\n", c->gen);
		return -1;
	}
	if (c->closing) {
		lws_close_reason(c->wsi, (enum lws_close_status)1013,
				 (unsigned char *)"Session timed out", 17);
		return -1;
	}
	if (!c->tx)
		return 0;
	if (lws_send_pipe_choked(c->wsi)) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (c->cut_at && c->tx_off >= c->cut_at) {
		fprintf(stderr, "fakecentral: dropping the connection after %zu of %zu bytes\n",
			c->tx_off, c->tx_len);
		return -1; /* no close frame: the TCP connection just ends */
	}
	n = c->tx_len - c->tx_off;
	if (n > FC_CHUNK)
		n = FC_CHUNK;
	flags = lws_write_ws_flags(LWS_WRITE_TEXT, c->tx_off == 0, c->tx_off + n == c->tx_len);
	memcpy(chunk + LWS_PRE, c->tx + c->tx_off, n);
	if (lws_write(c->wsi, chunk + LWS_PRE, n, (enum lws_write_protocol)flags) < (int)n)
		return -1;
	c->tx_off += n;
	if (c->tx_off < c->tx_len) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	free(c->tx);
	c->tx = NULL;
	c->replies++;
	if (c->close_at && (long)c->replies >= c->close_at) {
		c->closing = 1;
		lws_callback_on_writable(c->wsi);
	}
	return 0;
}

static int fc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		       size_t len)
{
	struct fc_conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		return SSL_CTX_load_verify_locations((SSL_CTX *)user, NULL, fc.ca_dir) == 1 ? 0 : 1;
	case LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION:
		return len ? 0 : 1; /* len: OpenSSL's preverify_ok */
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (time(NULL) < fc.refuse_until) {
			fprintf(stderr, "fakecentral: locked out: connection refused\n");
			return 1;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
		memset(c, 0, sizeof(*c));
		c->wsi = wsi;
		c->gen = ++fc.opened;
		snprintf(c->cwd, sizeof(c->cwd), "/alice/cern.ch/user/j/%s/", fc.user);
		fprintf(stderr, "fakecentral: session opened\n");
		return 0;
	case LWS_CALLBACK_RECEIVE: return fc_on_rx(c, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE: return fc_on_writable(c);
	case LWS_CALLBACK_CLOSED:
		lws_sul_cancel(&c->sul);
		free(c->rx);
		free(c->tx);
		free(c->parked);
		memset(c, 0, sizeof(*c));
		fprintf(stderr, "fakecentral: session closed\n");
		return 0;
	case LWS_CALLBACK_HTTP: lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL); return -1;
	default: return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols fc_protocols[] = {
	{ "jalien", fc_callback, sizeof(struct fc_conn), 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void fc_on_signal(int sig)
{
	(void)sig;
	fc.stop = 1;
}

static int fc_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return -1;
		i++;
		if (strcmp(a, "--cert") == 0)
			fc.cert = v;
		else if (strcmp(a, "--key") == 0)
			fc.key = v;
		else if (strcmp(a, "--ca-dir") == 0)
			fc.ca_dir = v;
		else if (strcmp(a, "--port") == 0)
			fc.port = atoi(v);
		else if (strcmp(a, "--port-file") == 0)
			fc.port_file = v;
		else if (strcmp(a, "--user") == 0)
			fc.user = v;
		else if ((strcmp(a, "--mode") == 0 || strcmp(a, "--default") == 0) &&
			 fc.nmodes < FC_MODES_MAX) {
			struct fc_mode *m = &fc.modes[fc.nmodes++];
			const char *eq = strchr(v, '=');

			if (a[2] == 'm' && !eq)
				return -1;
			if (a[2] == 'm')
				snprintf(m->cmd, sizeof(m->cmd), "%.*s", (int)(eq - v), v);
			if (fc_parse_mode(a[2] == 'm' ? eq + 1 : v, m) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	return fc.cert && fc.key && fc.ca_dir ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct lws_context *ctx;
	struct lws_vhost *vh;

	if (fc_args(argc, argv) < 0) {
		fprintf(stderr,
			"usage: fakecentral --cert F --key F --ca-dir D [--port P] [--port-file F] "
			"[--default MODE] [--mode CMD=MODE]... [--user NAME]\n");
		return 2;
	}
	signal(SIGTERM, fc_on_signal);
	signal(SIGINT, fc_on_signal);
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = fc.port;
	info.iface = "127.0.0.1";
	info.protocols = fc_protocols;
	info.ssl_cert_filepath = fc.cert;
	info.ssl_private_key_filepath = fc.key;
	info.ssl_options_set = (long)(SSL_OP_NO_TLSv1_3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT |
		       LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	ctx = lws_create_context(&info);
	fc.ctx = ctx;
	vh = ctx ? lws_get_vhost_by_name(ctx, "default") : NULL;
	if (!vh) {
		fprintf(stderr, "fakecentral: cannot listen on 127.0.0.1:%d\n", fc.port);
		return 1;
	}
	if (fc.port_file) {
		FILE *f = fopen(fc.port_file, "w");

		if (!f || fprintf(f, "%d\n", lws_get_vhost_listen_port(vh)) < 0 || fclose(f) != 0) {
			fprintf(stderr, "fakecentral: cannot write %s\n", fc.port_file);
			return 1;
		}
	}
	fprintf(stderr, "fakecentral: listening on 127.0.0.1:%d\n", lws_get_vhost_listen_port(vh));
	while (!fc.stop && lws_service(ctx, 0) >= 0)
		;
	lws_context_destroy(ctx);
	return 0;
}
