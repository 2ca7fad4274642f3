/* cmdfind2.c - see cmdfind2.h. alien.py 1.6.3's find2: the options it takes
 * away, the `find` it sends, the filters it applies to the rows and the
 * messages it prints, written from what it does (never its code). */
#include "cmdfind2.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdlocal.h"
#include "cmdse.h"
#include "command.h"
#include "findfilt.h"
#include "base/strbuf.h"
#include "upstream/upstream.h"

#define CMDFIND2_RULE_MSG                                                                         \
	"Only one rule of selection can be used, either -select (full path match), -name (match " \
	"on file name), "                                                                         \
	"-glob (globbing) or path globbing\n"

/* What the reply's callback needs; one allocation (the command frees it). */
struct cmdfind2 {
	const char *dir;       /* the folder searched, expanded */
	const char *pattern;   /* as sent to find */
	const char *args_repr; /* the arguments left, as Python prints a list */
	const char *errs;      /* lines printed before the find (bad filter values) */
	const char *exclude[CMDFIND2_FILTERS_MAX];
	int nexclude;
	const char *exclude_re[CMDFIND2_FILTERS_MAX];
	int nexclude_re;
	struct findfilt props; /* its strings in pool */
	size_t used, cap;
	char pool[];
};

/* The words of the command line, as a list the options are taken out of. */
struct cmdfind2_args {
	const char *v[CMDFIND2_ARGS_MAX];
	int n;
};

static void cmdfind2_drop(struct cmdfind2_args *a, int i)
{
	memmove(&a->v[i], &a->v[i + 1], (size_t)(a->n - i - 1) * sizeof(a->v[0]));
	a->n--;
}

/* alien.py's get_arg: every `item` out; whether there was one. */
static int cmdfind2_flag(struct cmdfind2_args *a, const char *item)
{
	int found = 0;

	for (int i = 0; i < a->n;)
		if (strcmp(a->v[i], item) == 0) {
			cmdfind2_drop(a, i);
			found = 1;
		} else {
			i++;
		}
	return found;
}

/* alien.py's get_arg_value(_multiple): the values after each `item` (into
 * vals, at most max; the last one is returned), items and values taken out.
 * An `item` with nothing after it ends the search and stays, as alien.py. */
static const char *cmdfind2_values(struct cmdfind2_args *a, const char *item, const char **vals,
				   int max, int *nvals)
{
	const char *last = NULL;
	int n = 0, i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], item) == 0) {
			if (i + 1 >= a->n)
				break;
			last = a->v[i + 1];
			if (vals && n < max)
				vals[n++] = last;
			cmdfind2_drop(a, i + 1);
		}
	if (!(i < a->n)) /* no early end: the items go too */
		cmdfind2_flag(a, item);
	if (nvals)
		*nvals = n;
	return last;
}

static const char *cmdfind2_value(struct cmdfind2_args *a, const char *item)
{
	return cmdfind2_values(a, item, NULL, 0, NULL);
}

static int cmdfind2_isdigits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static int cmdfind2_isalpha(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!isalpha((unsigned char)*p))
			return 0;
	return *s != '\0';
}

static void cmdfind2_join(struct strbuf *sb, const struct cmdfind2_args *a)
{
	for (int i = 0; i < a->n; i++)
		strbuf_addf(sb, "%s%s", i ? " " : "", a->v[i]);
}

/* A numeric filter: kept when all digits, else alien.py's line on stderr. */
static long long cmdfind2_num(struct cmdfind2_args *a, const char *item, struct strbuf *errs)
{
	const char *v = cmdfind2_value(a, item);

	if (!v)
		return -1;
	if (cmdfind2_isdigits(v))
		return strtoll(v, NULL, 10);
	strbuf_addf(errs, "list_files_grid::%s arg not recognized: ", item + 1);
	cmdfind2_join(errs, a);
	strbuf_addc(errs, '\n');
	return -1;
}

static const char *cmdfind2_word(struct cmdfind2_args *a, const char *item, int alpha,
				 struct strbuf *errs)
{
	const char *v = cmdfind2_value(a, item);

	if (!v)
		return NULL;
	if (alpha == 1 ? cmdfind2_isalpha(v) : alpha == 2 ? cmdfind2_isdigits(v) : v[0] != '-')
		return v;
	strbuf_addf(errs, "list_files_grid::%s arg not recognized: ", item + 1);
	cmdfind2_join(errs, a);
	strbuf_addc(errs, '\n');
	return NULL;
}

