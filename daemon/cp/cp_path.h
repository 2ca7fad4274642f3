/* cp_path.h - alien.py's path rules for cp (alienpy-behaviour 4.2, 4.4).
 * Results are malloc()ed, NULL on ENOMEM. */
#ifndef JALIEND_CP_PATH_H
#define JALIEND_CP_PATH_H

#include <stddef.h>

/* A grid argument: alien:/alien:// stripped, %ALIEN and ~ -> home, . and
 * relative -> cwd; normalised; a trailing / is kept. */
char *cp_path_grid(const char *arg, const char *cwd, const char *home);
/* A local argument: file:/file:// stripped, ~ -> home, relative -> cwd. */
char *cp_path_local(const char *arg, const char *cwd, const char *home);
/* 1 if a grid to grid copy's destination arg (no file: prefix) looks like a
 * local path: ".", "..", "~" alone or followed by '/' (or '@' specs), or a
 * path that exists on the local disk (relative to cwd, with or without its
 * "@specs"); never for "alien:..." (issue 26, item 3). */
int cp_path_looks_local(const char *arg, const char *cwd, const char *home);
/* Remove //, /./ and /../ in place (absolute paths); keeps a trailing /. */
void cp_path_normalize(char *p);
/* What is kept of the source path below the destination folder:
 * parent > 0 keeps the last `parent` folders, rmprefix > 0 drops the first
 * `rmprefix` components, else base is the folder the copy is relative to. */
const char *cp_path_keep(const char *src, const char *base, int parent, int rmprefix, char *buf,
			 size_t n);
/* The length of the longest common leading folder ("/a/b/") of n absolute
 * paths (-dst); 1 ("/") if they share nothing. */
size_t cp_path_common(char *const *paths, int n);
/* mkdir -p of the folder holding file (mode 0755); 0 or -errno. */
int cp_path_mkdirs(const char *file);
/* 1 if rel is a relative path of plain names: not empty, no leading '/',
 * no empty, "." or ".." component (a name the server sent, to be put below
 * a local folder: docs/RELIABILITY.md, threat model). */
int cp_path_rel_ok(const char *rel);
/* The folder of path, opened without following a symbolic link below its
 * first root_len bytes (the destination folder the user named, ending with
 * '/', made if missing); the folders between are made (0755). The
 * descriptor (O_DIRECTORY) and in *leaf the file's name in it, or -errno:
 * -EINVAL if the part below is not cp_path_rel_ok, -ELOOP if a component
 * below is a symbolic link or not a folder (*leaf: just past it in path). */
int cp_path_open_below(const char *path, size_t root_len, const char **leaf);
/* 1 if path ends with '/'. */
int cp_path_is_dir(const char *path);

#endif
