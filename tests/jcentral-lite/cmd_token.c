/* cmd_token.c - the token command (protocol reference 6.2): user tokens only. */
#include "cmd.h"
#include "token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_USER_MAX_DAYS 31
#define TOKEN_ADMIN_MAX_DAYS 400

static const struct opt_spec token_spec[] = {
	{ "u", true },	      { "v", true },  { "t", true },	 { "jobid", true },
	{ "hostname", true }, { "f", false }, { "wcert", true }, { "wkey", true },
};
#define TOKEN_NSPEC (sizeof(token_spec) / sizeof(token_spec[0]))

static bool token_known_account(const struct jcl_server *srv, const char *name)
{
	for (size_t i = 0; i < srv->n_users; i++)
		if (!strcmp(srv->users[i].account, name))
			return true;
	return false;
}

static void token_run(struct cmd_ctx *c, const struct opt_result *o)
{
	const char *u = opts_val(token_spec, TOKEN_NSPEC, o, "u");
	const char *v = opts_val(token_spec, TOKEN_NSPEC, o, "v");
	const char *t = opts_val(token_spec, TOKEN_NSPEC, o, "t");
	bool admin = !strcmp(c->s->account, "admin");
	struct token_out *tok;
	long long life = c->srv->token_max_s;
	long long max = (admin ? TOKEN_ADMIN_MAX_DAYS : TOKEN_USER_MAX_DAYS) * 86400LL;

	if (opts_val(token_spec, TOKEN_NSPEC, o, "hostname") ||
	    opts_val(token_spec, TOKEN_NSPEC, o, "jobid"))
		t = t ? t : "host";
	if (t && strcmp(t, "user")) {
		if (strcmp(t, "job") && strcmp(t, "jobagent") && strcmp(t, "host")) {
			reply_errorf(c->r, EINVAL, "Invalid token type: %s", t);
			return;
		}
		reply_errorf(c->r, EREMOTEIO,
			     "Server didn't execute your request, reason was: %s tokens are not "
			     "issued by jcentral-lite",
			     t);
		return;
	}
	if (u && strcmp(u, c->s->account)) {
		if (!admin || !token_known_account(c->srv, u)) {
			reply_errorf(c->r, EPERM, "Switching user %s to [%s] failed", c->s->account,
				     u);
			return;
		}
		/* -u also switches the session identity (like `user`) */
		snprintf(c->s->account, sizeof(c->s->account), "%s", u);
		jcl_home_of(c->srv, u, c->s->home, sizeof(c->s->home));
	}
	if (max < c->srv->token_max_s)
		max = c->srv->token_max_s;
	if (v) {
		long days = strtol(v, NULL, 10);
		life = days <= 0 ? 2 * 86400LL : days * 86400LL;
		if (life > max) {
			life = max;
			reply_error_raw(c->r, 0,
					"Requested validity is longer than allowed, the token is "
					"valid for the maximum period");
		}
	}
	if (!(tok = malloc(sizeof(*tok)))) {
		reply_error(c->r, ENOMEM, NULL);
		return;
	}
	int rc = token_issue(c->srv, c->s->account, c->s->account, life, c->s->cert_not_after, tok);
	if (rc) {
		reply_errorf(c->r, 121, "Server didn't execute your request, reason was: %s",
			     rc == -ENOSYS
				     ? "no token CA configured (--token-ca-cert/--token-ca-key)"
				     : "cannot issue the certificate");
		free(tok);
		return;
	}
	time_t na = (time_t)tok->not_after;
	struct tm tm;
	char when[64];
	localtime_r(&na, &tm);
	strftime(when, sizeof(when), "%a %b %d %H:%M:%S %Z %Y", &tm);
	reply_field(c->r, "tokencert", tok->cert_pem);
	reply_field(c->r, "tokenkey", tok->key_pem);
	reply_outf(c->r, "DN: %s\nExpires: %s\n\n%s\n%s", tok->slash_dn, when, tok->cert_pem,
		   tok->key_pem);
	free(tok);
}

static void token_help(struct cmd_ctx *c)
{
	struct reply *r = c->r;
	reply_out(r, "\n");
	cmd_help_usage(r, "token", "[-options]");
	cmd_help_options(r);
	cmd_help_option(r, "-u <username>", "switch to another role of yours");
	cmd_help_option(r, "-v <validity (days)>", "default depends on token type");
	cmd_help_option(r, "-t <tokentype>", "can be one of: job, jobagent, host, user (default)");
	cmd_help_option(r, "-jobid <job DN extension>", "expected to be present in a job token");
	cmd_help_option(r, "-hostname <FQDN>", "required for a host certificate");
}

const struct cmd_def cmd_token_defs[] = {
	{ "token", token_spec, TOKEN_NSPEC, OPTERR_EINVAL, true, token_run, token_help },
};
const size_t cmd_token_ndefs = sizeof(cmd_token_defs) / sizeof(cmd_token_defs[0]);
