/* cmdtrace.c - `ps -trace`: alien.py turns each line's leading epoch into
 * local time. */
#include "cmdlocal_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strbuf.h"
#include "policy.h"

/* alien.py's convert_time(): a line "<10 digits> [..." gets the time as
 * YYYY-mm-dd HH:MM:SS+zzzz; every other line stays as it is (alien.py 1.7.0;
 * 1.6.3 emptied them). */
static void cmdtrace_line(struct strbuf *sb, const char *l, size_t n)
{
	char when[64];
	struct tm tm;
	time_t t;

	if (n < 12 || strspn(l, "0123456789") != 10 || l[10] != ' ' || l[11] != '[') {
		strbuf_add(sb, l, n);
		return;
	}
	t = (time_t)strtoll(l, NULL, 10);
	if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S%z", &tm)) {
		strbuf_add(sb, l, n);
		return;
	}
	strbuf_adds(sb, when);
	strbuf_add(sb, l + 10, n - 10);
}

static void cmdtrace_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(reply, "metadata");
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(meta, "exitcode"), *row;
	struct strbuf sb = { 0 };
	size_t a = 0, b;
	int first = 1;
	char line[700];

	(void)arg;
	if (!reply) {
		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		return;
	}
	if (!cJSON_IsString(ec) || strcmp(ec->valuestring, "0")) {
		command_reply_json(cmd, reply);
		return;
	}
	cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive(reply, "results")) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(row, "message");
		const char *p = cJSON_IsString(m) ? m->valuestring : "";

		for (;;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			if (!first)
				strbuf_addc(&sb, '\n');
			first = 0;
			cmdtrace_line(&sb, p, n);
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	cJSON_Delete(reply);
	/* Python's strip() of the whole, then one newline */
	if (!strbuf_cstr(&sb)) {
		command_fail(cmd, JD_EXIT_NOMEM);
		return;
	}
	while (a < sb.len && strchr(" \t\n\r", sb.data[a]))
		a++;
	for (b = sb.len; b > a && strchr(" \t\n\r", sb.data[b - 1]); b--)
		;
	sb.len = b;
	if (b > a)
		strbuf_addc(&sb, '\n');
	if (!strbuf_cstr(&sb))
		command_fail(cmd, JD_EXIT_NOMEM);
	else
		command_reply(cmd, b > a ? sb.data + a : NULL, NULL, 0);
	strbuf_free(&sb);
}

int cmdtrace_run(struct command *cmd, const cJSON *argv)
{
	cJSON *opts = cJSON_CreateArray();
	const cJSON *a;

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nokeys"));
	for (a = argv->child->next; a; a = a->next)
		cJSON_AddItemToArray(opts, cJSON_CreateString(a->valuestring));
	return command_upstream(cmd, "ps", opts, policy_flags("ps", opts), cmdtrace_done, NULL) < 0
		       ? -ENOMEM
		       : 1;
}
