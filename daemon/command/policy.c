/* policy.c - see policy.h. */
#include "policy.h"

#include <string.h>

#include "upstream/upstream.h"

/* Commands that only read: resending one cannot change anything. */
static const char *const policy_readonly[] = {
	"ls", "stat", "find", "whoami", "pwd", "ps", "whereis", "du", "type", "lfn2guid", "guid2lfn",
	"guidinfo", "md5sum", "listSEs", "listCEs", "commandlist", "echo", "motd", "version", "uptime",
	"cat", "w", "top", "df", "uuid", "groups", "whois", "listFilesFromCollection", "archiveList",
	"packages", "listpartitions", "jobListMatch", "masterjob", "listSEDistance", "listTransfer",
	"showTagValue", "lfnexpiretime", "ping", "grep", "xrdstat", NULL,
};

/* Commands that change the session they run on (spec 4.6). */
static const char *const policy_private[] = { "user", "setSite", "timing", NULL };

static int policy_in(const char *const *list, const char *verb)
{
	for (; *list; list++)
		if (strcmp(verb, *list) == 0)
			return 1;
	return 0;
}

/* The first option that is not a flag ("-x"), or NULL. */
static const char *policy_subcommand(const cJSON *options)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, options)
		if (cJSON_IsString(o) && o->valuestring[0] != '-')
			return o->valuestring;
	return NULL;
}

unsigned policy_flags(const char *verb, const cJSON *options)
{
	const char *sub;
	const cJSON *o;

	cJSON_ArrayForEach(o, options) {
		if (!cJSON_IsString(o))
			continue;
		if (strncmp(o->valuestring, "-debug=", 7) == 0 ||
		    (strcmp(verb, "token") == 0 && strcmp(o->valuestring, "-u") == 0))
			return UP_REQ_PRIVATE;
	}
	if (policy_in(policy_private, verb))
		return UP_REQ_PRIVATE;
	if (strcmp(verb, "jquota") == 0 || strcmp(verb, "fquota") == 0) {
		sub = policy_subcommand(options);
		return !sub || strcmp(sub, "list") == 0 ? UP_REQ_READONLY : 0;
	}
	return policy_in(policy_readonly, verb) ? UP_REQ_READONLY : 0;
}
