/* opts.c - joptsimple-like option parser. */
#include "opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int find_spec(const struct opt_spec *spec, size_t nspec, const char *name, size_t len)
{
	for (size_t i = 0; i < nspec; i++)
		if (strlen(spec[i].name) == len && !strncmp(spec[i].name, name, len))
			return (int)i;
	return -1;
}

static int take(const struct opt_spec *spec, struct opt_result *res, int idx, const char *inl,
		char **argv, size_t argc, size_t *i)
{
	res->count[idx]++;
	if (!spec[idx].has_arg) {
		return 0;
	}
	if (inl) {
		res->val[idx] = inl;
		return 0;
	}
	if (*i + 1 < argc) {
		res->val[idx] = argv[++*i];
		return 0;
	}
	snprintf(res->err, sizeof(res->err), "Option %s requires an argument", spec[idx].name);
	return -EINVAL;
}

int opts_parse(const struct opt_spec *spec, size_t nspec, char **argv, size_t argc,
	       struct opt_result *res)
{
	memset(res, 0, sizeof(*res));
	if (nspec > OPTS_MAX_SPEC)
		return -EINVAL;
	res->args = calloc(argc + 1, sizeof(*res->args));
	if (!res->args)
		return -ENOMEM;

	bool only_args = false;
	for (size_t i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (only_args || a[0] != '-' || a[1] == '\0') {
			res->args[res->nargs++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = true;
			continue;
		}
		const char *name = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		int idx = find_spec(spec, nspec, name, nlen);

		if (idx >= 0) {
			if (take(spec, res, idx, eq ? eq + 1 : NULL, argv, argc, &i))
				return -EINVAL;
			continue;
		}
		if (a[1] == '-') {
			snprintf(res->err, sizeof(res->err), "%.*s is not a recognized option",
				 (int)(nlen > 64 ? 64 : nlen), name);
			return -EINVAL;
		}
		/* cluster of single-letter options */
		for (const char *c = name; *c; c++) {
			idx = find_spec(spec, nspec, c, 1);
			if (idx < 0) {
				snprintf(res->err, sizeof(res->err),
					 "%c is not a recognized option", *c);
				return -EINVAL;
			}
			if (spec[idx].has_arg) {
				const char *rest = c[1] == '=' ? c + 2 : (c[1] ? c + 1 : NULL);
				if (take(spec, res, idx, rest, argv, argc, &i))
					return -EINVAL;
				break;
			}
			res->count[idx]++;
		}
	}
	return 0;
}

void opts_free(struct opt_result *res)
{
	free(res->args);
	res->args = NULL;
}

unsigned opts_has(const struct opt_spec *spec, size_t nspec, const struct opt_result *res,
		  const char *name)
{
	int i = find_spec(spec, nspec, name, strlen(name));
	return i < 0 ? 0 : res->count[i];
}

const char *opts_val(const struct opt_spec *spec, size_t nspec, const struct opt_result *res,
		     const char *name)
{
	int i = find_spec(spec, nspec, name, strlen(name));
	return i < 0 ? NULL : res->val[i];
}
