/* systemd.c - see systemd.h. Harmless when not started by systemd: every
 * sd_* call is a no-op without $NOTIFY_SOCKET / $LISTEN_FDS / $WATCHDOG_USEC.
 * Without libsystemd (JALIEND_HAVE_SYSTEMD unset) the second half builds:
 * no socket activation, no notify; a passed socket is refused, said once. */
#include "systemd.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "log.h"

#ifdef JALIEND_HAVE_SYSTEMD

#include <systemd/sd-daemon.h>

#include "upstream/upstream.h"

#define SYSTEMD_STATUS_PERIOD_S 10 /* STATUS= refresh */

static struct {
	struct lws_context *ctx;
	uint64_t watchdog_us;
	lws_sorted_usec_list_t sul_watchdog, sul_status;
} sd;

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

static void systemd_watchdog_cb(lws_sorted_usec_list_t *sul)
{
	sd_notify(0, "WATCHDOG=1");
	lws_sul_schedule(sd.ctx, 0, sul, systemd_watchdog_cb, (lws_usec_t)(sd.watchdog_us / 2));
}

static void systemd_status_cb(lws_sorted_usec_list_t *sul)
{
	char line[300];

	upstream_describe(line, sizeof(line));
	sd_notifyf(0, "STATUS=%s", line);
	lws_sul_schedule(sd.ctx, 0, sul, systemd_status_cb,
			 SYSTEMD_STATUS_PERIOD_S * LWS_US_PER_SEC);
}

void systemd_ready(struct lws_context *ctx, const char *status)
{
	sd.ctx = ctx;
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
	if (sd_watchdog_enabled(0, &sd.watchdog_us) > 0 && sd.watchdog_us) {
		log_info("systemd watchdog every %llu ms",
			 (unsigned long long)sd.watchdog_us / 2000);
		systemd_watchdog_cb(&sd.sul_watchdog);
	}
	if (getenv("NOTIFY_SOCKET"))
		lws_sul_schedule(ctx, 0, &sd.sul_status, systemd_status_cb,
				 SYSTEMD_STATUS_PERIOD_S * LWS_US_PER_SEC);
}

void systemd_stopping(void)
{
	sd_notify(0, "STOPPING=1");
	if (sd.ctx) {
		lws_sul_cancel(&sd.sul_watchdog);
		lws_sul_cancel(&sd.sul_status);
	}
}

const char *systemd_features(void)
{
	return "systemd: socket activation and notify on (libsystemd)";
}

#else /* built without libsystemd */

int systemd_listen_fd(void)
{
	if (getenv("LISTEN_FDS"))
		log_warn("LISTEN_FDS is set but this jaliend is built without systemd "
			 "(-DJALIEND_SYSTEMD=OFF): the passed socket is not used");
	return -1;
}

void systemd_ready(struct lws_context *ctx, const char *status)
{
	(void)ctx;
	(void)status;
}

void systemd_stopping(void)
{
}

const char *systemd_features(void)
{
	return "systemd: socket activation and notify off (built with -DJALIEND_SYSTEMD=OFF)";
}

#endif
