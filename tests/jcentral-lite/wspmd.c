/* wspmd.c - permessage-deflate negotiation and streams, Tomcat 9 style (see wspmd.h). */
#include "wspmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Trim spaces/tabs of s[0..n) in place; returns the new start, *n updated. */
static const char *trim(const char *s, size_t *n)
{
	while (*n && (*s == ' ' || *s == '\t')) {
		s++;
		(*n)--;
	}
	while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	return s;
}

static bool name_is(const char *s, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(s, want, n);
}

/* A window-bits value: 8..15, else -1. Quoted values are accepted, as Tomcat's parser does. */
static int window_bits(const char *v, size_t n)
{
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n < 1 || n > 2)
		return -1;
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x >= 8 && x <= 15 ? x : -1;
}

/* One offer "permessage-deflate; a; b=c" (already known to be ours): 1 acceptable, 0 not,
 * -1 malformed. */
static int offer(const char *s, size_t n, struct wspmd *p)
{
	bool sctx = false, cctx = false, sbits = false, cbits = false, ok = true;

	memset(p, 0, sizeof(*p));
	while (n) {
		const char *semi = memchr(s, ';', n);
		size_t len = semi ? (size_t)(semi - s) : n;
		const char *par = s;
		size_t plen = len;

		s += len + (semi ? 1 : 0);
		n -= len + (semi ? 1 : 0);
		par = trim(par, &plen);
		if (!plen)
			continue;
		const char *eq = memchr(par, '=', plen);
		size_t nl = eq ? (size_t)(eq - par) : plen;
		const char *val = eq ? eq + 1 : NULL;
		size_t vl = eq ? plen - nl - 1 : 0;
		const char *nm = trim(par, &nl);
		if (val)
			val = trim(val, &vl);

		if (name_is(nm, nl, "server_no_context_takeover")) {
			if (sctx)
				return -1;
			sctx = true;
		} else if (name_is(nm, nl, "client_no_context_takeover")) {
			if (cctx)
				return -1;
			cctx = true;
		} else if (name_is(nm, nl, "server_max_window_bits")) {
			if (sbits)
				return -1;
			sbits = true;
			int b = val ? window_bits(val, vl) : -1;
			if (b < 0)
				return -1;
			if (b != 15)
				ok = false;
		} else if (name_is(nm, nl, "client_max_window_bits")) {
			if (cbits)
				return -1;
			cbits = true;
			if (val && window_bits(val, vl) < 0)
				return -1;
		} else {
			return -1;
		}
		if (!ok)
			return 0; /* Tomcat stops looking at this offer here */
	}
	p->server_no_ctx = sctx;
	p->client_no_ctx = cctx;
	return 1;
}

enum wspmd_offer wspmd_negotiate(const char *hdr, struct wspmd *p)
{
	memset(p, 0, sizeof(*p));
	if (!hdr)
		return WSPMD_NONE;
	const char *s = hdr;
	size_t n = strlen(hdr);

	while (n) {
		const char *comma = memchr(s, ',', n);
		size_t len = comma ? (size_t)(comma - s) : n;
		const char *one = s;

		s += len + (comma ? 1 : 0);
		n -= len + (comma ? 1 : 0);
		const char *semi = memchr(one, ';', len);
		size_t nl = semi ? (size_t)(semi - one) : len;
		const char *nm = trim(one, &nl);
		if (!name_is(nm, nl, "permessage-deflate"))
			continue;
		const char *rest = semi ? semi + 1 : one + len;
		size_t rl = semi ? len - (size_t)(semi + 1 - one) : 0;
		struct wspmd cand;
		int rc = offer(rest, rl, &cand);
		if (rc < 0)
			return WSPMD_FAIL;
		if (rc > 0) {
			*p = cand;
			p->on = true;
			return WSPMD_ACCEPT;
		}
	}
	return WSPMD_NONE;
}

int wspmd_inflate(struct wspmd *p, const unsigned char *in, size_t n, bool fin,
		  int (*out)(void *arg, const unsigned char *b, size_t len), void *arg)
{
	static const unsigned char trailer[4] = { 0, 0, 0xff, 0xff };
	unsigned char buf[16384];

	if (!p->rx_init) {
		memset(&p->rx, 0, sizeof(p->rx));
		if (inflateInit2(&p->rx, -15) != Z_OK)
			return -ENOMEM;
		p->rx_init = true;
	}
	for (int pass = 0; pass < (fin ? 2 : 1); pass++) {
		p->rx.next_in = (unsigned char *)(pass ? trailer : in);
		p->rx.avail_in = (uInt)(pass ? sizeof(trailer) : n);
		do {
			p->rx.next_out = buf;
			p->rx.avail_out = sizeof(buf);
			int z = inflate(&p->rx, Z_SYNC_FLUSH);
			if (z != Z_OK && z != Z_BUF_ERROR && z != Z_STREAM_END)
				return -EBADMSG;
			size_t got = sizeof(buf) - p->rx.avail_out;
			if (got) {
				int rc = out(arg, buf, got);
				if (rc)
					return rc;
			}
			if (z == Z_STREAM_END) {
				inflateReset(
					&p->rx); /* a final block ends the stream: start anew */
				break;
			}
			if (z == Z_BUF_ERROR && !got)
				break;
		} while (p->rx.avail_in || p->rx.avail_out == 0);
	}
	if (fin && p->client_no_ctx)
		inflateReset(&p->rx);
	return 0;
}

size_t wspmd_bound(size_t n)
{
	return n + n / 1000 + 64;
}

long wspmd_deflate(struct wspmd *p, const unsigned char *in, size_t n, bool fin, unsigned char *out,
		   size_t outsz)
{
	if (!p->tx_init) {
		memset(&p->tx, 0, sizeof(p->tx));
		if (deflateInit2(&p->tx, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			return -ENOMEM;
		p->tx_init = true;
	}
	p->tx.next_in = (unsigned char *)in;
	p->tx.avail_in = (uInt)n;
	p->tx.next_out = out;
	p->tx.avail_out = (uInt)outsz;
	if (deflate(&p->tx, Z_SYNC_FLUSH) != Z_OK || p->tx.avail_in || !p->tx.avail_out)
		return -EMSGSIZE;
	size_t len = outsz - p->tx.avail_out;
	if (fin) {
		if (len < 4 || memcmp(out + len - 4, "\0\0\xff\xff", 4))
			return -EPROTO;
		len -= 4;
		if (p->server_no_ctx)
			deflateReset(&p->tx);
	}
	return (long)len;
}

void wspmd_free(struct wspmd *p)
{
	if (p->rx_init)
		inflateEnd(&p->rx);
	if (p->tx_init)
		deflateEnd(&p->tx);
	p->rx_init = p->tx_init = false;
}
