/* rpc.c - see rpc.h. */
#include "rpc.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "autostart.h"
#include "cmdtab.h"
#include "conn.h"
#include "envfwd.h"
#include "frame.h"
#include "line.h"
#include "passphrase.h"
#include "progress.h"
#include "sockpath.h"
#include "utf8.h"
#include "version.h"

volatile sig_atomic_t rpc_interrupted;
static const char *rpc_prog = "alien";
/* the request in flight moves files, as cp (CMDTAB_XFER): Ctrl-C says what it stopped */
static int rpc_is_cp;

void rpc_init(struct rpc *r, const char *prog)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->next_id = 1;
	rpc_prog = prog;
}

void rpc_close(struct rpc *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->peer_checked = 0;
	r->in.off = r->in.len = 0;
}

static int rpc_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int rpc_fail(int code, const char *fmt, ...)
{
	va_list ap;

	progress_clear();
	fflush(stdout);
	fprintf(stderr, "%s: ", rpc_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static char *rpc_hello(void)
{
	cJSON *h = cJSON_CreateObject();
	char *out;

	cJSON_AddNumberToObject(h, "proto", FRAME_PROTO_VERSION);
	cJSON_AddStringToObject(h, "client", "alien");
	cJSON_AddStringToObject(h, "version", JALIEND_VERSION);
	cJSON_AddNumberToObject(h, "pid", (double)getpid());
	out = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	return out;
}

static double rpc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Connect and send HELLO (its answer is read with the first reply). */
static int rpc_connect(struct rpc *r)
{
	char why[700], *hello;
	int fd, rc;

	if (r->fd >= 0)
		return 0;
	if (!r->sock[0] && sockpath_resolve(r->sock, sizeof(r->sock)) < 0)
		return rpc_fail(JD_EXIT_NOCONN, "socket path too long: %s",
				getenv("JALIEND_SOCKET"));
	fd = autostart_connect(r->sock, why, sizeof(why));
	if (fd < 0 && why[0])
		return rpc_fail(JD_EXIT_NOCONN, "%s", why);
	if (fd < 0) {
		fflush(stdout);
		fprintf(stderr, "%s: cannot reach jaliend at %s: %s%s\n", rpc_prog, r->sock,
			strerror(-fd),
			(fd == -ENOENT || fd == -ECONNREFUSED)
				? " (is jaliend running? start it with `jaliend` or `systemctl "
				  "--user start jaliend.socket`)"
				: "");
		return JD_EXIT_NOCONN;
	}
	hello = rpc_hello();
	rc = hello ? conn_send(fd, FRAME_HELLO, 0, hello, strlen(hello)) : -ENOMEM;
	free(hello);
	if (rc < 0 && rc != -EPIPE) {
		close(fd);
		return rpc_fail(JD_EXIT_NOCONN, "sending to jaliend at %s: %s", r->sock,
				strerror(-rc));
	}
	r->fd = fd;
	r->peer_checked = 1; /* autostart_connect checked the folder and the peer's uid */
	return 0;
}

void rpc_session_key(char *out, size_t n)
{
	const char *env = getenv("ALIEN_SESSION");

	long bad;

	if (env && *env)
		snprintf(out, n, "%.*s", LIM_SESSION_KEY_MAX - 1, env);
	else
		snprintf(out, n, "sid:%ld", (long)getsid(0));
	/* the daemon refuses a key that is not UTF-8: cut where it stops being
	 * (a sequence cut by the length cap, a stray byte in ALIEN_SESSION) */
	if ((bad = utf8_invalid_at(out)) >= 0)
		out[bad] = '\0';
	if (!out[0])
		snprintf(out, n, "sid:%ld", (long)getsid(0));
}

static char *rpc_build(char *const *argv, int argc, int json, cJSON *extra, int out_tty,
		       int progress)
{
	char session[LIM_SESSION_KEY_MAX], cwd[PATH_MAX];
	const char *from;
	cJSON *req = cJSON_CreateObject(), *args = cJSON_AddArrayToObject(req, "argv"), *env, *it;
	struct winsize ws;
	char *text;

	for (int i = 0; i < argc; i++)
		cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
	rpc_session_key(session, sizeof(session));
	cJSON_AddStringToObject(req, "session", session);
	if ((from = getenv("ALIEN_SESSION_FROM")) && *from && strlen(from) < LIM_SESSION_KEY_MAX &&
	    /* a line of alien -j: its session starts as a copy of this one */
	    utf8_invalid_at(from) < 0)
		cJSON_AddStringToObject(req, "session_from", from);
	if (getcwd(cwd, sizeof(cwd)))
		cJSON_AddStringToObject(req, "cwd", cwd);
	cJSON_AddBoolToObject(req, "json", json);
	if (json == 2) /* a program name with _json: the results only */
		cJSON_AddBoolToObject(req, "json_results", 1);
	/* JALIENPY_DEBUG: the JSON jaliend sends and gets upstream for this command, on stderr
	 * (ALIENPY_DEBUG: in the log file, as alien.py's debug log);
	 * JALIENPY_XRDDEBUG: cp's XRootD operations */
	if (envfwd_debug() == 1)
		cJSON_AddBoolToObject(req, "debug", 1);
	else if (envfwd_debug() == 2)
		cJSON_AddBoolToObject(req, "debug_log", 1);
	if (getenv("JALIENPY_XRDDEBUG"))
		cJSON_AddBoolToObject(req, "xrddebug", 1);
	cJSON_AddBoolToObject(req, "tty", out_tty);
	cJSON_AddBoolToObject(req, "progress", progress);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		cJSON_AddNumberToObject(req, "cols", ws.ws_col);
	env = cJSON_AddObjectToObject(req, "env");
	envfwd_add(env);
	while (extra && (it = extra->child)) {
		cJSON_DetachItemViaPointer(extra, it);
		cJSON_AddItemToObject(req, it->string, it);
	}
	cJSON_Delete(extra);
	text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	return text;
}

static int rpc_sink_add(struct rpc_sink *s, const void *p, size_t n)
{
	if (!s->capture) {
		const char *c = p;

		if (s->fd < 0)
			return 0;
		while (n) {
			ssize_t w = write(s->fd, c, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			c += w;
			n -= (size_t)w;
		}
		return 0;
	}
	if (s->len + n > RPC_CAPTURE_MAX) {
		s->truncated = 1;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = (s->len + n + 1) * 2;
		char *b = realloc(s->buf, cap);

		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

/* Answer a PASSPHRASE prompt from the terminal (never echoed or printed). */
static void rpc_passphrase(struct rpc *r, const struct frame *f)
{
	cJSON *o = cJSON_ParseWithLength((const char *)f->payload, f->len),
	      *ans = cJSON_CreateObject();
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "prompt");
	char pass[PASSPHRASE_MAX], *text;
	int rc;

	if (!r->peer_checked) { /* never: rpc_connect checks every peer; a passphrase needs one */
		cJSON_Delete(ans);
		cJSON_Delete(o);
		return;
	}
	rc = passphrase_ask(cJSON_IsString(p) ? p->valuestring : "Enter passphrase: ", pass,
			    sizeof(pass));
	if (rc == 0)
		cJSON_AddStringToObject(ans, "passphrase", pass);
	else
		cJSON_AddStringToObject(ans, "error",
					rc == -ENXIO   ? "no terminal to ask for the passphrase"
					: rc == -E2BIG ? "passphrase too long"
						       : "no passphrase was entered");
	text = cJSON_PrintUnformatted(ans);
	if (text) {
		conn_send(r->fd, FRAME_PASSPHRASE, f->id, text, strlen(text));
		memset(text, 0, strlen(text));
		free(text);
	}
	memset(pass, 0, sizeof(pass));
	cJSON_Delete(ans);
	cJSON_Delete(o);
}

static void rpc_take_state(struct rpc *r, const cJSON *o)
{
	const cJSON *cwd = cJSON_GetObjectItemCaseSensitive(o, "cwd");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(o, "user");

	if (cJSON_IsString(cwd) && strlen(cwd->valuestring) < sizeof(r->cwd))
		strcpy(r->cwd, cwd->valuestring);
	if (cJSON_IsString(user) && strlen(user->valuestring) < sizeof(r->user))
		strcpy(r->user, user->valuestring);
}

/* Wait until fd is readable; 0, or -EINTR once rpc_interrupted is set. */
static int rpc_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		if (rpc_interrupted)
			return -EINTR;
		if (poll(&p, 1, -1) > 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Read frames until the EXIT of request id. */
static int rpc_pump_frames(struct rpc *r, uint32_t id, struct rpc_sink *out)
{
	for (;;) {
		struct frame f;
		uint8_t *buf;
		int rc = conn_in_ready(&r->in) && !rpc_interrupted ? 0 : rpc_wait(r->fd), code;
		cJSON *o;

		if (rc == -EINTR) {
			conn_send(r->fd, FRAME_CANCEL, id, "{}", 2);
			rpc_interrupted = 0;
			if (rpc_is_cp) {
				progress_clear();
				fflush(stdout);
				fprintf(stderr,
					"%s: cp interrupted: its transfers were cancelled, no "
					"partial file is left\n",
					rpc_prog);
			}
			return JD_EXIT_INTERRUPTED; /* 128 + SIGINT, as a shell reports it */
		}
		rc = rc < 0 ? rc : conn_recv(r->fd, &r->in, &f, &buf);
		if (rc <= 0) {
			rpc_close(r);
			if (rc == 0 || rc == -ECONNRESET)
				return rpc_fail(JD_EXIT_NOCONN,
						"jaliend at %s closed the connection before the "
						"reply ended",
						r->sock);
			return rpc_fail(JD_EXIT_NOCONN, "reading from jaliend at %s failed: %s",
					r->sock, strerror(-rc));
		}
		if (f.id != id && f.type != FRAME_HELLO && f.type != FRAME_ERROR) {
			free(buf); /* left over from a cancelled request */
			continue;
		}
		code = -1;
		switch (f.type) {
		case FRAME_HELLO:
			o = cJSON_ParseWithLength((const char *)f.payload, f.len);
			if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "proto")) ||
			    cJSON_GetObjectItemCaseSensitive(o, "proto")->valueint !=
				    FRAME_PROTO_VERSION)
				code = rpc_fail(JD_EXIT_NOCONN,
						"jaliend at %s speaks another protocol version",
						r->sock);
			cJSON_Delete(o);
			if (code >= 0)
				rpc_close(r);
			break;
		case FRAME_STDOUT:
			progress_clear();
			rpc_sink_add(out, f.payload, f.len);
			break;
		case FRAME_STDERR:
			progress_clear();
			fflush(stdout);
			rpc_sink_add(out->err ? out->err
					      : &(struct rpc_sink){ .fd = STDERR_FILENO },
				     f.payload, f.len);
			break;
		case FRAME_DEBUG: envfwd_log(f.payload, f.len); break;
		case FRAME_PROGRESS: progress_draw((const char *)f.payload, f.len); break;
		case FRAME_PASSPHRASE:
			progress_clear();
			rpc_passphrase(r, &f);
			break;
		case FRAME_EXIT:
			o = cJSON_ParseWithLength((const char *)f.payload, f.len);
			code = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "code"))
				       ? cJSON_GetObjectItemCaseSensitive(o, "code")->valueint &
						 0xff
				       : 1;
			rpc_take_state(r, o);
			cJSON_Delete(o);
			break;
		case FRAME_ERROR:
			o = cJSON_ParseWithLength((const char *)f.payload, f.len);
			code = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "code"))
				       ? cJSON_GetObjectItemCaseSensitive(o, "code")->valueint &
						 0xff
				       : 1;
			rpc_fail(code, "%s",
				 cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "message"))
					 ? cJSON_GetObjectItemCaseSensitive(o, "message")
						   ->valuestring
					 : "(no message)");
			cJSON_Delete(o);
			rpc_close(r); /* the daemon closes after ERROR */
			code = code ? code : 1;
			break;
		default: break;
		}
		free(buf);
		if (code >= 0)
			return code;
	}
}

