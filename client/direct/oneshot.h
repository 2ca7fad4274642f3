/* oneshot.h - one blocking websocket session to JCentral, for alien-direct.
 *
 * What alien.py does per invocation, from C: TCP, TLS 1.2 with the user
 * certificate (server chain checked against a hashed CA folder, plus the
 * host name), websocket upgrade (permessage-deflate offered), then requests
 * one at a time (never pipelined: spec 4.4), then an orderly close.
 * Each call runs the libwebsockets loop until its step is done.
 *
 * Caps: a request is one text frame of at most LIM_UPSTREAM_REQUEST_MAX
 * bytes; a reply is assembled up to LIM_UPSTREAM_REPLY_MAX bytes (common/caps.h).
 * The connection set-up is bounded by ONESHOT_CONNECT_TIMEOUT_S; a reply is
 * waited for as long as the websocket answers pings (as alien.py). */
#ifndef JALIEND_ONESHOT_H
#define JALIEND_ONESHOT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "exitcodes.h" /* a failed step's code (JD_EXIT_*) */

#define ONESHOT_CONNECT_TIMEOUT_S 20 /* TCP + TLS + upgrade */

struct oneshot_cfg {
	const char *endpoint; /* wss://host:port/path, for messages */
	const char *cert, *key, *ca_dir;
	int verbose; /* libwebsockets' errors and warnings to stderr */
};

struct oneshot;

/* Connect and upgrade. On failure returns NULL, sets *code (107 or 129) and
 * writes one line (no newline) naming the endpoint or the file into err. */
struct oneshot *oneshot_open(const struct oneshot_cfg *cfg, int *code, char *err, size_t errn);
/* Send {"command":command,"options":options} and wait for the reply.
 * Returns the parsed reply (caller frees), or NULL with *code and err set. */
cJSON *oneshot_call(struct oneshot *os, const char *command, const cJSON *options, int *code,
		    char *err, size_t errn);
/* Close the websocket (waits briefly for the server's close) and free. */
void oneshot_close(struct oneshot *os);

#endif
