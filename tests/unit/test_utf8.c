/* test_utf8.c - the one UTF-8 rule of the shim and the daemon (common/utf8.c):
 * every code point in its shortest form passes, surrogates, overlong forms,
 * code points past U+10FFFF and cut sequences do not; and render.c, which
 * escapes replies with it, escapes what is refused byte by byte. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "command/render.h"
#include "base/strbuf.h"
#include "utf8.h"

/* cp in exactly len bytes (len may be longer than needed: overlong). */
static void enc(uint32_t cp, size_t len, unsigned char *out)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };

	for (size_t i = len - 1; i > 0; i--, cp >>= 6)
		out[i] = 0x80 | (cp & 0x3f);
	out[0] = len == 1 ? (unsigned char)cp : (unsigned char)(lead[len] | cp);
	out[len] = 0;
}

static size_t shortest(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static const char *json(const char *s)
{
	static struct strbuf sb;

	strbuf_free(&sb);
	render_json_string(&sb, s);
	return sb.data;
}

int main(void)
{
	unsigned char b[8];
	uint32_t cp, bad_ok = 0, good_bad = 0, over_ok = 0;

	/* every code point, shortest form: valid unless a surrogate */
	for (uint32_t c = 0; c <= 0x10ffff; c++) {
		size_t n = shortest(c), got;

		enc(c, n, b);
		got = utf8_decode(b, n, &cp);
		if (c >= 0xd800 && c <= 0xdfff)
			bad_ok += got != 0;
		else
			good_bad += got != n || cp != c;
		/* the same in a longer form: overlong, always refused */
		for (size_t m = n + 1; m <= 4 && c > 0; m++) {
			enc(c, m, b);
			over_ok += utf8_decode(b, m, &cp) != 0;
		}
		/* cut short: refused */
		if (n > 1) {
			enc(c, n, b);
			good_bad += utf8_decode(b, n - 1, &cp) != 0;
		}
	}
	CHECK(bad_ok == 0);   /* no surrogate passes */
	CHECK(good_bad == 0); /* every other code point decodes to itself */
	CHECK(over_ok == 0);  /* no overlong form passes */

	/* past U+10FFFF, in 4 bytes */
	enc(0x110000, 4, b);
	CHECK(utf8_decode(b, 4, &cp) == 0);
	enc(0x1fffff, 4, b);
	CHECK(utf8_decode(b, 4, &cp) == 0);
	/* bytes that never start a sequence */
	for (unsigned x = 0x80; x <= 0xff; x++) {
		b[0] = (unsigned char)x, b[1] = 0x80, b[2] = 0x80, b[3] = 0x80;
		if (x < 0xc2 || x > 0xf4)
			CHECK(utf8_decode(b, 4, &cp) == 0);
	}
	CHECK(utf8_decode((const unsigned char *)"a", 0, &cp) == 0);

	/* strings: the offset of the first bad sequence */
	CHECK(utf8_invalid_at("") == -1);
	CHECK(utf8_invalid_at("caf\xc3\xa9 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbd") == -1);
	CHECK(utf8_invalid_at("ab\xff") == 2);
	CHECK(utf8_invalid_at("\xed\xa0\x80") == 0);		  /* U+D800 */
	CHECK(utf8_invalid_at("x\xed\xbf\xbf") == 1);		  /* U+DFFF */
	CHECK(utf8_invalid_at("\xed\x9f\xbf\xee\x80\x80") == -1); /* U+D7FF, U+E000 */
	CHECK(utf8_invalid_at("\xc0\xaf") == 0);		  /* overlong '/' */
	CHECK(utf8_invalid_at("\xe0\x80\xaf") == 0);
	CHECK(utf8_invalid_at("\xf0\x80\x80\xaf") == 0);
	CHECK(utf8_invalid_at("\xf4\x90\x80\x80") == 0); /* U+110000 */
	CHECK(utf8_invalid_at("ok\xe2\x82") == 2);	 /* cut at the end */
	CHECK(utf8_invalid_at("\xe2\x82z") == 0);	 /* cut by the next character */

	/* render.c's JSON strings: valid UTF-8 as \u escapes (a pair past
	 * U+FFFF), refused bytes one by one, never a lone surrogate escape */
	CHECK_STR(json("\xc3\xa9\xf0\x9f\x98\x80"), "\"\\u00e9\\ud83d\\ude00\"");
	CHECK_STR(json("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");
	CHECK_STR(json("\xe0\x80\xaf"), "\"\\u00e0\\u0080\\u00af\"");
	return check_report();
}
