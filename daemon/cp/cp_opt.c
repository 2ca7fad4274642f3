/* cp_opt.c - cp's command line (alienpy-behaviour 4.1, 4.5): options, the
 * SRC DST pair, -dst DIR SRC..., -input FILE, and the file filters. */
#include "cp_int.h"

#include "base/safefile.h"
#include "frame.h"
#include "upstream/upstream.h"
#include "xrootd/xfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* alien.py 1.7.0's text (tests/golden/records.jsonl, `cp -h`); cp.c's err[6144] holds it */
static const char cp_opt_usage[] =
	"Command format is of the form of (with the strict order of arguments):\n"
	"        cp <options> src dst\n"
	"        or\n"
	"        cp <options> -input input_file\n"
	"        or\n"
	"        cp <options> -dst dest_dir file1 file2 ... fileN\n"
	"where src|dst are local files if prefixed with file:// or file: or grid files otherwise\n"
	"and -input argument is a file with >src dst< pairs\n"
	"after each src,dst can be added comma separated specifiers list in the form of: "
	"@<QOS>:N,SE1,SE2,!SE3\n"
	"QOS is a tag of the storage element (usually \"disk\") followed by the N requested "
	"replicas\n"
	"Additional replicas can be requested by the name of storage elements. (additional to QOS "
	"specifications),\n"
	"or exclusion of storages (prefixing with exclamation mark).\n"
	"%ALIEN alias have the special meaning of AliEn user home directory\n"
	"options are the following :\n"
	"-h : print help\n"
	"-dryrun                  : just print the src,dst pairs that would have been transferred "
	"without actually doing so\n"
	"-f | -force              : Do md5 verification of already present destination\n"
	"-S <additional streams>   : uses num additional parallel streams to do the transfer. (max "
	"= 15)\n"
	"-chunks <nr chunks>      : number of chunks that should be requested in parallel\n"
	"-chunksz <bytes>         : chunk size (bytes)\n"
	"-parent N                : keep last N path components into destination filepath\n"
	"-rmprefix N              : remove first N path components from full source path and keep "
	"the rest as basepath for destination\n"
	"-T <nr_copy_jobs>        : number of parallel copy jobs from a set (for recursive copy); "
	"defaults to 8 for downloads\n"
	"-timeout <seconds>       : the job will fail if did not finish in this nr of seconds\n"
	"-retry <times>           : retry N times the copy process if failed\n"
	"-ratethreshold <bytes/s> : fail the job if the speed is lower than specified bytes/s\n"
	"\n"
	"EXPERT OPTIONS!!\n"
	"-strictspec              : request from central services ONLY the specified QOS options.\n"
	"-norecovery              : DO NOT run the recovery process if the main copy failed\n"
	"-noxrdzip                : circumvent the XRootD mechanism of zip member copy and "
	"download the archive and locally extract the intended member.\n"
	"N.B.!!! for recursive copy (all files) the same archive will be downloaded for each "
	"member.\n"
	"If there are problems with native XRootD zip mechanism, download only the zip archive and "
	"locally extract the contents\n"
	"\n"
	"For the recursive copy of directories the following options (of the find command) can be "
	"used:\n"
	"-j jobid           : select only the files created by the job with jobid (for recursive "
	"copy)\n"
	"-l int             : copy only <count> nr of files (for recursive copy)\n"
	"-o int             : skip first <offset> files found in the src directory (for recursive "
	"copy)\n"
	"-e exclude_pattern : exclude files that match this pattern (for recursive copy)\n"
	"\n"
	"Further filtering of the files can be applied with the following options:\n"
	"-glob    <globbing pattern> : this is the usual AliEn globbing format; N.B. this is NOT a "
	"REGEX!!! defaults to all \"*\"\n"
	"-select  <pattern>          : select only these files to be copied; N.B. this is a REGEX "
	"applied to full path!!!\n"
	"-name    <pattern>          : select only these files to be copied; N.B. this is a REGEX "
	"applied to a directory or file name!!!\n"
	"-name    <verb>_string      : where verb = begin|contain|ends|ext and string is the text "
	"selection criteria.\n"
	"verbs are aditive  e.g. -name begin_myf_contain_run1_ends_bla_ext_root\n"
	"N.B. the text to be filtered cannot have underline i.e >_< within!!!\n"
	"\n"
	"-exclude     string            : (client-side) exclude result containing this string\n"
	"-exclude_re  pattern           : (client-side) exclude result matching this regex\n"
	"-user        string            : (client-side) match the user\n"
	"-group       string            : (client-side) match the group\n"
	"-jobid       string            : (client-side) match the jobid\n"
	"-minsize   / -maxsize    int   : (client-side) restrict results to min/max bytes "
	"(inclusive)\n"
	"-mindepth  / -maxdepth   int   : (client-side) restrict results to min/max depth\n"
	"-min-ctime / -max-ctime  int(unix time) : (client-side) restrict results age to min/max "
	"unix-time\n";
