/* cp_env.c - cp's defaults from the shell's environment, as alien.py 1.7.0
 * takes them (spec 4.8, docs/COMPAT.md row 63): XRD_CPPARALLELCHUNKS,
 * XRD_CPCHUNKSIZE, XRD_CPTIMEOUT, XRD_XRATETHRESHOLD, XRD_CPRETRY (default
 * CP_ENV_RETRIES_DEFAULT), XRD_CPRETRYPOLICY, ALIENPY_NOXRDZIP, and
 * XRD_LOGFILE / XRD_LOGLEVEL (XrdCl's lines while this cp runs, xrootd/xrdlog.h),
 * ALIENPY_KEEP_META (a copy of each download's metalink in the shell's folder).
 * The values are the shell's (sent in the request), per cp; an option on the
 * command line wins. */
#include "cp_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "frame.h"
#include "log.h"
#include "xrootd/xrdlog.h"

#define CP_ENV_RETRIES_DEFAULT 2 /* alien.py 1.7.0: XRD_CPRETRY unset is 2 */

static const struct {
	const char *var, *opt;
} cp_env_tunes[] = {
	{ "XRD_CPPARALLELCHUNKS", "-chunks" }, { "XRD_CPCHUNKSIZE", "-chunksz" },
	{ "XRD_CPTIMEOUT", "-timeout" },       { "XRD_XRATETHRESHOLD", "-ratethreshold" },
	{ "XRD_CPRETRY", "-retry" },
};

static int cp_env_given(const cJSON *argv, const char *opt)
{
	const cJSON *a;

	cJSON_ArrayForEach (a, argv)
		if (cJSON_IsString(a) && strcmp(a->valuestring, opt) == 0)
			return 1;
	return 0;
}

/* XRD_CPRETRYPOLICY: "force" (the default: a retry writes the target again from
 * the start) or "continue" (a retry resumes it), XrdCl's two policies */
static int cp_env_policy(struct cp *c, char *err, size_t en)
{
	const char *v = command_env(c->cmd, "XRD_CPRETRYPOLICY");

	if (!v || strcmp(v, "force") == 0)
		c->tune.resume = 0;
	else if (strcmp(v, "continue") == 0)
		c->tune.resume = 1;
	else {
		snprintf(err, en, "cp: XRD_CPRETRYPOLICY=%.40s: expected force or continue\n", v);
		return -EINVAL;
	}
	return 0;
}

/* XRD_LOGFILE (relative: to the shell's folder) gets XrdCl's lines at XRD_LOGLEVEL
 * (unset: none, as XrdCl) while this cp runs */
static int cp_env_log(struct cp *c, char *err, size_t en)
{
	const char *f = command_env(c->cmd, "XRD_LOGFILE"),
		   *l = command_env(c->cmd, "XRD_LOGLEVEL");
	int level = l ? xrdlog_level(l) : 0, h;
	char path[4096];

	if (!f)
		return 0;
	if (level < 0) {
		snprintf(err, en,
			 "cp: XRD_LOGLEVEL=%.40s: expected Error, Warning, Info, Debug or Dump\n",
			 l);
		return -EINVAL;
	}
	if (snprintf(path, sizeof(path), "%s%s%s",
		     f[0] == '/'   ? ""
		     : c->shim_cwd ? c->shim_cwd
				   : "/",
		     f[0] == '/' ? "" : "/", f) >= (int)sizeof(path)) {
		snprintf(err, en, "cp: XRD_LOGFILE: a path longer than %zu bytes\n",
			 sizeof(path) - 1);
		return -EINVAL;
	}
	h = xrdlog_open(path, level);
	if (h == -EMFILE || h == -ENOSYS) { /* the copy matters more than its log */
		log_warn("cp: XRD_LOGFILE %s not written: %s", path,
			 h == -EMFILE ? "too many shells' log files at once"
				      : "XrdCl's log not taken over");
		return 0;
	}
	if (h < 0) {
		snprintf(err, en, "cp: XRD_LOGFILE=%.200s: %s\n", path,
			 h == -EPERM ? "not a regular file of this user" : strerror(-h));
		return -EINVAL;
	}
	c->xrdlog = h;
	return 0;
}

