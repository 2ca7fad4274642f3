/* cmdse.c - see cmdse.h. */
#include "cmdse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdlocal.h"
#include "command.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"

/* What a reply's failure prints, as alien.py does (its error, its code). */
static int cmdse_failed(struct command *cmd, cJSON *reply, int code, const char *msg)
{
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), "exitcode");
	char line[700];

	if (!reply) {
		snprintf(line, sizeof(line), "%s\n", msg);
		command_reply(cmd, NULL, line, code);
		return 1;
	}
	if (!cJSON_IsString(ec) || strcmp(ec->valuestring, "0") != 0 || command_json(cmd)) {
		command_reply_json(cmd, reply);
		return 1;
	}
	return 0;
}

const char *cmdse_field(const cJSON *row, const char *key, char *buf, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(buf, n, "%.0f", v->valuedouble);
		return buf;
	}
	return NULL;
}

static const char *cmdse_str(const cJSON *row, const char *key, char *buf, size_t n)
{
	const char *v = cmdse_field(row, key, buf, n);

	return v ? v : "";
}

void cmdse_reply_sb(struct command *cmd, struct strbuf *sb, int code, const char *err)
{
	/* alien.py strips its output and prints it with one newline */
	while (sb->len && (sb->data[sb->len - 1] == '\n' || sb->data[sb->len - 1] == ' '))
		sb->len--;
	if (sb->len)
		strbuf_addc(sb, '\n');
	if (!strbuf_cstr(sb))
		command_fail(cmd, JD_EXIT_NOMEM);
	else
		command_reply(cmd, sb->len ? sb->data : NULL, err, code);
	strbuf_free(sb);
}

/* ---- pfn: whereis -r, the pfns only ---- */

static void cmdse_pfn_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	struct strbuf sb = { 0 };
	const cJSON *row;
	char buf[32];

	(void)arg;
	if (cmdse_failed(cmd, reply, code, msg))
		return;
	cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive(reply, "results"))
		if (cJSON_GetObjectItemCaseSensitive(row, "pfn"))
			strbuf_addf(&sb, "%s\n", cmdse_str(row, "pfn", buf, sizeof(buf)));
	cJSON_Delete(reply);
	cmdse_reply_sb(cmd, &sb, 0, NULL);
}

/* ---- getSE, SEqos: listSEs, then alien.py's selection ---- */

struct cmdse_sel {
	char what; /* 'n' name, 'i' id, 's' server, 0: the line */
	int qos;   /* SEqos */
	int nlabels;
	/* inline: free()d with the command (command_hold) */
	char label[CMDSE_LABELS_MAX][CMDSE_LABEL_MAX];
};

static void cmdse_sel_free(struct cmdse_sel *s)
{
	s->nlabels = 0;
}

/* root://host:port/path -> host:port */
void cmdse_netloc(const char *url, char *out, size_t n)
{
	const char *p = strstr(url, "://"), *e;

	p = p ? p + 3 : url;
	e = p + strcspn(p, "/?#"); /* urlparse's netloc */
	snprintf(out, n, "%.*s", (int)(e - p), p);
}

