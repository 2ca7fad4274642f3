/* useragent.c - see useragent.h. */
#include "useragent.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "version.h"

/* An id from the environment: digits only, else left out (it goes into a header). */
static const char *useragent_id(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strlen(v) < 32 && strspn(v, "0123456789") == strlen(v) ? v : NULL;
}

const char *useragent_get(void)
{
	static char ua[USERAGENT_MAX];
	struct utsname u;
	struct passwd *pw;
	char host[256] = "", lws[64];
	const char *job = useragent_id("ALIEN_PROC_ID"),
		   *master = useragent_id("ALIEN_MASTERJOB_ID");
	size_t n;

	if (ua[0])
		return ua;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	(void)gethostname(host, sizeof(host) - 1);
	pw = getpwuid(getuid());
	snprintf(lws, sizeof(lws), "%s", lws_get_library_version());
	lws[strcspn(lws, " ")] = '\0'; /* "4.1.6 v4.1.6" */
	n = (size_t)snprintf(ua, sizeof(ua),
			     "jaliend/%s libwebsockets/%s platform/%s-%s/%s id/%s@%s",
			     JALIEND_VERSION, lws, u.sysname, u.machine, u.release,
			     pw ? pw->pw_name : "?", host);
	if (job && n < sizeof(ua))
		n += (size_t)snprintf(ua + n, sizeof(ua) - n, " jobid/%s", job);
	if (master && n < sizeof(ua))
		snprintf(ua + n, sizeof(ua) - n, " masterjobid/%s", master);
	for (char *p = ua; *p; p++) /* a header value: no control characters */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return ua;
}
