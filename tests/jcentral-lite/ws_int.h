/* ws_int.h - one wss connection of jcentral-lite, shared by ws.c (the context and a
 * connection's life: TLS and certificate checks, the upgrade, timers, close), wsqueue.c (its
 * requests and replies, in order) and wsext.c (the permessage-deflate extension lws is given).
 *
 * Per connection: at most one request is processed at a time. While requests are waiting or a
 * reply is being sent, reading is paused (lws_rx_flow_control), so replies go out strictly in
 * request order. Caps: WS_MAX_JOBS requests/errors waiting (more: close 1009), one request of
 * at most WSMSG_MAX_UNITS units plus the part buffers of wsmsg.h, the replies being sent. */
#ifndef JCL_WS_INT_H
#define JCL_WS_INT_H

#include <libwebsockets.h>
#include <stdbool.h>

#include "jcl.h"
#include "wsmsg.h"
#include "wspmd.h"

#define WS_TX_CHUNK 8192 /* bytes per reply frame: Tomcat's output buffer */
#define WS_RX_BUF 65536	 /* lws rx buffer (a frame's wire payload arrives in these) */
#define WS_MAX_JOBS 64	 /* requests + errors waiting on one connection */
#define WS_LONG_MS 1000	 /* JCentral waits this long for a command, then reads on */

enum ws_park { WS_PARK_NONE, WS_PARK_EXEC, WS_PARK_SEND };

/* A complete request (or a too-big error to answer) waiting for its turn. */
struct ws_job {
	struct ws_job *next;
	enum wsmsg_event ev;
	size_t len;
	char text[];
};

/* A reply waiting to be sent (in order). */
struct ws_tx {
	struct ws_tx *next;
	char *p;
	size_t len, off;
};

struct ws_conn {
	struct jcl_session sess;
	struct lws *wsi;
	bool ready;		    /* session initialised (ESTABLISHED) */
	lws_sorted_usec_list_t sul; /* delayed execution / delayed reply */
	enum ws_park park;
	char *parked_reply; /* WS_PARK_SEND: reply waiting for its time */
	size_t parked_len;
	struct ws_job *parked_job; /* WS_PARK_EXEC: request waiting for the throttle */
	bool busy;		   /* a request is parked or its reply is parked */
	/* a command over 1 s (JCentral's handler stops waiting after 1 s and reads on): */
	lws_sorted_usec_list_t sul_long;
	bool long_pending;   /* its reply is still to come; later requests get "" */
	bool hold;	     /* one of them is waiting its 1 s: reading paused */
	unsigned empties;    /* empty replies owed after the long reply */
	struct wsmsg msg;    /* frames -> parts -> requests */
	bool msg_compressed; /* RSV1 on the first frame of the current message */
	struct ws_job *jobs, **jobs_tail;
	size_t njobs;
	struct ws_tx *txq, **txq_tail;
	/* permessage-deflate: negotiated at FILTER_PROTOCOL_CONNECTION, kept by session_setup */
	struct wspmd pmd;
	int pmd_offer;	    /* index of the offer wspmd_negotiate chose */
	int pmd_asked;	    /* CONFIRM_EXTENSION_OKAY calls so far */
	bool tx_compressed; /* the frame being written was compressed: set RSV1 */
	unsigned char *ztx; /* LWS_PRE + compressed frame */
	bool timed_out;	    /* idle timeout reached */
	bool expired;	    /* certificate notAfter or 48 h reached */
};

extern struct jcl_server *ws_srv; /* the server being run (ws_start) */

/* ws.c: (re)arm the connection timer: idle timeout, certificate notAfter or 48 h. */
void ws_arm_idle(struct lws *wsi, struct ws_conn *cn);

/* wsqueue.c: received payload (RECEIVE): requests queued and started. 0, or -1 to close. */
int wsqueue_rx(struct lws *wsi, struct ws_conn *cn, const void *in, size_t len);
/* SERVER_WRITEABLE: the next frame of the first reply (or the close a timer asked for). */
int wsqueue_writeable(struct lws *wsi, struct ws_conn *cn);
/* Free what waits on a closed connection (requests, replies, parked ones). */
void wsqueue_free(struct ws_conn *cn);

/* wsext.c: lws's list of extensions (our permessage-deflate), for the context. */
extern const struct lws_extension wsext_extensions[];
/* The Sec-WebSocket-Extensions header into out, or false if absent/too long. */
bool wsext_header(struct lws *wsi, char *out, size_t outsz);
/* Which permessage-deflate offer (0-based, in header order) wspmd_negotiate accepts; -1 none. */
int wsext_offer_index(const char *hdr, const struct wspmd *chosen);

#endif
