/* wsext.c - the permessage-deflate extension jcentral-lite gives lws, and which client offer
 * it takes. */
#include "ws_int.h"

#include <string.h>
#include <strings.h>

/* The Sec-WebSocket-Extensions header, or false if absent/too long. */
bool wsext_header(struct lws *wsi, char *out, size_t outsz)
{
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_EXTENSIONS);
	if (n <= 0 || (size_t)n >= outsz)
		return false;
	return lws_hdr_copy(wsi, out, (int)outsz, WSI_TOKEN_EXTENSIONS) >= 0;
}

/* Which permessage-deflate offer (0-based, in header order) wspmd_negotiate accepted. */
int wsext_offer_index(const char *hdr, const struct wspmd *chosen)
{
	char one[WSPMD_HDR_MAX];
	int idx = 0;
	const char *s = hdr;

	(void)chosen;
	while (*s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		struct wspmd p;
		if (n >= sizeof(one))
			return -1;
		memcpy(one, s, n);
		one[n] = '\0';
		enum wspmd_offer r = wspmd_negotiate(one, &p);
		if (r == WSPMD_ACCEPT)
			return idx;
		const char *t = one;
		while (*t == ' ' || *t == '\t')
			t++;
		if (!strncasecmp(t, "permessage-deflate", 18) &&
		    (t[18] == '\0' || t[18] == ';' || t[18] == ' ' || t[18] == '\t'))
			idx++;
		s += n + (c ? 1 : 0);
	}
	return -1;
}

/* Our own permessage-deflate "extension": lws only needs one to accept RSV1 and to let us mark
 * our frames; it passes received payload through untouched (ws.c inflates it, wspmd.c) and
 * compresses our frames whole, one lws_write = one frame. lws echoes the offer's
 * server_no_context_takeover / client_no_context_takeover in its answer. */
static const struct lws_ext_options wsext_opts[] = {
	{ "server_no_context_takeover", EXTARG_NONE },
	{ "client_no_context_takeover", EXTARG_NONE },
	{ "server_max_window_bits", EXTARG_OPT_DEC },
	{ "client_max_window_bits", EXTARG_OPT_DEC },
	{ NULL, 0 },
};

/* lws 4.1.6 private enum pmd_return (lib/core-net/private-lib-core-net.h) */
#define WSEXT_PMDR_EMPTY_NONFINAL 3
#define WSEXT_PMDR_EMPTY_FINAL 4
#define WSEXT_PMDR_NOTHING_WE_SHOULD_DO 5
/* lws 4.1.6 struct lws_ext_pm_deflate_rx_ebufs (lib/roles/ws/private-lib-roles-ws.h) */
struct wsext_ebufs {
	struct lws_tokens eb_in, eb_out;
};

static int wsext_cb(struct lws_context *ctx, const struct lws_extension *ext, struct lws *wsi,
		    enum lws_extension_callback_reasons reason, void *user, void *in, size_t len)
{
	struct ws_conn *cn = wsi ? lws_wsi_user(wsi) : NULL;
	struct wsext_ebufs *eb = in;

	(void)ctx;
	(void)ext;
	switch ((int)reason) {
	case LWS_EXT_CB_CONSTRUCT:
		*(void **)user = NULL;
		if (in)
			*(const struct lws_ext_options **)in = wsext_opts;
		return 0;
	case LWS_EXT_CB_OPTION_SET:
	case LWS_EXT_CB_NAMED_OPTION_SET:
		return 0; /* echoed in the answer; wspmd.c already decided */
	case LWS_EXT_CB_PAYLOAD_RX: return WSEXT_PMDR_NOTHING_WE_SHOULD_DO;
	case LWS_EXT_CB_PAYLOAD_TX: {
		bool first = (len & 0xf) == LWS_WRITE_TEXT, fin = !(len & LWS_WRITE_NO_FIN);
		if (!cn || !cn->ready || !cn->pmd.on || !cn->ztx)
			return WSEXT_PMDR_NOTHING_WE_SHOULD_DO;
		if (first && fin && eb->eb_in.len == 0) /* Tomcat: empty messages go uncompressed */
			return WSEXT_PMDR_NOTHING_WE_SHOULD_DO;
		long n = wspmd_deflate(&cn->pmd, eb->eb_in.token, (size_t)eb->eb_in.len, fin,
				       cn->ztx + LWS_PRE, wspmd_bound(WS_TX_CHUNK));
		if (n < 0) {
			jcl_log("%s: deflate failed (%ld)", cn->sess.account, n);
			return -1;
		}
		eb->eb_in.token += eb->eb_in.len;
		eb->eb_in.len = 0;
		eb->eb_out.token = cn->ztx + LWS_PRE;
		eb->eb_out.len = (int)n;
		if (first)
			cn->tx_compressed = true;
		return fin ? WSEXT_PMDR_EMPTY_FINAL : WSEXT_PMDR_EMPTY_NONFINAL;
	}
	case LWS_EXT_CB_PACKET_TX_PRESEND:
		/* eb_in.token = the frame header: RSV1 on the first frame of a compressed
		 * message */
		if (cn && cn->tx_compressed && eb && eb->eb_in.token) {
			cn->tx_compressed = false;
			if ((eb->eb_in.token[0] & 0xf) == 0x1) /* text opcode */
				eb->eb_in.token[0] |= 0x40;
		}
		return 0;
	default: return 0;
	}
}

const struct lws_extension wsext_extensions[] = {
	{ "permessage-deflate", wsext_cb, "" },
	{ NULL, NULL, NULL },
};
