/* cmd_info.c - session and information commands: commandlist pwd whoami echo version motd
 * uptime ping groups. */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef JCL_BUILD_EPOCH
#define JCL_BUILD_EPOCH 0
#endif
#ifndef JCL_BUILD_HOST
#define JCL_BUILD_HOST "localhost"
#endif
#ifndef JCL_VERSION
#define JCL_VERSION "0.1.0"
#endif

static void commandlist_run(struct cmd_ctx *c, const struct opt_result *o)
{
	bool interactive = false;

	for (size_t i = 0; i < o->nargs; i++)
		if (!strcmp(o->args[i], "-i"))
			interactive = true;
	if (interactive) {
		for (size_t i = 0; i < cmd_nnames; i++)
			reply_outf(c->r, "%s%s", i ? " " : "", cmd_names[i]);
		reply_out(c->r, "\n");
		return;
	}
	for (size_t i = 0; i < cmd_nnames; i++)
		reply_outf(c->r, "%s\n", cmd_names[i]);
	for (size_t i = 0; i < cmd_nnames; i++) {
		reply_field(c->r, "commandlist", cmd_names[i]);
		reply_next(c->r);
	}
}

static void commandlist_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "commandlist", "");
	reply_out(c->r, "\n");
}

static void pwd_run(struct cmd_ctx *c, const struct opt_result *o)
{
	(void)o;
	if (!strcmp(c->s->cwd, "[none]")) {
		reply_error_raw(c->r, EREMOTEIO,
				"Remote I/O error : Error executing the command [pwd]: \n"
				"java.lang.NullPointerException: the current directory is not set");
		return;
	}
	reply_field(c->r, "pwd", c->s->cwd);
	reply_outf(c->r, "%s\n", c->s->cwd);
}

static void pwd_help(struct cmd_ctx *c)
{
	(void)c;
}

/* lazyj Format.toInterval() as seen in JCentral output ("30d 23:59") */
static void fmt_interval(long long ms, char *out, size_t outsz)
{
	long long s = ms / 1000, d = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60;

	if (ms < 0) {
		snprintf(out, outsz, "the past");
		return;
	}
	if (d > 0)
		snprintf(out, outsz, "%lldd %02lld:%02lld", d, h, m);
	else
		snprintf(out, outsz, "%02lld:%02lld:%02lld", h, m, s % 60);
}

/* Java ZonedDateTime.toString() in the system zone, e.g. 2026-12-29T00:15:39Z[Etc/UTC] */
static void fmt_zoned(long long t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char base[64], off[48];
	const char *zone = getenv("TZ");

	localtime_r(&tt, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (tm.tm_gmtoff == 0)
		snprintf(off, sizeof(off), "Z");
	else
		snprintf(off, sizeof(off), "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
			 labs(tm.tm_gmtoff) / 3600, (labs(tm.tm_gmtoff) / 60) % 60);
	if (zone && *zone == ':')
		zone++;
	if (!zone || !*zone)
		zone = tm.tm_gmtoff == 0 ? "Etc/UTC" : tm.tm_zone;
	snprintf(out, outsz, "%s%s[%s]", base, off, zone);
}

static const struct opt_spec whoami_spec[] = { { "v", false } };

static void whoami_run(struct cmd_ctx *c, const struct opt_result *o)
{
	const struct jcl_session *s = c->s;
	bool verbose = opts_has(whoami_spec, 1, o, "v");

	reply_field(c->r, "username", s->account);
	reply_field(c->r, "role", s->account);
	reply_field(c->r, "roles", s->account);
	if (verbose) {
		reply_outf(c->r, "Username: %s\n", s->account);
		reply_outf(c->r, "Role: %s\n", s->account);
	} else {
		reply_outf(c->r, "%s\n", s->account);
	}
	if (s->dn[0]) {
		reply_fieldf(c->r, "certificate_expires", "%lld", s->cert_not_after);
		reply_field(c->r, "certificate_dn", s->dn);
		if (verbose) {
			char zoned[256], iv[48];
			fmt_zoned(s->cert_not_after, zoned, sizeof(zoned));
			fmt_interval(s->cert_not_after * 1000 - jcl_now_ms(), iv, sizeof(iv));
			reply_outf(c->r, "Certificate DN: %s (expiring on %s, which is in %s)\n",
				   s->dn, zoned, iv);
		}
	}
	if (s->peer[0]) {
		reply_field(c->r, "connected_from", s->peer);
		if (verbose)
			reply_outf(c->r, "Connected from: %s\n", s->peer);
	}
	reply_field(c->r, "homedir", s->home);
	if (verbose)
		reply_outf(c->r, "Home directory: %s\n", s->home);
}

static void whoami_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "whoami", "");
	cmd_help_options(c->r);
	cmd_help_option(c->r, "-v", "verbose details of the current identity");
}

