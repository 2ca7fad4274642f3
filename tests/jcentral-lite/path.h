/* path.h - JAliEn LFN path resolution (FileSystemUtils.getAbsolutePath semantics). */
#ifndef JCL_PATH_H
#define JCL_PATH_H

#include <stddef.h>

/* Resolve arg against home (for "~") and cwd (for relative paths), then normalise:
 * strip "alien://" / "alien:", collapse "//", drop "/." segments, resolve ".." naively (any
 * component starting with ".." removes the previous one), no trailing '/' except for "/".
 * Returns 0 or -ENAMETOOLONG. */
int path_resolve(const char *home, const char *cwd, const char *arg, char *out, size_t outsz);

/* Normalise an absolute path only (used for -pwd=): no "~", no cwd. */
int path_normalise(const char *in, char *out, size_t outsz);

/* Last component of a canonical LFN ("/a/b/" -> "b", "/a/f" -> "f", "/" -> ""). */
void path_basename(const char *lfn, char *out, size_t outsz);

/* Parent directory of a normalised path, with trailing '/' ("/a/b" -> "/a/", "/a" -> "/"). */
int path_parent(const char *path, char *out, size_t outsz);

int path_has_wildcard(const char *s);

#endif
