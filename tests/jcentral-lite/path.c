/* path.c - LFN path resolution and helpers. */
#include "path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int path_has_wildcard(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

/* in: absolute (starts with '/'), or anything (then treated as one relative blob). */
int path_normalise(const char *in, char *out, size_t outsz)
{
	/* stack of component start offsets inside out */
	size_t starts[1024];
	size_t depth = 0, o = 0;
	const char *p = in;

	if (outsz < 2)
		return -ENAMETOOLONG;
	if (*p != '/') {
		/* not absolute: keep verbatim (e.g. "[none]/x"), only collapse nothing */
		if (strlen(in) + 1 > outsz)
			return -ENAMETOOLONG;
		strcpy(out, in);
		return 0;
	}
	out[o++] = '/';
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 1 && p[0] == '.') {
			/* "/./" or trailing "/." */
		} else if (n >= 2 && p[0] == '.' && p[1] == '.') {
			/* naive JAliEn rule: anything starting with ".." goes one level up */
			if (depth > 0)
				o = starts[--depth];
		} else {
			if (depth == sizeof(starts) / sizeof(starts[0]))
				return -ENAMETOOLONG;
			size_t s = o;
			if (o > 1) {
				if (o + 1 >= outsz)
					return -ENAMETOOLONG;
				out[o++] = '/';
			}
			if (o + n >= outsz)
				return -ENAMETOOLONG;
			memcpy(out + o, p, n);
			o += n;
			starts[depth++] = s;
		}
		p += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

int path_resolve(const char *home, const char *cwd, const char *arg, char *out, size_t outsz)
{
	char tmp[8192];
	const char *a = arg;
	int n;

	if (!strncmp(a, "alien://", 8))
		a += 8;
	else if (!strncmp(a, "alien:", 6))
		a += 6;

	if (a[0] == '~')
		n = snprintf(tmp, sizeof(tmp), "%s/%s", home, a + 1);
	else if (a[0] == '/')
		n = snprintf(tmp, sizeof(tmp), "%s", a);
	else
		n = snprintf(tmp, sizeof(tmp), "%s/%s", cwd, a);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	return path_normalise(tmp, out, outsz);
}

void path_basename(const char *lfn, char *out, size_t outsz)
{
	size_t l = strlen(lfn);

	while (l > 1 && lfn[l - 1] == '/')
		l--;
	size_t s = l;
	while (s > 0 && lfn[s - 1] != '/')
		s--;
	size_t n = l - s;
	if (l == 1 && lfn[0] == '/')
		n = 0;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, lfn + s, n);
	out[n] = '\0';
}

int path_parent(const char *path, char *out, size_t outsz)
{
	size_t l = strlen(path);

	while (l > 1 && path[l - 1] == '/')
		l--;
	while (l > 0 && path[l - 1] != '/')
		l--;
	if (l == 0)
		l = 1; /* parent of "/" is "/" */
	if (l + 1 > outsz)
		return -ENAMETOOLONG;
	memcpy(out, path, l);
	out[l] = '\0';
	return 0;
}
