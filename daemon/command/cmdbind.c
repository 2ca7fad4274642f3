/* cmdbind.c - see cmdbind.h: the daemon's columns of common/cmdtab.def, the
 * dispatch by row, and the handlers that only adapt a row to the file that
 * answers it (cmdcert.c, cmdxml.c, cmdfind2.c, cmdtrace.c). */
#include "cmdbind.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdenv.h"
#include "cmdfind2.h"
#include "cmdlocal.h"
#include "cmdlocal_int.h"
#include "cmdxml.h"
#include "command.h"
#include "complete.h"
#include "upstream/upstream.h"

/* the daemon's columns of a row */
struct cmdbind_row {
	const char *up;	    /* what JCentral gets instead of the verb, or NULL */
	cmdbind_run_fn run; /* its handler */
	const char *help;   /* alien.py's `<cmd> -h`, or NULL */
};

static const struct cmdbind_row cmdbind_rows[] = {
#define CMDTAB(names, where, policy, flags, up, run, shim, help) { up, run, help },
#include "cmdtab.def"
#undef CMDTAB
};

const char *cmdbind_up(const char *verb)
{
	int i = cmdtab_find(verb);

	return i < 0 ? NULL : cmdbind_rows[i].up;
}

int cmdbind_has_help_flag(const cJSON *argv)
{
	const cJSON *a;

	cJSON_ArrayForEach (a, argv)
		if (a != argv->child &&
		    (strcmp(a->valuestring, "-h") == 0 || strcmp(a->valuestring, "--h") == 0 ||
		     strcmp(a->valuestring, "-help") == 0 || strcmp(a->valuestring, "--help") == 0))
			return 1;
	return 0;
}

/* A verb that JCentral may not know: 0 (it does: forward), 1 (answered or
 * under way: the "not in the list" warning, or the list is fetched first),
 * or -ENOMEM. */
static int cmdbind_known(struct command *cmd, cJSON *argv)
{
	const char *verb = argv->child->valuestring;
	int known = upstream_knows(verb);

	if (cmdenv_allow_unknown(cmd))
		return 0; /* the shell asked: JCentral answers whatever it is */
	if (known < 0 && !complete_cmdlist()) {
		char *text = cJSON_PrintUnformatted(argv);

		if (!text)
			return -ENOMEM;
		command_hold(cmd, text, NULL);
		return cmdlocal_with_cmdlist(cmd, cmdsuggest_verify_done, text);
	}
	if (known < 0) { /* our own copy of the list decides */
		const char *const *l = complete_cmdlist();

		while (*l && strcmp(*l, verb))
			l++;
		known = *l != NULL;
	}
	if (known == 0) {
		char *v = strdup(verb);

		if (!v)
			return -ENOMEM;
		command_hold(cmd, v, NULL);
		return cmdlocal_with_cmdlist(cmd, cmdsuggest_unknown_done, v);
	}
	return 0;
}

int cmdbind_dispatch(struct command *cmd, cJSON *argv)
{
	int r = CMDBIND_AGAIN;

	for (int pass = 0; pass < 2 && r == CMDBIND_AGAIN; pass++) { /* help X: X -h, once */
		int i = cmdtab_find(argv->child->valuestring);
		unsigned flags = i < 0 ? 0 : cmdtab_rows[i].flags;

		if (i >= 0 && cmdbind_rows[i].help && !(flags & CMDTAB_OWNHELP) &&
		    (cmdbind_has_help_flag(argv) ||
		     ((flags & CMDTAB_NEEDARG) && !argv->child->next))) {
			command_reply(cmd, cmdbind_rows[i].help, NULL,
				      0); /* alien.py answers it itself */
			return 1;
		}
		r = i < 0 ? 0 : cmdbind_rows[i].run(cmd, argv);
	}
	if (r == 0)
		r = cmdbind_known(cmd, argv);
	if (r == 0 || r == CMDBIND_SEND || r == CMDBIND_AGAIN)
		return command_forward(cmd, argv);
	return r;
}