/* The frames of one reply; a progress bar never outlives it. */
static int rpc_pump(struct rpc *r, uint32_t id, struct rpc_sink *out)
{
	int code = rpc_pump_frames(r, id, out);

	progress_clear();
	return code;
}

int rpc_request(struct rpc *r, char *const *argv, int argc, int json, cJSON *extra,
		struct rpc_sink *out)
{
	char *req;
	uint32_t id;
	int rc, fresh;
	double t0;

	if (argc > LIM_REQUEST_ARGS_MAX) {
		cJSON_Delete(extra);
		return rpc_fail(JD_EXIT_USAGE, "too many arguments (%d, the limit is %d)", argc,
				LIM_REQUEST_ARGS_MAX);
	}
	for (int i = 0; i < argc; i++) {
		long bad = utf8_invalid_at(argv[i]); /* the daemon's rule too (common/utf8.c) */

		if (bad >= 0) {
			char shown[256], verb[128];

			cJSON_Delete(extra);
			return rpc_fail(
				JD_EXIT_USAGE,
				"argument %d (%s) of `%s` is not valid UTF-8 (byte %ld is 0x%02x)",
				i, line_escape(argv[i], shown, sizeof(shown)),
				line_escape(argv[0], verb, sizeof(verb)), bad + 1,
				(unsigned char)argv[i][bad]);
		}
	}
	req = rpc_build(argv, argc, json, extra, out->capture ? 0 : isatty(out->fd),
			!out->capture && progress_enabled());
	if (!req)
		return rpc_fail(1, "%s", exitcode_meaning(JD_EXIT_NOMEM));
	if (strlen(req) > LIM_FRAME_PAYLOAD_MAX) {
		size_t n = strlen(req);

		free(req);
		return rpc_fail(JD_EXIT_USAGE, "command line too long (%zu bytes, the limit is %u)",
				n, LIM_FRAME_PAYLOAD_MAX);
	}
	fresh = r->fd < 0;
	t0 = rpc_now_ms();
	rc = rpc_connect(r);
	if (rc) {
		free(req);
		return rc;
	}
	if (fresh && !out->capture && envfwd_flag("ALIENPY_TIMECONNECT")) {
		/* alien.py 1.7.0's line for its connection; ours is to jaliend
		 * (the websocket is the daemon's), on stdout before the output */
		fflush(stdout);
		dprintf(STDOUT_FILENO, ">>>   AlienConnect::Time for connection: %.3f ms\n",
			rpc_now_ms() - t0);
	}
	id = r->next_id++;
	rpc_is_cp = cmdtab_find(argv[0]) >= 0 &&
		    (cmdtab_rows[cmdtab_find(argv[0])].flags & CMDTAB_XFER);
	rc = conn_send(r->fd, FRAME_REQUEST, id, req, strlen(req));
	free(req);
	if (rc < 0 && rc != -EPIPE) {
		rpc_close(r);
		return rpc_fail(JD_EXIT_NOCONN, "sending to jaliend at %s: %s", r->sock,
				strerror(-rc));
	}
	/* on EPIPE the daemon may still have sent an ERROR frame: read it */
	rc = rpc_pump(r, id, out);
	if (envfwd_debug() == 2 && envfwd_flag("ALIENPY_TIMING")) {
		/* alien.py 1.7.0's timing line in its debug log; ours times the
		 * whole request as this shell sees it (jaliend and JCentral) */
		char line[96];
		int n = snprintf(line, sizeof(line), ">>>__sendmsg time = %.3f ms\n",
				 rpc_now_ms() - t0);

		envfwd_log(line, (size_t)n);
	}
	return rc;
}
