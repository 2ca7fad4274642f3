/* cmdenv.h - what a shim's environment says about where and how it wants to
 * be served: the endpoint alien.py would use (ALIENPY_JCENTRAL, JALIEN_HOST)
 * the close site (ALIEN_SITE), and whether an unknown verb is sent
 * (ALIENPY_ALLOW_UNKNOWN_CMDS). */
#ifndef JALIEND_CMDENV_H
#define JALIEND_CMDENV_H

#include <stddef.h>

struct command;

/* The daemon's JCentral endpoint and its JBox's port (0: none). */
void cmdenv_configure(const char *host, int port, int jbox_port);
/* 0: the request may be served here; else the exit code, with a one-line
 * message (ending in a newline) in msg: an endpoint this jaliend does not
 * serve (107), a malformed value (22). */
int cmdenv_check(struct command *cmd, char *msg, size_t n);
/* 1 when this shell set ALIENPY_ALLOW_UNKNOWN_CMDS: a verb JCentral does not
 * list goes to JCentral as it is, which answers it, instead of alien.py's
 * "not in the list of known commands" warning. */
int cmdenv_allow_unknown(struct command *cmd);
/* Whether two host names are the same host without a lookup (equal, or both loopback). */
int cmdenv_same_host(const char *a, const char *b);

#endif
