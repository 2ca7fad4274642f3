/* conn.c - blocking local-socket I/O for the shim (see conn.h). */
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "caps.h"
#include "peercred.h"

int conn_open(const char *path, char *why, size_t n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uid_t uid;
	pid_t pid;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	/* who listens there: before a single byte (HELLO included) goes out */
	rc = peercred_get(fd, &uid, &pid);
	if (rc < 0) {
		snprintf(why, n, "cannot tell who listens on %s (%s: %s)", path, peercred_how,
			 strerror(-rc));
		close(fd);
		return -EPERM;
	}
	if (uid != getuid()) {
		snprintf(why, n,
			 "%s is served by uid %u (pid %d), not by you (uid %u): another user's "
			 "process; "
			 "refusing to talk to it",
			 path, (unsigned)uid, (int)pid, (unsigned)getuid());
		close(fd);
		return -EPERM;
	}
	return fd;
}

int conn_send(int fd, uint16_t type, uint32_t id, const void *payload, size_t len)
{
	size_t total = FRAME_HDR_LEN + len, done = 0;
	uint8_t *msg;
	int r = 0;

	if (len > LIM_FRAME_PAYLOAD_MAX)
		return -EMSGSIZE;
	msg = malloc(total);
	if (!msg)
		return -ENOMEM;
	frame_put_header(msg, type, id, (uint32_t)len);
	if (len)
		memcpy(msg + FRAME_HDR_LEN, payload, len);
	while (done < total) {
		ssize_t w = send(fd, msg + done, total - done, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		done += (size_t)w;
	}
	free(msg);
	return r;
}

static int conn_read_full(int fd, uint8_t *p, size_t n, int eof_ok)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return (got == 0 && eof_ok) ? 0 : -ECONNRESET;
		got += (size_t)r;
	}
	return 1;
}

int conn_in_ready(const struct conn_in *in)
{
	struct frame f;

	return frame_decode(in->buf + in->off, in->len - in->off, LIM_FRAME_PAYLOAD_MAX, &f) != 0;
}

/* Read what is there (at least one byte) after the unread rest; the bytes
 * read, 0 on EOF or -errno. */
static ssize_t conn_fill(int fd, struct conn_in *in)
{
	if (in->off) {
		memmove(in->buf, in->buf + in->off, in->len - in->off);
		in->len -= in->off;
		in->off = 0;
	}
	for (;;) {
		ssize_t r = read(fd, in->buf + in->len, sizeof(in->buf) - in->len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		in->len += (size_t)r;
		return r;
	}
}

int conn_recv(int fd, struct conn_in *in, struct frame *f, uint8_t **buf)
{
	struct frame h;
	size_t take;
	uint8_t *p;
	int r;

	*buf = NULL;
	while (in->len - in->off < FRAME_HDR_LEN) {
		ssize_t n = conn_fill(fd, in);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return in->len == in->off ? 0 : -ECONNRESET;
	}
	r = frame_parse_header(in->buf + in->off, LIM_FRAME_PAYLOAD_MAX, &h);
	if (r < 0)
		return r;
	in->off += FRAME_HDR_LEN;
	p = malloc((size_t)h.len + 1);
	if (!p)
		return -ENOMEM;
	take = in->len - in->off < h.len ? in->len - in->off : h.len;
	memcpy(p, in->buf + in->off, take);
	in->off += take;
	if (in->off == in->len)
		in->off = in->len = 0;
	if (take < h.len && (r = conn_read_full(fd, p + take, h.len - take, 0)) < 0) {
		free(p);
		return r;
	}
	p[h.len] = '\0';
	h.payload = p;
	*f = h;
	*buf = p;
	return 1;
}
