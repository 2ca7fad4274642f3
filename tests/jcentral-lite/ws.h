/* ws.h - the wss transport of jcentral-lite (libwebsockets server vhost). */
#ifndef JCL_WS_H
#define JCL_WS_H

#include "jcl.h"

struct lws_context;

/* Create the listening context (TLS 1.2 only, client certificate required). On success
 * *port is the port actually bound. */
int ws_start(struct jcl_server *srv, struct lws_context **ctx, int *port);
/* Run the event loop until *stop becomes non-zero. */
void ws_run(struct lws_context *ctx, volatile int *stop);
void ws_stop(struct lws_context *ctx);

#endif
