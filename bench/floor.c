/* floor.c - the floor: what one command costs with no grid work at all.
 *
 *   floor SOCKET
 *
 * A minimal C program (libc only) that does what a shim does around the
 * daemon, and nothing else: start, connect to a Unix socket, send a request
 * of a shim's size in one local frame, read the reply until the server
 * closes, copy it to stdout, exit. Served by floor_server. Its latency is
 * process start + a local round trip: the least any local client can cost. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define FLOOR_REPLY_MAX 4096 /* bytes read back; the server's reply is smaller */

/* A request the size of a shim's HELLO + REQUEST (about 200 bytes). */
static const char floor_request[] =
	"{\"proto\":1,\"client\":\"floor\",\"version\":\"0.1.0\",\"pid\":1}"
	"{\"argv\":[\"whoami\"],\"session\":\"sid:4242\",\"cwd\":\"/home/user/work\","
	"\"json\":false,\"tty\":false}";

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	unsigned char hdr[12] = { 0 };
	char reply[FLOOR_REPLY_MAX];
	size_t len = sizeof(floor_request) - 1, got = 0;
	ssize_t n;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fputs("usage: floor SOCKET\n", stderr);
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "floor: cannot connect to %s: %s\n", argv[1], strerror(errno));
		return 107;
	}
	hdr[0] = (unsigned char)(len >> 24);
	hdr[1] = (unsigned char)(len >> 16);
	hdr[2] = (unsigned char)(len >> 8);
	hdr[3] = (unsigned char)len;
	hdr[5] = 2; /* REQUEST */
	if (send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL | MSG_MORE) < 0 ||
	    send(fd, floor_request, len, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "floor: send: %s\n", strerror(errno));
		return 107;
	}
	while (got < sizeof(reply) && (n = read(fd, reply + got, sizeof(reply) - got)) > 0)
		got += (size_t)n;
	close(fd);
	/* the reply is one STDOUT frame: its payload goes to stdout */
	if (got > 12 && write(STDOUT_FILENO, reply + 12, got - 12) < 0)
		return 1;
	return 0;
}
