/* fuzz_render.c - libFuzzer target: a JCentral reply (any bytes) through
 * cJSON and the renderer (daemon/command/render.c), in text and JSON mode, drained
 * in small pieces. Checks: the exit code is a byte, pieces are never larger
 * than asked, only fd 1 or 2, and the output ends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "command/render.h"

static void fuzz_render_drain(struct render *r, size_t piece)
{
	char buf[4096];
	size_t n, total = 0;
	int fd = 0;

	while ((n = render_next(r, buf, piece, &fd)) > 0) {
		if (n > piece || (fd != 1 && fd != 2))
			abort();
		total += n;
		if (total > ((size_t)64 << 20)) /* a reply of < 1 MB cannot print 64 MB */
			abort();
	}
	if (render_exit_code(r) < 0 || render_exit_code(r) > 255)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags = size ? data[0] : 0;
	const char *cwd = flags & 2 ? "/alice/cern.ch/user/f/fuzz/" : NULL;
	size_t piece = 1 + (size > 1 ? data[1] : 0) * 16;

	if (size < 2)
		return 0;
	for (int json = 0; json < 2; json++) {
		cJSON *reply = cJSON_ParseWithLength((const char *)data + 2, size - 2);
		struct render *r = render_reply(reply, json, cwd);

		if (r) {
			fuzz_render_drain(r, piece);
			render_free(r);
		}
	}
	if (flags & 4) { /* local answers with the same bytes as text */
		char *text = strndup((const char *)data + 2, size - 2);
		struct render *r = render_local(flags & 8 ? text : NULL, text, flags >> 4);

		if (r) {
			fuzz_render_drain(r, piece);
			render_free(r);
		}
		free(text);
	}
	return 0;
}