_Static_assert(sizeof(cp_opt_usage) < 6144, "cp -h must fit cp.c's err[]");

/* options of alien.py that take a value and have no effect here */
static const char *const cp_opt_ignored_val[] = { "-j", "-l", "-o", "-site", "-e" };

/* the property filters of recursive copies (find2's, findfilt.c): 1 if a is one (its value
 * checked and kept), 0 if not, -1 with the message in err */
static int cp_opt_filter(struct cp *c, const char *a, const char *v, char *err, size_t en)
{
	static const char *const nums[] = { "-minsize", "-maxsize", "-mindepth", "-maxdepth",
					    "-jobid" };
	static const char *const words[] = { "-min-ctime", "-max-ctime", "-user", "-group" };
	struct findfilt *p = &c->filt.props;
	long long *slots[] = { &p->minsize, &p->maxsize, &p->mindepth, &p->maxdepth, NULL };
	const char **wslots[] = { &p->min_ctime, &p->max_ctime, &p->user, &p->group };
	int digits = *v && strspn(v, "0123456789") == strlen(v) && strlen(v) <= 18;

	for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
		if (strcmp(a, nums[k]) != 0)
			continue;
		if (!digits) {
			snprintf(err, en, "cp: %s %s: expected a whole number\n", a, v);
			return -1;
		}
		if (slots[k]) {
			*slots[k] = atoll(v);
			return 1;
		}
		free((char *)p->jobid);
		return (p->jobid = strdup(v)) ? 1 : -ENOMEM;
	}
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (strcmp(a, words[k]) != 0)
			continue;
		if (k < 2 ? findfilt_ms(v) < 0 : (!*v || *v == '-')) {
			snprintf(err, en, "cp: %s %s: expected %s\n", a, v,
				 k < 2 ? "a Unix time, 10 digits (seconds) or 13 (milliseconds)"
				       : "a name");
			return -1;
		}
		free((char *)*wslots[k]);
		return (*wslots[k] = strdup(v)) ? 1 : -ENOMEM;
	}
	return 0;
}

#define CP_STREAMS_MAX 15 /* -S (alien.py's cap) */

/* the transfer options (issue 17): name, range; where the value goes is cp_opt_tune's */
static const struct {
	const char *name;
	long long lo, hi;
} cp_opt_tunes[] = {
	{ "-S", 0, CP_STREAMS_MAX },
	{ "-chunks", 1, XFER_CHUNKS_MAX },
	{ "-chunksz", XFER_CHUNK_SIZE_MIN, XFER_CHUNK_SIZE_MAX },
	{ "-timeout", 0, XFER_TIMEOUT_MAX },
	{ "-ratethreshold", 0, 1000000000000000LL }, /* 1 PB/s */
	{ "-retry", 0, XFER_RETRIES_MAX },
};

/* -S N, -chunks N, ...: 1 if a is one of them (its value checked and kept), 0 if not,
 * -1 with the message in err */
int cp_opt_tune(struct cp *c, const char *a, const char *v, char *err, size_t en)
{
	size_t k, n = sizeof(cp_opt_tunes) / sizeof(cp_opt_tunes[0]);
	long long x = 0;
	const char *p = v;

	for (k = 0; k < n && strcmp(a, cp_opt_tunes[k].name) != 0; k++)
		;
	if (k == n)
		return 0;
	while (*p >= '0' && *p <= '9' && x <= cp_opt_tunes[k].hi)
		x = x * 10 + (*p++ - '0');
	if (p == v || *p || x < cp_opt_tunes[k].lo || x > cp_opt_tunes[k].hi) {
		snprintf(err, en, "cp: %s %s: expected a whole number from %lld to %lld\n", a, v,
			 cp_opt_tunes[k].lo, cp_opt_tunes[k].hi);
		return -1;
	}
	if (k == 0)
		c->streams = (int)x;
	else if (k == 1)
		c->tune.chunks = (int)x;
	else if (k == 2)
		c->tune.chunk_size = (unsigned)x;
	else if (k == 3)
		c->tune.timeout_s = (int)x;
	else if (k == 4)
		c->tune.rate_min = x;
	else
		c->tune.retries = (int)x, c->tune.retries_implicit = 0;
	return 1;
}

