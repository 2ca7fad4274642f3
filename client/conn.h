/* conn.h - the shim's side of the local socket: connect, send, read frames. */
#ifndef ALIEN_CONN_H
#define ALIEN_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "exitcodes.h" /* the exit codes (server exit codes pass through unchanged) */
#include "frame.h"

/* Connect to the daemon socket at path and check the peer's uid
 * (SO_PEERCRED) before anything is sent; returns fd or -errno. A peer of
 * another uid is closed at once: -EPERM with the reason in why. */
int conn_open(const char *path, char *why, size_t n);

/* Write one frame (header + payload) completely; returns 0 or -errno. */
int conn_send(int fd, uint16_t type, uint32_t id, const void *payload, size_t len);

/* What was read from the daemon and not yet taken: a short reply's frames
 * (STDOUT, EXIT) come in one read. Bigger payloads are read straight into
 * their own buffer. Zero it when the connection is (re)opened. */
#define CONN_IN_MAX 8192
struct conn_in {
	size_t off, len;
	uint8_t buf[CONN_IN_MAX];
};

/* 1 when a whole frame (or a malformed header, reported by conn_recv) is
 * buffered, so no wait is needed before conn_recv. */
int conn_in_ready(const struct conn_in *in);

/* Read one frame; payload is malloc'ed into *buf (caller frees, NUL added).
 * Returns 1 for a frame, 0 on EOF at a frame boundary, -errno on error
 * (-EPROTO for a malformed frame, -EMSGSIZE for an oversized one). */
int conn_recv(int fd, struct conn_in *in, struct frame *f, uint8_t **buf);

#endif
