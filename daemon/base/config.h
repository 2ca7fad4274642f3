/* config.h - what the daemon was told at start (options and environment). */
#ifndef JALIEND_CONFIG_H
#define JALIEND_CONFIG_H

struct jd_config {
	const char *socket_path;
	const char *endpoint; /* wss://host:port/path */
	char ep_host[256];
	char ep_path[512];
	int ep_port;
	const char *cert, *key; /* client credential files */
	const char *ca_dir;	/* hashed CA folder for server verification (NULL: ca_file) */
	const char *ca_file;	/* a bundle of CA certificates (X509_CERT_FILE), or NULL */
	const char *log_file;	/* NULL: stderr */
	int pool;		/* websocket sessions kept */
	int pool_max;		/* grown to on demand */
	int keepalive;		/* seconds idle before a keepalive command; 0: none */
	int connect_wait;	/* after the pool was up: how long requests wait for a session */
	int request_timeout;	/* seconds for a reply; 0: wait for ever (as alien.py) */
	int idle_exit;		/* exit after this long without clients; 0: never */
	int drain_time;		/* on a stop, transfers (cp) get this long, then are cancelled */
	/* a shim that reads nothing this long while output waits: its request fails */
	int write_timeout;
	/* MiB held for replies waiting for shims, all together (render.h) */
	int reply_memory;
	int foreground;
	int listen_fd; /* inherited (systemd) listener, or -1 */
	int no_jbox;   /* --no-jbox: no JBox endpoint for alien.py (jbox.h) */
	int jbox_port; /* --jbox-port: its port; 0: any free one */
};

#define JD_DEFAULT_ENDPOINT "wss://alice-jcentral.cern.ch:8097/websocket/json"
#define JD_DEFAULT_POOL 2
#define JD_DEFAULT_POOL_MAX 8	   /* = CP_CALLS_MAX: a cp's pipeline keeps them busy (issue 27) */
#define JD_DEFAULT_KEEPALIVE 600   /* the server closes after 900 s without a command */
#define JD_DEFAULT_CONNECT_WAIT 10 /* rides over a JCentral restart (about 2 s here) */
#define JD_DEFAULT_REQUEST_TIMEOUT 300 /* a stuck server thread; big finds take seconds */
#define JD_DEFAULT_DRAIN_TIME 30 /* under systemd's 90 s TimeoutStopSec, with time to clean up */
/* = CL_WRITE_TIMEOUT_DEFAULT: a pager left open a few minutes */
#define JD_DEFAULT_WRITE_TIMEOUT 300
/* MiB, = RENDER_HELD_MAX_DEFAULT: two of the largest replies */
#define JD_DEFAULT_REPLY_MEMORY 1024

#endif
