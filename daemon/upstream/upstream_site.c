/* upstream_site.c - a terminal's close site (ALIEN_SITE) on shared sessions.
 *
 * alien.py sends `setSite <ALIEN_SITE>` on each websocket it opens, before
 * anything else; JCentral keeps the site in that websocket's commander and
 * uses it to order SEs for `access` (reads and writes), `listSEDistance`,
 * and its accounting. Our websockets are shared by terminals that may want
 * different sites, so each session remembers the site it was set to, and a
 * request whose terminal wants another is preceded by a `setSite` on the
 * same session (as -pwd= moves the cwd): the request waits parked on the
 * session (usession.site_next) until that reply, then goes out.
 *
 * A terminal without ALIEN_SITE wants the session's own site, the one
 * JCentral chose from our address: the first setSite's reply names it
 * (`Setting close site to X (was Y)`), and it is set back when needed. A
 * setSite that fails (JCentral maps names with ':' or '.' through an
 * external service) is logged and the request runs anyway, as alien.py
 * does (it only logs setSite's answer). */
#include "upstream_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int upstream_req_site(struct up_req *r, const char *site)
{
	free(r->site);
	r->site = strdup(site ? site : "");
	return r->site ? 0 : -1;
}

/* What a session's site is now: "" = the one JCentral gave it. */
static const char *upstream_site_now(const struct usession *s)
{
	return s->site ? s->site : "";
}

/* "Setting close site to X (was Y)": Y, the site before, into *was (once). */
static void upstream_site_learn_default(struct usession *s, const cJSON *reply)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(reply, "results"), *it;
	const char *m, *p, *e;

	if (s->site_default)
		return;
	cJSON_ArrayForEach (it, res) {
		m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "message"));
		if (!m || !(p = strstr(m, "(was ")) || !(e = strchr(p + 5, ')')))
			continue;
		p += 5;
		if (e - p > 0 && e - p < UP_SITE_MAX)
			s->site_default = strndup(p, (size_t)(e - p));
		return;
	}
}

static void upstream_site_done(struct up_req *req, cJSON *reply, int code, const char *msg)
{
	struct usession *s = req->owner;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode");
	const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "error"));
	const char *target = cJSON_GetStringValue(cJSON_GetArrayItem(req->options, 0));
	struct up_req *next = s->site_next;
	int rc = cJSON_IsString(ec) ? atoi(ec->valuestring) : cJSON_IsNumber(ec) ? ec->valueint : 0;

	(void)code;
	if (!reply) { /* the session is gone or timed out: the parked request is requeued with it */
		log_warn("upstream[%d]: setSite %s: %s", s->idx, target ? target : "?",
			 msg ? msg : "no reply");
		return;
	}
	if (rc != 0)
		log_warn("upstream[%d]: setSite %s refused (%d): %s; the request runs on the site "
			 "it had",
			 s->idx, target ? target : "?", rc, err ? err : "");
	else
		upstream_site_learn_default(s, reply);
	/* what the terminal asked for counts as done either way, so a refused
	 * site is not asked again before every request */
	free(s->site);
	s->site = next && next->site && next->site[0] ? strdup(next->site) : NULL;
	cJSON_Delete(reply);
	s->site_next = NULL;
	if (next)
		up_dispatch(s, next);
}

int upstream_site_detour(struct usession *s, struct up_req *r)
{
	const char *want = r->site, *target;
	struct up_req *set;
	cJSON *opts;
	char err[200];

	if (!want || r->internal || strcmp(want, upstream_site_now(s)) == 0)
		return 0;
	target = want[0] ? want : s->site_default;
	if (!target) { /* its own site is not known: JCentral cannot be asked to go back */
		log_warn("upstream[%d]: cannot set the site back to JCentral's choice; the session "
			 "retires",
			 s->idx);
		s->retire = 1;
		return 0;
	}
	opts = cJSON_CreateArray();
	if (!opts || !cJSON_AddItemToArray(opts, cJSON_CreateString(target)))
		goto fail;
	set = upstream_req_new("setSite", opts, NULL, upstream_site_done, s);
	opts = NULL;
	if (!set)
		goto fail;
	set->internal = 1;
	set->inline_done = 1; /* r goes out in its reply's event, before s takes other work */
	if (usession_send(s, set, NULL, err, sizeof(err)) < 0) {
		up_req_free(set);
		goto fail;
	}
	s->site_next = r;
	log_info("upstream[%d]: setSite %s for `%.40s`", s->idx, target, r->command);
	return 1;
fail:
	cJSON_Delete(opts);
	log_warn("upstream[%d]: cannot send setSite %s; `%.40s` runs on the session's site", s->idx,
		 target, r->command);
	return 0;
}

void upstream_site_requeue(struct usession *s)
{
	struct up_req *r = s->site_next;

	s->site_next = NULL;
	free(s->site);
	s->site = NULL;
	free(s->site_default);
	s->site_default = NULL;
	if (!r)
		return;
	/* it never reached JCentral: first in line again (a private one waits
	 * for a fresh private session) */
	if (s->private_) {
		r->next = up.phead;
		up.phead = r;
		if (!r->next)
			up.ptail = &r->next;
	} else {
		r->next = up.qhead;
		up.qhead = r;
		if (!r->next)
			up.qtail = &r->next;
		up.qlen++;
	}
	r->queued = 1;
}
