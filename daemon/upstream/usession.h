/* usession.h - one websocket session to JCentral (used by upstream.c only).
 *
 * States: DOWN -> CONNECTING (host name lookup off the loop, resolve.h; TCP
 * to each address in turn, TLS, upgrade) -> INIT (`commandlist` in
 * flight, as alien.py starts a session) -> READY <-> BUSY (one request in
 * flight) ; any -> CLOSING (we close it) -> DOWN. */
#ifndef JALIEND_USESSION_H
#define JALIEND_USESSION_H

#include <stdint.h>
#include <time.h>

#include <libwebsockets.h>
#include <cjson/cJSON.h>

#include "base/config.h"

struct up_req;
struct resolve_job;

enum us_state { US_DOWN, US_CONNECTING, US_INIT, US_READY, US_BUSY, US_CLOSING };

struct usession {
	int idx;
	enum us_state state;
	struct lws *wsi;
	int private_;		    /* one-shot session for a state-changing request */
	struct up_req *private_req; /* that request, until the session is ready */
	int with_token;		    /* connected with a token certificate */
	int retire;		    /* close once the running request is answered */
	struct lws_vhost *vh;	    /* the credential it logged in with */
	char *cwd;		    /* server-side cwd of this websocket */
	char *site;		    /* close site we set with setSite (NULL: JCentral's choice) */
	char *site_default;	    /* JCentral's choice, from the first setSite's `(was X)` */
	struct up_req *site_next;   /* waits for the setSite in flight (upstream_site.c) */
	struct up_req *cur;	    /* in flight */
	unsigned char *tx;	    /* LWS_PRE + request text */
	size_t tx_len;
	size_t sent_len; /* bytes of the last request sent (for the log) */
	char *rx;	 /* reply being assembled */
	size_t rx_len, rx_cap;
	unsigned long requests;
	uint64_t bytes_in, bytes_out;
	time_t last_active; /* last request sent or reply received */
	time_t connected_at;
	double ready_at;	/* monotonic: when it became READY (a retry wants a later one) */
	double sent_at;		/* monotonic: when cur (or commandlist, in INIT) was sent */
	int64_t cert_not_after; /* notAfter of the credential used (the server closes then) */
	struct resolve_job *resolving; /* CONNECTING: the endpoint's host name being looked up */
	int addr_next;		       /* CONNECTING: the next of the looked up addresses to try */
	int addr_pending;	       /* CONNECTING: sul_addr will try it */
	lws_sorted_usec_list_t sul_addr;
};

const char *usession_state_name(enum us_state st);
/* Monotonic seconds, for timeouts. */
double usession_now(void);
/* *dst = a copy of v's string, if v is a string that differs from *dst. */
void usession_copy_str(char **dst, const cJSON *v);
/* Before any vhost exists: the CA folder is loaded while lws builds each
 * vhost's client SSL_CTX. */
void usession_configure(const struct jd_config *cfg);
/* Start connecting s through vhost vh (its client certificate is used). */
void usession_connect(struct usession *s, struct lws_context *ctx, struct lws_vhost *vh,
		      const struct jd_config *cfg);
/* Send r on the READY session s, moving the server's cwd to cwd with -pwd=
 * when it differs. Returns 0, or -E2BIG / -ENOMEM (r untouched). */
int usession_send(struct usession *s, struct up_req *r, const char *cwd, char *err, size_t errn);
/* Close a session we no longer want (idle extra, private, expiring). */
void usession_close(struct usession *s);
int usession_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		      size_t len);
/* The last TLS error libwebsockets logged (its CONNECTION_ERROR text is useless). */
void usession_note_tls_error(const char *text);
/* The fatal TLS alert the server sent in the last handshake, or NULL. */
const char *usession_tls_alert(void);

/* Events, implemented by upstream.c. */
void upstream_session_ready(struct usession *s, cJSON *commandlist_reply);
void upstream_session_reply(struct usession *s, struct up_req *r, cJSON *reply, size_t bytes);
void upstream_session_down(struct usession *s, enum us_state was, struct up_req *lost,
			   const char *why, int http_status, const char *tls_error);

#endif
