/* cmd_misc.c - accounts and quotas: user whois df top fquota jquota. */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct jcl_user *find_user(const struct jcl_server *srv, const char *name)
{
	for (size_t i = 0; i < srv->n_users; i++)
		if (!strcmp(srv->users[i].account, name))
			return &srv->users[i];
	return NULL;
}

/* ------------------------------------------------------------------ user */

static void user_run(struct cmd_ctx *c, const struct opt_result *o)
{
	const char *name = o->args[0];
	bool admin = !strcmp(c->s->account, "admin");

	if (o->nargs != 1) {
		reply_error(c->r, EINVAL, "Command requires an argument");
		return;
	}
	if (strcmp(name, c->s->account) && !admin) {
		reply_errorf(c->r, EPERM, "Switching user %s to [%s] failed", c->s->account, name);
		return;
	}
	if (!find_user(c->srv, name) && strcmp(name, c->s->account)) {
		reply_errorf(c->r, EINVAL, "User %s cannot be found. Abort", name);
		return;
	}
	snprintf(c->s->account, sizeof(c->s->account), "%s", name);
	jcl_home_of(c->srv, name, c->s->home, sizeof(c->s->home));
	reply_field(c->r, "homedir", c->s->home);
}

static void user_help(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, "user", "<user name>");
	reply_out(c->r, "\n");
	cmd_help_param(c->r, "Change effective role as specified.");
}

/* ------------------------------------------------------------------ whois */

static const struct opt_spec whois_spec[] = {
	{ "s", false }, { "f", false }, { "e", false }, { "d", false }, { "a", false },
};

static void whois_row(struct cmd_ctx *c, const struct jcl_user *u)
{
	reply_next(c->r);
	reply_outf(c->r, "Username: %s\n  Roles: %s\n  Subject: %s\n", u->account, u->account,
		   u->subject);
	reply_field(c->r, "username", u->account);
	reply_field(c->r, "roles", u->account);
	reply_field(c->r, "subject", u->subject);
}

static void whois_run(struct cmd_ctx *c, const struct opt_result *o)
{
	bool substr = opts_has(whois_spec, 5, o, "s") || opts_has(whois_spec, 5, o, "a");
	bool subj = opts_has(whois_spec, 5, o, "d") || opts_has(whois_spec, 5, o, "a");

	for (size_t i = 0; i < o->nargs; i++) {
		const char *q = o->args[i];
		bool any = false;
		for (size_t k = 0; k < c->srv->n_users; k++) {
			const struct jcl_user *u = &c->srv->users[k];
			bool hit = substr ? strstr(u->account, q) != NULL : !strcmp(u->account, q);
			if (!hit && subj)
				hit = strstr(u->subject, q) != NULL;
			if (hit) {
				whois_row(c, u);
				any = true;
			}
		}
		if (!any) {
			reply_next(c->r);
			reply_outf(c->r, "Username not found: %s\n", q);
		}
	}
}

static void whois_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "whois", "[account name]");
	cmd_help_options(r);
	cmd_help_option(r, "-s", "search for the given string(s) in usernames");
	cmd_help_option(r, "-f", "also search in full names");
	cmd_help_option(r, "-e", "search in email addresses too");
	cmd_help_option(r, "-d", "search in X509 DN (subject) fields");
	cmd_help_option(r, "-a", "search for the given string in all the above fields");
}

/* ------------------------------------------------------------------ df, top */

static void df_run(struct cmd_ctx *c, const struct opt_result *o)
{
	(void)o;
	reply_error(c->r, ENOSYS, NULL);
}

static void top_run(struct cmd_ctx *c, const struct opt_result *o)
{
	(void)o;
	reply_error(c->r, ENOSYS, "not implemented yet");
}

static void nohelp(struct cmd_ctx *c)
{
	reply_out(c->r, "\n");
	cmd_help_usage(c->r, c->name, "");
	reply_out(c->r, "\n");
}

/* ------------------------------------------------------------------ fquota, jquota */

static void quota_run(struct cmd_ctx *c, const struct opt_result *o, bool jobs)
{
	if (o->nargs == 0 || strcmp(o->args[0], "list")) {
		if (o->nargs && !strcmp(o->args[0], "set")) {
			reply_errorf(c->r, ENOSYS, "%s set is not implemented by jcentral-lite",
				     c->name);
			return;
		}
		reply_error(c->r, EINVAL, "Command requires an argument");
		return;
	}
	const char *who = o->nargs > 1 ? o->args[1] : c->s->account;
	if (jobs)
		reply_errorf(c->r, ENODATA, "No jobs quota found for user %s", who);
	else
		reply_errorf(c->r, ENODATA, "File quota information not available for %s", who);
}

static void fquota_run(struct cmd_ctx *c, const struct opt_result *o)
{
	quota_run(c, o, false);
}

static void jquota_run(struct cmd_ctx *c, const struct opt_result *o)
{
	quota_run(c, o, true);
}

static void fquota_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "fquota", "list [-<options>] [<user>]");
	cmd_help_options(r);
	cmd_help_option(r, "-unit = B|K|M|G", "unit of file size");
}

static void jquota_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "jquota", "Displays information about Job Quotas.");
	cmd_help_options(r);
	cmd_help_option(r, "list [username]*",
			"get job quota information for the current account, or the indicated ones");
}

const struct cmd_def cmd_misc_defs[] = {
	{ "user", NULL, 0, OPTERR_EINVAL, false, user_run, user_help },
	{ "whois", whois_spec, 5, OPTERR_EINVAL, false, whois_run, whois_help },
	{ "df", NULL, 0, OPTERR_EINVAL, true, df_run, nohelp },
	{ "top", NULL, 0, OPTERR_EINVAL, true, top_run, nohelp },
	{ "fquota", NULL, 0, OPTERR_EINVAL, false, fquota_run, fquota_help },
	{ "jquota", NULL, 0, OPTERR_EINVAL, false, jquota_run, jquota_help },
};
const size_t cmd_misc_ndefs = sizeof(cmd_misc_defs) / sizeof(cmd_misc_defs[0]);
