/* caps.h - every cap of jaliend in one place (documented in docs/PROTOCOL.md
 * and docs/ARCHITECTURE.md). Checked before allocating. */
#ifndef JALIEND_CAPS_H
#define JALIEND_CAPS_H

/* Local protocol */
#define LIM_FRAME_PAYLOAD_MAX   (1u << 20)   /* 1 MiB: largest local frame payload */
#define LIM_OUTPUT_CHUNK        (64u << 10)  /* STDOUT/STDERR frames carry at most 64 KiB */
#define LIM_REQUEST_ARGS_MAX    4096         /* argv entries in one REQUEST */
#define LIM_ARG_MAX             (64u << 10)  /* bytes of one argument */
#define LIM_CLIENT_OUTBUF_MAX   (4u << 20)   /* queued output per shim before we stop rendering */
#define LIM_CLIENTS_MAX         512          /* concurrent shim connections */
#define LIM_HELLO_TIMEOUT_S     10           /* a shim must send HELLO within this */

/* Upstream (JCentral) */
#define LIM_UPSTREAM_REQUEST_MAX 8000        /* bytes: one unfragmented text frame, < 8 KiB (spec 2.9) */
#define LIM_UPSTREAM_REPLY_MAX  (512u << 20) /* 512 MiB: largest reply we assemble */
#define LIM_UPSTREAM_QUEUE_MAX  1024         /* requests waiting for a free session */
#define LIM_POOL_MAX            16           /* websocket sessions per daemon */

/* Terminal sessions */
#define LIM_SESSIONS_MAX        1024         /* terminal sessions remembered (LRU beyond) */
#define LIM_SESSION_KEY_MAX     128          /* bytes of a session key */
#define LIM_PATH_MAX            4096         /* grid path length */

#endif
