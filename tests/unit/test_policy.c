/* test_policy.c - the one table (daemon/command/policy.c) the shims and the JBox
 * share: what may run on a shared session and what may be sent again after
 * a lost session. */
#include <cjson/cJSON.h>

#include "check.h"
#include "command/policy.h"
#include "upstream/upstream.h"

static unsigned flags(const char *verb, const char *opts_json)
{
	cJSON *o = cJSON_Parse(opts_json);
	unsigned f = policy_flags(verb, o);

	cJSON_Delete(o);
	return f;
}

int main(void)
{
	/* reads: resent once after a lost session */
	CHECK(flags("ls", "[\"-l\",\"/a\"]") == UP_REQ_READONLY);
	CHECK(flags("md5sum", "[\"/a\"]") == UP_REQ_READONLY);
	CHECK(flags("whereis", "[]") == UP_REQ_READONLY);
	CHECK(flags("jquota", "[]") == UP_REQ_READONLY);
	CHECK(flags("jquota", "[\"list\",\"jalien\"]") == UP_REQ_READONLY);
	CHECK(flags("fquota", "[\"-h\",\"list\"]") == UP_REQ_READONLY);
	/* writes: at most once (a `set` may have run before the session was lost) */
	CHECK(flags("jquota", "[\"set\",\"jalien\",\"maxUnfinishedJobs\",\"10\"]") == 0);
	CHECK(flags("fquota", "[\"set\",\"jalien\",\"maxNbFiles\",\"10\"]") == 0);
	CHECK(flags("rm", "[\"/a\"]") == 0);
	CHECK(flags("mkdir", "[\"-p\",\"/a\"]") == 0);
	CHECK(flags("token", "[]") == 0);
	/* session state: a private session, never retried */
	CHECK(flags("user", "[\"other\"]") == UP_REQ_PRIVATE);
	CHECK(flags("setSite", "[\"CERN\"]") == UP_REQ_PRIVATE);
	CHECK(flags("timing", "[\"on\"]") == UP_REQ_PRIVATE);
	CHECK(flags("token", "[\"-u\",\"other\"]") == UP_REQ_PRIVATE);
	CHECK(flags("ls", "[\"-debug=3\"]") == UP_REQ_PRIVATE);
	/* items that are not strings are ignored, NULL options are none */
	CHECK(flags("ls", "[1,null,{}]") == UP_REQ_READONLY);
	CHECK(policy_flags("jquota", NULL) == UP_REQ_READONLY);
	return check_report();
}
