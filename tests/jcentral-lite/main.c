/* main.c - jcentral-lite: command line, start-up (database, bootstrap tree), signals, loop. */
#include "jcl.h"
#include "auth.h"
#include "catalogue.h"
#include "token.h"
#include "replicas.h"
#include "settings.h"
#include "jobs.h"
#include "ws.h"
#include "cmdcount.h"
#include "throttle.h"

#include <libwebsockets.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2

static volatile int g_stop;
static bool g_verbose;
static struct lws_context *volatile g_ctx;

static void vlog(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void vlog(const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(stderr, "jcentral-lite[%d] %s.%03ld: ", (int)getpid(), when, ts.tv_nsec / 1000000);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void jcl_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void jcl_debug(const char *fmt, ...)
{
	va_list ap;
	if (!g_verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

long long jcl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int jcl_home_of(const struct jcl_server *srv, const char *account, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s%c/%s/", srv->home_base, account[0], account);
	return (n < 0 || (size_t)n >= outsz) ? -ENAMETOOLONG : 0;
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
	/* wake poll() even if the signal arrived just before it (lws_cancel_service only writes
	 * to the loop's event pipe) */
	if (g_ctx)
		lws_cancel_service(g_ctx);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: jcentral-lite --cert FILE --key FILE --ca-dir DIR --db FILE --users FILE\n"
		"                     [--listen 127.0.0.1] [--port N] [--port-file FILE]\n"
		"                     [--home-base /localhost/localdomain/user/] [--idle-timeout "
		"SEC]\n"
		"                     [--no-deflate] [--fixed-reassembly] [--verbose] [--throttle "
		"on|off]\n"
		"                     [--slow CMD=MS]... [--service-time real|off] [--counts "
		"FILE]\n"
		"                     [--envelopes encrypted|signed]\n"
		"                     [--token-ca-cert FILE --token-ca-key FILE]\n"
		"                     [--token-days N | --token-seconds N]\n"
		"                     [--se NAME=root://127.0.0.1:PORT//abs/path[,tag...]]...\n"
		"                     [--job-tick MS] [--trace-untimed TEXT]\n");
}

static int die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "jcentral-lite: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* CMD=MS */
static int parse_slow(struct jcl_server *srv, const char *val)
{
	const char *eq = strchr(val, '=');
	int ms;

	if (!eq || eq == val || (size_t)(eq - val) >= sizeof(srv->slow[0].cmd) ||
	    srv->n_slow == JCL_MAX_SLOW || parse_int(eq + 1, 0, 600000, &ms))
		return -EINVAL;
	struct jcl_slow *sl = &srv->slow[srv->n_slow++];
	memcpy(sl->cmd, val, (size_t)(eq - val));
	sl->cmd[eq - val] = '\0';
	sl->ms = ms;
	return 0;
}

/* NAME=root://127.0.0.1:PORT//abs/path[,tag,tag] */
static int parse_se(struct jcl_server *srv, const char *val)
{
	static const char pfx[] = "root://";
	const char *eq = strchr(val, '=');
	struct jcl_se se;

	memset(&se, 0, sizeof(se));
	if (!eq || eq == val || (size_t)(eq - val) >= sizeof(se.name) || srv->n_ses == JCL_MAX_SES)
		return -EINVAL;
	memcpy(se.name, val, (size_t)(eq - val));
	if (!strstr(se.name, "::"))
		return -EINVAL;
	const char *u = eq + 1;
	if (strncmp(u, pfx, sizeof(pfx) - 1))
		return -EINVAL;
	u += sizeof(pfx) - 1;
	const char *slash = strstr(u, "//");
	if (!slash || slash == u || (size_t)(slash - u) >= sizeof(se.host_port))
		return -EINVAL;
	memcpy(se.host_port, u, (size_t)(slash - u));
	const char *path = slash + 1; /* keeps one leading '/' */
	const char *comma = strchr(path, ',');
	size_t pl = comma ? (size_t)(comma - path) : strlen(path);
	while (pl > 1 && path[pl - 1] == '/')
		pl--;
	if (pl < 2 || pl >= sizeof(se.path))
		return -EINVAL;
	memcpy(se.path, path, pl);
	while (comma && se.ntags < 8) {
		const char *t = comma + 1;
		comma = strchr(t, ',');
		size_t tl = comma ? (size_t)(comma - t) : strlen(t);
		if (!tl || tl >= sizeof(se.tags[0]))
			return -EINVAL;
		for (size_t i = 0; i < tl; i++)
			se.tags[se.ntags][i] = (char)tolower((unsigned char)t[i]);
		se.ntags++;
	}
	if (comma)
		return -EINVAL;
	if (!se.ntags)
		snprintf(se.tags[se.ntags++], sizeof(se.tags[0]), "disk");
	for (size_t i = 0; i < srv->n_ses; i++)
		if (!strcasecmp(srv->ses[i].name, se.name))
			return -EINVAL;
	se.number = (int)srv->n_ses + 1;
	srv->ses[srv->n_ses++] = se;
	return 0;
}

static int parse_args(int argc, char **argv, struct jcl_server *srv)
{
	const char *home_base = "/localhost/localdomain/user/";

	srv->listen_addr = "127.0.0.1";
	srv->idle_timeout_s = 900;
	srv->deflate = true;
	srv->throttle = true; /* JCentral's rate limiter is always on */
	srv->token_max_s = 31LL * 86400;
	srv->job_tick_ms = 1000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (!strcmp(a, "--verbose")) {
			srv->verbose = true;
			continue;
		}
		if (!strcmp(a, "--no-deflate")) {
			srv->deflate = false;
			continue;
		}
		if (!strcmp(a, "--fixed-reassembly")) {
			srv->fixed_reassembly = true;
			continue;
		}
		if (!strcmp(a, "--throttle")) {
			/* --throttle on|off; a bare --throttle (older scripts) means on */
			const char *v = i + 1 < argc ? argv[i + 1] : NULL;
			srv->throttle = true;
			if (v && (!strcmp(v, "on") || !strcmp(v, "off"))) {
				srv->throttle = !strcmp(v, "on");
				i++;
			}
			continue;
		}
		if (!strcmp(a, "--service-time")) {
			/* real: each reply held back as long as the real JCentral takes (pace.h) */
			const char *v = i + 1 < argc ? argv[i + 1] : NULL;
			if (!v || (strcmp(v, "real") && strcmp(v, "off")))
				return die_usage("--service-time needs real or off");
			srv->service_real = !strcmp(v, "real");
			i++;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--cert"))
			dst = &srv->cert;
		else if (!strcmp(a, "--key"))
			dst = &srv->key;
		else if (!strcmp(a, "--ca-dir"))
			dst = &srv->ca_dir;
		else if (!strcmp(a, "--db"))
			dst = &srv->db_path;
		else if (!strcmp(a, "--users"))
			dst = &srv->users_path;
		else if (!strcmp(a, "--listen"))
			dst = &srv->listen_addr;
		else if (!strcmp(a, "--port-file"))
			dst = &srv->port_file;
		else if (!strcmp(a, "--home-base"))
			dst = &home_base;
		else if (!strcmp(a, "--token-ca-cert"))
			dst = &srv->token_ca_cert;
		else if (!strcmp(a, "--token-ca-key"))
			dst = &srv->token_ca_key;
		else if (!strcmp(a, "--counts"))
			dst = &srv->counts_path;
		else if (!strcmp(a, "--trace-untimed")) {
			if (!val || !*val || strlen(val) > 200 || strpbrk(val, "\r\n"))
				return die_usage("--trace-untimed needs one line of text, at most "
						 "200 bytes");
			srv->trace_untimed = val;
			i++;
			continue;
		} else if (!strcmp(a, "--envelopes")) {
			if (!val || (strcmp(val, "signed") && strcmp(val, "encrypted")))
				return die_usage("--envelopes needs signed or encrypted");
			srv->envelopes_signed = !strcmp(val, "signed");
			i++;
			continue;
		} else if (strcmp(a, "--port") && strcmp(a, "--idle-timeout") &&
			   strcmp(a, "--slow") && strcmp(a, "--token-days") &&
			   strcmp(a, "--token-seconds") && strcmp(a, "--se") &&
			   strcmp(a, "--job-tick"))
			return die_usage("unknown argument %s", a);
		if (!val)
			return die_usage("%s needs a value", a);
		i++;
		if (dst)
			*dst = val;
		else if (!strcmp(a, "--port") && parse_int(val, 0, 65535, &srv->port))
			return die_usage("bad --port %s", val);
		else if (!strcmp(a, "--idle-timeout") &&
			 parse_int(val, 1, 86400 * 365, &srv->idle_timeout_s))
			return die_usage("bad --idle-timeout %s", val);
		else if (!strcmp(a, "--slow") && parse_slow(srv, val))
			return die_usage("bad --slow %s (CMD=MS, MS 0..600000, at most %d)", val,
					 JCL_MAX_SLOW);
		else if (!strcmp(a, "--token-days") || !strcmp(a, "--token-seconds")) {
			int v;
			bool secs = !strcmp(a, "--token-seconds");
			if (parse_int(val, 1, secs ? 86400 * 400 : 400, &v))
				return die_usage("bad %s %s", a, val);
			srv->token_max_s = secs ? v : (long long)v * 86400;
			srv->token_seconds = secs;
		} else if (!strcmp(a, "--se") && parse_se(srv, val))
			return die_usage(
				"bad --se %s (NAME=root://127.0.0.1:PORT//abs/path[,tag...], at "
				"most %d)",
				val, JCL_MAX_SES);
		else if (!strcmp(a, "--job-tick")) {
			int v;
			if (parse_int(val, 1, 3600 * 1000, &v))
				return die_usage("bad --job-tick %s", val);
			srv->job_tick_ms = v;
		}
	}
	if (!srv->token_ca_cert != !srv->token_ca_key)
		return die_usage("--token-ca-cert and --token-ca-key go together");
	if (!srv->cert)
		return die_usage("missing --cert");
	if (!srv->key)
		return die_usage("missing --key");
	if (!srv->ca_dir)
		return die_usage("missing --ca-dir");
	if (!srv->db_path)
		return die_usage("missing --db");
	if (!srv->users_path)
		return die_usage("missing --users");
	if (strcmp(srv->listen_addr, "127.0.0.1") && strcmp(srv->listen_addr, "localhost"))
		return die_usage("--listen %s: only 127.0.0.1 is allowed", srv->listen_addr);
	if (home_base[0] != '/' ||
	    strlen(home_base) + 2 > sizeof(srv->home_base) - JCL_ACCOUNT_MAX * 2)
		return die_usage("bad --home-base %s", home_base);
	snprintf(srv->home_base, sizeof(srv->home_base), "%s%s", home_base,
		 home_base[strlen(home_base) - 1] == '/' ? "" : "/");
	if (access(srv->cert, R_OK))
		return die_usage("cannot read --cert %s: %s", srv->cert, strerror(errno));
	if (access(srv->key, R_OK))
		return die_usage("cannot read --key %s: %s", srv->key, strerror(errno));
	if (access(srv->ca_dir, R_OK | X_OK))
		return die_usage("cannot read --ca-dir %s: %s", srv->ca_dir, strerror(errno));
	return 0;
}

/* /, /localhost/, ..., <base>, <base><letter>/ (admin 755) and every home (account 755) */
static int bootstrap(struct jcl_server *srv)
{
	char dir[JCL_LFN_MAX];
	int rc;

	if ((rc = catalogue_begin(srv->cat)))
		return rc;
	const char *sys[] = { "/", "/localhost/", "/localhost/localdomain/" };
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]) && !rc; i++)
		rc = catalogue_ensure_dir(srv->cat, sys[i], "admin", "admin", "755");
	/* every prefix of the home base */
	for (size_t l = 1; !rc && srv->home_base[l]; l++) {
		if (srv->home_base[l] != '/')
			continue;
		snprintf(dir, sizeof(dir), "%.*s", (int)(l + 1), srv->home_base);
		rc = catalogue_ensure_dir(srv->cat, dir, "admin", "admin", "755");
	}
	for (size_t i = 0; i < srv->n_users && !rc; i++) {
		int n = snprintf(dir, sizeof(dir), "%s%c/", srv->home_base,
				 srv->users[i].account[0]);
		if (n < 0 || (size_t)n >= sizeof(dir)) {
			rc = -ENAMETOOLONG;
			break;
		}
		rc = catalogue_ensure_dir(srv->cat, dir, "admin", "admin", "755");
		if (!rc && !(rc = jcl_home_of(srv, srv->users[i].account, dir, sizeof(dir))))
			rc = catalogue_ensure_dir(srv->cat, dir, srv->users[i].account,
						  srv->users[i].account, "755");
	}
	if (rc) {
		catalogue_rollback(srv->cat);
		return rc;
	}
	return catalogue_commit(srv->cat);
}

