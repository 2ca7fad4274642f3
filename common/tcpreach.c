/* tcpreach.c - see tcpreach.h. */
#include "tcpreach.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

int tcpreach(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *a;
	int ok = 0;

	if (getaddrinfo(host, port, &hints, &res) != 0)
		return 0;
	for (a = res; a && !ok; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				a->ai_protocol),
		    e = 0;
		socklen_t el = sizeof(e);
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			ok = 1;
		else if (errno == EINPROGRESS && poll(&p, 1, TCPREACH_MS) == 1 &&
			 getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && !e)
			ok = 1;
		close(fd);
	}
	freeaddrinfo(res);
	return ok;
}
