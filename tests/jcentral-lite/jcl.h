/* jcl.h - limits and shared types of jcentral-lite (a local JAliEn central service). */
#ifndef JCL_H
#define JCL_H

#include <stdbool.h>
#include <stddef.h>

/* Caps (bytes unless noted). Everything larger is refused, never truncated silently. */
#define JCL_LFN_MAX 4096	      /* one catalogue path, including the NUL */
#define JCL_ACCOUNT_MAX 64	      /* account / role name, including the NUL */
#define JCL_DN_MAX 1024		      /* certificate subject text, including the NUL */
#define JCL_REQ_MAX_CHARS 133120      /* request limit in UTF-16 units, like JCentral's 130 KiB */
#define JCL_MAX_ARGS 4096	      /* options per request */
#define JCL_MAX_USERS 1024	      /* accounts in the users file */
#define JCL_MAX_SLOW 32		      /* --slow entries */
#define JCL_MAX_SES 16		      /* --se entries */
#define JCL_SESSION_MAX_S (48 * 3600) /* absolute session lifetime (protocol reference 2.8) */

struct catalogue;
struct x509_st;
struct evp_pkey_st;

/* --slow CMD=MS: replies to CMD are sent MS milliseconds late (test hook). */
struct jcl_slow {
	char cmd[64];
	long ms;
};

/* --se NAME=root://127.0.0.1:PORT//abs/path[,tag...] */
struct jcl_se {
	char name[128];	    /* as given; compared case-insensitively */
	char host_port[64]; /* 127.0.0.1:PORT */
	char path[1024];    /* absolute storage prefix, no trailing '/' */
	char tags[8][32];   /* lower-case QoS tags */
	int ntags;
	int number; /* seNumber, 1.. in command line order */
};

/* One account of the users file. */
struct jcl_user {
	char account[JCL_ACCOUNT_MAX];
	char subject[JCL_DN_MAX]; /* slash form, e.g. /C=ch/O=JAliEn-lite/OU=Users/CN=jalien */
};

/* Process-wide configuration and shared state (single-threaded: the lws loop). */
struct jcl_server {
	const char *cert, *key, *ca_dir, *db_path, *users_path;
	const char *listen_addr;
	const char *port_file;
	char home_base[JCL_LFN_MAX]; /* ends with '/' */
	int port;
	int idle_timeout_s;
	bool verbose;
	bool deflate;		 /* accept permessage-deflate */
	bool fixed_reassembly;	 /* --fixed-reassembly: no JCentral multi-part buffer bug */
	const char *counts_path; /* --counts FILE (cmdcount.h) */
	bool envelopes_signed;	 /* --envelopes signed: no sealed envelopes (seal.h) */
	long long started_ms;
	bool throttle;	   /* --throttle: rate limiter of protocol reference 2.10 */
	bool service_real; /* --service-time real: the real JCentral's pace (pace.h) */
	struct jcl_slow slow[JCL_MAX_SLOW];
	size_t n_slow;
	/* tokens (token.c) */
	const char *token_ca_cert, *token_ca_key;
	struct x509_st *token_ca;
	struct evp_pkey_st *token_ca_pkey;
	long long token_max_s; /* default lifetime of a user token (--token-days/-seconds) */
	bool token_seconds;    /* lifetime given in seconds: notBefore = now - 60 s */
	/* storage */
	struct jcl_se ses[JCL_MAX_SES];
	size_t n_ses;
	/* jobs */
	long job_tick_ms;
	/* --trace-untimed TEXT: a job reaching STARTED gets a trace message whose second line,
	 * TEXT, has no time (as a real trace's multi-line messages) */
	const char *trace_untimed;

	struct jcl_user *users;
	size_t n_users;
	struct catalogue *cat;
};

/* The close site a session starts with (JCentral: looked up from the client's address). */
#define JCL_DEFAULT_SITE "JCL"

/* Per-connection session state (JAliEn "commander" state). */
struct jcl_session {
	char account[JCL_ACCOUNT_MAX]; /* effective principal */
	char home[JCL_LFN_MAX];	       /* canonical, trailing '/' */
	char cwd[JCL_LFN_MAX];	       /* canonical (trailing '/' for dirs) or "[none]" */
	char dn[JCL_DN_MAX];	       /* Java-style comma DN of the client certificate */
	char peer[64];		       /* client IP */
	char site[64];		       /* close site (setSite); "" = JCL_DEFAULT_SITE */
	long long cert_not_after;      /* epoch seconds */
	char subject2253[JCL_DN_MAX];  /* RFC 2253 subject (throttle key) */
	long long connected_ms;
	long reply_delay_ms; /* set by a command: send its reply this much later */
	int debug;
	bool ran_command;	/* a known command was built before (for -silent) */
	unsigned long count_id; /* cmdcount.c: session number */
	unsigned long requests; /* cmdcount.c: requests received */
	unsigned inflight;	/* cmdcount.c: requests received, reply not yet queued */
	int running_name; /* cmdcount.c: 1 + the name slot of the request being served, 0: none */
	const struct jcl_server *srv;
};

/* Logging to stderr (main.c). */
void jcl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void jcl_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long long jcl_now_ms(void);

/* Home directory of an account: <base><first letter>/<account>/ */
int jcl_home_of(const struct jcl_server *srv, const char *account, char *out, size_t outsz);

#endif
