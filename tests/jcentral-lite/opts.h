/* opts.h - command option parsing with joptsimple semantics (as used by JAliEn commands).
 *
 * "-l -a", "-la" (cluster of single-letter flags), "-bulk" (a multi-letter option with a single
 * dash), "--name", "-x value" / "-x=value" for options with an argument, "--" ends options;
 * non-option arguments may appear anywhere. Unknown: "'q' is not a recognized option".
 */
#ifndef JCL_OPTS_H
#define JCL_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define OPTS_MAX_SPEC 32

struct opt_spec {
	const char *name; /* "l", "bulk", ... */
	bool has_arg;
};

struct opt_result {
	unsigned count[OPTS_MAX_SPEC];	/* how often each option was given */
	const char *val[OPTS_MAX_SPEC]; /* last value of options with an argument */
	const char **args;		/* non-option arguments (pointers into argv) */
	size_t nargs;
	char err[160];
};

/* Returns 0, -EINVAL (res->err set) or -ENOMEM. Free with opts_free(). */
int opts_parse(const struct opt_spec *spec, size_t nspec, char **argv, size_t argc,
	       struct opt_result *res);
void opts_free(struct opt_result *res);
/* count of option `name` (0 if absent) */
unsigned opts_has(const struct opt_spec *spec, size_t nspec, const struct opt_result *res,
		  const char *name);
const char *opts_val(const struct opt_spec *spec, size_t nspec, const struct opt_result *res,
		     const char *name);

#endif
