/* jbox.h - a JBox-compatible endpoint, so unmodified alien.py and ROOT use
 * the daemon's warm pool instead of logging in to JCentral themselves.
 *
 * jaliend listens on 127.0.0.1 (TLS 1.2, a certificate it makes at start,
 * see jbox_tls.h) and serves /websocket/json with JCentral's request/reply
 * format (spec 3); it advertises itself in <tmpdir>/jclient_token_<uid>
 * (jbox_advert.h). Each websocket connection is a terminal session of its
 * own (jbox_conn.h). On by default; --no-jbox turns it off, --jbox-port N
 * picks the port (default: any free one). docs/JBOX.md has the details. */
#ifndef JALIEND_JBOX_H
#define JALIEND_JBOX_H

#include <libwebsockets.h>

#include "base/config.h"

struct strbuf;

/* After upstream_start(): listen, write the advertisement file. A failure
 * is logged and the daemon goes on without the endpoint (returns -errno). */
int jbox_start(struct lws_context *ctx, const struct jd_config *cfg);
/* Before lws_context_destroy(): remove the advertisement file. */
void jbox_stop(void);
/* The daemon drains (SIGTERM, `alien-daemon stop`, idle exit): the
 * advertisement goes, new connections are refused, running requests finish. */
void jbox_drain(void);
/* The port it listens on (127.0.0.1), 0 when it does not. */
int jbox_listen_port(void);
/* Status lines for `alien-daemon status`. */
void jbox_status(struct strbuf *out);

#endif
