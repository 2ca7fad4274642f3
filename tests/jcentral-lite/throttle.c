/* throttle.c - per-subject command rate limiter, as JAliEnCOMMander (see throttle.h).
 * Single-threaded. */
#include "throttle.h"
#include "jcl.h"

#include <stdio.h>
#include <string.h>

struct throttle_entry {
	char subject[JCL_DN_MAX];
	long counter;
	unsigned long long used; /* last use (a tick), for LRU eviction */
};

static struct throttle_entry g_tab[THROTTLE_MAX_SUBJECTS];
static unsigned long long g_tick;
static long long g_next_swap_ms;

static bool throttle_exempt(const char *s)
{
	return !strncmp(s, "OU=alitrain,", 12) || !strncmp(s, "OU=alihyperloop,", 16);
}

static struct throttle_entry *throttle_find(const char *subject)
{
	struct throttle_entry *victim = &g_tab[0];

	for (size_t i = 0; i < THROTTLE_MAX_SUBJECTS; i++) {
		struct throttle_entry *e = &g_tab[i];
		if (e->subject[0] && !strcmp(e->subject, subject)) {
			e->used = ++g_tick;
			return e;
		}
		if (!e->subject[0] ? victim->subject[0] != '\0'
				   : (victim->subject[0] && e->used < victim->used))
			victim = e;
	}
	snprintf(victim->subject, sizeof(victim->subject), "%s", subject);
	victim->counter = 0;
	victim->used = ++g_tick;
	return victim;
}

void throttle_init(void)
{
	g_next_swap_ms = jcl_now_ms() + THROTTLE_HALVE_MS;
}

/* incrementCommandCount(): add, then (once the swap time has passed) halve every counter and
 * set the next swap 5 minutes from now. Returns the value before the halving. */
static long throttle_add(const char *subject, long n)
{
	long long now = jcl_now_ms();
	long v;

	if (!g_next_swap_ms)
		throttle_init();
	struct throttle_entry *e = throttle_find(subject);
	v = (e->counter += n);
	if (now > g_next_swap_ms) {
		for (size_t i = 0; i < THROTTLE_MAX_SUBJECTS; i++)
			if (g_tab[i].subject[0])
				g_tab[i].counter /= 2;
		g_next_swap_ms = now + THROTTLE_HALVE_MS;
	}
	return v;
}

void throttle_connect(const char *subject)
{
	if (subject[0] && !throttle_exempt(subject))
		throttle_add(subject, 10);
}

void throttle_disconnect(const char *subject)
{
	if (subject[0])
		throttle_add(subject, 1); /* counted for exempt subjects too, as in JCentral */
}

long throttle_command(const char *subject)
{
	if (!subject[0] || throttle_exempt(subject))
		return 0;
	long v = throttle_add(subject, 1);
	return v > 100 ? v - 100 : 0;
}