static void echo_run(struct cmd_ctx *c, const struct opt_result *o)
{
	for (size_t i = 0; i < o->nargs; i++) {
		char key[32];
		snprintf(key, sizeof(key), "arg%zu", i);
		reply_field(c->r, key, o->args[i]);
	}
	for (size_t i = 0; i < o->nargs; i++)
		reply_outf(c->r, "%s%s", i ? " " : "", o->args[i]);
	reply_out(c->r, "\n");
}

static void echo_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "echo", "[text]");
	reply_out(c->r, "\n");
}

static void version_run(struct cmd_ctx *c, const struct opt_result *o)
{
	time_t t = (time_t)JCL_BUILD_EPOCH;
	struct tm tm;
	char when[64];

	(void)o;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%d %b %Y %H:%M", &tm);
	reply_outf(c->r, "JAliEn tag: jcentral-lite-%s\n", JCL_VERSION);
	reply_out(c->r, "Git hash: jcentral-lite\n");
	reply_outf(c->r, "Compiled at: %s @ %s\n", when, JCL_BUILD_HOST);
	reply_fieldf(c->r, "tag", "jcentral-lite-%s", JCL_VERSION);
	reply_field(c->r, "git_hash", "jcentral-lite");
	reply_fieldf(c->r, "compiled_at", "%lld", (long long)JCL_BUILD_EPOCH * 1000);
	reply_field(c->r, "compiled_by", JCL_BUILD_HOST);
}

static void version_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "version", "");
	cmd_help_options(c->r);
	cmd_help_param(c->r, "Get information about the JAliEn version that answers your requests");
}

static void motd_run(struct cmd_ctx *c, const struct opt_result *o)
{
	(void)o;
	reply_out(c->r,
		  "Welcome to jcentral-lite, a local JAliEn-compatible central service for tests.\n"
		  "It implements the catalogue browsing and session commands of JCentral;\n"
		  "see tests/jcentral-lite/README.md in the jaliend tree for details.\n");
}

static void motd_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "motd", "");
	cmd_help_options(c->r);
	cmd_help_param(c->r, "Message of the day");
}

static void uptime_run(struct cmd_ctx *c, const struct opt_result *o)
{
	(void)o;
	reply_out(c->r, "0 running jobs, 0 waiting jobs, 0 active users\n");
	reply_field(c->r, "running jobs", " 0");
	reply_field(c->r, "waiting jobs", " 0");
	reply_field(c->r, "active users", " 0");
}

static void uptime_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "uptime", "");
	cmd_help_options(c->r);
	reply_out(c->r, "\n");
}

static const struct opt_spec ping_spec[] = { { "c", true }, { "s", true }, { "n", false } };

static void ping_run(struct cmd_ctx *c, const struct opt_result *o)
{
	const char *cv = opts_val(ping_spec, 3, o, "c");
	const char *sv = opts_val(ping_spec, 3, o, "s");
	long n = cv ? strtol(cv, NULL, 10) : 3;
	long pause = sv ? strtol(sv, NULL, 10) : 1000;
	const char *host = opts_has(ping_spec, 3, o, "n") ? "127.0.0.1" : "localhost";

	if (n < 0)
		n = 0;
	if (n > 100)
		n = 100;
	if (pause < 0)
		pause = 0;
	if (pause > 60000)
		pause = 60000;
	/* N-1 pauses, taken by sending the reply late (wsqueue.c): the event loop never sleeps. */
	if (n > 1)
		c->s->reply_delay_ms += (n - 1) * pause;
	for (long i = 0; i < n; i++)
		reply_outf(c->r, "reply from %s (127.0.0.1): time=0.01 ms\n", host);
	reply_outf(c->r, "%ld packets transmitted, time %ld ms\n", n, n > 1 ? (n - 1) * pause : 0);
	reply_out(c->r, "rtt min/avg/max/mdev = 0.010/0.010/0.010/0.000 ms\n\n");
	reply_out(
		c->r,
		"Central service endpoint information:\n  hostname : localhost (jcentral-lite)\n");
}

static void ping_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "ping", "");
	cmd_help_options(c->r);
	cmd_help_option(c->r, "-c", "Number of iterations");
	cmd_help_option(c->r, "-s", "Sleep between iterations, default 1000 (milliseconds)");
	cmd_help_option(c->r, "-n", "Numeric IP addresses, don't try to resolve anything");
}

