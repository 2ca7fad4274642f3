/* systemd.h - everything jaliend does with systemd, in one file:
 * socket activation, readiness and status notifications. */
#ifndef JALIEND_SYSTEMD_H
#define JALIEND_SYSTEMD_H

/* The listening socket systemd passed us, or -1 (errors logged). */
int systemd_listen_fd(void);
void systemd_ready(const char *status);
void systemd_stopping(void);

#endif
