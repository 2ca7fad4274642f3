/* frame.h - the local wire format between the shims and jaliend.
 *
 * Every frame: a 12-byte header, then `len` payload bytes.
 *   u32 len    payload length, big endian, <= LIM_FRAME_PAYLOAD_MAX
 *   u16 type   enum frame_type
 *   u16 flags  reserved, 0
 *   u32 id     request id chosen by the shim (0 for connection-level frames)
 * Control frames carry a JSON object; STDOUT/STDERR carry raw bytes.
 * The full contract is docs/PROTOCOL.md. */
#ifndef JALIEND_FRAME_H
#define JALIEND_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_PROTO_VERSION 1
#define FRAME_HDR_LEN 12

enum frame_type {
	FRAME_HELLO = 1,      /* both ways, first frame: {"proto":1,...} */
	FRAME_REQUEST = 2,    /* shim -> daemon: {"argv":[..],"session":..,"cwd":..,...} */
	FRAME_STDOUT = 3,     /* daemon -> shim: bytes for fd 1 */
	FRAME_STDERR = 4,     /* daemon -> shim: bytes for fd 2 */
	FRAME_EXIT = 5,	      /* daemon -> shim: {"code":N}; last frame of a request */
	FRAME_ERROR = 6,      /* daemon -> shim: {"code":N,"message":".."}; then close */
	FRAME_PROGRESS = 7,   /* daemon -> shim: {"bar":".."}, a transfer's progress line */
	FRAME_PASSPHRASE = 8, /* both ways: {"prompt":".."} for the key's passphrase, the answer */
	FRAME_CANCEL = 9,     /* shim -> daemon: {}, drop the running request `id` */
	/* daemon -> shim: debug log text (ALIENPY_DEBUG), for the shim's log file */
	FRAME_DEBUG = 10,
	FRAME_TYPE_MAX_ = 10,
};

struct frame {
	uint32_t len;
	uint16_t type;
	uint16_t flags;
	uint32_t id;
	const uint8_t *payload; /* points into the decoded buffer */
};

/* Write a header for a frame into out[FRAME_HDR_LEN]. */
void frame_put_header(uint8_t *out, uint16_t type, uint32_t id, uint32_t len);

/* Validate a header (FRAME_HDR_LEN bytes) and fill len/type/flags/id;
 * payload is set to NULL. Returns 0, -EMSGSIZE or -EPROTO as below. */
int frame_parse_header(const uint8_t *hdr, uint32_t max, struct frame *out);

/* Decode one frame from buf. Returns the bytes it spans (> 0), 0 when more
 * bytes are needed, -EMSGSIZE when the announced length is over `max`,
 * -EPROTO for an unknown type or non-zero flags. Never reads past len. */
long frame_decode(const uint8_t *buf, size_t len, uint32_t max, struct frame *out);

/* Name of a frame type for logs ("HELLO", ... or "?"). */
const char *frame_type_name(uint16_t type);

#endif
