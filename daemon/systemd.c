/* systemd.c - see systemd.h. Harmless when not started by systemd. */
#include "systemd.h"

#include <stddef.h>
#include <sys/socket.h>

#include <systemd/sd-daemon.h>

#include "log.h"

int systemd_listen_fd(void)
{
	int n = sd_listen_fds(1);

	if (n <= 0)
		return -1;
	if (n > 1)
		log_warn("systemd passed %d sockets; using the first", n);
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
		log_err("the socket systemd passed is not a listening Unix stream socket");
		return -1;
	}
	return SD_LISTEN_FDS_START;
}

void systemd_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void systemd_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
