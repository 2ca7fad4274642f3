/* floor_server.c - the other end of the floor (see floor.c).
 *
 *   floor_server SOCKET
 *
 * Accepts connections one after the other; for each, reads one local frame
 * (12-byte header + payload, at most FLOOR_SERVER_REQUEST_MAX bytes), writes
 * a fixed STDOUT frame ("jalien\n") and closes. No parsing, no allocation:
 * a reply that costs nothing, so the client's time is the floor.
 * Runs until SIGTERM/SIGINT; removes SOCKET on exit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define FLOOR_SERVER_REQUEST_MAX 65536 /* larger requests are cut off */

static volatile sig_atomic_t floor_server_stop;

static void floor_server_on_signal(int sig)
{
	(void)sig;
	floor_server_stop = 1;
}

/* Read exactly n bytes; 0 on success, -1 on EOF/error. */
static int floor_server_read(int fd, char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void floor_server_serve(int c)
{
	static const unsigned char reply[] = { 0, 0, 0,	  7,   0,   3,	 0,   0,   0,	0,
					       0, 1, 'j', 'a', 'l', 'i', 'e', 'n', '\n' };
	static char buf[FLOOR_SERVER_REQUEST_MAX];
	unsigned char hdr[12];
	size_t len;

	if (floor_server_read(c, (char *)hdr, sizeof(hdr)) < 0)
		return;
	len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (len > sizeof(buf) || floor_server_read(c, buf, len) < 0)
		return;
	if (send(c, reply, sizeof(reply), MSG_NOSIGNAL) < 0)
		return;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sigaction sa = { .sa_handler = floor_server_on_signal };
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fputs("usage: floor_server SOCKET\n", stderr);
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: accept() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 128) < 0) {
		fprintf(stderr, "floor_server: cannot listen on %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	while (!floor_server_stop) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			continue;
		floor_server_serve(c);
		close(c);
	}
	close(fd);
	unlink(argv[1]);
	return 0;
}
