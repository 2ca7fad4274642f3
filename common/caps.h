/* caps.h - the caps both sides of the local socket (and the one-shot client)
 * must agree on (docs/PROTOCOL.md). The daemon's own are in the header of the
 * layer they limit: LIM_CLIENTS_MAX, LIM_HELLO_TIMEOUT_S (local/server.h),
 * LIM_CLIENT_OUTBUF_MAX (local/client.h), LIM_UPSTREAM_QUEUE_MAX, LIM_POOL_MAX
 * (upstream/upstream.h), LIM_SESSIONS_MAX (command/session.h). Checked
 * before allocating. */
#ifndef JALIEND_CAPS_H
#define JALIEND_CAPS_H

/* Local protocol */
#define LIM_FRAME_PAYLOAD_MAX (1u << 20) /* 1 MiB: largest local frame payload */
#define LIM_OUTPUT_CHUNK (64u << 10)	 /* STDOUT/STDERR frames carry at most 64 KiB */
#define LIM_REQUEST_ARGS_MAX 4096	 /* argv entries in one REQUEST */
#define LIM_ARG_MAX (64u << 10)		 /* bytes of one argument */

/* Upstream (JCentral) */
/* bytes: one unfragmented text frame, < 8 KiB (spec 2.9) */
#define LIM_UPSTREAM_REQUEST_MAX 8000
#define LIM_UPSTREAM_REPLY_MAX (512u << 20) /* 512 MiB: largest reply we assemble */

/* Terminal sessions */
#define LIM_SESSION_KEY_MAX 128 /* bytes of a session key */
#define LIM_PATH_MAX 4096	/* grid path length */

#endif
