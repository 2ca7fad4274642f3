/* direct.c - alien-direct: one grid command without jaliend.
 *
 *   alien-direct <command> [arguments...]      (also: alien --direct <command> ...)
 *
 * Does per invocation what alien.py does: checks the credentials, connects
 * (TLS 1.2 with the user certificate, websocket upgrade), runs `commandlist`,
 * then the command, closes, and prints the reply exactly as the daemon path
 * does (daemon/render.c): same text, same JSON, same exit codes.
 * For users in containers or batch jobs where no daemon runs; every call
 * pays the full log-in (see docs/PERFORMANCE.md).
 *
 * Environment: JALIEND_ENDPOINT (default wss://alice-jcentral.cern.ch:8097/websocket/json),
 * X509_USER_CERT, X509_USER_KEY, X509_CERT_DIR, ALIENPY_JSON or
 * ALIENPY_JSON_OUT_GLOBAL (JSON output),
 * ALIEN_DIRECT_TIMING=1 (one line of phase timings on stderr),
 * ALIEN_DIRECT_DEBUG=1 (libwebsockets' errors and warnings on stderr). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "upstream/auth.h"
#include "caps.h"
#include "oneshot.h"
#include "command/render.h"
#include "version.h"

#define DIRECT_DEFAULT_ENDPOINT "wss://alice-jcentral.cern.ch:8097/websocket/json"
#define DIRECT_OUT_CHUNK (64u << 10) /* bytes written per write() */

static const char direct_usage[] =
	"usage: alien-direct <command> [arguments...]\n"
	"Runs one JAliEn command without jaliend: log in, `commandlist`, the command, log out.\n"
	"Output and exit codes are those of alien-<command> through the daemon.\n"
	"Environment: JALIEND_ENDPOINT (default " DIRECT_DEFAULT_ENDPOINT "),\n"
	"X509_USER_CERT, X509_USER_KEY (default ~/.globus/usercert.pem, userkey.pem),\n"
	"X509_CERT_DIR (default /etc/grid-security/certificates), ALIENPY_JSON,\n"
	"ALIEN_DIRECT_TIMING=1 (phase timings on stderr), ALIEN_DIRECT_DEBUG=1.\n";

static int direct_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line on stderr, "alien-direct: ...", and the exit code to use. */
static int direct_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("alien-direct: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static double direct_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int direct_env_on(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

static int direct_write_all(int fd, const char *p, size_t n)
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

/* Print r to fd 1/2; returns r's exit code. Frees r.
 * render_next gives one result at a time (often one short line): gather
 * pieces up to DIRECT_OUT_CHUNK per write(), flushing whenever the fd
 * changes so stdout and stderr keep their order. */
static int direct_print(struct render *r)
{
	static char piece[DIRECT_OUT_CHUNK], out[DIRECT_OUT_CHUNK];
	size_t n, len = 0;
	int fd, ofd = 1, code, broken = 0;

	if (!r)
		return direct_fail(1, "%s", exitcode_meaning(JD_EXIT_NOMEM));
	while (!broken && (n = render_next(r, piece, sizeof(piece), &fd)) > 0) {
		if (len && (fd != ofd || len + n > sizeof(out))) {
			broken = direct_write_all(ofd, out, len) < 0;
			len = 0;
		}
		memcpy(out + len, piece, n);
		len += n;
		ofd = fd;
	}
	if (len && !broken)
		direct_write_all(ofd, out, len);
	code = render_exit_code(r);
	render_free(r);
	return code;
}

/* alien.py's aliases: ls gets -F; ll, la, lla are ls -F with -l / -a. */
static const char *direct_rewrite(const char *verb, const char **extra1, const char **extra2,
				  const char **extra3)
{
	*extra1 = *extra2 = *extra3 = NULL;
	if (strcmp(verb, "ls") == 0) {
		*extra1 = "-F";
		return "ls";
	}
	if (strcmp(verb, "ll") == 0 || strcmp(verb, "la") == 0 || strcmp(verb, "lla") == 0) {
		*extra1 = "-F";
		*extra2 = strcmp(verb, "la") == 0 ? "-a" : "-l";
		*extra3 = strcmp(verb, "lla") == 0 ? "-a" : NULL;
		return "ls";
	}
	return verb;
}

/* The options JCentral gets: -nokeys first in text mode, the alias' flags,
 * then the arguments without -json. NULL on ENOMEM. */
static cJSON *direct_options(int argc, char **argv, int json, const char *e1, const char *e2,
			     const char *e3)
{
	cJSON *opts = cJSON_CreateArray();
	const char *pre[] = { json ? NULL : "-nokeys", e1, e2, e3 };

	for (size_t i = 0; opts && i < sizeof(pre) / sizeof(pre[0]); i++)
		if (pre[i] && !cJSON_AddItemToArray(opts, cJSON_CreateString(pre[i])))
			goto fail;
	for (int i = 0; opts && i < argc; i++)
		if (strcmp(argv[i], "-json") != 0 &&
		    !cJSON_AddItemToArray(opts, cJSON_CreateString(argv[i])))
			goto fail;
	return opts;
fail:
	cJSON_Delete(opts);
	return NULL;
}

/* Whether the `commandlist` reply lists verb (entries ending in _csd are
 * dropped, as alien.py does). */
static int direct_known(const cJSON *cmdlist, const char *verb)
{
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(cmdlist, "results"), *row;

	cJSON_ArrayForEach (row, results) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "commandlist");
		size_t len;

		if (!cJSON_IsString(c) || strcmp(c->valuestring, verb) != 0)
			continue;
		len = strlen(c->valuestring);
		return !(len > 4 && strcmp(c->valuestring + len - 4, "_csd") == 0);
	}
	return 0;
}

