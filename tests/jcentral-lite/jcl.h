/* jcl.h - limits and shared types of jcentral-lite (a local JAliEn central service). */
#ifndef JCL_H
#define JCL_H

#include <stdbool.h>
#include <stddef.h>

/* Caps (bytes unless noted). Everything larger is refused, never truncated silently. */
#define JCL_LFN_MAX      4096      /* one catalogue path, including the NUL */
#define JCL_ACCOUNT_MAX  64        /* account / role name, including the NUL */
#define JCL_DN_MAX       1024      /* certificate subject text, including the NUL */
#define JCL_REQ_MAX_CHARS 133120   /* request limit in UTF-16 units, like JCentral's 130 KiB */
#define JCL_MAX_ARGS     4096      /* options per request */
#define JCL_MAX_USERS    1024      /* accounts in the users file */

struct catalogue;

/* One account of the users file. */
struct jcl_user {
	char account[JCL_ACCOUNT_MAX];
	char subject[JCL_DN_MAX];       /* slash form, e.g. /C=ch/O=JAliEn-lite/OU=Users/CN=jalien */
};

/* Process-wide configuration and shared state (single-threaded: the lws loop). */
struct jcl_server {
	const char *cert, *key, *ca_dir, *db_path, *users_path;
	const char *listen_addr;
	const char *port_file;
	char home_base[JCL_LFN_MAX];    /* ends with '/' */
	int port;
	int idle_timeout_s;
	bool verbose;
	bool deflate;                   /* offer permessage-deflate */
	long long started_ms;

	struct jcl_user *users;
	size_t n_users;
	struct catalogue *cat;
};

/* Per-connection session state (JAliEn "commander" state). */
struct jcl_session {
	char account[JCL_ACCOUNT_MAX];  /* effective principal */
	char home[JCL_LFN_MAX];         /* canonical, trailing '/' */
	char cwd[JCL_LFN_MAX];          /* canonical (trailing '/' for dirs) or "[none]" */
	char dn[JCL_DN_MAX];            /* Java-style comma DN of the client certificate */
	char peer[64];                  /* client IP */
	long long cert_not_after;       /* epoch seconds */
	int debug;
	bool ran_command;            /* a known command was built before (for -silent) */
	const struct jcl_server *srv;
};

/* Logging to stderr (main.c). */
void jcl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void jcl_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long long jcl_now_ms(void);

/* Home directory of an account: <base><first letter>/<account>/ */
int jcl_home_of(const struct jcl_server *srv, const char *account, char *out, size_t outsz);

#endif
