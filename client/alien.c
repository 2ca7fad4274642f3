/* alien.c - the multi-call shim: alien <cmd> [args], alien-<cmd>, alien_<cmd>.
 *
 * It forwards the command line, the terminal-session key, the local cwd and
 * a few tty facts to jaliend over the local socket, copies the STDOUT/STDERR
 * frames it gets back to fd 1/2, and exits with the code of the EXIT frame.
 * Links libc and cJSON only. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "autostart.h"
#include "conn.h"
#include "frame.h"
#include "caps.h"
#include "sockpath.h"

#define ALIEN_REQUEST_ID 1

static const char *alien_prog = "alien";

static void alien_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void alien_die(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", alien_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* "alien-ls" -> "ls", "alien_ls" -> "ls", "alien" -> NULL. */
static const char *alien_verb_from_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	alien_prog = base;
	if (strncmp(base, "alien", 5) == 0 && (base[5] == '-' || base[5] == '_') && base[6])
		return base + 6;
	return NULL;
}

static void alien_session_key(char *out, size_t n)
{
	const char *env = getenv("ALIEN_SESSION");

	if (env && *env)
		snprintf(out, n, "%.*s", LIM_SESSION_KEY_MAX - 1, env);
	else
		snprintf(out, n, "sid:%ld", (long)getsid(0));
}

static char *alien_build_request(const char *verb, int argc, char **argv)
{
	char session[LIM_SESSION_KEY_MAX], cwd[PATH_MAX];
	cJSON *req = cJSON_CreateObject();
	cJSON *args = cJSON_AddArrayToObject(req, "argv");
	struct winsize ws;
	char *out;

	if (verb)
		cJSON_AddItemToArray(args, cJSON_CreateString(verb));
	for (int i = 0; i < argc; i++)
		cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
	alien_session_key(session, sizeof(session));
	cJSON_AddStringToObject(req, "session", session);
	if (getcwd(cwd, sizeof(cwd)))
		cJSON_AddStringToObject(req, "cwd", cwd);
	cJSON_AddBoolToObject(req, "json", getenv("ALIENPY_JSON") != NULL);
	cJSON_AddBoolToObject(req, "tty", isatty(STDOUT_FILENO));
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		cJSON_AddNumberToObject(req, "cols", ws.ws_col);
	out = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	return out;
}

static char *alien_build_hello(void)
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

static int alien_write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A JSON control frame's integer field, or def. */
static int alien_json_int(const struct frame *f, const char *key, int def, char *msg, size_t msgn)
{
	cJSON *o = cJSON_ParseWithLength((const char *)f->payload, f->len);
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "message");
	int r = cJSON_IsNumber(v) ? v->valueint : def;

	if (msg && msgn)
		snprintf(msg, msgn, "%s", cJSON_IsString(m) ? m->valuestring : "(no message)");
	cJSON_Delete(o);
	return r;
}

/* Copy frames to the terminal until EXIT; returns the exit code. */
static int alien_pump(int fd, const char *sock)
{
	char msg[1024];

	for (;;) {
		struct frame f;
		uint8_t *buf;
		int r = conn_recv(fd, &f, &buf), code;

		if (r == 0 || r == -ECONNRESET)
			alien_die(ALIEN_EXIT_NOCONN, "jaliend at %s closed the connection before the reply ended", sock);
		if (r < 0)
			alien_die(ALIEN_EXIT_NOCONN, "reading from jaliend at %s: %s", sock, strerror(-r));
		switch (f.type) {
		case FRAME_HELLO:
			if (alien_json_int(&f, "proto", 0, NULL, 0) != FRAME_PROTO_VERSION)
				alien_die(ALIEN_EXIT_NOCONN, "jaliend at %s speaks another protocol version", sock);
			break;
		case FRAME_STDOUT:
		case FRAME_STDERR:
			if (f.type == FRAME_STDERR)
				fflush(stdout);
			alien_write_all(f.type == FRAME_STDOUT ? STDOUT_FILENO : STDERR_FILENO, f.payload, f.len);
			break;
		case FRAME_EXIT:
			code = alien_json_int(&f, "code", 1, NULL, 0);
			free(buf);
			return code & 0xff;
		case FRAME_ERROR:
			code = alien_json_int(&f, "code", 1, msg, sizeof(msg));
			free(buf);
			alien_die(code ? code : 1, "%s", msg);
			break;
		default:
			break; /* PROGRESS etc.: not used by this command */
		}
		free(buf);
	}
}

int main(int argc, char **argv)
{
	const char *verb = alien_verb_from_name(argc ? argv[0] : "alien");
	char sock[512];
	char *hello, *req;
	int fd, r;

	argc--, argv++;
	if (!verb && argc == 0)
		alien_die(ALIEN_EXIT_USAGE, "no command given (usage: alien <command> [arguments...])");
	if (argc > LIM_REQUEST_ARGS_MAX)
		alien_die(ALIEN_EXIT_USAGE, "too many arguments (%d, the limit is %d)", argc, LIM_REQUEST_ARGS_MAX);
	r = sockpath_resolve(sock, sizeof(sock));
	if (r < 0)
		alien_die(ALIEN_EXIT_NOCONN, "socket path too long: %s", getenv("JALIEND_SOCKET"));
	req = alien_build_request(verb, argc, argv);
	hello = alien_build_hello();
	if (!req || !hello)
		alien_die(1, "out of memory");
	if (strlen(req) > LIM_FRAME_PAYLOAD_MAX)
		alien_die(ALIEN_EXIT_USAGE, "command line too long (%zu bytes, the limit is %u)", strlen(req),
			  LIM_FRAME_PAYLOAD_MAX);
	fd = autostart_connect(sock);
	if (fd < 0) {
		const char *hint = (fd == -ENOENT || fd == -ECONNREFUSED)
			? " (is jaliend running? start it with `jaliend` or `systemctl --user start jaliend.socket`)" : "";
		fprintf(stderr, "%s: cannot reach jaliend at %s: %s%s\n", alien_prog, sock, strerror(-fd), hint);
		return ALIEN_EXIT_NOCONN;
	}
	r = conn_send(fd, FRAME_HELLO, 0, hello, strlen(hello));
	if (r == 0)
		r = conn_send(fd, FRAME_REQUEST, ALIEN_REQUEST_ID, req, strlen(req));
	free(hello);
	free(req);
	if (r < 0 && r != -EPIPE)
		alien_die(ALIEN_EXIT_NOCONN, "sending to jaliend at %s: %s", sock, strerror(-r));
	/* on EPIPE the daemon may still have sent an ERROR frame: read it */
	return alien_pump(fd, sock);
}