static const char *direct_home(const cJSON *reply)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *dir = cJSON_GetObjectItemCaseSensitive(meta, "currentdir");

	return cJSON_IsString(dir) ? dir->valuestring : NULL;
}

struct direct_cmd {
	const char *verb;
	int argc; /* arguments after the verb */
	char **argv;
	int json;
};

/* After `commandlist`: the command's output as a render (or NULL + *code). */
static struct render *direct_run(struct oneshot *os, const struct direct_cmd *dc,
				 const cJSON *cmdlist, int *code, char *err, size_t errn)
{
	const char *e1, *e2, *e3, *sverb = direct_rewrite(dc->verb, &e1, &e2, &e3);
	char line[300];
	cJSON *opts, *reply;

	if (strcmp(dc->verb, "home") == 0 && direct_home(cmdlist)) {
		snprintf(line, sizeof(line), "%s\n", direct_home(cmdlist));
		return render_local(line, NULL, 0);
	}
	if (strcmp(dc->verb, "home") == 0)
		sverb = "pwd";
	else if (strcmp(sverb, dc->verb) == 0 && !direct_known(cmdlist, dc->verb)) {
		snprintf(line, sizeof(line),
			 "WARNING! command >>> %.200s <<< not in the list of known commands!\n",
			 dc->verb);
		return render_local(NULL, line, 1);
	}
	opts = direct_options(dc->argc, dc->argv, dc->json, e1, e2, e3);
	if (!opts) {
		*code = 1;
		snprintf(err, errn, "%s", exitcode_meaning(JD_EXIT_NOMEM));
		return NULL;
	}
	reply = oneshot_call(os, sverb, opts, code, err, errn);
	cJSON_Delete(opts);
	return reply ? render_reply(reply, dc->json, NULL) : NULL;
}

static int direct_parse(int argc, char **argv, struct direct_cmd *dc)
{
	memset(dc, 0, sizeof(*dc));
	/* set and not empty, as alien.py 1.7.0 (and the shim: client/envfwd.c) */
	dc->json = (getenv("ALIENPY_JSON") && *getenv("ALIENPY_JSON")) ||
		   (getenv("ALIENPY_JSON_OUT_GLOBAL") && *getenv("ALIENPY_JSON_OUT_GLOBAL"));
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-json") == 0)
			dc->json = 1;
	argc--, argv++;
	while (argc && strcmp(argv[0], "-json") == 0) /* "-json" before the verb */
		argc--, argv++;
	if (!argc)
		return -EINVAL;
	dc->verb = argv[0];
	dc->argc = argc - 1;
	dc->argv = argv + 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct oneshot_cfg cfg = { 0 };
	struct auth_files af;
	struct direct_cmd dc;
	struct oneshot *os;
	struct render *out = NULL;
	cJSON *cmdlist;
	char err[1200];
	double t0 = direct_now_ms(), t_open, t_list, t_cmd, t_close;
	int code = 0;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(direct_usage, stdout);
		return 0;
	}
	if (argc - 1 > LIM_REQUEST_ARGS_MAX)
		return direct_fail(JD_EXIT_USAGE, "too many arguments (%d, the limit is %d)",
				   argc - 1, LIM_REQUEST_ARGS_MAX);
	if (direct_parse(argc, argv, &dc) < 0)
		return direct_fail(
			JD_EXIT_USAGE,
			"no command given (usage: alien-direct <command> [arguments...])");
	if (strcmp(dc.verb, "version") == 0) {
		printf("alien-direct version: %s\nmode: direct (no daemon: one connection per "
		       "command)\n",
		       JALIEND_VERSION);
		return 0;
	}
	if (strcmp(dc.verb, "daemon") == 0)
		return direct_fail(JD_EXIT_USAGE,
				   "`daemon` controls jaliend; there is no daemon in direct mode");

	cfg.endpoint = getenv("JALIEND_ENDPOINT") && *getenv("JALIEND_ENDPOINT")
			       ? getenv("JALIEND_ENDPOINT")
			       : DIRECT_DEFAULT_ENDPOINT;
	if (auth_resolve(&af, err, sizeof(err)) < 0)
		return direct_fail(JD_EXIT_NOCONN, "%s", err);
	cfg.cert = af.cert;
	cfg.key = af.key;
	cfg.ca_dir = af.ca_dir;
	cfg.verbose = direct_env_on("ALIEN_DIRECT_DEBUG");

	os = oneshot_open(&cfg, &code, err, sizeof(err));
	t_open = direct_now_ms();
	if (!os)
		return direct_fail(code, "%s", err);
	cmdlist = oneshot_call(os, "commandlist", NULL, &code, err, sizeof(err));
	t_list = t_cmd = direct_now_ms();
	if (cmdlist) {
		out = direct_run(os, &dc, cmdlist, &code, err, sizeof(err));
		t_cmd = direct_now_ms();
		cJSON_Delete(cmdlist);
	}
	oneshot_close(os);
	t_close = direct_now_ms();
	signal(SIGPIPE, SIG_DFL); /* lws ignored it; print like the shim does */
	if (!cmdlist || !out) {
		if (!cmdlist && code == JD_EXIT_EMPTY)
			code = 1; /* as alien.py: could not fetch commandlist */
		code = direct_fail(code, "%s", err);
	} else {
		code = direct_print(out);
	}
	if (direct_env_on("ALIEN_DIRECT_TIMING"))
		fprintf(stderr,
			"alien-direct: timing_ms setup=%.3f commandlist=%.3f command=%.3f "
			"close=%.3f print=%.3f\n",
			t_open - t0, t_list - t_open, t_cmd - t_list, t_close - t_cmd,
			direct_now_ms() - t_close);
	return code;
}
