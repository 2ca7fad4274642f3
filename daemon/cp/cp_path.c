/* cp_path.c - alien.py's path rules for cp (alienpy-behaviour 4.2, 4.4). */
#include "cp_path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cp_path_normalize(char *p)
{
	size_t len = strlen(p);
	int trailing = len > 1 && p[len - 1] == '/';
	char *out = p, *seg = p;

	if (*p != '/')
		return;
	while (*seg) {
		char *end;
		size_t n;

		while (*seg == '/')
			seg++;
		if (!*seg)
			break;
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 1 && seg[0] == '.') {
			/* skip */
		} else if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, seg, n);
			out += n;
		}
		seg += n;
	}
	if (out == p || (trailing && out[-1] != '/'))
		*out++ = '/';
	*out = '\0';
}

static char *cp_path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *r = malloc(la + lb + 2);

	if (!r)
		return NULL;
	memcpy(r, a, la);
	r[la] = '/';
	memcpy(r + la + 1, b, lb + 1);
	cp_path_normalize(r);
	return r;
}

char *cp_path_grid(const char *arg, const char *cwd, const char *home)
{
	if (strncmp(arg, "alien://", 8) == 0)
		arg += 8;
	else if (strncmp(arg, "alien:", 6) == 0)
		arg += 6;
	home = home ? home : "/";
	cwd = cwd ? cwd : home;
	if (strncmp(arg, "%ALIEN", 6) == 0)
		return cp_path_join(home, arg + 6);
	if (arg[0] == '~' && (arg[1] == '\0' || arg[1] == '/'))
		return cp_path_join(home, arg + 1);
	if (arg[0] == '/')
		return cp_path_join("", arg);
	return cp_path_join(cwd, arg);
}

char *cp_path_local(const char *arg, const char *cwd, const char *home)
{
	if (strncmp(arg, "file://", 7) == 0)
		arg += 7;
	else if (strncmp(arg, "file:", 5) == 0)
		arg += 5;
	if (arg[0] == '~' && (arg[1] == '\0' || arg[1] == '/'))
		return cp_path_join(home ? home : "/", arg + 1);
	if (arg[0] == '/')
		return cp_path_join("", arg);
	return cp_path_join(cwd ? cwd : "/", arg);
}

int cp_path_looks_local(const char *arg, const char *cwd, const char *home)
{
	static const char *const forms[] = { ".", "..", "~" };
	char *path, *at;
	struct stat st;
	int found;

	if (strncmp(arg, "alien:", 6) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t n = strlen(forms[i]);

		if (strncmp(arg, forms[i], n) == 0 &&
		    (arg[n] == '\0' || arg[n] == '/' || arg[n] == '@'))
			return 1;
	}
	if (!*arg || !(path = cp_path_local(arg, cwd, home)))
		return 0;
	found = lstat(path, &st) == 0;
	if (!found && (at = strrchr(path, '@')) && at > path) { /* without the storage specs */
		*at = '\0';
		found = lstat(path, &st) == 0;
	}
	free(path);
	return found;
}

const char *cp_path_keep(const char *src, const char *base, int parent, int rmprefix, char *buf,
			 size_t n)
{
	const char *p = src;

	if (!*src) { /* nothing to keep (and nothing to step over) */
		snprintf(buf, n, "%s", "");
		return buf;
	}
	if (rmprefix > 0) {
		for (int i = 0; i < rmprefix && *p; i++) {
			p = strchr(p + 1, '/');
			if (!p)
				return strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
		}
		p++;
	} else if (parent > 0) {
		p = src + strlen(src);
		for (int i = 0; i <= parent && p > src; i++)
			while (--p > src && *p != '/')
				;
		if (*p == '/')
			p++;
	} else {
		size_t bl = strlen(base);

		if (strncmp(src, base, bl) == 0)
			p = src + bl;
		else
			p = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
		while (*p == '/')
			p++;
	}
	snprintf(buf, n, "%s", p);
	return buf;
}

size_t cp_path_common(char *const *paths, int n)
{
	size_t len;

	if (n <= 0 || paths[0][0] != '/')
		return 0;
	len = strlen(paths[0]);
	for (int i = 1; i < n; i++) {
		size_t k = 0;

		while (k < len && paths[i][k] && paths[i][k] == paths[0][k])
			k++;
		len = k;
	}
	/* back to the last '/' that ends a whole folder name in every path */
	while (len > 1 && paths[0][len - 1] != '/')
		len--;
	if (n == 1 && len == strlen(paths[0]) && len > 1) { /* one folder "a/b/": its parent */
		len--;
		while (len > 1 && paths[0][len - 1] != '/')
			len--;
	}
	return len ? len : 1;
}

int cp_path_mkdirs(const char *file)
{
	char p[4096];

	if (snprintf(p, sizeof(p), "%s", file) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

int cp_path_rel_ok(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return 0;
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

int cp_path_open_below(const char *path, size_t root_len, const char **leaf)
{
	char comp[4096];
	const char *p = path + root_len, *slash;
	int fd, nfd;

	if (root_len == 0 || root_len >= strlen(path) || path[root_len - 1] != '/' ||
	    !cp_path_rel_ok(p))
		return -EINVAL;
	if (root_len >= sizeof(comp))
		return -ENAMETOOLONG;
	/* the destination itself is the user's: made and followed as named */
	memcpy(comp, path, root_len);
	comp[root_len] = '\0';
	if (root_len > 1 && (fd = cp_path_mkdirs(comp)) < 0)
		return fd;
	fd = open(comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* below it, one folder at a time, never through a symbolic link */
	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);

		if (n >= sizeof(comp)) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
			nfd = -errno;
			close(fd);
			return nfd;
		}
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			/* a symlink (ELOOP) or a file there */
			nfd = errno == ENOTDIR ? -ELOOP : -errno;
			close(fd);
			*leaf = slash; /* where it stopped */
			return nfd;
		}
		close(fd);
		fd = nfd;
		p = slash + 1;
	}
	*leaf = p;
	return fd;
}

int cp_path_is_dir(const char *path)
{
	size_t n = strlen(path);

	return n > 0 && path[n - 1] == '/';
}