static void groups_run(struct cmd_ctx *c, const struct opt_result *o)
{
	(void)o;
	reply_outf(c->r, "User: %s, main group: %s\n", c->s->account, c->s->account);
	reply_outf(c->r, "Member of groups: %s \n", c->s->account);
}

static void groups_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "groups", "[<username>]");
	cmd_help_options(c->r);
	reply_out(c->r, "\n");
}

/* JAliEnCommandsetSite: the session's close site (used by JCentral to order
 * SEs). Names with ':' or '.' are looked up at an external service that
 * jcentral-lite does not have: refused as JCentral does when it is down. */
static void setsite_run(struct cmd_ctx *c, const struct opt_result *o)
{
	struct jcl_session *s = c->s;
	const char *cur = s->site[0] ? s->site : JCL_DEFAULT_SITE;
	char was[sizeof(s->site)];

	if (o->nargs == 0 || !o->args[0][0]) {
		reply_outf(c->r, "Keeping the current close site: %s\n", cur);
		return;
	}
	if (strcmp(o->args[0], "auto") == 0 || strpbrk(o->args[0], ":.")) {
		reply_errorf(c->r, 121,
			     "Could not map %s to a site name at the moment, keeping previous "
			     "value of %s",
			     o->args[0], cur);
		return;
	}
	snprintf(was, sizeof(was), "%s", cur);
	snprintf(s->site, sizeof(s->site), "%s", o->args[0]);
	reply_outf(c->r, "Setting close site to %s (was %s)\n", s->site, was);
}

/* JAliEnCommandlistSEDistance: each SE with the distance from the session's
 * site (or -site X): 0 for the SE's own site (the middle part of its name),
 * unknown otherwise (Java formats the null with "% .3f" as "nul"). */
static void listsedistance_run(struct cmd_ctx *c, const struct opt_result *o)
{
	const char *site = c->s->site[0] ? c->s->site : JCL_DEFAULT_SITE;

	for (size_t i = 0; i + 1 < o->nargs; i++)
		if (strcmp(o->args[i], "-site") == 0)
			site = o->args[i + 1];
	for (size_t i = 0; i < c->s->srv->n_ses; i++) {
		const char *name = c->s->srv->ses[i].name, *a = strstr(name, "::"),
			   *b = a ? strstr(a + 2, "::") : NULL;
		bool near = b && strlen(site) == (size_t)(b - a - 2) &&
			    strncasecmp(a + 2, site, (size_t)(b - a - 2)) == 0;

		if (!a)
			continue;
		reply_outf(c->r, "%40s\t(read:  0.000,  write:  0.000,  distance: %s)\n", name,
			   near ? " 0.000" : "nul");
	}
	reply_out(c->r, "\n");
}

static void listsedistance_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	reply_out(c->r,
		  "listSEDistance: Returns the closest working SE for a particular site. Usage\n");
	cmd_help_options(c->r);
	cmd_help_option(c->r, "-site",
			"site to base the results to, instead of using the default mapping of this "
			"client to a site");
	reply_out(c->r, "\n");
}

static void setsite_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "setSite", "[site name]");
	cmd_help_options(c->r);
	reply_out(c->r, "\n");
}

const struct cmd_def cmd_info_defs[] = {
	{ "setSite", NULL, 0, OPTERR_EINVAL, true, setsite_run, setsite_help },
	{ "listSEDistance", NULL, 0, OPTERR_EINVAL, true, listsedistance_run, listsedistance_help },
	{ "commandlist", NULL, 0, OPTERR_EINVAL, true, commandlist_run, commandlist_help },
	{ "pwd", NULL, 0, OPTERR_EINVAL, true, pwd_run, pwd_help },
	{ "whoami", whoami_spec, 1, OPTERR_EINVAL, true, whoami_run, whoami_help },
	{ "echo", NULL, 0, OPTERR_EINVAL, true, echo_run, echo_help },
	{ "version", NULL, 0, OPTERR_EINVAL, true, version_run, version_help },
	{ "motd", NULL, 0, OPTERR_EINVAL, true, motd_run, motd_help },
	{ "uptime", NULL, 0, OPTERR_EINVAL, true, uptime_run, uptime_help },
	{ "ping", ping_spec, 3, OPTERR_EINVAL, true, ping_run, ping_help },
	{ "groups", NULL, 0, OPTERR_EINVAL, true, groups_run, groups_help },
};
const size_t cmd_info_ndefs = sizeof(cmd_info_defs) / sizeof(cmd_info_defs[0]);
