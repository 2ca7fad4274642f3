/* envfwd.c - see envfwd.h.
 *
 * What is sent: the credentials and folders the daemon's client-side
 * commands read (cert-info, token-*, CA search), ALIEN_SITE (the daemon sets
 * the terminal's close site), the endpoint alien.py would use (the daemon
 * refuses a shell that asks for another endpoint than it serves), the cp
 * settings alien.py takes from XRD_* and ALIENPY_NOXRDZIP. A private key is
 * never sent as text. `~` at the start of an X509_* / JALIEN_TOKEN_* path is
 * the shell's $HOME, as alien.py 1.7.0 expands it. ALIENPY_ALLOW_UNKNOWN_CMDS
 * has the daemon send a verb JCentral does not list (daemon/command/cmdenv.c).
 *
 * JALIEN_HOST/JALIEN_WSPORT are sent only when something listens there: alien.py
 * tries that JBox only if a TCP connection to it succeeds, and goes on to the
 * advertised JBox (this daemon's) otherwise. */
#include "envfwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpreach.h"

static const char *const envfwd_names[] = {
	"X509_USER_CERT",
	"X509_USER_KEY",
	"JALIEN_TOKEN_CERT",
	"JALIEN_TOKEN_KEY",
	"TMPDIR",
	"HOME",
	"ALIEN_SITE",
	"X509_CERT_DIR",
	"X509_CERT_FILE",
	"ALIENPY_USE_LOCAL_CAS",
	"ALIENPY_JCENTRAL",
	"ALIENPY_JCENTRAL_PORT",
	"ALIENPY_NOXRDZIP",
	/* cp's defaults, as alien.py 1.7.0 takes them (a cp option wins) */
	"XRD_CPPARALLELCHUNKS",
	"XRD_CPCHUNKSIZE",
	"XRD_CPTIMEOUT",
	"XRD_XRATETHRESHOLD",
	"XRD_CPRETRY",
	"XRD_CPRETRYPOLICY",
	"XRD_LOGFILE",
	"XRD_LOGLEVEL",
	"XRD_SUBSTREAMSPERCHANNEL", /* only for 1.7.0's warning when -S is given too */
	"ALIENPY_KEEP_META",
	"ALIENPY_ALLOW_UNKNOWN_CMDS", /* an unknown verb goes to JCentral (cmdenv.c) */
	NULL,
};

/* "~/x" -> "$HOME/x" for the path variables (X509_*, JALIEN_TOKEN_*). */
static void envfwd_put(cJSON *env, const char *name, const char *v)
{
	const char *home = getenv("HOME");
	char buf[ENVFWD_VALUE_MAX + 1024];

	if ((strncmp(name, "X509_", 5) == 0 || strncmp(name, "JALIEN_TOKEN_", 13) == 0 ||
	     strcmp(name, "ALIENPY_USE_LOCAL_CAS") == 0 || strcmp(name, "XRD_LOGFILE") == 0) &&
	    v[0] == '~' && (v[1] == '/' || !v[1]) && home && *home) {
		snprintf(buf, sizeof(buf), "%s%s", home, v + 1);
		v = buf;
	}
	cJSON_AddStringToObject(env, name, v);
}

void envfwd_add(cJSON *env)
{
	const char *jh = getenv("JALIEN_HOST"), *jp = getenv("JALIEN_WSPORT");

	for (const char *const *e = envfwd_names; *e; e++) {
		const char *v = getenv(*e);

		if (!v || !*v || strlen(v) > ENVFWD_VALUE_MAX || strstr(v, "PRIVATE KEY"))
			continue;
		envfwd_put(env, *e, v);
	}
	/* ALIENPY_JCENTRAL is exclusive: alien.py does not look at a JBox then */
	if (getenv("ALIENPY_JCENTRAL") && *getenv("ALIENPY_JCENTRAL"))
		return;
	if (jh && *jh && strlen(jh) < 256 && (!jp || strlen(jp) < 16) &&
	    tcpreach(jh, jp && *jp ? jp : "8097")) {
		cJSON_AddStringToObject(env, "JALIEN_HOST", jh);
		if (jp && *jp)
			cJSON_AddStringToObject(env, "JALIEN_WSPORT", jp);
	}
}

int envfwd_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

int envfwd_json(void)
{
	return envfwd_flag("ALIENPY_JSON") || envfwd_flag("ALIENPY_JSON_OUT_GLOBAL");
}

int envfwd_debug(void)
{
	if (getenv("JALIENPY_DEBUG"))
		return 1;
	return envfwd_flag("ALIENPY_DEBUG") ? 2 : 0;
}

/* alien.py's log: ALIENPY_DEBUG_FILE, else ~/alien_py.log, else $TMPDIR/alien_py.log;
 * truncated by each process unless ALIENPY_DEBUG_APPEND. */
static int envfwd_log_open(void)
{
	const char *f = getenv("ALIENPY_DEBUG_FILE"), *home = getenv("HOME"),
		   *tmp = getenv("TMPDIR");
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
		    (getenv("ALIENPY_DEBUG_APPEND") ? O_APPEND : O_TRUNC);
	char path[4096];
	int fd = -1;

	if (f && *f) {
		if (f[0] == '~' && f[1] == '/' && home)
			snprintf(path, sizeof(path), "%s%s", home, f + 1);
		else
			snprintf(path, sizeof(path), "%s", f);
		fd = open(path, flags, 0600);
	}
	if (fd < 0 && home && *home) {
		snprintf(path, sizeof(path), "%s/alien_py.log", home);
		fd = open(path, flags, 0600);
	}
	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/alien_py.log", tmp && *tmp ? tmp : "/tmp");
		fd = open(path, flags, 0600);
	}
	if (fd >= 0 && !(flags & O_APPEND))
		(void)fcntl(fd, F_SETFL, O_APPEND); /* truncated once; then appended */
	return fd;
}

void envfwd_log(const void *p, size_t n)
{
	static int fd = -2;
	const char *c = p;

	if (fd == -2)
		fd = envfwd_log_open();
	while (fd >= 0 && n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}
