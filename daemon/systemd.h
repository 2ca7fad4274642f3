/* systemd.h - everything jaliend does with systemd, in one file:
 * socket activation, readiness, status, watchdog, stopping. Built without
 * libsystemd (cmake -DJALIEND_SYSTEMD=OFF) each is a no-op. */
#ifndef JALIEND_SYSTEMD_H
#define JALIEND_SYSTEMD_H

#include <libwebsockets.h>

/* The listening socket systemd passed us, or -1 (errors logged). */
int systemd_listen_fd(void);
/* READY=1 and STATUS=; then WATCHDOG=1 at half $WATCHDOG_USEC and a STATUS=
 * refresh every 10 s, on the loop's timers. */
void systemd_ready(struct lws_context *ctx, const char *status);
void systemd_stopping(void);
/* One line for `jaliend --version`: whether the above are on in this build. */
const char *systemd_features(void);

#endif
