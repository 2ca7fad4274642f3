/* upstream_status.c - the pool in words: the status line and lines
 * (upstream_describe, upstream_status) and why a connection failed. */
#include "upstream_int.h"

#include <stdio.h>
#include <time.h>

#include "base/strbuf.h"

void upstream_status_connect_error(const struct usession *s, char *msg, size_t n, const char *why,
				   int http, const char *tls, int *code)
{
	const char *alert = usession_tls_alert();

	*code = JD_EXIT_NOCONN;
	if (alert && tls == alert) { /* the server refused us, not we the server */
		snprintf(msg, n, "jaliend: %s refused %s%s in TLS: \"%s\"", up.cfg->endpoint,
			 s->with_token ? "the token certificate (from " : "the certificate ",
			 s->with_token ? "`token`)" : up.cfg->cert, alert);
	} else if (http == 401) {
		*code = JD_EXIT_UNAUTHORIZED;
		snprintf(msg, n,
			 "jaliend: %s refused the certificate %s (HTTP 401: not registered in the "
			 "VO?)",
			 up.cfg->endpoint, up.cfg->cert);
	} else if (http > 0) {
		snprintf(msg, n, "jaliend: %s answered the websocket upgrade with HTTP %d",
			 up.cfg->endpoint, http);
	} else if (tls) {
		snprintf(msg, n, "jaliend: TLS with %s failed: %s (CA %s %s)", up.cfg->endpoint,
			 tls, up.cfg->ca_file ? "file" : "folder",
			 up.cfg->ca_file ? up.cfg->ca_file : up.cfg->ca_dir);
	} else {
		snprintf(msg, n, "jaliend: cannot connect to %s: %s", up.cfg->endpoint,
			 why ? why : "connection failed");
	}
}

void upstream_describe(char *buf, size_t n)
{
	int cnt[US_CLOSING + 1] = { 0 };

	for (int i = 0; i < LIM_POOL_MAX; i++)
		if (up.sess[i].state != US_DOWN || i < up.min)
			cnt[up.sess[i].state]++;
	snprintf(buf, n,
		 "%d ready, %d busy, %d connecting, %d down; %u queued; %lu connects, %lu failed, "
		 "%lu lost, %lu retried",
		 cnt[US_READY], cnt[US_BUSY], cnt[US_CONNECTING] + cnt[US_INIT], cnt[US_DOWN],
		 up.qlen, up.connects, up.connect_failures, up.lost, up.retried);
}

void upstream_status(struct strbuf *out)
{
	time_t now = time(NULL);

	strbuf_addf(out, "pool: %d to %d sessions, keepalive %d s\n", up.min, up.max,
		    up.cfg ? up.cfg->keepalive : 0);
	for (int i = 0; i < LIM_POOL_MAX; i++) {
		const struct usession *s = &up.sess[i];

		if (s->state == US_DOWN && i >= up.min)
			continue;
		strbuf_addf(out, "session %d: %s%s%s", i, usession_state_name(s->state),
			    s->private_ ? " (private)" : "",
			    s->state == US_DOWN ? ""
			    : s->with_token	? ", token"
						: ", user certificate");
		if (s->state != US_DOWN)
			strbuf_addf(out,
				    ", up %lds, idle %lds, %lu requests, %llu bytes in, %llu out",
				    (long)(now - s->connected_at), (long)(now - s->last_active),
				    s->requests, (unsigned long long)s->bytes_in,
				    (unsigned long long)s->bytes_out);
		if (s->cur && !s->cur->internal)
			strbuf_addf(out, ", running `%.40s`", s->cur->command);
		strbuf_addc(out, '\n');
	}
	strbuf_addf(out, "queue: %u shared, %s private waiting\n", up.qlen,
		    up.phead ? "some" : "none");
	strbuf_addf(out,
		    "connects: %lu, failed %lu, lost mid-request %lu, retried %lu, timed out %lu, "
		    "broken by the server %lu\n",
		    up.connects, up.connect_failures, up.lost, up.retried, up.timeouts,
		    up.poisoned);
	if (up.down_since > 0 && up.ever_up)
		strbuf_addf(out,
			    "JCentral unreachable for %.0f s (requests wait up to %d s: "
			    "--connect-wait)\n",
			    usession_now() - up.down_since, up.cfg->connect_wait);
	if (up.last_error[0])
		strbuf_addf(out, "last error: %s\n", up.last_error + 9);
}
