/* findfilt.c - see findfilt.h. alien.py 1.6.3's filter_file_prop, written from
 * what it does (never its code). */
#include "findfilt.h"

#include <stdlib.h>
#include <string.h>

#include "cmdse.h"
#include "base/strbuf.h"

void findfilt_init(struct findfilt *f)
{
	memset(f, 0, sizeof(*f));
	f->minsize = f->maxsize = f->mindepth = f->maxdepth = -1;
}

static int findfilt_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

long long findfilt_ms(const char *s)
{
	char *end;
	double d;

	if (findfilt_digits(s) && strlen(s) == 13)
		return strtoll(s, NULL, 10);
	d = strtod(s, &end);
	if (end != s && !*end && strlen(s) == 10)
		return (long long)(d * 1000);
	return -1;
}

/* the depth of rel as alien.py counts it: 1 for a file in the folder searched */
static int findfilt_depth(const char *rel)
{
	int n = 1;

	for (const char *p = rel; *p; p++)
		n += *p == '/';
	return n;
}

static int findfilt_size_ok(const struct findfilt *f, long long size)
{
	return !((f->minsize >= 0 && size < f->minsize) || (f->maxsize >= 0 && size > f->maxsize));
}

static int findfilt_depth_ok(const struct findfilt *f, const char *rel)
{
	return !((f->mindepth >= 0 && findfilt_depth(rel) < f->mindepth + 1) ||
		 (f->maxdepth >= 0 && findfilt_depth(rel) > f->maxdepth + 1));
}

int findfilt_local(const struct findfilt *f, const char *rel, long long size)
{
	return findfilt_size_ok(f, size) && findfilt_depth_ok(f, rel);
}

int findfilt_row(const struct findfilt *f, const cJSON *row, const char *rel, struct strbuf *errs)
{
	char b[32];
	const char *v = cmdse_field(row, "size", b, sizeof(b));

	/* a row without a size passes them (alien.py) */
	if (v && !findfilt_size_ok(f, strtoll(v, NULL, 10)))
		return 0;
	if (f->jobid) {
		v = cmdse_field(row, "jobid", b, sizeof(b));
		if (!v) {
			if (errs)
				strbuf_adds(errs, "filter_file_prop::jobid - could not find jobid "
						  "information in file "
						  "dictionary, selection failed!\n");
			return 0;
		}
		if (strcmp(v, f->jobid) != 0)
			return 0;
	}
	if (f->user && (!(v = cmdse_field(row, "owner", b, sizeof(b))) || strcmp(v, f->user) != 0))
		return 0;
	if (f->group &&
	    (!(v = cmdse_field(row, "gowner", b, sizeof(b))) || strcmp(v, f->group) != 0))
		return 0;
	if (f->min_ctime || f->max_ctime) {
		v = cmdse_field(row, "ctime", b, sizeof(b));
		if (!v || !*v)
			v = cmdse_field(row, "mtime", b, sizeof(b));
		if (!v || !findfilt_digits(v)) {
			if (errs)
				strbuf_adds(errs, "filter_file_prop::min/max-ctime - could not "
						  "find time information in "
						  "file dictionary, selection failed!\n");
			return 0;
		}
		if (f->min_ctime && strtoll(v, NULL, 10) < findfilt_ms(f->min_ctime))
			return 0;
		if (f->max_ctime && strtoll(v, NULL, 10) > findfilt_ms(f->max_ctime))
			return 0;
	}
	return findfilt_depth_ok(f, rel);
}