/* -name begin_X_contain_Y_ends_Z_ext_W as alien.py's regex ("" when no verb
 * is recognised; a repeated begin/ext also prints alien.py's line on out). */
static void cmdfind2_name_regex(const char *name, struct strbuf *re, struct strbuf *out)
{
	char *copy = strdup(name), *tok[CMDFIND2_ARGS_MAX], *save = NULL;
	const char *begin = NULL, *ends = NULL, *ext = NULL, *p;
	int n = 0, nbegin = 0, nends = 0, next = 0;

	if (!copy)
		return;
	if (!strstr(name, "begin") && !strstr(name, "contain") && !strstr(name, "ends") &&
	    !strstr(name, "ext")) {
		free(copy);
		return;
	}
	/* split on every '_' (empty words kept, as str.split) */
	for (p = copy, tok[n++] = copy; (save = strchr(p, '_')) && n < CMDFIND2_ARGS_MAX;
	     p = save + 1) {
		*save = '\0';
		tok[n++] = save + 1;
	}
	for (int i = 0; i < n; i++) {
		nbegin += strcmp(tok[i], "begin") == 0;
		nends += strcmp(tok[i], "end") == 0;
		next += strcmp(tok[i], "ext") == 0;
	}
	if (nbegin > 1 || nends > 1 || next > 1) {
		strbuf_adds(out, "<begin>, <end>, <ext> verbs cannot appear more than once in the "
				 "name selection\n");
		free(copy);
		return;
	}
	for (int i = 0; i + 1 < n; i++) {
		if (strcmp(tok[i], "begin") == 0 && !begin)
			begin = tok[i + 1];
		else if (strcmp(tok[i], "ends") == 0 && !ends)
			ends = tok[i + 1];
		else if (strcmp(tok[i], "ext") == 0 && !ext)
			ext = tok[i + 1];
	}
	if (begin)
		strbuf_addf(re, ".*/%s[^/]*", begin);
	for (int i = 0; i + 1 < n; i++)
		if (strcmp(tok[i], "contain") == 0) {
			/* alien.py starts again for each contain: the last one counts */
			if (!begin)
				re->len = 0, strbuf_adds(re, ".*");
			strbuf_addf(re, "%s[^/]*", tok[i + 1]);
		}
	if (ends)
		strbuf_addf(re, "%s[^/]*", ends);
	if (ext)
		strbuf_addf(re, "\\.%s", ext);
	if (re->len)
		strbuf_adds(re, ext ? "$" : "[^/]*$");
	free(copy);
}

static const char *cmdfind2_keep(struct cmdfind2 *f, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = f->pool + f->used;

	if (f->used + n > f->cap)
		return "";
	memcpy(p, s, n);
	f->used += n;
	return p;
}

/* ---- the reply: filters on each row, then the LFNs ---- */

static int cmdfind2_pass(const struct cmdfind2 *f, const cJSON *row, regex_t *res,
			 struct strbuf *errs)
{
	char b1[32];
	const char *lfn = cmdse_field(row, "lfn", b1, sizeof(b1)), *rel;
	size_t dl = strlen(f->dir) - (f->dir[strlen(f->dir) - 1] == '/');

	if (!lfn)
		lfn = cmdse_field(row, "file", b1, sizeof(b1));
	if (!lfn || !*lfn || lfn[strlen(lfn) - 1] == '.')
		return 0;
	rel = strncmp(lfn, f->dir, dl) == 0 && lfn[dl] == '/' ? lfn + dl + 1 : lfn;
	for (int i = 0; i < f->nexclude; i++)
		if (strstr(rel, f->exclude[i]))
			return 0;
	for (int i = 0; i < f->nexclude_re; i++)
		if (regexec(&res[i], rel, 0, NULL, 0) == 0)
			return 0;
	return findfilt_row(&f->props, row, rel, errs);
}

