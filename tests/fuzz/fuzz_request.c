/* fuzz_request.c - libFuzzer target: one shim connection of the daemon
 * (daemon/local/client.c: frame decoding, HELLO, REQUEST, PASSPHRASE, CANCEL;
 * daemon/command/command.c: the REQUEST's shape, -json, special words, cd, aliases,
 * rendering) fed arbitrary bytes in arbitrary pieces, without libwebsockets:
 * fuzz_stubs.c stands in for lws, the upstream pool and the local commands.
 *
 * Input: byte 0 = flags (bit 0: the user key is locked, so a PASSPHRASE
 * round comes first; bits 1-3: where the pieces split), then the bytes the
 * shim sends. Checks: every frame the daemon writes is within the contract
 * (decoded independently here), nothing is written after an ERROR frame, and
 * the connection's memory is all freed (ASan's leak check). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local/client.h"
#include "fuzz_stubs.h"
#include "command/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int dummy_wsi;
	struct client *c;
	size_t off = 1, step;

	if (size < 1)
		return 0;
	fuzz_stubs_reset(data[0] & 1);
	step = 1 + ((data[0] >> 1) & 7) * 9;
	c = client_new((struct lws *)&dummy_wsi, 1000, 4242);
	if (!c)
		return 0;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		if (client_on_rx(c, data + off, n) < 0)
			break;
		off += n;
		if (fuzz_stubs_pump(c) < 0) /* the daemon would close the connection */
			break;
	}
	fuzz_stubs_pump(c);
	client_on_close(c);
	fuzz_stubs_finish();
	session_free_all();
	return 0;
}
