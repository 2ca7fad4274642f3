/* ctl.h - `alien-daemon status|stop|reload|debug on|off`: the daemon's own
 * control commands, answered locally. */
#ifndef JALIEND_CTL_H
#define JALIEND_CTL_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct command;
struct strbuf;

/* `daemon ...` as a command (main.c registers it: command_extend): ctl_run's
 * output as the answer. Returns 0 or -ENOMEM. */
int ctl_command(struct command *cmd, const cJSON *argv, const char *payload, size_t len);

/* argv: ["daemon", sub, ...]. Writes what to print into out/err; returns
 * the exit code. */
int ctl_run(const cJSON *argv, struct strbuf *out, struct strbuf *err);
/* Record start time and endpoint for `status` (called once at start). */
void ctl_init(const char *endpoint, const char *socket_path);
/* Read the credential files again (SIGHUP, `alien-daemon reload`); new
 * sessions use them. On failure the old ones stay; err says why. */
int ctl_reload(char *err, size_t errn);
/* Set by `alien-daemon stop`: the main loop drains and exits. */
int ctl_stop_requested(void);

#endif