static void cmdfind2_done(struct command *cmd, void *arg, cJSON *reply, int code, const char *msg)
{
	struct cmdfind2 *f = arg;
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(reply, "metadata"), "exitcode");
	cJSON *results = cJSON_GetObjectItemCaseSensitive(reply, "results"), *row, *kept;
	struct strbuf out = { 0 }, errs = { 0 };
	regex_t res[CMDFIND2_FILTERS_MAX];
	int nres = 0, rc;
	char line[700];

	if (!reply) {
		snprintf(line, sizeof(line), "%s%s\n", f->errs, msg);
		command_reply(cmd, NULL, line, code);
		return;
	}
	if (!cJSON_IsString(ec) || strcmp(ec->valuestring, "0") != 0) {
		/* the server's error and code, as alien.py returns them */
		command_reply_json(cmd, reply);
		return;
	}
	strbuf_adds(&errs, f->errs);
	if (!cJSON_GetArraySize(results)) {
		strbuf_addf(&errs, "No files found in :: %s /pattern: %s /find_args: %s\n", f->dir,
			    f->pattern, f->args_repr);
		rc = JD_EXIT_NOENT;
		goto reply;
	}
	for (; nres < f->nexclude_re; nres++)
		if (regcomp(&res[nres], f->exclude_re[nres], REG_EXTENDED | REG_NOSUB) != 0) {
			strbuf_addf(&errs,
				    "find2: -exclude_re %s is not a valid regular expression\n",
				    f->exclude_re[nres]);
			rc = JD_EXIT_USAGE;
			goto reply;
		}
	kept = cJSON_CreateArray();
	for (row = results ? results->child : NULL; kept && row;) {
		cJSON *next = row->next;

		if (cmdfind2_pass(f, row, res, &errs)) {
			char b[32];
			const char *lfn = cmdse_field(row, "lfn", b, sizeof(b));

			strbuf_addf(&out, "%s\n",
				    lfn ? lfn : cmdse_field(row, "file", b, sizeof(b)));
			cJSON_AddItemToArray(kept, cJSON_DetachItemViaPointer(results, row));
		}
		row = next;
	}
	if (!kept || !cJSON_GetArraySize(kept)) {
		cJSON_Delete(kept);
		strbuf_addf(&errs,
			    "No files passed the filters :: %s /pattern: %s /find_args: %s\n",
			    f->dir, f->pattern, f->args_repr);
		rc = JD_EXIT_NOENT;
		goto reply;
	}
	if (command_json(cmd)) { /* alien.py: the rows that passed */
		cJSON_ReplaceItemInObjectCaseSensitive(reply, "results", kept);
		while (nres)
			regfree(&res[--nres]);
		strbuf_free(&out);
		strbuf_free(&errs);
		command_reply_json(cmd, reply);
		return;
	}
	cJSON_Delete(kept);
	rc = 0;
reply:
	while (nres)
		regfree(&res[--nres]);
	cJSON_Delete(reply);
	if ((out.len && !strbuf_cstr(&out)) || (errs.len && !strbuf_cstr(&errs)))
		command_fail(cmd, JD_EXIT_NOMEM);
	else
		command_reply(cmd, out.len ? out.data : NULL, errs.len ? errs.data : NULL, rc);
	strbuf_free(&out);
	strbuf_free(&errs);
}

/* ---- find2 -h: alien.py's text, then the server's find -h ---- */

static const char cmdfind2_help[] =
	"Client-side implementation of find, it contain the following helpers.\n"
	"Command format: find2 <options> <directory>\n"
	"N.B. directory to be search for must be last element of command\n"
	"-glob <globbing pattern> : this is the usual AliEn globbing format; N.B. this is NOT a "
	"REGEX!!! defaults to "
	"all \"*\"\n"
	"-select <pattern>        : select only these files to be copied; N.B. this is a REGEX "
	"applied to full "
	"path!!!\n"
	"-name <pattern>          : select only these files to be copied; N.B. this is a REGEX "
	"applied to a directory "
	"or file name!!!\n"
	"-name <verb>_string      : where verb = begin|contain|ends|ext and string is the text "
	"selection criteria.\n"
	"verbs are aditive  e.g. -name begin_myf_contain_run1_ends_bla_ext_root\n"
	"N.B. the text to be filtered cannot have underline i.e >_< within!!!\n"
	"\n"
	"-exclude     string            : (client-side) exclude result containing this string\n"
	"-exclude_re  pattern           : (client-side) exclude result matching this regex\n"
	"-user    string                : (client-side) match the user\n"
	"-group   string                : (client-side) match the group\n"
	"-jobid   string                : (client-side) match the jobid\n"
	"-minsize   / -maxsize    int   : (client-side) restrict results to min/max bytes "
	"(inclusive)\n"
	"-mindepth  / -maxdepth   int   : (client-side) restrict results to min/max depth\n"
	"-min-ctime / -max-ctime  int(unix time) : (client-side) restrict results age to min/max "
	"unix-time\n"
	"\n"
	"The server options:\n";

