/* wsmsg.h - how JCentral (Tomcat 9 + WebsocketEndpoint) turns websocket frames into requests.
 *
 * Tomcat hands a text message to JCentral's MessageHandler.Partial in parts: one part at the end
 * of every frame (last = the frame's FIN bit), and one more whenever the text of the current
 * frame fills Tomcat's 8192-character text buffer (WSMSG_PART_UNITS UTF-16 units; a character
 * that does not fit starts the next part). JCentral keeps the non-last parts in a StringBuilder
 * that is set on the first non-last part and NEVER cleared: the request it runs is
 * buffer + last part, so after a message that came in more than one part every later message of
 * the session is parsed as old parts + new text ("Incoming JSON is not ok", 22). Over
 * WSMSG_MAX_UNITS in the buffer: "Message too big, limit is at 133120" (22); on a non-last part
 * the buffer is then dropped (a new one starts with the next part), on a last part it is kept.
 * This file reproduces exactly that (tomcat = true, the default) or, with tomcat = false, a
 * fixed server that clears the buffer after each message and answers one too-big error per message.
 * Caps: the buffer holds at most WSMSG_MAX_UNITS + WSMSG_PART_UNITS units (about 540 KiB).
 */
#ifndef JCL_WSMSG_H
#define JCL_WSMSG_H

#include "reply.h"

#include <stdbool.h>
#include <stddef.h>

#define WSMSG_PART_UNITS 8192  /* Tomcat's default text message buffer (characters) */
#define WSMSG_MAX_UNITS 133120 /* JCentral's MAX_MESSAGE_LENGTH, 130 * 1024 */

enum wsmsg_event {
	WSMSG_EXEC,    /* run text/len as a request */
	WSMSG_TOO_BIG, /* answer "Message too big, limit is at 133120" */
};

/* Return non-zero to stop (the connection is then closed). */
typedef int (*wsmsg_cb)(void *arg, enum wsmsg_event ev, const char *text, size_t len);

struct wsmsg {
	bool tomcat;	     /* reproduce the never-cleared buffer */
	struct jcl_buf part; /* text of the current part */
	size_t part_units;
	struct jcl_buf sb; /* JCentral's sbBuffer */
	size_t sb_units;
	bool sb_set;		/* sbBuffer != null */
	bool skip;		/* fixed mode: this message is already too big */
	unsigned long parts;	/* parts delivered in this session (for the log) */
	unsigned long poisoned; /* requests that were run with an old buffer in front */
	size_t old_units;	/* units of sb left over from earlier messages */
};

/* Text bytes of the current frame (already inflated), in order. */
int wsmsg_feed(struct wsmsg *m, const unsigned char *p, size_t n, wsmsg_cb cb, void *arg);
/* The current frame ended; fin = its FIN bit. */
int wsmsg_frame_end(struct wsmsg *m, bool fin, wsmsg_cb cb, void *arg);
void wsmsg_free(struct wsmsg *m);

#endif
