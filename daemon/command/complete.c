/* complete.c - see complete.h. */
#include "complete.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "caps.h"
#include "cmdlocal.h"
#include "command.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"

struct complete_dir {
	char *dir; /* absolute, trailing / */
	time_t at;
	char **names; /* entry names, directories with a trailing / */
	size_t n;
};

static struct complete_dir complete_cache[COMPLETE_CACHE_MAX];

static void complete_dir_clear(struct complete_dir *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->names[i]);
	free(d->names);
	free(d->dir);
	memset(d, 0, sizeof(*d));
}

void complete_forget(void)
{
	for (size_t i = 0; i < COMPLETE_CACHE_MAX; i++)
		complete_dir_clear(&complete_cache[i]);
}

/* The pool's copy of the server's command list, while it is fresh. */
const char *const *complete_cmdlist(void)
{
	time_t at;
	const char *const *l = upstream_commands(&at);

	return l && time(NULL) - at <= COMPLETE_CMDLIST_TTL_S ? l : NULL;
}

void complete_cmdlist_store(const cJSON *reply)
{
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results");

	if (cJSON_GetArraySize(results) > 0)
		upstream_learn_commands(results);
}

/* ---- answers ---- */

/* What a path completion is working on (held by the command, the arg of complete_listed). */
struct complete_job {
	char dir[LIM_PATH_MAX];	   /* absolute folder to list */
	char typed[LIM_PATH_MAX];  /* the folder part as typed ("" or "a/b/") */
	char prefix[LIM_PATH_MAX]; /* the last component typed so far */
};

static void complete_answer(struct command *cmd, struct strbuf *sb)
{
	if (!strbuf_cstr(sb)) {
		command_fail(cmd, JD_EXIT_NOMEM);
		return;
	}
	command_reply(cmd, sb->len ? sb->data : NULL, NULL, 0);
	strbuf_free(sb);
}

/* A name the service sent is a candidate only without control characters
 * (a newline would make it two lines of the answer, one a name of the
 * service's choosing: issue 26). The shim quotes what it inserts. */
static int complete_name_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static void complete_commands_done(struct command *cmd, void *arg, cJSON *reply, int code,
				   const char *msg)
{
	const char *word = arg;
	size_t wl = strlen(word);
	struct strbuf sb = { 0 };

	(void)code, (void)msg;
	if (reply)
		complete_cmdlist_store(reply);
	cJSON_Delete(reply);
	for (int pass = 0; pass < 2; pass++) {
		const char *const *l = pass == 0 ? complete_cmdlist() : cmdlocal_names(CMDTAB_LIST);

		for (; l && *l; l++) {
			if (strncmp(*l, word, wl) != 0 || !complete_name_ok(*l))
				continue;
			if (pass == 1 && complete_cmdlist()) { /* already listed by the server? */
				const char *const *s = complete_cmdlist();

				while (*s && strcmp(*s, *l))
					s++;
				if (*s)
					continue;
			}
			strbuf_addf(&sb, "%s\n", *l);
		}
	}
	complete_answer(cmd, &sb);
}

static struct complete_dir *complete_lookup(const char *dir)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < COMPLETE_CACHE_MAX; i++) {
		struct complete_dir *d = &complete_cache[i];

		if (d->dir && now - d->at > COMPLETE_TTL_S)
			complete_dir_clear(d);
		else if (d->dir && strcmp(d->dir, dir) == 0)
			return d;
	}
	return NULL;
}

static void complete_print_dir(struct command *cmd, const struct complete_dir *d,
			       const struct complete_job *j)
{
	size_t pl = strlen(j->prefix);
	struct strbuf sb = { 0 };

	for (size_t i = 0; d && i < d->n; i++) {
		const char *nm = d->names[i];

		if (strncmp(nm, j->prefix, pl) != 0 || strcmp(nm, "./") == 0 ||
		    strcmp(nm, "../") == 0)
			continue;
		if (nm[0] == '.' && j->prefix[0] != '.')
			continue; /* hidden entries only when asked for with a leading dot */
		strbuf_addf(&sb, "%s%s\n", j->typed, nm);
	}
	complete_answer(cmd, &sb);
}

/* Keep a listing: the oldest (or an empty) slot is reused. */
static struct complete_dir *complete_store(const char *dir, const cJSON *reply)
{
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results"), *row;
	struct complete_dir *d = &complete_cache[0];
	size_t n = 0, max = (size_t)cJSON_GetArraySize(results);