static void cmdfind2_help_done(struct command *cmd, void *arg, cJSON *reply, int code,
			       const char *msg)
{
	struct strbuf sb = { 0 };

	(void)arg, (void)code, (void)msg;
	strbuf_adds(&sb, cmdfind2_help);
	command_reply_text(reply, &sb, NULL);
	while (sb.len && sb.data[sb.len - 1] == '\n')
		sb.len--;
	strbuf_addc(&sb, '\n');
	if (!strbuf_cstr(&sb))
		command_fail(cmd, JD_EXIT_NOMEM);
	else
		command_reply(cmd, sb.data, NULL, 0);
	strbuf_free(&sb);
}

/* ---- the command line ---- */

static int cmdfind2_fail(struct command *cmd, struct strbuf *out, struct strbuf *errs,
			 const char *msg, int code)
{
	strbuf_adds(errs, msg);
	command_reply(cmd, out->len ? strbuf_cstr(out) : NULL, strbuf_cstr(errs), code);
	strbuf_free(out);
	strbuf_free(errs);
	return 1;
}

static void cmdfind2_repr_list(struct strbuf *sb, const struct cmdfind2_args *a)
{
	strbuf_addc(sb, '[');
	for (int i = 0; i < a->n; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		cmdse_repr(sb, a->v[i]);
	}
	strbuf_addc(sb, ']');
}