int cp_env_apply(struct cp *c, const cJSON *argv, char *err, size_t en)
{
	c->tune.retries = CP_ENV_RETRIES_DEFAULT;
	c->tune.retries_implicit = 1;
	for (size_t k = 0; k < sizeof(cp_env_tunes) / sizeof(cp_env_tunes[0]); k++) {
		const char *v = command_env(c->cmd, cp_env_tunes[k].var);
		const char *why_at;
		char why[160];

		if (!v || cp_env_given(argv, cp_env_tunes[k].opt) ||
		    cp_opt_tune(c, cp_env_tunes[k].opt, v, why, sizeof(why)) >= 0)
			continue;
		/* "cp: -opt v: expected ..." -> "cp: VAR=v (the default of -opt): expected ..." */
		why_at = strchr(why, ':') ? strchr(strchr(why, ':') + 1, ':') : NULL;
		snprintf(err, en, "cp: %s=%.40s (the default of %s):%s", cp_env_tunes[k].var, v,
			 cp_env_tunes[k].opt, why_at ? why_at + 1 : "\n");
		return -EINVAL;
	}
	if (cp_env_policy(c, err, en) < 0)
		return -EINVAL;
	if (command_env(c->cmd, "ALIENPY_NOXRDZIP"))
		c->noxrdzip = 1; /* as -noxrdzip (alien.py sets the variable for that option) */
	return cp_env_log(c, err, en);
}

void cp_env_free(struct cp *c)
{
	xrdlog_close(c->xrdlog);
	c->xrdlog = 0;
}

/* alien.py 1.7.0 (stdout): an option given while the shell has its variable set */
void cp_env_warn(struct cp *c, const cJSON *argv)
{
	const struct {
		const char *var, *opt, *sep;
		long long v;
	} w[] = {
		{ "XRD_SUBSTREAMSPERCHANNEL", "-S", ": ", c->streams },
		{ "XRD_CPPARALLELCHUNKS", "-chunks", ": ", c->tune.chunks },
		{ "XRD_CPCHUNKSIZE", "-chunksz", " ", c->tune.chunk_size },
		{ "XRD_CPTIMEOUT", "-timeout", " ", c->tune.timeout_s },
		{ "XRD_XRATETHRESHOLD", "-ratethreshold", " ", c->tune.rate_min },
		{ "XRD_CPRETRY", "-retry", " ", c->tune.retries },
	};
	char line[160];

	for (size_t k = 0; k < sizeof(w) / sizeof(w[0]); k++) {
		if (!command_env(c->cmd, w[k].var) || !cp_env_given(argv, w[k].opt))
			continue;
		snprintf(line, sizeof(line),
			 "Warning! env var %s is set and will be overwritten with value%s%lld\n",
			 w[k].var, w[k].sep, w[k].v);
		command_send(c->cmd, FRAME_STDOUT, line, strlen(line));
	}
}

/* uuid5(NAMESPACE_URL, name) (RFC 4122 4.3), as Python's uuid.uuid5, into out[37] */
static void cp_env_uuid5(const char *name, char out[37])
{
	static const unsigned char ns_url[16] = { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
						  0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	unsigned char md[EVP_MAX_MD_SIZE] = { 0 };
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	int o = 0;

	if (!x || EVP_DigestInit_ex(x, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(x, ns_url, sizeof(ns_url)) != 1 ||
	    EVP_DigestUpdate(x, name, strlen(name)) != 1 || EVP_DigestFinal_ex(x, md, NULL) != 1)
		memset(md, 0, sizeof(md)); /* out of memory: a name still, the same for every LFN */
	EVP_MD_CTX_free(x);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++)
		o += snprintf(out + o, (size_t)(37 - o), "%s%02x",
			      i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", md[i]);
}

/* ALIENPY_KEEP_META: the metalink of a download of lfn (text, n bytes) also as
 * <uuid5(lfn)>.meta4 in the shell's folder, as alien.py 1.7.0 leaves it (usable
 * with xrdcp; it holds the access envelopes: mode 0600). Best effort: a name
 * that is a symbolic link or not a regular file of this user is left alone. */
void cp_env_keep_meta(struct cp *c, const char *lfn, const char *text, size_t n)
{
	char id[37], path[4096];
	struct stat st;
	int fd;

	if (!command_env(c->cmd, "ALIENPY_KEEP_META") || !c->shim_cwd || !lfn)
		return;
	cp_env_uuid5(lfn, id);
	if (snprintf(path, sizeof(path), "%s/%s.meta4", c->shim_cwd, id) >= (int)sizeof(path))
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		log_warn("cp: ALIENPY_KEEP_META: %s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    ftruncate(fd, 0) < 0 || write(fd, text, n) != (ssize_t)n)
		log_warn("cp: ALIENPY_KEEP_META: %s not written", path);
	close(fd);
}
