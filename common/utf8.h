/* utf8.h - the one UTF-8 rule of the shim and the daemon (RFC 3629): a
 * code point in its shortest form (no overlong encodings), no UTF-16
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no cut sequence.
 * The shim refuses a bad argument with it, the daemon checks requests and
 * escapes replies with it, so both sides accept exactly the same strings. */
#ifndef JALIEND_UTF8_H
#define JALIEND_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The sequence at s (at most n bytes are looked at, none past the first
 * byte that breaks the sequence, so a NUL-terminated string is safe with
 * n = 4): its length 1..4 with its code point in *cp, or 0 if it is not
 * valid UTF-8 (n = 0 included). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* -1 if the NUL-terminated s is valid UTF-8, else the offset of the first
 * byte of the first bad sequence. */
long utf8_invalid_at(const char *s);

#endif
