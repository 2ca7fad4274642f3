/* policy.c - see policy.h. Each command's policy is its row's column in
 * common/cmdtab.def; the functions it names are here. */
#include "policy.h"

#include <string.h>

#include "cmdtab.h"
#include "upstream/upstream.h"

/* Only reads: resending it cannot change anything. */
static unsigned policy_ro(const cJSON *options)
{
	(void)options;
	return UP_REQ_READONLY;
}

/* Changes the session it runs on (spec 4.6). */
static unsigned policy_private(const cJSON *options)
{
	(void)options;
	return UP_REQ_PRIVATE;
}

/* A write: sent at most once, on any session. */
static unsigned policy_write(const cJSON *options)
{
	(void)options;
	return 0;
}

/* jquota, fquota: read-only as `list` or with no sub-command (the first
 * option that is not a flag), never `set`. */
static unsigned policy_quota(const cJSON *options)
{
	const cJSON *o;

	cJSON_ArrayForEach (o, options)
		if (cJSON_IsString(o) && o->valuestring[0] != '-')
			return strcmp(o->valuestring, "list") == 0 ? UP_REQ_READONLY : 0;
	return UP_REQ_READONLY;
}

/* token -u USER: a token for another user changes the session. */
static unsigned policy_token(const cJSON *options)
{
	const cJSON *o;

	cJSON_ArrayForEach (o, options)
		if (cJSON_IsString(o) && strcmp(o->valuestring, "-u") == 0)
			return UP_REQ_PRIVATE;
	return 0;
}

/* the policy column of each row of cmdtab.def, row i at i */
static unsigned (*const policy_of[])(const cJSON *options) = {
#define CMDTAB(names, where, policy, flags, up, run, shim, help) policy,
#include "cmdtab.def"
#undef CMDTAB
};

unsigned policy_flags(const char *verb, const cJSON *options)
{
	const cJSON *o;
	int row;

	cJSON_ArrayForEach (o, options)
		if (cJSON_IsString(o) && strncmp(o->valuestring, "-debug=", 7) == 0)
			return UP_REQ_PRIVATE;
	row = cmdtab_find(verb);
	return row < 0 ? 0 : policy_of[row](options);
}
