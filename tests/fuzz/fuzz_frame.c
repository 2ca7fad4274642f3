/* fuzz_frame.c - libFuzzer target: the frame decoder (common/frame.c), fed
 * the way the daemon feeds it (decode every complete frame of a buffer).
 * Checks: a decoded frame never spans past the input, its payload lies
 * inside it, a refused header is refused for the documented reasons, and a
 * header written by frame_put_header reads back the same. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "frame.h"

static uint32_t fuzz_frame_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first byte picks the length cap: the daemon's, or a small one */
	uint32_t max = size && (data[0] & 1) ? data[0] : LIM_FRAME_PAYLOAD_MAX;
	size_t off = 0;

	for (;;) {
		struct frame f;
		long n = frame_decode(data + off, size - off, max, &f);

		if (n == 0)
			break;
		if (n < 0) {
			const uint8_t *h = data + off;
			uint16_t type = (uint16_t)(h[4] << 8 | h[5]);
			int proto = type == 0 || type > FRAME_TYPE_MAX_ || h[6] || h[7];

			if (size - off < FRAME_HDR_LEN || (n != -EPROTO && n != -EMSGSIZE) ||
			    (n == -EPROTO) != proto || (n == -EMSGSIZE && fuzz_frame_u32(h) <= max))
				abort();
			break;
		}
		if ((size_t)n > size - off || (size_t)n != FRAME_HDR_LEN + f.len || f.len > max ||
		    f.payload != data + off + FRAME_HDR_LEN || f.flags != 0 || f.type == 0 ||
		    f.type > FRAME_TYPE_MAX_ || frame_type_name(f.type)[0] == '?')
			abort();
		{
			uint8_t hdr[FRAME_HDR_LEN];
			struct frame g;

			frame_put_header(hdr, f.type, f.id, f.len);
			if (memcmp(hdr, data + off, FRAME_HDR_LEN) != 0 ||
			    frame_parse_header(hdr, max, &g) != 0 || g.len != f.len ||
			    g.type != f.type || g.id != f.id)
				abort();
		}
		off += (size_t)n;
	}
	return 0;
}