/* ---- rows that go to JCentral as they are, or as their `up` says ---- */

int cmdbind_forward(struct command *cmd, cJSON *argv)
{
	(void)cmd, (void)argv;
	return 0;
}

int cmdbind_send(struct command *cmd, cJSON *argv)
{
	(void)cmd, (void)argv;
	return CMDBIND_SEND;
}

/* ps -trace in text: epochs into local time (cmdtrace.c); else JCentral's ps. */
int cmdbind_ps(struct command *cmd, cJSON *argv)
{
	const cJSON *a;

	if (command_json(cmd) || cmdbind_has_help_flag(argv))
		return 0;
	cJSON_ArrayForEach (a, argv)
		if (a != argv->child && strcmp(a->valuestring, "-trace") == 0)
			return cmdtrace_run(cmd, argv);
	return 0;
}

/* toXml with a local file (cmdxml.c), else JCentral's. */
int cmdbind_toxml(struct command *cmd, cJSON *argv)
{
	return cmdxml_run(cmd, argv, cmdbind_has_help_flag(argv));
}

int cmdbind_find2(struct command *cmd, cJSON *argv)
{
	return cmdfind2_run(cmd, argv, cmdbind_has_help_flag(argv));
}

/* submit: a grid path as alien.py expands it; a local file: alien.py 1.6.3's
 * words, and its exit code 0. */
int cmdbind_submit(struct command *cmd, cJSON *argv)
{
	char *p;

	if (strncmp(argv->child->next->valuestring, "file:", 5) == 0) {
		command_reply(cmd,
			      "Specifications as where to upload the jdl to be submitted and with "
			      "what parameters "
			      "are not yet definedUpload first the jdl to a suitable location "
			      "(with a safe number of "
			      "replicas) and then submit\n",
			      NULL, 0);
		return 1;
	}
	p = cmdlocal_expand(argv->child->next->valuestring, command_term_cwd(cmd), upstream_home());
	if (!p)
		return -ENOMEM;
	cJSON_ReplaceItemInArray(argv, 1, cJSON_CreateString(p));
	free(p);
	return CMDBIND_SEND;
}

/* ---- rows answered here ---- */

/* the shell's prompt; a command alone has no prompt (alien.py: 0) */
int cmdbind_prompt(struct command *cmd, cJSON *argv)
{
	(void)argv;
	command_reply(cmd, NULL, NULL, 0);
	return 1;
}

/* alien.py's commands that need services other than JAliEn */
int cmdbind_nosys(struct command *cmd, cJSON *argv)
{
	char line[200];

	snprintf(line, sizeof(line),
		 "%s: not provided by jaliend: it needs services other than JAliEn "
		 "(alien.py has it)\n",
		 argv->child->valuestring);
	command_reply(cmd, NULL, line, JD_EXIT_NOSYS); /* ENOSYS */
	return 1;
}

int cmdbind_cert_info(struct command *cmd, cJSON *argv)
{
	(void)argv;
	return cmdcert_info(cmd, 0);
}

int cmdbind_token_info(struct command *cmd, cJSON *argv)
{
	(void)argv;
	return cmdcert_info(cmd, 1);
}

int cmdbind_token_destroy(struct command *cmd, cJSON *argv)
{
	(void)argv;
	return cmdcert_token_destroy(cmd);
}

int cmdbind_token_init(struct command *cmd, cJSON *argv)
{
	return cmdcert_token_new(cmd, argv, 0);
}

/* cert-verify, token-verify */
int cmdbind_verify(struct command *cmd, cJSON *argv)
{
	return cmdcert_check(cmd, argv->child->valuestring[0] == 't', 0);
}

/* certkey-match, tokenkey-match */
int cmdbind_match(struct command *cmd, cJSON *argv)
{
	return cmdcert_check(cmd, argv->child->valuestring[0] == 't', 1);
}