int cmdfind2_run(struct command *cmd, const cJSON *argv, int help)
{
	static const char *const dropped[] = { "-v", "-a", "-s", "-f", "-d", "-w", "-wh" };
	struct cmdfind2_args a = { .n = 0 }, fa;
	struct strbuf out = { 0 }, errs = { 0 }, re = { 0 }, repr = { 0 };
	const char *dir_arg, *glob_arg, *sel, *name, *pattern = NULL, *excl[CMDFIND2_FILTERS_MAX],
						     *exre[CMDFIND2_FILTERS_MAX];
	char *dir, *base = NULL;
	int nexcl, nexre, use_regex = 0, filtering;
	long long minsize, maxsize, mindepth, maxdepth;
	const char *min_ct, *max_ct, *jobid, *user, *group;
	struct cmdfind2 *f;
	size_t need = 0;
	cJSON *opts;

	if (help)
		return command_upstream(cmd, "find",
					cJSON_CreateStringArray((const char *[]){ "-h" }, 1),
					UP_REQ_READONLY, cmdfind2_help_done, NULL) < 0
			       ? -ENOMEM
			       : 1;
	for (const cJSON *x = argv->child->next; x; x = x->next) {
		if (a.n == CMDFIND2_ARGS_MAX) {
			command_reply(cmd, NULL, "find2: too many arguments (at most 256)\n",
				      JD_EXIT_TOOBIG);
			return 1;
		}
		a.v[a.n++] = x->valuestring;
		need += strlen(x->valuestring) + 1;
	}
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		cmdfind2_flag(&a, dropped[i]);
	if (!a.n) {
		command_reply(cmd, NULL,
			      "find2: the folder to search is missing (it is the last argument)\n",
			      JD_EXIT_USAGE);
		return 1;
	}
	dir_arg = a.v[--a.n];
	glob_arg = cmdfind2_value(&a, "-glob");
	if (strchr(dir_arg, '*')) { /* a glob in the path: the folders before it are searched */
		const char *star = strchr(dir_arg, '*'), *cut = star;

		while (cut > dir_arg && cut[-1] != '/')
			cut--;
		base = strndup(dir_arg, (size_t)(cut - dir_arg));
		if (!base)
			return -ENOMEM;
		pattern = cut;
		dir_arg = *base ? base : "./";
	}
	filtering = pattern || glob_arg;
	if (!pattern)
		pattern = glob_arg ? glob_arg : "*";
	dir = cmdlocal_expand(dir_arg, command_term_cwd(cmd), upstream_home());
	free(base);
	base = NULL;
	if (!dir)
		return -ENOMEM;
	if ((sel = cmdfind2_value(&a, "-select"))) {
		if (filtering) {
			free(dir);
			return cmdfind2_fail(cmd, &out, &errs, CMDFIND2_RULE_MSG, JD_EXIT_USAGE);
		}
		pattern = sel;
		use_regex = filtering = 1;
	}
	if ((name = cmdfind2_value(&a, "-name"))) {
		if (filtering) {
			free(dir);
			return cmdfind2_fail(cmd, &out, &errs, CMDFIND2_RULE_MSG, JD_EXIT_USAGE);
		}
		cmdfind2_name_regex(name, &re, &out);
		if (!re.len) {
			free(dir);
			return cmdfind2_fail(
				cmd, &out, &errs,
				"-name :: No selection verbs were recognized!usage format is -name "
				"<attribute>_<string> where attribute is one of: begin, contain, "
				"ends, ext"
				"The invalid pattern was:\n",
				JD_EXIT_USAGE);
		}
		pattern = strbuf_cstr(&re);
		use_regex = 1;
	}
	if (use_regex && pattern) {
		regex_t rx;

		if (regcomp(&rx, pattern, REG_EXTENDED | REG_NOSUB) != 0) { /* alien.py: RET(-1) */
			char line[700];

			snprintf(line, sizeof(line),
				 "list_files_grid:: %.600s failed to re.compile\n", pattern);
			free(dir);
			strbuf_free(&re);
			return cmdfind2_fail(cmd, &out, &errs, line, JD_EXIT_BAD_PATTERN);
		}
		regfree(&rx);
	}
	/* the arguments left are the server's and the filters (alien.py's list_files_grid) */
	cmdfind2_repr_list(&repr, &a);
	fa = a;
	cmdfind2_values(&fa, "-exclude", excl, CMDFIND2_FILTERS_MAX, &nexcl);
	cmdfind2_values(&fa, "-exclude_re", exre, CMDFIND2_FILTERS_MAX, &nexre);
	mindepth = cmdfind2_num(&fa, "-mindepth", &errs);
	maxdepth = cmdfind2_num(&fa, "-maxdepth", &errs);
	minsize = cmdfind2_num(&fa, "-minsize", &errs);
	maxsize = cmdfind2_num(&fa, "-maxsize", &errs);
	min_ct = cmdfind2_word(&fa, "-min-ctime", 0, &errs);
	max_ct = cmdfind2_word(&fa, "-max-ctime", 0, &errs);
	jobid = cmdfind2_word(&fa, "-jobid", 2, &errs);
	user = cmdfind2_word(&fa, "-user", 1, &errs);
	group = cmdfind2_word(&fa, "-group", 1, &errs);

	need += strlen(dir) + re.len + repr.len + errs.len + strlen(pattern) + 8;
	f = calloc(1, sizeof(*f) + need);
	opts = cJSON_CreateArray();
	if (!f || !opts || (repr.len && !strbuf_cstr(&repr)) || (errs.len && !strbuf_cstr(&errs))) {
		free(f);
		cJSON_Delete(opts);
		free(dir);
		strbuf_free(&re);
		strbuf_free(&repr);
		strbuf_free(&errs);
		strbuf_free(&out);
		return -ENOMEM;
	}
	f->cap = need;
	f->dir = cmdfind2_keep(f, dir);
	f->pattern = cmdfind2_keep(f, pattern);
	f->args_repr = cmdfind2_keep(f, repr.len ? repr.data : "[]");
	f->errs = cmdfind2_keep(f, errs.len ? errs.data : "");
	for (int i = 0; i < nexcl; i++)
		f->exclude[f->nexclude++] = cmdfind2_keep(f, excl[i]);
	for (int i = 0; i < nexre; i++)
		f->exclude_re[f->nexclude_re++] = cmdfind2_keep(f, exre[i]);
	f->props.minsize = minsize, f->props.maxsize = maxsize;
	f->props.mindepth = mindepth, f->props.maxdepth = maxdepth;
	f->props.min_ctime = min_ct ? cmdfind2_keep(f, min_ct) : NULL;
	f->props.max_ctime = max_ct ? cmdfind2_keep(f, max_ct) : NULL;
	f->props.jobid = jobid ? cmdfind2_keep(f, jobid) : NULL;
	f->props.user = user ? cmdfind2_keep(f, user) : NULL;
	f->props.group = group ? cmdfind2_keep(f, group) : NULL;
	command_hold(cmd, f, NULL);

	if (use_regex)
		cJSON_AddItemToArray(opts, cJSON_CreateString("-r"));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-f"));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-a"));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-s"));
	cJSON_AddItemToArray(opts, cJSON_CreateString("-nomsg"));
	for (int i = 0; i < fa.n; i++)
		cJSON_AddItemToArray(opts, cJSON_CreateString(fa.v[i]));
	cJSON_AddItemToArray(opts, cJSON_CreateString(dir));
	cJSON_AddItemToArray(opts, cJSON_CreateString(pattern));
	free(dir);
	strbuf_free(&re);
	strbuf_free(&repr);
	strbuf_free(&errs);
	strbuf_free(&out); /* a repeated-verb line only comes with the -name failure above */
	return command_upstream(cmd, "find", opts, UP_REQ_READONLY, cmdfind2_done, f) < 0 ? -ENOMEM
											  : 1;
}
