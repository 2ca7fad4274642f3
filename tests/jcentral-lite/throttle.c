/* throttle.c - per-subject command rate limiter (see throttle.h). Single-threaded. */
#include "throttle.h"
#include "jcl.h"

#include <stdio.h>
#include <string.h>

struct throttle_entry {
	char subject[JCL_DN_MAX];
	long counter;
	long long epoch;                /* halving period the counter is up to date with */
	long long used_ms;              /* last use, for eviction */
};

static struct throttle_entry g_tab[THROTTLE_MAX_SUBJECTS];
static long long g_start_ms;

static long long throttle_epoch(long long now)
{
	if (!g_start_ms)
		g_start_ms = now;
	return (now - g_start_ms) / THROTTLE_HALVE_MS;
}

static bool throttle_exempt(const char *s)
{
	return !strncmp(s, "OU=alitrain,", 12) || !strncmp(s, "OU=alihyperloop,", 16);
}

static struct throttle_entry *throttle_find(const char *subject)
{
	long long now = jcl_now_ms(), ep = throttle_epoch(now);
	struct throttle_entry *victim = &g_tab[0];

	for (size_t i = 0; i < THROTTLE_MAX_SUBJECTS; i++) {
		struct throttle_entry *e = &g_tab[i];
		if (e->subject[0] && !strcmp(e->subject, subject)) {
			long long d = ep - e->epoch;
			e->counter = d >= 62 ? 0 : e->counter >> d;
			e->epoch = ep;
			e->used_ms = now;
			return e;
		}
		if (!e->subject[0] ? victim->subject[0] != '\0' : (victim->subject[0] && e->used_ms < victim->used_ms))
			victim = e;
	}
	snprintf(victim->subject, sizeof(victim->subject), "%s", subject);
	victim->counter = 0;
	victim->epoch = ep;
	victim->used_ms = now;
	return victim;
}

static void throttle_add(const char *subject, long n)
{
	if (!subject[0] || throttle_exempt(subject))
		return;
	throttle_find(subject)->counter += n;
}

void throttle_connect(const char *subject)
{
	throttle_add(subject, 10);
}

void throttle_disconnect(const char *subject)
{
	throttle_add(subject, 1);
}

long throttle_command(const char *subject)
{
	if (!subject[0] || throttle_exempt(subject))
		return 0;
	struct throttle_entry *e = throttle_find(subject);
	e->counter++;
	return e->counter > 100 ? e->counter - 100 : 0;
}

long throttle_value(const char *subject)
{
	return subject[0] ? throttle_find(subject)->counter : 0;
}
