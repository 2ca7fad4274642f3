/* server.h - the local socket: folder and lock checks, listen, accept,
 * peer uid check, and the lws "local" raw protocol that serves shims. */
#ifndef JALIEND_SERVER_H
#define JALIEND_SERVER_H

#include <libwebsockets.h>

#include "base/config.h"

#define LIM_CLIENTS_MAX 512    /* concurrent shim connections (more: refused with one line) */
#define LIM_HELLO_TIMEOUT_S 10 /* a shim must send HELLO within this */

/* Check the socket folder and take the lock (always, socket activation
 * included), then bind and listen, or use the inherited fd in
 * cfg->listen_fd. A socket file already there is removed only if nobody
 * answers on it. Logs and returns -errno on failure. */
int server_listen(const struct jd_config *cfg);
/* The socket path served (under socket activation: the one systemd bound). */
const char *server_path(void);
/* Hand the listener and a signalfd to lws (after the context exists). */
int server_adopt(struct lws_context *ctx);
int server_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len);
/* SIGHUP calls fn (main.c: ctl_reload): a negative return keeps the old
 * credentials and logs err. */
void server_on_reload(int (*fn)(char *err, size_t errn));
/* How many SIGTERM/SIGINT arrived: 1 = drain and exit, 2 = exit now. */
int server_stopping(void);
/* From now on, new connections get a "stopping" ERROR frame. */
void server_refuse_new(void);
/* Close the listener; unlink the socket if we made it. */
void server_close(void);

#endif
