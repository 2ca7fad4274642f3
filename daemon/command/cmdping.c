/* cmdping.c - `ping [N]`: N round trips of `echo` (or `pwd`) through a warm
 * session, with alien.py's rtt line. */
#include "cmdlocal_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "upstream/upstream.h"

#define CMDPING_MAX 100 /* `ping N`: at most this many round trips */

struct cmdping {
	int want, done;
	double t0, min, max, sum, sumsq;
};

static double cmdping_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmdping_send(struct command *cmd, struct cmdping *p);

static void cmdping_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	struct cmdping *p = arg;
	double dt = cmdping_now_ms() - p->t0, avg, mdev;
	char out[512];

	if (!reply) {
		snprintf(out, sizeof(out), "%s\n", msg);
		command_reply(cmd, NULL, out, code);
		return;
	}
	cJSON_Delete(reply);
	p->min = p->done == 0 || dt < p->min ? dt : p->min;
	p->max = dt > p->max ? dt : p->max;
	p->sum += dt;
	p->sumsq += dt * dt;
	if (++p->done < p->want) {
		if (cmdping_send(cmd, p) < 0)
			command_fail(cmd, JD_EXIT_NOMEM);
		return;
	}
	avg = p->sum / p->done;
	mdev = sqrt(fmax(0, p->sumsq / p->done - avg * avg));
	snprintf(out, sizeof(out),
		 "Websocket ping/pong(s) : %d time(s) to %s\nrtt min/avg/max/mdev (ms) = "
		 "%.3f/%.3f/%.3f/%.3f\n",
		 p->done, getenv("JALIEND_ENDPOINT") ? getenv("JALIEND_ENDPOINT") : "JCentral",
		 p->min, avg, p->max, mdev);
	command_reply(cmd, out, NULL, 0);
}

static int cmdping_send(struct command *cmd, struct cmdping *p)
{
	cJSON *opts = cJSON_CreateArray();

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	p->t0 = cmdping_now_ms();
	return command_upstream(cmd, upstream_knows("echo") == 1 ? "echo" : "pwd", opts,
				UP_REQ_READONLY, cmdping_done, p);
}

int cmdping_run(struct command *cmd, cJSON *argv)
{
	const cJSON *a = cJSON_GetArrayItem(argv, 1);
	struct cmdping *p;
	int n = cJSON_IsString(a) ? atoi(a->valuestring) : 3;

	if (n < 1 || n > CMDPING_MAX) {
		command_reply(cmd, NULL, "usage: ping [N]   (N round trips, 1 to 100, default 3)\n",
			      JD_EXIT_USAGE);
		return 1;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->want = n;
	command_hold(cmd, p, NULL);
	return cmdping_send(cmd, p) < 0 ? -ENOMEM : 1;
}
