/* main.c - jaliend: options, daemon start-up, the lws loop, shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "command/command.h"
#include "upstream/auth.h"
#include "local/client.h"
#include "conf.h"
#include "upstream/creds.h"
#include "base/config.h"
#include "cp/cp.h"
#include "ctl.h"
#include "jbox/jbox.h"
#include "command/cmdenv.h"
#include "caps.h"
#include "log.h"
#include "command/render.h"
#include "local/server.h"
#include "command/session.h"
#include "sockpath.h"
#include "systemd.h"
#include "upstream/token.h"
#include "upstream/unlock.h"
#include "upstream/upstream.h"
#include "upstream/usession.h"
#include "version.h"
#include "xrootd/xfer.h"
#include "xrootd/xrdq.h"

static const char main_usage[] =
	"usage: jaliend [options]\n"
	"  -f, --foreground       stay in the foreground, log to stderr\n"
	"  -s, --socket PATH      local socket (default $JALIEND_SOCKET, else\n"
	"                         $XDG_RUNTIME_DIR/jaliend/S.jaliend, else "
	"/tmp/jaliend-UID/S.jaliend)\n"
	"  -e, --endpoint URL     JAliEn websocket (default $JALIEND_ENDPOINT, else alien.py's\n"
	"                         $ALIENPY_JCENTRAL[:$ALIENPY_JCENTRAL_PORT], else a JBox "
	"answering at\n"
	"                         $JALIEN_HOST[:$JALIEN_WSPORT], else " JD_DEFAULT_ENDPOINT ")\n"
	"  -p, --pool N           websocket sessions kept open (default 2)\n"
	"  -P, --pool-max N       grown to on demand when all are busy (default 8, at most 16)\n"
	"  -k, --keepalive SEC    a cheap command on sessions idle this long (default 600; 0: "
	"none)\n"
	"  -i, --idle-exit SEC    exit after this long with no clients and no work (default 0: "
	"never)\n"
	"  -w, --connect-wait SEC once connected, requests wait this long for JCentral to come "
	"back\n"
	"                         before failing with 107 (default 10)\n"
	"  -t, --request-timeout SEC  fail a request with 62 when no reply came in this long and\n"
	"                         close its session (default 300; 0: wait for ever)\n"
	"      --drain-time SEC   on a stop, running transfers get this long, then are cancelled\n"
	"                         (their partial files removed; default 30)\n"
	"      --write-timeout SEC  a shim that reads nothing this long while its output waits:\n"
	"                         the request fails with 105 (default 300)\n"
	"      --reply-memory MIB replies waiting for shims hold at most this much, all together;\n"
	"                         past it a reply fails with 105 (default 1024)\n"
	"  -l, --log FILE         log file when not in the foreground (default: <socket>.log)\n"
	"  -c, --config FILE      configuration file (default "
	"$XDG_CONFIG_HOME/jaliend/jaliend.conf)\n"
	"  -v, --verbose          debug logging (twice: also libwebsockets' notices)\n"
	"      --no-jbox          no JBox endpoint for alien.py/ROOT (default: on, see "
	"docs/JBOX.md)\n"
	"      --jbox-port N      its port on 127.0.0.1 (default 0: any free port)\n"
	"  -h, --help             this text\n"
	"  -V, --version          the version, then exit\n"
	"Settings come from the configuration file (key = value, keys as the long options),\n"
	"then the environment, then the options.\n"
	"Credentials: X509_USER_CERT, X509_USER_KEY (default ~/.globus/usercert.pem, "
	"userkey.pem),\n"
	"the CA: ALIENPY_USE_LOCAL_CAS, X509_CERT_DIR, X509_CERT_FILE (a bundle), the ALICE CVMFS\n"
	"folder, /etc/grid-security/certificates (alien.py 1.7.0's order).\n";

static int main_parse_endpoint(struct jd_config *cfg)
{
	char buf[1024];
	const char *proto, *addr, *path;
	int port = 0;

	if (strlen(cfg->endpoint) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, cfg->endpoint);
	if (lws_parse_uri(buf, &proto, &addr, &port, &path) || strcmp(proto, "wss") != 0 || !*addr)
		return -EINVAL;
	snprintf(cfg->ep_host, sizeof(cfg->ep_host), "%s", addr);
	snprintf(cfg->ep_path, sizeof(cfg->ep_path), "/%s", path);
	cfg->ep_port = port ? port : 443;
	return 0;
}

#define MAIN_FLAGS_MAX 32 /* settings given as options */

