/* bindlo.c - LD_PRELOAD shim for test xrootd servers: xrootd 5.5.3 cannot
 * listen on loopback only (PITFALLS D), so bind() to the wildcard address is
 * rewritten to 127.0.0.1 (or ::ffff:127.0.0.1 on an IPv6 socket). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	if (!real_bind)
		real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	if (sa && sa->sa_family == AF_INET && len >= (socklen_t)sizeof(in4)) {
		memcpy(&in4, sa, sizeof(in4));
		if (in4.sin_addr.s_addr == htonl(INADDR_ANY)) {
			in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			return real_bind(fd, (const struct sockaddr *)&in4, sizeof(in4));
		}
	}
	if (sa && sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(in6)) {
		memcpy(&in6, sa, sizeof(in6));
		if (memcmp(&in6.sin6_addr, &in6addr_any, sizeof(in6addr_any)) == 0) {
			static const unsigned char lo[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 };

			memcpy(&in6.sin6_addr, lo, sizeof(lo));
			return real_bind(fd, (const struct sockaddr *)&in6, sizeof(in6));
		}
	}
	return real_bind(fd, sa, len);
}
