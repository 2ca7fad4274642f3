/* wspmd.h - permessage-deflate (RFC 7692) as Tomcat 9 negotiates and uses it.
 *
 * Negotiation (Tomcat PerMessageDeflate.negotiate): the first offer the server can honour wins;
 * server_max_window_bits other than 15 makes an offer unacceptable (Java's Deflater has a fixed
 * 15-bit window); client_max_window_bits with or without a value is fine; a duplicate, unknown
 * or out-of-range (not 8..15) parameter fails the upgrade (Tomcat answers HTTP 500).
 * Use: the server inflates each compressed message with one raw inflater, kept across messages
 * unless client_no_context_takeover was agreed, and compresses its own messages with one raw
 * deflater kept across messages unless server_no_context_takeover was agreed. RSV1 marks the
 * first frame of a compressed message only.
 */
#ifndef JCL_WSPMD_H
#define JCL_WSPMD_H

#include <stdbool.h>
#include <stddef.h>
#include <zlib.h>

#define WSPMD_HDR_MAX 1024 /* Sec-WebSocket-Extensions header we look at (bytes) */

enum wspmd_offer {
	WSPMD_NONE,   /* no acceptable offer: no compression */
	WSPMD_ACCEPT, /* use permessage-deflate with the parameters below */
	WSPMD_FAIL,   /* malformed offer: refuse the upgrade (Tomcat: HTTP 500) */
};

struct wspmd {
	bool on;
	bool client_no_ctx; /* client resets its compressor: we reset our inflater */
	bool server_no_ctx; /* we reset our compressor after each message */
	bool rx_init, tx_init;
	z_stream rx, tx;
};

/* Decide from the Sec-WebSocket-Extensions header value (NULL: none). */
enum wspmd_offer wspmd_negotiate(const char *hdr, struct wspmd *p);
/* Inflate in[0..n) of a compressed message; fin: append the 00 00 ff ff trailer and end the
 * message. out(arg, bytes, len) receives the text as it comes; returns its non-zero result, or
 * -EBADMSG for bad deflate data. */
int wspmd_inflate(struct wspmd *p, const unsigned char *in, size_t n, bool fin,
		  int (*out)(void *arg, const unsigned char *b, size_t len), void *arg);
/* Compress one frame's payload (fin: last frame of the message, trailer removed). Returns the
 * compressed length written to out (capacity outsz >= wspmd_bound(n)) or a negative errno. */
long wspmd_deflate(struct wspmd *p, const unsigned char *in, size_t n, bool fin, unsigned char *out,
		   size_t outsz);
size_t wspmd_bound(size_t n);
void wspmd_free(struct wspmd *p);

#endif
