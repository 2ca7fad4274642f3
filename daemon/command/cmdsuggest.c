/* cmdsuggest.c - the unknown command: alien.py's warning and its "Similar
 * commands:" (difflib's close matches among JCentral's commands and ours),
 * and the check of a verb that waited for the command list. */
#include "cmdlocal_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "cmdlocal.h"
#include "complete.h"

#define CMDSUGGEST_MAX 3       /* names after `Similar commands:` (difflib's n) */
#define CMDSUGGEST_WORD_MAX 64 /* longer verbs get no suggestions */

/* Python difflib's SequenceMatcher(None, a, b).ratio() for short words (no
 * junk: b is under 200 characters): 2 * matched / total, where matched sums
 * the longest common blocks found recursively (the earliest in a on a tie). */
static size_t cmdsuggest_matched(const char *a, size_t alo, size_t ahi, const char *b, size_t blo,
				 size_t bhi)
{
	size_t besti = alo, bestj = blo, best = 0, len[CMDSUGGEST_WORD_MAX + 1] = { 0 },
	       nlen[CMDSUGGEST_WORD_MAX + 1];

	for (size_t i = alo; i < ahi; i++) {
		memset(nlen, 0, sizeof(nlen));
		for (size_t j = blo; j < bhi; j++) {
			if (a[i] != b[j])
				continue;
			nlen[j + 1] = len[j] + 1;
			if (nlen[j + 1] > best) {
				best = nlen[j + 1];
				besti = i + 1 - best;
				bestj = j + 1 - best;
			}
		}
		memcpy(len, nlen, sizeof(len));
	}
	if (!best)
		return 0;
	return best + cmdsuggest_matched(a, alo, besti, b, blo, bestj) +
	       cmdsuggest_matched(a, besti + best, ahi, b, bestj + best, bhi);
}

static double cmdsuggest_ratio(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > CMDSUGGEST_WORD_MAX || lb > CMDSUGGEST_WORD_MAX || la + lb == 0)
		return 0;
	return 2.0 * (double)cmdsuggest_matched(a, 0, la, b, 0, lb) / (double)(la + lb);
}

struct cmdsuggest_match {
	double score;
	const char *name;
};

/* difflib.get_close_matches(verb, names, n=3, cutoff=0.6): best first, a tie
 * the greater name first. */
void cmdsuggest_unknown_done(struct command *cmd, void *arg, cJSON *reply, int code,
			     const char *msg)
{
	const char *verb = arg;
	struct cmdsuggest_match best[CMDSUGGEST_MAX] = { { 0, NULL } };
	struct strbuf sb = { 0 };
	int shown = 0;

	(void)code, (void)msg;
	if (reply)
		complete_cmdlist_store(reply);
	cJSON_Delete(reply);
	strbuf_addf(&sb, "WARNING! command >>> %.200s <<< not in the list of known commands!\n",
		    verb);
	for (int pass = 0; pass < 2; pass++) {
		const char *const *l = pass == 0 ? complete_cmdlist() : cmdlocal_names(CMDTAB_LIST);

		for (; l && *l; l++) {
			struct cmdsuggest_match m = { cmdsuggest_ratio(*l, verb), *l };
			int k, dup = 0;

			for (k = 0; k < shown; k++)
				dup |= strcmp(best[k].name, *l) == 0;
			if (dup || m.score < 0.6)
				continue;
			for (k = shown; k > 0 && (best[k - 1].score < m.score ||
						  (best[k - 1].score == m.score &&
						   strcmp(best[k - 1].name, m.name) < 0));
			     k--)
				if (k < CMDSUGGEST_MAX)
					best[k] = best[k - 1];
			if (k < CMDSUGGEST_MAX) {
				best[k] = m;
				shown += shown < CMDSUGGEST_MAX;
			}
		}
	}
	for (int k = 0; k < shown; k++)
		strbuf_addf(&sb, "%s%s", k ? " " : "Similar commands: ", best[k].name);
	if (shown)
		strbuf_addc(&sb, '\n');
	command_reply(cmd, NULL, strbuf_cstr(&sb) ? sb.data : exitcode_line(JD_EXIT_NOMEM), 1);
	strbuf_free(&sb);
}

/* The pool had no command list yet: check the verb once it has come. */
void cmdsuggest_verify_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	cJSON *argv = cJSON_Parse(arg);
	const char *const *l;

	if (reply)
		complete_cmdlist_store(reply);
	cJSON_Delete(reply);
	l = complete_cmdlist();
	if (!argv || !argv->child) {
		cJSON_Delete(argv);
		command_fail(cmd, JD_EXIT_NOMEM);
		return;
	}
	for (; l && *l && strcmp(*l, argv->child->valuestring); l++)
		;
	if (l && !*l) { /* the list came, and the verb is not in it */
		char *verb = strdup(argv->child->valuestring);

		cJSON_Delete(argv);
		if (!verb) {
			command_fail(cmd, JD_EXIT_NOMEM);
			return;
		}
		command_hold(cmd, verb, NULL); /* arg is released */
		cmdsuggest_unknown_done(cmd, verb, NULL, code, msg);
		return;
	}
	/* known, or no list to be had (the pool's error will come with the command) */
	if (command_forward(cmd, argv) < 0)
		command_fail(cmd, JD_EXIT_NOMEM);
	cJSON_Delete(argv);
}