static int write_port_file(const char *path, int port)
{
	char tmp[4096];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", port);
	if (fclose(f)) {
		unlink(tmp);
		return -EIO;
	}
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return -e;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct jcl_server srv;
	struct lws_context *ctx = NULL;
	char err[512];
	int port = 0, rc, status = 1;

	memset(&srv, 0, sizeof(srv));
	if ((rc = parse_args(argc, argv, &srv)))
		return rc;
	g_verbose = srv.verbose;
	srv.started_ms = jcl_now_ms();

	if (auth_load_users(srv.users_path, &srv.users, &srv.n_users, err, sizeof(err))) {
		fprintf(stderr, "jcentral-lite: %s\n", err);
		return EXIT_USAGE;
	}
	if (catalogue_open(srv.db_path, &srv.cat)) {
		fprintf(stderr, "jcentral-lite: cannot open --db %s\n", srv.db_path);
		free(srv.users);
		return EXIT_USAGE;
	}
	if (settings_apply(&srv, err, sizeof(err)) || token_load_ca(&srv, err, sizeof(err))) {
		fprintf(stderr, "jcentral-lite: %s\n", err);
		token_free_ca(&srv);
		catalogue_close(srv.cat);
		free(srv.users);
		return EXIT_USAGE;
	}
	if (replicas_init(srv.cat) || jobs_init(srv.cat) || bootstrap(&srv)) {
		jcl_log("cannot create the directory tree in %s", srv.db_path);
		goto out;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (ws_start(&srv, &ctx, &port))
		goto out;
	g_ctx = ctx;
	if (srv.port_file && (rc = write_port_file(srv.port_file, port))) {
		jcl_log("cannot write --port-file %s: %s", srv.port_file, strerror(-rc));
		goto out;
	}
	jcl_log("listening on wss://%s:%d/websocket/json (%zu accounts, home base %s)",
		srv.listen_addr, port, srv.n_users, srv.home_base);
	jobs_scheduler_start(ctx, &srv);
	cmdcount_init(ctx, srv.counts_path);
	throttle_init();
	ws_run(ctx, &g_stop);
	jobs_scheduler_stop();
	cmdcount_flush();
	jcl_log("shutting down");
	status = 0;
out:
	g_ctx = NULL;
	ws_stop(ctx);
	catalogue_close(srv.cat);
	token_free_ca(&srv);
	free(srv.users);
	return status;
}
