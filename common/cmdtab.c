/* cmdtab.c - see cmdtab.h: the rows' data, read from cmdtab.def. */
#include "cmdtab.h"

#include <string.h>

const struct cmdtab_row cmdtab_rows[] = {
#define CMDTAB(names, where, policy, flags, up, run, shim, help) { names, where, flags },
#include "cmdtab.def"
#undef CMDTAB
};
const int cmdtab_nrows = (int)(sizeof(cmdtab_rows) / sizeof(cmdtab_rows[0]));
_Static_assert(sizeof(cmdtab_rows) / sizeof(cmdtab_rows[0]) <= CMDTAB_ROWS_MAX,
	       "cmdtab.def: too many rows");

int cmdtab_is_word(const char *name, unsigned long len)
{
	if (!len)
		return 0;
	for (unsigned long i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
			    name[i]) ||
		    !name[i])
			return 0;
	return 1;
}

/* Whether verb is one of the space-separated names. */
static int cmdtab_names_have(const char *names, const char *verb)
{
	size_t vl = strlen(verb);

	for (const char *p = names; *p;) {
		size_t n = strcspn(p, " ");

		if (n == vl && memcmp(p, verb, n) == 0)
			return 1;
		p += n;
		p += *p == ' ';
	}
	return 0;
}

int cmdtab_find(const char *verb)
{
	if (!verb || !*verb || strlen(verb) >= CMDTAB_NAME_MAX)
		return -1;
	for (int i = 0; i < cmdtab_nrows; i++)
		if (cmdtab_names_have(cmdtab_rows[i].names, verb))
			return i;
	return -1;
}

void cmdtab_each_name(unsigned want, void (*fn)(const char *name, unsigned long len, void *ctx),
		      void *ctx)
{
	for (int i = 0; i < cmdtab_nrows; i++) {
		if (!(cmdtab_rows[i].flags & want))
			continue;
		for (const char *p = cmdtab_rows[i].names; *p;) {
			size_t n = strcspn(p, " ");

			fn(p, n, ctx);
			p += n;
			p += *p == ' ';
		}
	}
}
