/* frame.c - encode and decode local frame headers (see frame.h). */
#include "frame.h"

#include <errno.h>

static uint32_t frame_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void frame_set_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void frame_put_header(uint8_t *out, uint16_t type, uint32_t id, uint32_t len)
{
	frame_set_u32(out, len);
	out[4] = (uint8_t)(type >> 8);
	out[5] = (uint8_t)type;
	out[6] = 0;
	out[7] = 0;
	frame_set_u32(out + 8, id);
}

int frame_parse_header(const uint8_t *hdr, uint32_t max, struct frame *out)
{
	uint32_t plen = frame_get_u32(hdr);
	uint16_t type = (uint16_t)(hdr[4] << 8 | hdr[5]);
	uint16_t flags = (uint16_t)(hdr[6] << 8 | hdr[7]);

	if (type == 0 || type > FRAME_TYPE_MAX_ || flags != 0)
		return -EPROTO;
	if (plen > max)
		return -EMSGSIZE;
	out->len = plen;
	out->type = type;
	out->flags = flags;
	out->id = frame_get_u32(hdr + 8);
	out->payload = NULL;
	return 0;
}

long frame_decode(const uint8_t *buf, size_t len, uint32_t max, struct frame *out)
{
	int r;

	if (len < FRAME_HDR_LEN)
		return 0;
	r = frame_parse_header(buf, max, out);
	if (r < 0)
		return r;
	if (len - FRAME_HDR_LEN < out->len)
		return 0;
	out->payload = buf + FRAME_HDR_LEN;
	return (long)(FRAME_HDR_LEN + out->len);
}

const char *frame_type_name(uint16_t type)
{
	static const char *const names[] = {
		"?",	 "HELLO",    "REQUEST",	   "STDOUT", "STDERR", "EXIT",
		"ERROR", "PROGRESS", "PASSPHRASE", "CANCEL", "DEBUG",
	};
	return type <= FRAME_TYPE_MAX_ ? names[type] : "?";
}
