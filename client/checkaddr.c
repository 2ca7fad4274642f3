/* checkaddr.c - see checkaddr.h. */
#include "checkaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int checkaddr_connect(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol),
	    err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p;

	if (fd < 0)
		return 0;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		close(fd);
		return 0;
	}
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, CHECKADDR_TIMEOUT_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = -1;
	close(fd);
	return err == 0;
}

/* alien.py's check_port(): every address of host, "ip:port        OK|FAIL" */
static void checkaddr_one(const char *host, const char *port, int out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP },
			*res = NULL, *ai;

	if (getaddrinfo(host, port, &hints, &res) != 0) {
		dprintf(out, "check_port:: error getting address info for host: %s ; port: %s\n",
			host, port);
		return;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		char ip[INET6_ADDRSTRLEN] = "?";
		const void *a =
			ai->ai_family == AF_INET6
				? (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
				: (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;

		inet_ntop(ai->ai_family, a, ip, sizeof(ip));
		dprintf(out, "%s:%s        %s\n", ip, port, checkaddr_connect(ai) ? "OK" : "FAIL");
	}
	freeaddrinfo(res);
}

int checkaddr_run(char **argv, int argc, int out)
{
	const char *host = "alice-jcentral.cern.ch", *port = "8097";
	int n = 0, reference = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "-help") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			dprintf(out, "checkAddr [reference] fqdn/ip port\n"
				     "defaults are: alice-jcentral.cern.ch 8097\n"
				     "reference arg will check connection to google dns and "
				     "www.cern.ch\n");
			return 0;
		}
		if (strcmp(argv[i], "reference") == 0)
			reference = 1;
		else if (n++ == 0)
			host = argv[i];
		else if (n == 2)
			port = argv[i];
	}
	if (reference) {
		checkaddr_one("8.8.8.8", "53", out);
		checkaddr_one("2001:4860:4860::8888", "53", out);
		checkaddr_one("www.cern.ch", "80", out);
	}
	checkaddr_one(host, port, out);
	return 0;
}