/* Settings the environment may give (between the file and the options). */
static const struct {
	const char *var, *key;
} main_env[] = {
	{ "JALIEND_ENDPOINT", "endpoint" },
	{ "JALIEND_SOCKET", "socket" },
	{ "JALIEND_CONNECT_WAIT", "connect-wait" },
	{ "JALIEND_REQUEST_TIMEOUT", "request-timeout" },
};

/* Options: -f/-v/-h/-c act at once; settings are applied after the
 * configuration file and the environment (they win). */
static int main_parse_args(int argc, char **argv, struct jd_config *cfg, int *verbose,
			   const char **conf)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "pool", required_argument, NULL, 'p' },
		{ "pool-max", required_argument, NULL, 'P' },
		{ "keepalive", required_argument, NULL, 'k' },
		{ "idle-exit", required_argument, NULL, 'i' },
		{ "connect-wait", required_argument, NULL, 'w' },
		{ "request-timeout", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* long only: values past any letter */
		{ "no-jbox", no_argument, NULL, 0x100 },
		{ "jbox-port", required_argument, NULL, 0x101 },
		{ "drain-time", required_argument, NULL, 0x102 },
		{ "write-timeout", required_argument, NULL, 0x103 },
		{ "reply-memory", required_argument, NULL, 0x104 },
		{ NULL, 0, NULL, 0 },
	};
	const char *keys[MAIN_FLAGS_MAX], *vals[MAIN_FLAGS_MAX];
	static char path[512]; /* *conf points here: lives as long as the daemon */
	char err[600];
	int c, idx, n = 0;

	while ((c = getopt_long(argc, argv, "fs:e:p:P:k:i:w:t:l:c:vhV", opts, &idx)) != -1) {
		switch (c) {
		case 'f': cfg->foreground = 1; break;
		case 'v': (*verbose)++; break;
		case 'c': *conf = optarg; break;
		case 'h': fputs(main_usage, stdout); exit(0);
		case 'V': printf("jaliend %s\n%s\n", JALIEND_VERSION, systemd_features()); exit(0);
		case '?': fputs(main_usage, stderr); return -EINVAL;
		default:
			if (n == MAIN_FLAGS_MAX) {
				fprintf(stderr, "jaliend: too many options\n");
				return -E2BIG;
			}
			for (idx = 0; opts[idx].val != c; idx++)
				;
			keys[n] = opts[idx].name;
			vals[n++] = optarg;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "jaliend: unexpected argument %s\n%s", argv[optind], main_usage);
		return -EINVAL;
	}
	if (!*conf) {
		conf_path(path, sizeof(path));
		*conf = path;
	}
	if (conf_load(*conf, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "jaliend: %s\n", err);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(main_env) / sizeof(main_env[0]); i++) {
		const char *v = getenv(main_env[i].var);

		if (v && *v && conf_set(cfg, main_env[i].key, v, err, sizeof(err)) < 0) {
			fprintf(stderr, "jaliend: $%s: %s\n", main_env[i].var, err);
			return -EINVAL;
		}
	}
	for (int i = 0; i < n; i++) {
		if (conf_set(cfg, keys[i], vals[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "jaliend: --%s\n", err);
			return -EINVAL;
		}
	}
	return 0;
}

