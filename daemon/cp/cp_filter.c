/* cp_filter.c - the client-side filters on a file's catalogue properties in
 * cp's recursive copies (-minsize/-maxsize, -mindepth/-maxdepth,
 * -min-ctime/-max-ctime, -user, -group, -jobid): find2's (findfilt.c), with
 * the depth counted below the folder being copied, as find2 counts it below
 * the folder searched. */
#include "cp_int.h"

#include <string.h>

#include "command/findfilt.h"

/* path below the folder top ("" for top itself) */
static const char *cp_filter_rel(const char *path, const char *top)
{
	size_t tl = strlen(top);

	while (tl > 1 && top[tl - 1] == '/')
		tl--;
	if (strncmp(path, top, tl) != 0 || (path[tl] != '/' && path[tl] != '\0'))
		return path;
	path += tl;
	while (*path == '/')
		path++;
	return path;
}

int cp_filter_row(const struct cp *c, const cJSON *row, const char *lfn)
{
	return findfilt_row(&c->filt.props, row, cp_filter_rel(lfn, c->grid), NULL);
}

int cp_filter_local(const struct cp *c, const char *path, long long size)
{
	return findfilt_local(&c->filt.props, cp_filter_rel(path, c->local), size);
}
