/* test_frame.c - the local frame codec. */
#include <errno.h>
#include <stdint.h>

#include "caps.h"
#include "check.h"
#include "frame.h"

static void test_roundtrip(void)
{
	uint8_t buf[64];
	struct frame f;

	frame_put_header(buf, FRAME_REQUEST, 0x01020304, 5);
	memcpy(buf + FRAME_HDR_LEN, "hello", 5);
	CHECK(frame_decode(buf, FRAME_HDR_LEN + 5, LIM_FRAME_PAYLOAD_MAX, &f) == FRAME_HDR_LEN + 5);
	CHECK(f.type == FRAME_REQUEST && f.id == 0x01020304 && f.len == 5);
	CHECK(memcmp(f.payload, "hello", 5) == 0);
	/* big endian on the wire */
	CHECK(buf[0] == 0 && buf[3] == 5 && buf[5] == FRAME_REQUEST && buf[8] == 1 && buf[11] == 4);
}

static void test_incomplete(void)
{
	uint8_t buf[64];
	struct frame f;

	frame_put_header(buf, FRAME_STDOUT, 1, 10);
	for (size_t n = 0; n < FRAME_HDR_LEN + 10; n++)
		CHECK(frame_decode(buf, n, LIM_FRAME_PAYLOAD_MAX, &f) == 0);
	CHECK(frame_decode(buf, FRAME_HDR_LEN + 10, LIM_FRAME_PAYLOAD_MAX, &f) ==
	      FRAME_HDR_LEN + 10);
}

static void test_bad(void)
{
	uint8_t buf[FRAME_HDR_LEN];
	struct frame f;

	/* 4 GiB - 1 length is refused before anything is allocated */
	memset(buf, 0xff, 4);
	buf[4] = 0, buf[5] = FRAME_HELLO, buf[6] = buf[7] = 0;
	CHECK(frame_decode(buf, sizeof(buf), LIM_FRAME_PAYLOAD_MAX, &f) == -EMSGSIZE);
	frame_put_header(buf, FRAME_HELLO, 0, LIM_FRAME_PAYLOAD_MAX + 1);
	CHECK(frame_parse_header(buf, LIM_FRAME_PAYLOAD_MAX, &f) == -EMSGSIZE);
	frame_put_header(buf, 0, 0, 0);
	CHECK(frame_decode(buf, sizeof(buf), LIM_FRAME_PAYLOAD_MAX, &f) == -EPROTO);
	frame_put_header(buf, FRAME_TYPE_MAX_ + 1, 0, 0);
	CHECK(frame_decode(buf, sizeof(buf), LIM_FRAME_PAYLOAD_MAX, &f) == -EPROTO);
	frame_put_header(buf, FRAME_EXIT, 0, 0);
	buf[7] = 1; /* flags must be 0 */
	CHECK(frame_decode(buf, sizeof(buf), LIM_FRAME_PAYLOAD_MAX, &f) == -EPROTO);
	CHECK(strcmp(frame_type_name(FRAME_EXIT), "EXIT") == 0);
	CHECK(strcmp(frame_type_name(200), "?") == 0);
}

static void test_two_frames(void)
{
	uint8_t buf[64];
	struct frame f;
	long n;

	frame_put_header(buf, FRAME_STDOUT, 7, 2);
	memcpy(buf + FRAME_HDR_LEN, "ab", 2);
	frame_put_header(buf + FRAME_HDR_LEN + 2, FRAME_EXIT, 7, 0);
	n = frame_decode(buf, sizeof(buf), LIM_FRAME_PAYLOAD_MAX, &f);
	CHECK(n == FRAME_HDR_LEN + 2 && f.type == FRAME_STDOUT);
	n = frame_decode(buf + n, FRAME_HDR_LEN, LIM_FRAME_PAYLOAD_MAX, &f);
	CHECK(n == FRAME_HDR_LEN && f.type == FRAME_EXIT && f.len == 0 && f.id == 7);
}

int main(void)
{
	test_roundtrip();
	test_incomplete();
	test_bad();
	test_two_frames();
	return check_report();
}
