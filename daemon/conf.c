/* conf.c - see conf.h. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/safefile.h"
#include "caps.h"
#include "tcpreach.h"
#include "upstream/upstream.h"

#define CONF_STRINGS_MAX 16 /* string values kept (file, environment, options: 3 each at most) */

static char *conf_strings[CONF_STRINGS_MAX];
static int conf_nstrings;

void conf_path(char *out, size_t n)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		snprintf(out, n, "%s/jaliend/jaliend.conf", xdg);
	else
		snprintf(out, n, "%s/.config/jaliend/jaliend.conf", home && *home ? home : "/");
}

static int conf_int(const char *key, const char *value, int lo, int hi, int *out, char *err,
		    size_t errn)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < lo || v > hi) {
		snprintf(err, errn, "%s: expected a number from %d to %d, got \"%s\"", key, lo, hi,
			 value);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

static const char *conf_keep(const char *value)
{
	if (conf_nstrings >= CONF_STRINGS_MAX)
		return NULL;
	return conf_strings[conf_nstrings++] = strdup(value);
}

int conf_set(struct jd_config *cfg, const char *key, const char *value, char *err, size_t errn)
{
	if (strcmp(key, "pool") == 0)
		return conf_int(key, value, 1, LIM_POOL_MAX, &cfg->pool, err, errn);
	if (strcmp(key, "pool-max") == 0)
		return conf_int(key, value, 1, LIM_POOL_MAX, &cfg->pool_max, err, errn);
	if (strcmp(key, "keepalive") == 0)
		return conf_int(key, value, 0, 840, &cfg->keepalive, err, errn);
	if (strcmp(key, "connect-wait") == 0)
		return conf_int(key, value, 0, 3600, &cfg->connect_wait, err, errn);
	if (strcmp(key, "request-timeout") == 0)
		return conf_int(key, value, 0, 86400, &cfg->request_timeout, err, errn);
	if (strcmp(key, "idle-exit") == 0)
		return conf_int(key, value, 0, 1 << 30, &cfg->idle_exit, err, errn);
	if (strcmp(key, "drain-time") == 0)
		return conf_int(key, value, 0, 3600, &cfg->drain_time, err, errn);
	if (strcmp(key, "write-timeout") == 0)
		return conf_int(key, value, 1, 86400, &cfg->write_timeout, err, errn);
	if (strcmp(key, "reply-memory") == 0)
		return conf_int(key, value, 16, 1 << 20, &cfg->reply_memory, err, errn);
	if (strcmp(key, "jbox-port") == 0)
		return conf_int(key, value, 0, 65535, &cfg->jbox_port, err, errn);
	/* a flag on the command line (no value), 0/1 in the file */
	if (strcmp(key, "no-jbox") == 0)
		return value ? conf_int(key, value, 0, 1, &cfg->no_jbox, err, errn)
			     : (cfg->no_jbox = 1, 0);
	if (strcmp(key, "endpoint") == 0 || strcmp(key, "socket") == 0 || strcmp(key, "log") == 0) {
		const char *v = conf_keep(value);

		if (!v) {
			snprintf(err, errn, "%s: %s", key, exitcode_meaning(JD_EXIT_NOMEM));
			return -ENOMEM;
		}
		if (key[0] == 'e')
			cfg->endpoint = v;
		else if (key[0] == 's')
			cfg->socket_path = v;
		else
			cfg->log_file = v;
		return 0;
	}
	snprintf(err, errn, "unknown setting \"%s\"", key);
	return -ENOENT;
}

static char *conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int conf_load(const char *path, struct jd_config *cfg, char *err, size_t errn)
{
	char line[1024], why[256];
	FILE *f = safefile_fopen(path, SAFEFILE_FOLLOW);
	int lineno = 0, r = 0;

	if (!f)
		return errno == ENOENT
			       ? 0
			       : (snprintf(err, errn, "cannot read %s: %s", path, strerror(errno)),
				  -errno);
	while (fgets(line, sizeof(line), f)) {
		char *eq, *key, *value;

		lineno++;
		line[strcspn(line, "#")] = '\0';
		key = conf_trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errn, "%s:%d: expected key = value", path, lineno);
			r = -EINVAL;
			break;
		}
		*eq = '\0';
		key = conf_trim(key);
		value = conf_trim(eq + 1);
		if ((r = conf_set(cfg, key, value, why, sizeof(why))) < 0) {
			snprintf(err, errn, "%s:%d: %s", path, lineno, why);
			break;
		}
	}
	fclose(f);
	return r;
}

#define CONF_ALIENPY_PORT "8097" /* alien.py's default for both port variables */

static int conf_port_ok(const char *p)
{
	char *end;
	long v = strtol(p, &end, 10);

	return end != p && !*end && v > 0 && v < 65536;
}

/* A host name or address alone: no scheme, path, port or space. */
static int conf_host_ok(const char *h)
{
	return *h && strlen(h) < 256 && strcspn(h, "/ \t@?#") == strlen(h);
}

/* Whether port is the one a jaliend's JBox advertises in $TMPDIR/jclient_token_<uid>
 * (a process named jaliend, or one gone). */
static int conf_is_jaliend_jbox(const char *port)
{
	const char *tmp = getenv("TMPDIR");
	char path[512], line[256], comm[32] = "";
	long pid = 0;
	int same = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/jclient_token_%u", tmp && *tmp ? tmp : "/tmp",
		 (unsigned)getuid());
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "JALIEN_WSPORT=", 14) == 0)
			same = strcmp(line + 14, port) == 0;
		else if (strncmp(line, "JALIEN_PID=", 11) == 0)
			pid = strtol(line + 11, NULL, 10);
	}
	fclose(f);
	if (!same)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (pid <= 0 || !(f = fopen(path, "re")))
		return 1; /* its process is gone: a stale advertisement, never JCentral */
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "jaliend") == 0;
}

int conf_endpoint_from_env(struct jd_config *cfg, char *err, size_t errn)
{
	const char *jc = getenv("ALIENPY_JCENTRAL"), *jcp = getenv("ALIENPY_JCENTRAL_PORT");
	const char *jh = getenv("JALIEN_HOST"), *jhp = getenv("JALIEN_WSPORT");
	const char *host, *port;
	char url[400];

	if (jc && *jc) {
		host = jc;
		port = jcp && *jcp ? jcp : CONF_ALIENPY_PORT;
		if (!conf_host_ok(host) || !conf_port_ok(port)) {
			snprintf(err, errn,
				 "$ALIENPY_JCENTRAL/$ALIENPY_JCENTRAL_PORT: expected a host name "
				 "and a port, got "
				 "\"%.100s\" and \"%.20s\"",
				 host, port);
			return -EINVAL;
		}
	} else if (jh && *jh) {
		host = jh;
		port = jhp && *jhp ? jhp : CONF_ALIENPY_PORT;
		if (!conf_host_ok(host) || !conf_port_ok(port) || conf_is_jaliend_jbox(port) ||
		    !tcpreach(host, port))
			return 0; /* as alien.py: that JBox is tried only when it answers */
	} else {
		return 0;
	}
	snprintf(url, sizeof(url), "wss://%s%s%s:%s/websocket/json", strchr(host, ':') ? "[" : "",
		 host, strchr(host, ':') ? "]" : "", port);
	if (!(cfg->endpoint = conf_keep(url))) {
		snprintf(err, errn, "%s", exitcode_meaning(JD_EXIT_NOMEM));
		return -ENOMEM;
	}
	return 0;
}

void conf_free(void)
{
	while (conf_nstrings)
		free(conf_strings[--conf_nstrings]);
}
