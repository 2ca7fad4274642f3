/* wsmsg.c - frames -> parts -> requests, as Tomcat and JCentral do it (see wsmsg.h). */
#include "wsmsg.h"

#include <errno.h>
#include <string.h>

static void buf_reset(struct jcl_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* One part reaches JCentral's onMessage(message, last). */
static int wsmsg_part(struct wsmsg *m, bool last, wsmsg_cb cb, void *arg)
{
	int rc = 0;

	m->parts++;
	if (!last) {
		if (m->skip) {
			/* fixed mode, message already refused */
		} else if (!m->sb_set) {
			buf_reset(&m->sb);
			if (jcl_buf_add(&m->sb, m->part.p ? m->part.p : "", m->part.len))
				return -ENOMEM;
			m->sb_units = m->part_units;
			m->sb_set = true;
		} else if (m->sb_units + m->part_units > WSMSG_MAX_UNITS) {
			if (m->tomcat) {
				rc = cb(arg, WSMSG_TOO_BIG, NULL, 0);
			} else {
				m->skip = true;
			}
			m->sb_set = false;
			buf_reset(&m->sb);
			m->sb_units = m->old_units = 0;
		} else {
			if (jcl_buf_add(&m->sb, m->part.p, m->part.len))
				return -ENOMEM;
			m->sb_units += m->part_units;
		}
	} else if (m->skip) {
		m->skip = false;
		rc = cb(arg, WSMSG_TOO_BIG, NULL, 0);
	} else if (m->sb_set) {
		if (m->sb_units + m->part_units > WSMSG_MAX_UNITS) {
			rc = cb(arg, WSMSG_TOO_BIG, NULL, 0);
		} else {
			size_t keep = m->sb.len;
			if (jcl_buf_add(&m->sb, m->part.p ? m->part.p : "", m->part.len))
				return -ENOMEM;
			if (m->old_units > 0)
				m->poisoned++;
			rc = cb(arg, WSMSG_EXEC, m->sb.p, m->sb.len);
			m->sb.len = keep; /* the last part is not kept, the old parts are */
			m->sb.p[keep] = '\0';
		}
		if (!m->tomcat) {
			m->sb_set = false;
			buf_reset(&m->sb);
			m->sb_units = 0;
		}
		m->old_units = m->sb_units;
	} else {
		rc = cb(arg, WSMSG_EXEC, m->part.p ? m->part.p : "", m->part.len);
	}
	buf_reset(&m->part);
	m->part_units = 0;
	return rc;
}

int wsmsg_feed(struct wsmsg *m, const unsigned char *p, size_t n, wsmsg_cb cb, void *arg)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if ((p[i] & 0xc0) == 0x80)
			continue; /* continuation byte: stays with its character */
		size_t u = (p[i] & 0xf8) == 0xf0 ? 2 : 1;
		if (m->part_units + u > WSMSG_PART_UNITS) {
			int rc;
			if (jcl_buf_add(&m->part, p + start, i - start))
				return -ENOMEM;
			start = i;
			if ((rc = wsmsg_part(m, false, cb, arg)))
				return rc;
		}
		m->part_units += u;
	}
	return jcl_buf_add(&m->part, p + start, n - start) ? -ENOMEM : 0;
}

int wsmsg_frame_end(struct wsmsg *m, bool fin, wsmsg_cb cb, void *arg)
{
	return wsmsg_part(m, fin, cb, arg);
}

void wsmsg_free(struct wsmsg *m)
{
	jcl_buf_free(&m->part);
	jcl_buf_free(&m->sb);
	m->part_units = m->sb_units = 0;
	m->sb_set = m->skip = false;
}
