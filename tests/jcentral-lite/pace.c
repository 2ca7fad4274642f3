/* pace.c - the service-time profile of --service-time real (see pace.h). */
#include "pace.h"

#include <string.h>

/* a value in [lo, hi], spread evenly over a fixed sequence of 16 steps */
static long pace_spread(unsigned *k, long lo, long hi)
{
	static const unsigned order[16] = { 7, 2, 12, 0, 9, 15, 4, 11, 1, 14, 6, 10, 3, 13, 5, 8 };

	return lo + (hi - lo) * (long)order[(*k)++ % 16] / 15;
}

long pace_service_ms(const char *cmd)
{
	static unsigned k_stat, k_access;

	if (!strcmp(cmd, "commit"))
		return PACE_COMMIT_MS;
	if (!strcmp(cmd, "access"))
		return pace_spread(&k_access, PACE_ACCESS_MIN_MS, PACE_ACCESS_MAX_MS);
	return pace_spread(&k_stat, PACE_STAT_MIN_MS, PACE_STAT_MAX_MS);
}