	for (size_t i = 1; i < COMPLETE_CACHE_MAX && d->dir; i++)
		if (!complete_cache[i].dir || complete_cache[i].at < d->at)
			d = &complete_cache[i];
	complete_dir_clear(d);
	if (max > COMPLETE_ENTRIES_MAX)
		max = COMPLETE_ENTRIES_MAX;
	d->names = calloc(max + 1, sizeof(*d->names));
	d->dir = strdup(dir);
	if (!d->names || !d->dir) {
		complete_dir_clear(d);
		return NULL;
	}
	cJSON_ArrayForEach (row, results) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(row, "name");
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(row, "path");
		const char *s;

		if (n >= max)
			break;
		/* -F marks folders with a trailing / on the name; else the path says it */
		s = cJSON_IsString(nm) ? nm->valuestring : NULL;
		if (!s && cJSON_IsString(path)) {
			s = strrchr(path->valuestring, '/');
			s = s && s[1] ? s + 1 : path->valuestring;
		}
		if (!s || !*s || !complete_name_ok(s))
			continue;
		if (cJSON_IsString(path) && path->valuestring[0] &&
		    path->valuestring[strlen(path->valuestring) - 1] == '/' &&
		    s[strlen(s) - 1] != '/') {
			size_t l = strlen(s);
			char *t = malloc(l + 2);

			if (t) {
				memcpy(t, s, l);
				strcpy(t + l, "/");
			}
			d->names[n] = t;
		} else {
			d->names[n] = strdup(s);
		}
		if (d->names[n])
			n++;
	}
	d->n = n;
	d->at = time(NULL);
	return d;
}

static void complete_listed(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	const struct complete_job *j = arg;
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), "exitcode");
	struct complete_dir *d = NULL;

	(void)msg;
	if (reply && cJSON_IsString(ec) && strcmp(ec->valuestring, "0") == 0)
		d = complete_store(j->dir, reply);
	cJSON_Delete(reply);
	if (!reply && code) { /* no answer from JCentral: no candidates */
		command_reply(cmd, NULL, NULL, 0);
		return;
	}
	complete_print_dir(cmd, d, j);
}

static int complete_path(struct command *cmd, const char *word)
{
	struct complete_job *j = calloc(1, sizeof(*j));
	const char *slash = strrchr(word, '/');
	struct complete_dir *d;
	char *abs;
	cJSON *opts;

	if (!j)
		return -ENOMEM;
	command_hold(cmd, j, NULL);
	if (strlen(word) >= sizeof(j->typed)) {
		command_reply(cmd, NULL, NULL, 0);
		return 0;
	}
	if (slash) {
		memcpy(j->typed, word, (size_t)(slash - word) + 1);
		strcpy(j->prefix, slash + 1);
	} else {
		strcpy(j->prefix, word);
	}
	abs = cmdlocal_expand(j->typed[0] ? j->typed : "./", command_term_cwd(cmd),
			      upstream_home());
	if (!abs)
		return -ENOMEM;
	snprintf(j->dir, sizeof(j->dir), "%s", abs);
	free(abs);
	d = complete_lookup(j->dir);
	if (d) {
		complete_print_dir(cmd, d, j);
		return 0;
	}
	opts = cJSON_CreateArray();
	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-a"));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-F"));
	cJSON_AddItemToArray(opts, cJSON_CreateString(j->dir));
	return command_upstream(cmd, "ls", opts, UP_REQ_READONLY, complete_listed, j);
}

int complete_run(struct command *cmd, const cJSON *req)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(req, "kind");
	const cJSON *word = cJSON_GetObjectItemCaseSensitive(req, "word");
	cJSON *opts;
	char *w;

	if (!cJSON_IsString(kind) || !cJSON_IsString(word)) {
		command_reply(cmd, NULL, "completion needs \"kind\" and \"word\" strings\n",
			      JD_EXIT_USAGE);
		return 0;
	}
	if (strcmp(kind->valuestring, "path") == 0)
		return complete_path(cmd, word->valuestring);
	if (strcmp(kind->valuestring, "command") != 0) {
		command_reply(cmd, NULL, "completion \"kind\" is \"command\" or \"path\"\n",
			      JD_EXIT_USAGE);
		return 0;
	}
	w = strdup(word->valuestring);
	if (!w)
		return -ENOMEM;
	command_hold(cmd, w, NULL);
	if (complete_cmdlist()) {
		complete_commands_done(cmd, w, NULL, 0, NULL);
		return 0;
	}
	opts = cJSON_CreateArray();
	if (!opts)
		return -ENOMEM;
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	return command_upstream(cmd, "commandlist", opts, UP_REQ_READONLY, complete_commands_done,
				w);
}
