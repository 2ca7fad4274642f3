/* test_sockpath.c - where the shims look for the daemon. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "sockpath.h"

int main(void)
{
	char p[512], d[512], want[128];

	setenv("JALIEND_SOCKET", "/x/y/S.custom", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	CHECK(sockpath_resolve(p, sizeof(p)) == 0);
	CHECK_STR(p, "/x/y/S.custom");

	unsetenv("JALIEND_SOCKET");
	CHECK(sockpath_resolve(p, sizeof(p)) == 0);
	CHECK_STR(p, "/run/user/1000/jaliend/S.jaliend");

	setenv("JALIEND_SOCKET", "", 1); /* empty counts as unset */
	CHECK(sockpath_resolve(p, sizeof(p)) == 0);
	CHECK_STR(p, "/run/user/1000/jaliend/S.jaliend");

	unsetenv("XDG_RUNTIME_DIR");
	snprintf(want, sizeof(want), "/tmp/jaliend-%u/S.jaliend", (unsigned)getuid());
	CHECK(sockpath_resolve(p, sizeof(p)) == 0);
	CHECK_STR(p, want);

	setenv("XDG_RUNTIME_DIR", "relative/dir", 1); /* not absolute: ignored */
	CHECK(sockpath_resolve(p, sizeof(p)) == 0);
	CHECK_STR(p, want);

	/* longer than sun_path (108) */
	memset(d, 'a', 200);
	d[0] = '/';
	d[200] = '\0';
	setenv("JALIEND_SOCKET", d, 1);
	CHECK(sockpath_resolve(p, sizeof(p)) == -ENAMETOOLONG);
	CHECK(sockpath_resolve(p, 8) == -ENAMETOOLONG);

	CHECK(sockpath_dir("/a/b/S.jaliend", d, sizeof(d)) == 0);
	CHECK_STR(d, "/a/b");
	CHECK(sockpath_dir("/S.jaliend", d, sizeof(d)) == 0);
	CHECK_STR(d, "/");
	CHECK(sockpath_dir("S.jaliend", d, sizeof(d)) == -EINVAL);
	CHECK(sockpath_dir("/a/b/S", d, 3) == -ENAMETOOLONG);
	return check_report();
}
