/* autostart.h - connect to jaliend, starting it first if nobody serves the
 * socket (tmux's and gpg-agent's way: lock, connect again under the lock,
 * only then spawn, then poll with a short doubling backoff). */
#ifndef ALIEN_AUTOSTART_H
#define ALIEN_AUTOSTART_H

#include <stddef.h>

/* Returns a connected fd, or -errno of the last connect. Before connecting
 * or creating anything, the socket folder must be a real folder owned by
 * this uid with no group/other access (lstat, as tmux), and the peer must
 * run as this uid (SO_PEERCRED); else -errno with a one-line reason in why
 * (empty for a plain connect error). JALIEND_AUTOSTART=0
 * turns the start off. The daemon is $JALIEND_PROGRAM, else `jaliend` beside
 * this program (or in ../daemon/ of a build tree), else from PATH. */
int autostart_connect(const char *sock, char *why, size_t n);

#endif