/* Detach; the parent exits 0 only once the child listens (ready_fd). */
static int main_daemonize(const char *log_file, int *ready_fd)
{
	int p[2], fd;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
	}
	fd = open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0)
		dup2(fd, STDERR_FILENO);
	*ready_fd = p[1];
	return 0;
}

static struct {
	lws_sorted_usec_list_t sul_idle, sul_drain;
	const struct jd_config *cfg;
	struct lws_context *ctx;
	int idle_expired, drain_expired;
} mainloop;

/* a second SIGTERM: how long the last replies may take to go out */
#define MAIN_FLUSH_US (1 * LWS_US_PER_SEC)

static void main_drain_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	mainloop.drain_expired = 1;
	lws_cancel_service(mainloop.ctx);
}

/* --idle-exit: nobody connected and nothing running for that long. */
static void main_idle_cb(lws_sorted_usec_list_t *sul)
{
	time_t quiet = time(NULL) - client_last_activity();

	log_debug("idle check: %zu clients, %s, quiet %ld s", client_count(),
		  upstream_idle() ? "no work" : "working", (long)quiet);
	if (client_count() == 0 && upstream_idle() && quiet >= mainloop.cfg->idle_exit) {
		log_notice("no clients for %ld s (--idle-exit %d): exiting", (long)quiet,
			   mainloop.cfg->idle_exit);
		mainloop.idle_expired = 1;
		lws_cancel_service(mainloop.ctx); /* a timer alone does not end lws_service() */
		return;
	}
	lws_sul_schedule(mainloop.ctx, 0, sul, main_idle_cb, LWS_US_PER_SEC);
}

/* Serve until stopped. A stop (SIGTERM, `alien-daemon stop`, --idle-exit)
 * drains: new connections are refused, running requests finish; a second
 * SIGTERM exits at once. */
static void main_loop(struct lws_context *ctx, const struct jd_config *cfg)
{
	int draining = 0, cancelled = 0;

	mainloop.cfg = cfg;
	mainloop.ctx = ctx;
	if (cfg->idle_exit > 0)
		lws_sul_schedule(ctx, 0, &mainloop.sul_idle, main_idle_cb, LWS_US_PER_SEC);
	for (;;) {
		int now = server_stopping() >= 2;

		if (!draining &&
		    (server_stopping() || ctl_stop_requested() || mainloop.idle_expired)) {
			draining = 1;
			server_refuse_new();
			jbox_drain();
			systemd_stopping();
			log_notice("draining: %zu requests running (transfers get %d s)",
				   client_busy_count(), cfg->drain_time);
			lws_sul_schedule(ctx, 0, &mainloop.sul_drain, main_drain_cb,
					 (lws_usec_t)cfg->drain_time * LWS_US_PER_SEC);
		}
		/* transfers past the drain time, or all at once on a second
		 * SIGTERM: cancelled, their shims told why (then flushed, at
		 * most MAIN_FLUSH_US on a second SIGTERM) */
		if (draining && !cancelled && (now || mainloop.drain_expired)) {
			char why[64];
			int n;

			cancelled = 1;
			snprintf(why, sizeof(why),
				 now ? "a second SIGTERM" : "--drain-time %d s passed",
				 cfg->drain_time);
			n = cp_stop_all(why);
			if (n)
				log_notice("%s: %d cp cancelled", why, n);
			mainloop.drain_expired = 0;
			if (now)
				lws_sul_schedule(ctx, 0, &mainloop.sul_drain, main_drain_cb,
						 MAIN_FLUSH_US);
		}
		if (now && (client_waiting_count() == 0 || mainloop.drain_expired))
			break;
		/* drained: nothing running, and every reply written out (a shim
		 * that stops reading is failed by the write timeout, so this ends) */
		if (draining && client_busy_count() == 0 && client_waiting_count() == 0 &&
		    upstream_idle())
			break;
		if (lws_service(ctx, 0) < 0)
			break;
	}
	lws_sul_cancel(&mainloop.sul_idle);
	lws_sul_cancel(&mainloop.sul_drain);
}

