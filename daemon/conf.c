/* conf.c - see conf.h. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/safefile.h"
#include "caps.h"
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

static int conf_int(const char *key, const char *value, int lo, int hi, int *out, char *err, size_t errn)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < lo || v > hi) {
		snprintf(err, errn, "%s: expected a number from %d to %d, got \"%s\"", key, lo, hi, value);
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
	if (strcmp(key, "no-jbox") == 0) /* a flag on the command line (no value), 0/1 in the file */
		return value ? conf_int(key, value, 0, 1, &cfg->no_jbox, err, errn) : (cfg->no_jbox = 1, 0);
	if (strcmp(key, "endpoint") == 0 || strcmp(key, "socket") == 0 || strcmp(key, "log") == 0) {
		const char *v = conf_keep(value);

		if (!v) {
			snprintf(err, errn, "%s: out of memory", key);
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
		return errno == ENOENT ? 0 : (snprintf(err, errn, "cannot read %s: %s", path, strerror(errno)), -errno);
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

void conf_free(void)
{
	while (conf_nstrings)
		free(conf_strings[--conf_nstrings]);
}
