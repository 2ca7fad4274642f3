/* command.h - what a shim's REQUEST means: alien.py's client-side rules
 * (ls -F, ll/la/lla, cd and cd -, home, version, -json), the terminal's
 * cwd, and the upstream request that carries the rest to JCentral. */
#ifndef JALIEND_COMMAND_H
#define JALIEND_COMMAND_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct command;

/* Start the request in payload (REQUEST frame JSON) for client c.
 * Returns 0 (c->cmd set, or the request was refused with an ERROR frame)
 * or -ENOMEM. */
int command_start(struct client *c, uint32_t id, const char *payload, size_t len);
/* Queue the next output frame(s) on the client; returns 1 once the EXIT
 * frame is queued and the command is freed, else 0. */
int command_produce(struct command *cmd);
/* Whether command_produce would queue something now. */
int command_has_output(const struct command *cmd);
/* The client is gone or gave up: forget the command (frees it). */
void command_cancel(struct command *cmd);

#endif