#define CP_OPT_NORECOVERY_NOTICE \
	"N.B.! norecovery enabled! there will be no fallback for a failed copy!\n"
#define CP_OPT_STRICTSPEC_NOTICE "Strict specifications were enabled!! Command may fail!!\n"

static int cp_opt_regex(regex_t *re, const char *pat, const char *opt, char *err, size_t n)
{
	if (regcomp(re, pat, REG_EXTENDED | REG_NOSUB) != 0) {
		snprintf(err, n, "cp: %s: not a valid regular expression: %s\n", opt, pat);
		return -1;
	}
	return 0;
}

/* -name begin_X_contain_Y_ends_Z_ext_W (alien.py's verb form); 1 if it was one */
static int cp_opt_name_verbs(struct cp_filter *ft, const char *arg)
{
	static const char *const verbs[] = { "begin", "contain", "ends", "ext" };
	char *copy, *save = NULL, *tok, *verb = NULL;
	int known = 0;

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncmp(arg, verbs[i], strlen(verbs[i])) == 0 && arg[strlen(verbs[i])] == '_')
			known = 1;
	if (!known || !(copy = strdup(arg)))
		return 0;
	for (tok = strtok_r(copy, "_", &save); tok; tok = strtok_r(NULL, "_", &save)) {
		if (!verb) {
			verb = tok;
			continue;
		}
		if (strcmp(verb, "begin") == 0) {
			free(ft->begin);
			ft->begin = strdup(tok);
		} else if (strcmp(verb, "ends") == 0) {
			free(ft->ends);
			ft->ends = strdup(tok);
		} else if (strcmp(verb, "ext") == 0) {
			free(ft->ext);
			ft->ext = strdup(tok);
		} else if (strcmp(verb, "contain") == 0 && ft->ncontain < CP_FILTERS_MAX) {
			/* more than the cap: ignored (documented) */
			ft->contain[ft->ncontain++] = strdup(tok);
		}
		verb = NULL;
	}
	free(copy);
	return 1;
}

