/* cmdcount.c - request counters (see cmdcount.h). Single-threaded (the lws loop). */
#include "cmdcount.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cmdcount_name {
	char name[64];
	unsigned long n;
	unsigned running,
		running_max; /* being served now (executed, reply not queued), the most at once */
};

static struct cmdcount_name g_names[CMDCOUNT_MAX_NAMES];
static size_t g_nnames;
static unsigned long g_total;
static struct jcl_session *g_sess[CMDCOUNT_MAX_SESSIONS];
static unsigned long g_next_id = 1;
static const char *g_path;
static struct lws_context *g_ctx;
static lws_sorted_usec_list_t g_sul;
static bool g_armed;
static unsigned g_inflight, g_inflight_max, g_sess_inflight_max;

static void cmdcount_timer(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	g_armed = false;
	cmdcount_flush();
}

void cmdcount_init(struct lws_context *ctx, const char *path)
{
	g_ctx = ctx;
	g_path = path;
	if (g_path)
		cmdcount_flush();
}

void cmdcount_session_open(struct jcl_session *s)
{
	s->count_id = g_next_id++;
	s->requests = 0;
	for (size_t i = 0; i < CMDCOUNT_MAX_SESSIONS; i++)
		if (!g_sess[i]) {
			g_sess[i] = s;
			return;
		}
}

void cmdcount_begin(struct jcl_session *s)
{
	s->inflight++;
	g_inflight++;
	if (s->inflight > g_sess_inflight_max)
		g_sess_inflight_max = s->inflight;
	if (g_inflight > g_inflight_max)
		g_inflight_max = g_inflight;
}

void cmdcount_end(struct jcl_session *s)
{
	if (s->running_name > 0 && g_names[s->running_name - 1].running)
		g_names[s->running_name - 1].running--;
	s->running_name = 0;
	if (!s->inflight)
		return;
	s->inflight--;
	g_inflight--;
}

void cmdcount_session_close(struct jcl_session *s)
{
	cmdcount_end(s);	   /* a reply never sent */
	g_inflight -= s->inflight; /* requests never answered */
	s->inflight = 0;
	jcl_log("session %lu (%s): %lu requests", s->count_id, s->account, s->requests);
	for (size_t i = 0; i < CMDCOUNT_MAX_SESSIONS; i++)
		if (g_sess[i] == s)
			g_sess[i] = NULL;
}

static bool name_ok(const char *n)
{
	size_t l = strlen(n);
	if (!l || l > 63)
		return false;
	for (size_t i = 0; i < l; i++) {
		char c = n[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static struct cmdcount_name *slot(const char *name)
{
	for (size_t i = 0; i < g_nnames; i++)
		if (!strcmp(g_names[i].name, name))
			return &g_names[i];
	if (g_nnames + 1 >= CMDCOUNT_MAX_NAMES) /* keep the last slot for "(other)" */
		return strcmp(name, "(other)") ? slot("(other)") : &g_names[CMDCOUNT_MAX_NAMES - 1];
	snprintf(g_names[g_nnames].name, sizeof(g_names[0].name), "%s", name);
	return &g_names[g_nnames++];
}

void cmdcount_add(struct jcl_session *s, const char *name)
{
	const char *n = !name ? "(bad)" : name_ok(name) ? name : "(other)";
	struct cmdcount_name *e = slot(n);

	if (!e->name[0])
		snprintf(e->name, sizeof(e->name), "(other)");
	e->n++;
	g_total++;
	if (s) {
		s->requests++;
		if (s->running_name > 0 &&
		    g_names[s->running_name - 1].running) /* not ended: cannot happen */
			g_names[s->running_name - 1].running--;
		s->running_name = (int)(e - g_names) + 1;
		if (++e->running > e->running_max)
			e->running_max = e->running;
	}
	if (g_path && g_ctx && !g_armed) {
		g_armed = true;
		lws_sul_schedule(g_ctx, 0, &g_sul, cmdcount_timer,
				 (lws_usec_t)CMDCOUNT_FLUSH_MS * 1000);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct cmdcount_name *)a)->name,
		      ((const struct cmdcount_name *)b)->name);
}

void cmdcount_flush(void)
{
	char tmp[JCL_LFN_MAX];
	struct cmdcount_name sorted[CMDCOUNT_MAX_NAMES];
	FILE *f;

	if (!g_path)
		return;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", g_path, (int)getpid()) >= (int)sizeof(tmp) ||
	    !(f = fopen(tmp, "w"))) {
		jcl_log("cannot write --counts %s", g_path);
		return;
	}
	memcpy(sorted, g_names, g_nnames * sizeof(sorted[0]));
	qsort(sorted, g_nnames, sizeof(sorted[0]), by_name);
	fprintf(f, "total %lu\n", g_total);
	for (size_t i = 0; i < g_nnames; i++)
		fprintf(f, "cmd %s %lu\n", sorted[i].name, sorted[i].n);
	for (size_t i = 0; i < CMDCOUNT_MAX_SESSIONS; i++)
		if (g_sess[i])
			fprintf(f, "session %lu %s %lu\n", g_sess[i]->count_id, g_sess[i]->account,
				g_sess[i]->requests);
	fprintf(f, "inflight_max %u\nsession_inflight_max %u\n", g_inflight_max,
		g_sess_inflight_max);
	for (size_t i = 0; i < g_nnames; i++)
		fprintf(f, "running_max %s %u\n", sorted[i].name, sorted[i].running_max);
	if (fclose(f) || rename(tmp, g_path)) {
		jcl_log("cannot write --counts %s", g_path);
		unlink(tmp);
	}
}
