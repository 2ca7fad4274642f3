/* cmddirs.c - see cmddirs.h. */
#include "cmddirs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cmdlocal.h"
#include "session.h"
#include "command.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"

/* One terminal's stack below its cwd (the cwd is always the top, as alien.py's
 * pathq[0]). Absolute paths with a trailing '/'. */
struct cmddirs_stack {
	char key[LIM_SESSION_KEY_MAX];
	char *dir[CMDDIRS_MAX];
	int n;
};
static struct cmddirs_stack cmddirs_stacks[LIM_SESSIONS_MAX];
static unsigned cmddirs_next; /* ring: the oldest terminal's stack is dropped */

static struct cmddirs_stack *cmddirs_get(const char *session)
{
	struct cmddirs_stack *s;

	for (unsigned i = 0; i < LIM_SESSIONS_MAX; i++)
		if (strcmp(cmddirs_stacks[i].key, session) == 0)
			return &cmddirs_stacks[i];
	s = &cmddirs_stacks[cmddirs_next++ % LIM_SESSIONS_MAX];
	for (int i = 0; i < s->n; i++)
		free(s->dir[i]);
	s->n = 0;
	snprintf(s->key, sizeof(s->key), "%s", session);
	return s;
}

/* Insert p at index at (0 = just below the cwd); the bottom falls off when full. */
static int cmddirs_insert(struct cmddirs_stack *s, int at, const char *p)
{
	char *d = strdup(p);

	if (!d)
		return -ENOMEM;
	if (s->n == CMDDIRS_MAX)
		free(s->dir[--s->n]);
	memmove(&s->dir[at + 1], &s->dir[at], (size_t)(s->n - at) * sizeof(s->dir[0]));
	s->dir[at] = d;
	s->n++;
	return 0;
}

static char *cmddirs_remove(struct cmddirs_stack *s, int at)
{
	char *d = s->dir[at];

	memmove(&s->dir[at], &s->dir[at + 1], (size_t)(s->n - at - 1) * sizeof(s->dir[0]));
	s->n--;
	return d;
}

/* alien.py's short form: the home (without its '/') as '~', no trailing '/'. */
static void cmddirs_add_short(struct strbuf *sb, const char *p)
{
	const char *home = upstream_home();
	size_t hl = home ? strlen(home) : 0, pl = strlen(p);

	if (hl > 1 && home[hl - 1] == '/')
		hl--;
	if (pl > 0 && p[pl - 1] == '/')
		pl--;
	if (hl > 1 && pl >= hl && strncmp(p, home, hl) == 0 && (pl == hl || p[hl] == '/')) {
		strbuf_addc(sb, '~');
		p += hl;
		pl -= hl;
	}
	strbuf_add(sb, p, pl);
}

static void cmddirs_print(struct command *cmd, struct cmddirs_stack *s, int with_cwd)
{
	struct strbuf sb = { 0 };

	if (with_cwd && command_term_cwd(cmd))
		cmddirs_add_short(&sb, command_term_cwd(cmd));
	for (int i = 0; i < s->n; i++) {
		if (sb.len || i)
			strbuf_addc(&sb, ' ');
		cmddirs_add_short(&sb, s->dir[i]);
	}
	if (sb.len)
		strbuf_addc(&sb, '\n');
	if (!strbuf_cstr(&sb)) {
		command_fail(cmd, JD_EXIT_NOMEM);
		return;
	}
	command_reply(cmd, sb.len ? sb.data : NULL, NULL, 0);
	strbuf_free(&sb);
}

/* After the cd: the terminal's cwd is what JCentral says (also when the cd
 * failed: alien.py then shows the cwd it stayed in), then the stack. */
static void cmddirs_cd_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	(void)arg, (void)code, (void)msg;
	command_cd_apply(cmd, reply);
	cJSON_Delete(reply);
	cmddirs_print(cmd, cmddirs_get(command_session(cmd)), 1);
}

static int cmddirs_cd(struct command *cmd, const char *path)
{
	cJSON *opts = cJSON_CreateArray();

	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	cJSON_AddItemToArray(opts, cJSON_CreateString(path));
	return command_upstream(cmd, "cd", opts, UP_REQ_READONLY, cmddirs_cd_done, NULL) < 0
		       ? -ENOMEM
		       : 1;
}

static const char cmddirs_help[] = "Directory stacking implementation (as in Linux shell):\n"
				   "dirs [-clpv] [+N | -N]\n"
				   "popd [-n] [+N | -N]\n"
				   "pushd [-n] [+N | -N | dir]\n";

