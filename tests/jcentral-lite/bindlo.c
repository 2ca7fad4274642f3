/* bindlo.c - LD_PRELOAD shim for test servers that cannot bind to loopback only (xrootd 5.5.3).
 *
 * bind() of a wildcard address (INADDR_ANY, in6addr_any) is rewritten to loopback: 127.0.0.1
 * for AF_INET, ::ffff:127.0.0.1 for AF_INET6 (a dual-stack socket then only accepts IPv4
 * loopback clients). Every other bind() is passed through unchanged.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bindlo_fn)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static bindlo_fn real;

	if (!real && !(real = (bindlo_fn)dlsym(RTLD_NEXT, "bind"))) {
		errno = ENOSYS;
		return -1;
	}
	if (addr && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in a;
		memcpy(&a, addr, sizeof(a));
		if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
			a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			return real(fd, (const struct sockaddr *)&a, sizeof(a));
		}
	} else if (addr && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 a;
		memcpy(&a, addr, sizeof(a));
		if (!memcmp(&a.sin6_addr, &in6addr_any, sizeof(a.sin6_addr))) {
			inet_pton(AF_INET6, "::ffff:127.0.0.1", &a.sin6_addr);
			return real(fd, (const struct sockaddr *)&a, sizeof(a));
		}
	}
	return real(fd, addr, len);
}