static const struct lws_protocols main_protocols[] = {
	/* first: lws asks it to load the CA folder for the client SSL_CTX */
	{ "jalien-upstream", usession_callback, 0, 0, 0, NULL, 0 },
	{ "jaliend-local", server_callback, 0, 0, 0, NULL, 0 },
	{ "jaliend-xfer", xfer_lws_callback, 0, 0, 0, NULL, 0 }, /* transfer results (xfer.h) */
	{ "jaliend-xrdq", xrdq_lws_callback, 0, 0, 0, NULL, 0 }, /* SE query results (xrdq.h) */
	/* local folders walked (cp.h) */
	{ "jaliend-cpwalk", cp_walk_lws_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static const struct lws_extension main_exts[] = {
	{ "permessage-deflate", lws_extension_callback_pm_deflate,
	  "permessage-deflate; client_no_context_takeover; client_max_window_bits" },
	{ NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct jd_config cfg = {
		.pool = JD_DEFAULT_POOL,
		.pool_max = JD_DEFAULT_POOL_MAX,
		.keepalive = JD_DEFAULT_KEEPALIVE,
		.listen_fd = -1,
		.connect_wait = JD_DEFAULT_CONNECT_WAIT,
		.request_timeout = JD_DEFAULT_REQUEST_TIMEOUT,
		.drain_time = JD_DEFAULT_DRAIN_TIME,
		.write_timeout = JD_DEFAULT_WRITE_TIMEOUT,
		.reply_memory = JD_DEFAULT_REPLY_MEMORY,
	};
	const char *conf = NULL;
	struct lws_context_creation_info info;
	struct lws_context *ctx;
	struct auth_files af;
	char sock[108], logpath[160], err[600], status[300];
	int verbose = 0, ready_fd = -1, token_only, r;

	/* Big replies (MBs) in their own mappings, given back when freed: a fixed
	 * threshold stops glibc from raising it after the first big free, which
	 * would put the next reply in the heap, where it stays (docs/PERFORMANCE.md). */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	/* and the heap's top kept (up to 4 MiB free) rather than given back and
	 * taken again with brk four times a command (strace -c of 100 whoami) */
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	mallopt(M_TOP_PAD, 256 << 10);

	log_init("jaliend", LOG_NOTICE);
	if (main_parse_args(argc, argv, &cfg, &verbose, &conf) < 0)
		return JD_EXIT_DAEMON_USAGE;
	log_set_level(verbose ? LOG_DEBUG : LOG_INFO);
	if (!cfg.socket_path) {
		if (sockpath_resolve(sock, sizeof(sock)) < 0) {
			fprintf(stderr, "jaliend: socket path too long\n");
			return JD_EXIT_DAEMON_USAGE;
		}
		cfg.socket_path = sock;
	}
	if (!cfg.endpoint && conf_endpoint_from_env(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "jaliend: %s\n", err);
		return JD_EXIT_DAEMON_USAGE;
	}
	if (!cfg.endpoint)
		cfg.endpoint = JD_DEFAULT_ENDPOINT;
	if (main_parse_endpoint(&cfg) < 0) {
		fprintf(stderr, "jaliend: bad endpoint %s: expected wss://host:port/path\n",
			cfg.endpoint);
		return JD_EXIT_DAEMON_USAGE;
	}
	if (auth_resolve(&af, err, sizeof(err)) < 0 && !af.cert_missing) {
		fprintf(stderr, "jaliend: %s\n", err);
		return 1;
	}
	token_only = af.cert_missing;
	cfg.cert = af.cert;
	cfg.key = af.key;
	cfg.ca_dir = af.ca_dir[0] ? af.ca_dir : NULL;
	cfg.ca_file = af.ca_file[0] ? af.ca_file : NULL;
	if (!token_configure(&cfg) && token_only) {
		fprintf(stderr,
			"jaliend: %s, and no token with more than 10 minutes left in %s%s%s%s\n",
			err, token_cert_path(), token_problem() ? " (" : "",
			token_problem() ? token_problem() : "", token_problem() ? ")" : "");
		return 1;
	}
	if (token_only)
		cfg.cert = token_cert_path(); /* named in messages about the credential */
	cfg.listen_fd = systemd_listen_fd();
	if (server_listen(&cfg) < 0)
		return 1;
	cfg.socket_path = server_path(); /* under socket activation: the one systemd bound */
	if (!cfg.foreground && cfg.listen_fd < 0) {
		snprintf(logpath, sizeof(logpath), "%s.log", cfg.socket_path);
		if (main_daemonize(cfg.log_file ? cfg.log_file : logpath, &ready_fd) < 0) {
			fprintf(stderr, "jaliend: cannot go to the background: %s\n",
				strerror(errno));
			return 1;
		}
		log_init("jaliend", verbose ? LOG_DEBUG : LOG_INFO);
	}

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = main_protocols;
	info.extensions = main_exts;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	/* else the user certificate waits for the passphrase: unlock.c */
	if (!af.key_encrypted && !token_only) {
		info.client_ssl_cert_filepath = af.cert;
		info.client_ssl_private_key_filepath = af.key;
	}
	info.client_ssl_ca_filepath = NULL; /* the CA folder is loaded by usession_callback */
	upstream_configure(&cfg,
			   verbose > 1 ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR | LLL_WARN);
	ctx = lws_create_context(&info);
	if (!ctx) {
		log_err("cannot create the libwebsockets context (certificate %s, key %s)", af.cert,
			af.key);
		server_close();
		return 1;
	}
	if ((r = server_adopt(ctx)) < 0) {
		log_err("cannot serve the local socket: %s", strerror(-r));
		lws_context_destroy(ctx);
		server_close();
		return 1;
	}
	creds_init(ctx, main_protocols, main_exts);
	upstream_attach(ctx);
	unlock_init(&af);
	token_start(ctx, !token_only);
	upstream_start();
	jbox_start(ctx, &cfg);
	cmdenv_configure(cfg.ep_host, cfg.ep_port, jbox_listen_port());
	snprintf(status, sizeof(status), "serving %s for %s", cfg.socket_path, cfg.endpoint);
	log_notice("jaliend %s: %s (certificate %s)", JALIEND_VERSION, status, af.cert);
	systemd_ready(ctx, status);
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "1", 1);
		close(ready_fd);
	}

	ctl_init(cfg.endpoint, cfg.socket_path);
	server_on_reload(ctl_reload);
	/* the commands that live above the command layer: their rows (common/cmdtab.def) get their
	 * handlers */
	if (command_extend("cp", cp_start, NULL) < 0 ||
	    command_extend("daemon", ctl_command, NULL) < 0)
		abort(); /* no CMDTAB_REG row of that name in common/cmdtab.def: a build mistake */
	client_configure(cfg.write_timeout);
	render_set_held_max((unsigned long long)cfg.reply_memory << 20);
	main_loop(ctx, &cfg);
	/* the transfers' workers: cancelled, and waited for while they remove
	 * temporary files, metalinks and partial uploads (at most XFER_RM_TIMEOUT_S) */
	if (xfer_busy())
		log_notice("waiting for %u transfers to clean up", xfer_busy());
	xfer_fini();
	xrdq_fini(); /* each worker ends within its request's timeout (XRDQ_TIMEOUT_S) */
	jbox_stop();
	systemd_stopping();
	token_stop();
	server_close();
	upstream_stop();
	lws_context_destroy(ctx);
	upstream_fini();
	token_fini();
	session_free_all();
	conf_free();
	log_notice("stopped");
	return 0;
}