int cmddirs_run(struct command *cmd, cJSON *argv)
{
	const char *verb = argv->child->valuestring, *dir = NULL, *cwd = command_term_cwd(cmd);
	struct cmddirs_stack *s = cmddirs_get(command_session(cmd));
	int no_cd = 0, sign = 0, pos = 0;
	const cJSON *a;

	for (a = argv->child->next; a; a = a->next) {
		const char *v = a->valuestring;

		if (strcmp(v, "-h") == 0 || strcmp(v, "--help") == 0 || strcmp(v, "-help") == 0) {
			command_reply(cmd, cmddirs_help, NULL, 0);
			return 1;
		}
		if (strcmp(v, "-n") == 0) {
			no_cd = 1;
		} else if ((v[0] == '+' || v[0] == '-') && v[1] &&
			   strspn(v + 1, "0123456789") == strlen(v + 1)) {
			sign = v[0];
			pos = atoi(v + 1);
		} else if (v[0] == '+' || (v[0] == '-' && strcmp(v, "-c") && strcmp(v, "-l") &&
					   strcmp(v, "-p") && strcmp(v, "-v"))) {
			command_reply(cmd, NULL, "-N | +N argument is invalid\n", 1);
			return 1;
		} else if (!dir) {
			dir = v;
		}
	}
	if (!cwd) { /* the home is not known before the first login */
		command_reply(cmd, NULL, "jaliend: no session with JCentral yet\n", JD_EXIT_NOCONN);
		return 1;
	}
	if (strcmp(verb, "dirs") == 0) {
		struct strbuf sb = { 0 };

		if (dir && strcmp(dir, "-c") == 0) {
			while (s->n)
				free(cmddirs_remove(s, 0));
			command_reply(cmd, NULL, NULL, 0);
			return 1;
		}
		if (!sign) {
			cmddirs_print(cmd, s, 1);
			return 1;
		}
		if (pos > s->n) { /* alien.py: nothing, and success */
			command_reply(cmd, NULL, NULL, 0);
			return 1;
		}
		/* +N from the top (0 = the cwd), -N from the bottom */
		pos = sign == '+' ? pos : s->n - pos;
		cmddirs_add_short(&sb, pos == 0 ? cwd : s->dir[pos - 1]);
		strbuf_addc(&sb, '\n');
		command_reply(cmd, strbuf_cstr(&sb) ? sb.data : NULL,
			      sb.data ? NULL : exitcode_line(JD_EXIT_NOMEM),
			      sb.data ? 0 : JD_EXIT_NOMEM);
		strbuf_free(&sb);
		return 1;
	}
	if (strcmp(verb, "popd") == 0) {
		char *top;

		if (sign && pos) {
			if (pos <= s->n)
				free(cmddirs_remove(s, sign == '+' ? pos - 1 : s->n - pos));
			cmddirs_print(cmd, s, 1);
			return 1;
		}
		if (s->n == 0) { /* the cwd was the whole stack: alien.py empties it */
			command_reply(cmd, NULL, NULL, 0);
			return 1;
		}
		if (no_cd) {
			free(cmddirs_remove(s, 0));
			cmddirs_print(cmd, s, 1);
			return 1;
		}
		top = cmddirs_remove(s, 0);
		{
			int r = cmddirs_cd(cmd, top);

			free(top);
			return r;
		}
	}
	/* pushd */
	if (sign && pos) {
		/* rotate [cwd, dir...] so that entry N (from the top, or the bottom) is on top */
		int n = s->n + 1, k = sign == '+' ? pos : n - 1 - pos;
		char *all[CMDDIRS_MAX + 1], *top;

		if (pos > s->n || k <= 0) {
			cmddirs_print(cmd, s, 1);
			return 1;
		}
		all[0] = strdup(cwd);
		if (!all[0])
			return -ENOMEM;
		memcpy(&all[1], s->dir, (size_t)s->n * sizeof(s->dir[0]));
		top = all[k];
		for (int i = 0; i < n - 1; i++) /* the new order: all[k+1..], all[0..k-1] */
			s->dir[i] = all[(k + 1 + i) % n];
		{
			int r = no_cd ? (cmddirs_print(cmd, s, 1), 1) : cmddirs_cd(cmd, top);

			/* alien.py -n: the stack turns, the cwd stays: keep the top below it */
			if (no_cd)
				r = cmddirs_insert(s, 0, top) < 0 ? -ENOMEM : r;
			free(top);
			return r;
		}
	}
	if (!dir) { /* swap the top two */
		char *top;
		int r;

		if (s->n == 0) {
			command_reply(cmd, NULL, NULL, 0);
			return 1;
		}
		top = cmddirs_remove(s, 0);
		if (cmddirs_insert(s, 0, cwd) < 0) {
			free(top);
			return -ENOMEM;
		}
		r = no_cd ? (cmddirs_print(cmd, s, 1), 1) : cmddirs_cd(cmd, top);
		free(top);
		return r;
	}
	{
		char *p = cmdlocal_expand(dir, cwd, upstream_home());
		int r;

		if (!p)
			return -ENOMEM;
		if (no_cd) { /* alien.py: dir goes below the cwd */
			r = cmddirs_insert(s, 0, p) < 0 ? -ENOMEM : (cmddirs_print(cmd, s, 1), 1);
		} else {
			r = cmddirs_insert(s, 0, cwd) < 0 ? -ENOMEM : cmddirs_cd(cmd, p);
		}
		free(p);
		return r;
	}
}
