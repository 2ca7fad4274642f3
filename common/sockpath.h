/* sockpath.h - where the daemon's Unix socket lives. */
#ifndef JALIEND_SOCKPATH_H
#define JALIEND_SOCKPATH_H

#include <stddef.h>

#define SOCKPATH_NAME "S.jaliend"

/* Resolve the socket path: $JALIEND_SOCKET, else
 * $XDG_RUNTIME_DIR/jaliend/S.jaliend, else /tmp/jaliend-<uid>/S.jaliend.
 * Returns 0, or -ENAMETOOLONG if it would not fit a sockaddr_un. */
int sockpath_resolve(char *out, size_t n);

/* The folder part of a socket path ("/a/b/S.x" -> "/a/b"). Returns 0, or
 * -EINVAL for a path without a folder, -ENAMETOOLONG if out is too small. */
int sockpath_dir(const char *sock, char *out, size_t n);

/* The socket folder rule both sides apply before they connect, create or
 * listen (as tmux does): lstat() says a real folder (not a symlink), owned
 * by this uid, with no group or other access. Returns 0, or -errno with a
 * one-line reason in why. */
int sockpath_check_dir(const char *dir, char *why, size_t n);

#endif