static int cp_opt_add_pair(struct cp *c, const char *src, const char *dst)
{
	struct cp_pair *np;

	if (c->npairs >= CP_PAIRS_MAX)
		return -E2BIG;
	np = realloc(c->pairs, (size_t)(c->npairs + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	c->pairs = np;
	np[c->npairs].src = strdup(src);
	np[c->npairs].dst = strdup(dst);
	if (!np[c->npairs].src || !np[c->npairs].dst) {
		free(np[c->npairs].src);
		free(np[c->npairs].dst);
		return -ENOMEM;
	}
	c->npairs++;
	return 0;
}

/* the absolute form of an argument, its file: prefix kept */
static char *cp_opt_expand(struct cp *c, const char *arg)
{
	char *p, *r;
	int local = strncmp(arg, "file:", 5) == 0;

	p = local ? cp_path_local(arg, c->shim_cwd, c->home)
		  : cp_path_grid(arg, command_term_cwd(c->cmd), upstream_home());
	if (!p || !local)
		return p;
	r = malloc(strlen(p) + 6);
	if (r)
		sprintf(r, "file:%s", p);
	free(p);
	return r;
}

/* -dst DIR: each source to DIR/<its path minus the sources' common folder>/ */
static int cp_opt_dst_pairs(struct cp *c, const char *dir, char **srcs, int n, char *err, size_t en)
{
	char **abs = calloc((size_t)(n ? n : 1), sizeof(*abs));
	char **bare = calloc((size_t)(n ? n : 1), sizeof(*bare));
	size_t common;
	int rc = 0;

	if (!abs || !bare)
		rc = -ENOMEM;
	for (int i = 0; rc == 0 && i < n; i++) {
		abs[i] = cp_opt_expand(c, srcs[i]);
		if (!abs[i])
			rc = -ENOMEM;
		else
			bare[i] = abs[i] + (strncmp(abs[i], "file:", 5) == 0 ? 5 : 0);
	}
	common = rc == 0 ? cp_path_common(bare, n) : 0;
	for (int i = 0; rc == 0 && i < n; i++) {
		const char *rel = bare[i] + (strlen(bare[i]) >= common ? common : strlen(bare[i]));
		const char *slash = strrchr(rel, '/');
		size_t keep = slash ? (size_t)(slash - rel) + 1 : 0;
		size_t dl = strlen(dir);
		char *dst = malloc(dl + keep + 2);

		if (!dst) {
			rc = -ENOMEM;
			break;
		}
		if (slash && slash[1] == '\0') { /* "dir/": its contents go to DIR/dir/ */
			keep = (size_t)(slash - rel);
			while (keep > 0 && rel[keep - 1] != '/')
				keep--;
		}
		sprintf(dst, "%s%s%.*s", dir, dl && dir[dl - 1] == '/' ? "" : "/", (int)keep, rel);
		rc = cp_opt_add_pair(c, abs[i], dst);
		free(dst);
	}
	for (int i = 0; abs && i < n; i++)
		free(abs[i]);
	free(abs);
	free(bare);
	if (rc == -E2BIG)
		snprintf(err, en, "cp: too many sources (the limit is %d)\n", CP_PAIRS_MAX);
	else if (rc < 0)
		snprintf(err, en, "%s", exitcode_line(JD_EXIT_NOMEM));
	return rc;
}

/* -input FILE: "SRC DST" lines (or "SRC" with -dst) */
static int cp_opt_input(struct cp *c, const char *file, const char *dstdir, char ***srcs,
			int *nsrcs, char *err, size_t en)
{
	char *path = cp_path_local(file, c->shim_cwd, c->home), line[8192];
	/* not a FIFO: it would block the loop */
	FILE *fp = path ? safefile_fopen(path, SAFEFILE_FOLLOW) : NULL;
	int lineno = 0, rc = 0;

	if (!fp) {
		snprintf(err, en, "cp: -input %s: %s\n", path ? path : file,
			 path ? safefile_strerror(-errno) : exitcode_meaning(JD_EXIT_NOMEM));
		free(path);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp)) {
		char *f[3] = { NULL, NULL, NULL }, *save = NULL, *s = line;
		int nf = 0;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n' || *s == '#' || *s == ';' || strncmp(s, "//", 2) == 0)
			continue;
		for (char *t = strtok_r(s, " \t\r\n", &save); t && nf < 3;
		     t = strtok_r(NULL, " \t\r\n", &save))
			f[nf++] = t;
		if (nf == 2 && !dstdir) {
			rc = cp_opt_add_pair(c, f[0], f[1]);
		} else if (nf == 1 && dstdir) {
			char **ns = realloc(*srcs, (size_t)(*nsrcs + 1) * sizeof(*ns));

			if (!ns || !(ns[*nsrcs] = strdup(f[0]))) {
				if (ns)
					*srcs = ns;
				rc = -ENOMEM;
			} else {
				*srcs = ns;
				(*nsrcs)++;
				rc = *nsrcs > CP_PAIRS_MAX ? -E2BIG : 0;
			}
		} else {
			cp_out(c, 2, "cp: %s line %d skipped: expected %s\n", path, lineno,
			       dstdir ? "SRC" : "SRC DST");
		}
	}
	fclose(fp);
	if (rc == -E2BIG)
		snprintf(err, en, "cp: %s: too many lines (the limit is %d)\n", path, CP_PAIRS_MAX);
	else if (rc < 0)
		snprintf(err, en, "%s", exitcode_line(JD_EXIT_NOMEM));
	free(path);
	return rc < 0 ? -1 : 0;
}

int cp_opt_parse(struct cp *c, const cJSON *argv, char *err, size_t en, int *code)
{
	int n = cJSON_GetArraySize(argv), multi = 0, nsel = 0, rc = 0, nsrcs = 0, last;
	const char *input = NULL, *dstdir = NULL;
	char **srcs = NULL;
	struct cp_filter *ft = &c->filt;

	findfilt_init(&ft->props);
	*code = JD_EXIT_USAGE;
	for (int i = 1; i < n; i++) {
		const char *a = cJSON_GetArrayItem(argv, i)->valuestring;

		if (strcmp(a, "-dst") == 0 || strcmp(a, "-input") == 0)
			multi = 1;
		if (strcmp(a, "-h") == 0 || strcmp(a, "-help") == 0 || strcmp(a, "--help") == 0) {
			*code = 0;
			snprintf(err, en, "%s", cp_opt_usage);
			return -1;
		}
	}
	if (cp_env_apply(c, argv, err, en) < 0)
		return -1;
	/* alien.py: SRC DST are the last two arguments, whatever they look like */
	last = multi ? n : n - 2;
	for (int i = 1; i < last; i++) {
		const char *a = cJSON_GetArrayItem(argv, i)->valuestring;
		const char *v = i + 1 < last ? cJSON_GetArrayItem(argv, i + 1)->valuestring : NULL;
		int takes = 1, tuned;

		if (strcmp(a, "-f") == 0 || strcmp(a, "-force") == 0) {
			c->force = 1, takes = 0;
		} else if (strcmp(a, "-dryrun") == 0) {
			c->dryrun = 1, takes = 0;
		} else if (strcmp(a, "-norecovery") == 0) {
			c->norecovery = 1, takes = 0;
		} else if (strcmp(a, "-strictspec") == 0) {
			c->strictspec = 1, takes = 0;
		} else if (strcmp(a, "-noxrdzip") == 0) {
			c->noxrdzip = 1, takes = 0;
		} else if (strcmp(a, "-tpc") == 0) {
			*code = 1;
			snprintf(err, en, "TPC is not allowed!!\n");
			return -1;
		} else if (a[0] != '-' || a[1] == '\0') {
			takes = 0;
			if (multi) { /* a source */
				char **ns = realloc(srcs, (size_t)(nsrcs + 1) * sizeof(*ns));

				if (!ns) {
					rc = -ENOMEM;
					break;
				}
				srcs = ns;
				if (!(srcs[nsrcs] = strdup(a))) {
					rc = -ENOMEM;
					break;
				}
				nsrcs++;
			}
		} else if (!v) {
			takes = 0; /* an option without its value: ignored, as alien.py */
			for (size_t k = 0;
			     k < sizeof(cp_opt_ignored_val) / sizeof(cp_opt_ignored_val[0]); k++)
				takes |= strcmp(a, cp_opt_ignored_val[k]) == 0;
			for (size_t k = 0; k < sizeof(cp_opt_tunes) / sizeof(cp_opt_tunes[0]); k++)
				takes |= strcmp(a, cp_opt_tunes[k].name) == 0;
			takes |= cp_opt_filter(c, a, "", err, en) != 0;
			if (takes || strcmp(a, "-T") == 0 || strcmp(a, "-glob") == 0 ||
			    strcmp(a, "-select") == 0 || strcmp(a, "-name") == 0 ||
			    strcmp(a, "-dst") == 0 || strcmp(a, "-input") == 0 ||
			    strcmp(a, "-exclude") == 0 || strcmp(a, "-exclude_re") == 0) {
				snprintf(err, en, "cp: %s needs a value\n", a);
				rc = -EINVAL;
			}
		} else if ((tuned = cp_opt_tune(c, a, v, err, en)) != 0) {
			if (tuned < 0)
				rc = -EINVAL;
		} else if (strcmp(a, "-T") == 0) {
			c->jobs = atoi(v);
		} else if (strcmp(a, "-parent") == 0) {
			c->parent = atoi(v);
		} else if (strcmp(a, "-rmprefix") == 0) {
			c->rmprefix = atoi(v);
		} else if ((tuned = cp_opt_filter(c, a, v, err, en)) != 0) {
			if (tuned < 0)
				rc = tuned == -ENOMEM ? -ENOMEM : -EINVAL;
		} else if (strcmp(a, "-glob") == 0) {
			free(ft->glob);
			ft->glob = strdup(v);
			ft->glob_path = strchr(v, '/') != NULL;
			nsel++;
		} else if (strcmp(a, "-select") == 0) {
			if (ft->has_select)
				regfree(&ft->select);
			ft->has_select = 0;
			if (cp_opt_regex(&ft->select, v, a, err, en) < 0)
				rc = -EINVAL;
			else
				ft->has_select = 1, nsel++;
		} else if (strcmp(a, "-name") == 0) {
			nsel++;
			if (!cp_opt_name_verbs(ft, v)) {
				if (ft->has_name)
					regfree(&ft->name);
				ft->has_name = 0;
				if (cp_opt_regex(&ft->name, v, a, err, en) < 0)
					rc = -EINVAL;
				else
					ft->has_name = 1;
			}
		} else if (strcmp(a, "-exclude") == 0) {
			if (ft->nexclude == CP_FILTERS_MAX)
				rc = -E2BIG;
			else if (!(ft->exclude[ft->nexclude++] = strdup(v)))
				rc = -ENOMEM;
		} else if (strcmp(a, "-exclude_re") == 0) {
			if (ft->nexclude_re == CP_FILTERS_MAX)
				rc = -E2BIG;
			else if (cp_opt_regex(&ft->exclude_re[ft->nexclude_re], v, a, err, en) < 0)
				rc = -EINVAL;
			else
				ft->nexclude_re++;
		} else if (strcmp(a, "-dst") == 0) {
			dstdir = v;
		} else if (strcmp(a, "-input") == 0) {
			input = v;
		} else {
			/* unknown: ignored, as alien.py; known ones with a value skip it */
			takes = 0;
			for (size_t k = 0;
			     k < sizeof(cp_opt_ignored_val) / sizeof(cp_opt_ignored_val[0]); k++)
				takes |= strcmp(a, cp_opt_ignored_val[k]) == 0;
		}
		if (rc < 0)
			break;
		i += takes;
	}
	if (rc == -E2BIG) {
		snprintf(err, en, "cp: at most %d of each of -exclude, -exclude_re and contain_\n",
			 CP_FILTERS_MAX);
		rc = -EINVAL;
	}
	if (rc == 0 && c->tune.chunks && c->tune.chunk_size &&
	    (unsigned long long)c->tune.chunks * c->tune.chunk_size > XFER_JOB_BUFFER_MAX) {
		snprintf(err, en,
			 "cp: -chunks %d x -chunksz %u: more than %llu bytes in flight per "
			 "transfer\n",
			 c->tune.chunks, c->tune.chunk_size,
			 (unsigned long long)XFER_JOB_BUFFER_MAX);
		rc = -EINVAL;
	}
	if (rc == 0 && nsel > 1) {
		snprintf(err, en, "cp: only one of -glob, -select and -name may be used\n");
		rc = -EINVAL;
	}
	if (c->jobs < 1)
		c->jobs = 1;
	if (c->jobs > XFER_THREADS_MAX)
		c->jobs = XFER_THREADS_MAX;
	if (rc == 0 && input)
		rc = cp_opt_input(c, input, dstdir, &srcs, &nsrcs, err, en);
	if (rc == 0 && dstdir)
		rc = cp_opt_dst_pairs(c, dstdir, srcs, nsrcs, err, en);
	else if (rc == 0 && !multi && n >= 3)
		rc = cp_opt_add_pair(c, cJSON_GetArrayItem(argv, n - 2)->valuestring,
				     cJSON_GetArrayItem(argv, n - 1)->valuestring);
	for (int i = 0; i < nsrcs; i++)
		free(srcs[i]);
	free(srcs);
	if (rc == -ENOMEM) {
		snprintf(err, en, "%s", exitcode_line(JD_EXIT_NOMEM));
		*code = JD_EXIT_NOMEM;
	}
	if (rc < 0)
		return -1;
	if (c->npairs == 0) {
		snprintf(err, en, "%s", input ? "No copy jobs to be done!\n" : cp_opt_usage);
		*code = input ? 0 : JD_EXIT_USAGE;
		return -1;
	}
	/* alien.py 1.7.0's notices, before the copies */
	cp_env_warn(c, argv);
	if (c->norecovery)
		command_send(c->cmd, FRAME_STDOUT, CP_OPT_NORECOVERY_NOTICE,
			     strlen(CP_OPT_NORECOVERY_NOTICE));
	if (c->strictspec)
		command_send(c->cmd, FRAME_STDOUT, CP_OPT_STRICTSPEC_NOTICE,
			     strlen(CP_OPT_STRICTSPEC_NOTICE));
	return 0;
}

void cp_opt_free(struct cp *c)
{
	struct cp_filter *ft = &c->filt;

	cp_env_free(c);

	for (int i = 0; i < c->npairs; i++) {
		free(c->pairs[i].src);
		free(c->pairs[i].dst);
	}
	free(c->pairs);
	free(ft->glob);
	if (ft->has_select)
		regfree(&ft->select);
	if (ft->has_name)
		regfree(&ft->name);
	free(ft->begin);
	free(ft->ends);
	free(ft->ext);
	for (int i = 0; i < ft->ncontain; i++)
		free(ft->contain[i]);
	for (int i = 0; i < ft->nexclude; i++)
		free(ft->exclude[i]);
	for (int i = 0; i < ft->nexclude_re; i++)
		regfree(&ft->exclude_re[i]);
	free((char *)ft->props.min_ctime);
	free((char *)ft->props.max_ctime);
	free((char *)ft->props.user);
	free((char *)ft->props.group);
	free((char *)ft->props.jobid);
}
