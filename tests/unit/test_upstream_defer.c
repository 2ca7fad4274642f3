/* test_upstream_defer.c - the pool's completions never run before the call
 * that started them returns (issue 30): a request submitted to a full queue
 * or to a pool that cannot connect is answered on a later turn of the loop,
 * and a request cancelled while its answer waits is never answered.
 *
 * The pool runs on a real lws loop. Full queue: the pool is locked (a user
 * key waiting for its passphrase), so nothing connects and LIM_UPSTREAM_QUEUE_MAX
 * requests wait. Dead pool: the endpoint is a loopback port nothing listens on. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "check.h"
#include "upstream/upstream.h"
#include "upstream/usession.h"

struct answer {
	int calls;     /* done() calls */
	int in_submit; /* ... made while upstream_submit had not returned */
	int code;
	int had_reply;
	char msg[300];
};

static int submitting;

static void t_done(struct up_req *r, cJSON *reply, int code, const char *msg)
{
	struct answer *a = r->owner;

	a->calls++;
	a->in_submit += submitting;
	a->code = code;
	a->had_reply = reply != NULL;
	snprintf(a->msg, sizeof(a->msg), "%s", msg ? msg : "");
	cJSON_Delete(reply);
}

static struct up_req *t_submit(struct answer *a)
{
	struct up_req *r = upstream_req_new("pwd", NULL, NULL, t_done, a);

	if (!r)
		return NULL;
	r->flags = UP_REQ_READONLY;
	submitting = 1;
	upstream_submit(r);
	submitting = 0;
	return r;
}

/* Turn the loop until a has been answered (at most 20 s: a bound, not a measure). */
static void t_loop_until(struct lws_context *ctx, const struct answer *a)
{
	time_t t0 = time(NULL);

	while (!a->calls && time(NULL) - t0 < 20)
		lws_service(ctx, 0);
}

/* A loopback port nothing listens on (bound, then closed). */
static int t_dead_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static const struct lws_protocols t_protocols[] = {
	{ "jalien-upstream", usession_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static struct lws_context *t_context(void)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = t_protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	return lws_create_context(&info);
}

static void t_full_queue(struct lws_context *ctx, struct jd_config *cfg)
{
	static struct answer waiting[LIM_UPSTREAM_QUEUE_MAX];
	static struct up_req *queued[LIM_UPSTREAM_QUEUE_MAX];
	struct answer over = { 0 }, cancelled = { 0 };
	struct up_req *r;
	int left = 0;

	upstream_configure(cfg, 0);
	upstream_attach(ctx);
	upstream_lock(1); /* nothing logs in: requests wait in the queue */
	for (int i = 0; i < LIM_UPSTREAM_QUEUE_MAX; i++)
		queued[i] = t_submit(&waiting[i]);
	for (int i = 0; i < LIM_UPSTREAM_QUEUE_MAX; i++)
		left += queued[i] && !waiting[i].calls;
	CHECK(left == LIM_UPSTREAM_QUEUE_MAX); /* the queue holds that many */

	/* one more: refused, but only once upstream_submit has returned */
	CHECK(t_submit(&over) != NULL);
	CHECK(over.calls == 0);
	/* and one refused too, whose owner goes away before the loop turns */
	r = t_submit(&cancelled);
	CHECK(r != NULL && cancelled.calls == 0);
	upstream_cancel(r);

	t_loop_until(ctx, &over);
	CHECK(over.calls == 1 && over.in_submit == 0);
	CHECK(over.code == JD_EXIT_BUSY && !over.had_reply);
	CHECK(strstr(over.msg, "too many requests waiting") != NULL);
	/* delivered in order, in the same turn as `over`: a cancelled one never comes */
	for (int i = 0; i < 10; i++)
		lws_service(ctx, 0);
	CHECK(cancelled.calls == 0);
	for (int i = 0; i < LIM_UPSTREAM_QUEUE_MAX; i++) {
		CHECK(waiting[i].calls == 0);
		upstream_cancel(queued[i]);
	}
	upstream_stop();
	upstream_fini();
}

static void t_dead_pool(struct lws_context *ctx, struct jd_config *cfg)
{
	struct answer first = { 0 }, cancelled = { 0 }, later = { 0 };
	struct up_req *r;

	upstream_configure(cfg, 0);
	upstream_attach(ctx);
	/* the pool is not started: the first request connects, and fails */
	CHECK(t_submit(&first) != NULL);
	CHECK(first.calls == 0);
	r = t_submit(&cancelled);
	CHECK(r != NULL && cancelled.calls == 0);
	upstream_cancel(r);
	CHECK(t_submit(&later) != NULL);
	t_loop_until(ctx, &first);
	CHECK(first.calls == 1 && first.in_submit == 0);
	CHECK(first.code == JD_EXIT_NOCONN && !first.had_reply);
	t_loop_until(ctx, &later); /* the next connection attempt fails it */
	CHECK(later.calls == 1 && later.in_submit == 0 && later.code == JD_EXIT_NOCONN);
	CHECK(cancelled.calls == 0);
	upstream_stop();
	upstream_fini();
}

int main(void)
{
	static struct jd_config cfg;
	struct lws_context *ctx;
	int port = t_dead_port();
	char endpoint[64];

	lws_set_log_level(0, NULL);
	ctx = t_context();
	if (!ctx || port < 0) {
		fprintf(stderr, "SKIP: no lws context or no loopback port\n");
		return 77;
	}
	snprintf(endpoint, sizeof(endpoint), "wss://127.0.0.1:%d/websocket/json", port);
	cfg.endpoint = endpoint;
	snprintf(cfg.ep_host, sizeof(cfg.ep_host), "127.0.0.1");
	snprintf(cfg.ep_path, sizeof(cfg.ep_path), "/websocket/json");
	cfg.ep_port = port;
	cfg.pool = 1;
	cfg.pool_max = 2;
	cfg.connect_wait = 3600; /* requests wait in the queue as long as the test runs */
	t_full_queue(ctx, &cfg);
	t_dead_pool(ctx, &cfg);
	lws_context_destroy(ctx);
	return check_report();
}