static int cmdse_isdecimal(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* alien.py's match: a number is looked for in the SE number, else the label
 * in the name, the number or the endpoint, without regard to case. */
int cmdse_match(const cJSON *se, const char *label)
{
	char b1[32], b2[32];
	const char *num = cmdse_str(se, "seNumber", b1, sizeof(b1)),
		   *name = cmdse_str(se, "seName", b2, sizeof(b2));
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(se, "endpointUrl");

	if (cmdse_isdecimal(label))
		return strstr(num, label) != NULL;
	if (!*name || !*num || !cJSON_IsString(url) || !*url->valuestring)
		return 0;
	return strcasestr(name, label) || strcasestr(num, label) ||
	       strcasestr(url->valuestring, label);
}

static void cmdse_list_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	struct cmdse_sel *s = arg;
	const cJSON *results, *se;
	struct strbuf sb = { 0 };
	char b1[32], b2[32], srv[512];
	int found = 0;

	if (cmdse_failed(cmd, reply, code, msg)) {
		cmdse_sel_free(s);
		return;
	}
	results = cJSON_GetObjectItemCaseSensitive(reply, "results");
	if (!s->nlabels) { /* getSE alone: every SE */
		cJSON_ArrayForEach (se, results) {
			cmdse_netloc(cmdse_str(se, "endpointUrl", b1, sizeof(b1)), srv,
				     sizeof(srv));
			strbuf_addf(&sb, "%-6s%-32s%s\n", cmdse_str(se, "seNumber", b1, sizeof(b1)),
				    cmdse_str(se, "seName", b2, sizeof(b2)), srv);
		}
		cJSON_Delete(reply);
		cmdse_reply_sb(cmd, &sb, 0, NULL);
		return;
	}
	/* getSE: the last label; SEqos: each label */
	for (int l = s->qos ? 0 : s->nlabels - 1; l < s->nlabels; l++) {
		cJSON_ArrayForEach (se, results) {
			const char *num = cmdse_str(se, "seNumber", b1, sizeof(b1)),
				   *name = cmdse_str(se, "seName", b2, sizeof(b2));

			if (!cmdse_match(se, s->label[l]))
				continue;
			found++;
			cmdse_netloc(cmdse_str(se, "endpointUrl", srv, sizeof(srv)), srv,
				     sizeof(srv));
			if (s->qos) {
				char b3[32];

				strbuf_addf(&sb, "%-32s%s\n", name,
					    cmdse_str(se, "qos", b3, sizeof(b3)));
			} else if (s->what == 'n') {
				strbuf_addf(&sb, "%s\n", name);
			} else if (s->what == 's') {
				strbuf_addf(&sb, "%s\n", srv);
			} else if (s->what == 'i') {
				strbuf_addf(&sb, "%s\n", num);
			} else if (cmdse_isdecimal(s->label[l])) {
				strbuf_addf(&sb, "%-32s%s\n", name, srv);
			} else {
				strbuf_addf(&sb, "%-6s%-32s%s\n", num, name, srv);
			}
		}
	}
	cJSON_Delete(reply);
	if (!found) {
		struct strbuf e = { 0 };

		if (s->qos) {
			strbuf_adds(&e, "No SE information found! ->");
			for (int l = 0; l < s->nlabels; l++)
				strbuf_addf(&e, " %s", s->label[l]);
			strbuf_addc(&e, '\n');
		} else {
			strbuf_addf(&e, ">%s< label(s) not found in SE list\n",
				    s->label[s->nlabels - 1]);
		}
		command_reply(cmd, NULL, strbuf_cstr(&e) ? e.data : exitcode_line(JD_EXIT_NOMEM),
			      strbuf_cstr(&e) ? 1 : JD_EXIT_NOMEM);
		strbuf_free(&e);
		strbuf_free(&sb);
	} else {
		cmdse_reply_sb(cmd, &sb, 0, NULL);
	}
	cmdse_sel_free(s);
}

int cmdse_run(struct command *cmd, cJSON *argv)
{
	const char *verb = argv->child->valuestring;
	const cJSON *a;
	cJSON *opts = cJSON_CreateArray();
	struct cmdse_sel *s;

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	if (strcmp(verb, "pfn") == 0) {
		cJSON_AddItemToArray(opts, cJSON_CreateString("-r"));
		for (a = argv->child->next; a; a = a->next)
			cJSON_AddItemToArray(opts, cJSON_CreateString(a->valuestring));
		return command_upstream(cmd, "whereis", opts, UP_REQ_READONLY, cmdse_pfn_done,
					NULL) < 0
			       ? -ENOMEM
			       : 1;
	}
	{
		s = calloc(1, sizeof(*s));
		if (!s) {
			cJSON_Delete(opts);
			return -ENOMEM;
		}
		command_hold(cmd, s, NULL);
		s->qos = strcmp(verb, "SEqos") == 0;
		for (a = argv->child->next; a; a = a->next) {
			const char *v = a->valuestring;

			if (!s->qos && (strcmp(v, "-name") == 0 || strcmp(v, "-id") == 0 ||
					strcmp(v, "-srv") == 0)) {
				s->what = v[1] == 'n' ? 'n' : v[1] == 'i' ? 'i' : 's';
				continue;
			}
			if (s->nlabels == CMDSE_LABELS_MAX || strlen(v) >= CMDSE_LABEL_MAX) {
				cJSON_Delete(opts);
				command_reply(cmd, NULL,
					      s->nlabels == CMDSE_LABELS_MAX
						      ? "too many SE labels (at most 16)\n"
						      : "an SE label is over 255 bytes\n",
					      JD_EXIT_TOOBIG);
				return 1;
			}
			snprintf(s->label[s->nlabels++], CMDSE_LABEL_MAX, "%s", v);
		}
	}
	return command_upstream(cmd, "listSEs", opts, UP_REQ_READONLY, cmdse_list_done, s) < 0
		       ? -ENOMEM
		       : 1;
}

/* ---- Python's repr() (lfn2uri's lines, find2's argument list) ---- */

void cmdse_repr(struct strbuf *sb, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';

	strbuf_addc(sb, q);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\' || *p == (unsigned char)q)
			strbuf_addf(sb, "\\%c", *p);
		else if (*p == '\n')
			strbuf_adds(sb, "\\n");
		else if (*p == '\t')
			strbuf_adds(sb, "\\t");
		else if (*p == '\r')
			strbuf_adds(sb, "\\r");
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(sb, "\\x%02x", *p);
		else
			strbuf_addc(sb, (char)*p);
	}
	strbuf_addc(sb, q);
}
