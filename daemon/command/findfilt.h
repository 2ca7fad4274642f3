/* findfilt.h - alien.py's client-side filters on a file's catalogue properties
 * (-minsize/-maxsize, -mindepth/-maxdepth, -min-ctime/-max-ctime, -user, -group,
 * -jobid), applied to `find -f -a -s` rows: shared by find2 (cmdfind2.c) and
 * cp's recursive copies (cp_plan.c), so both select the same files. */
#ifndef JALIEND_FINDFILT_H
#define JALIEND_FINDFILT_H

#include <cjson/cJSON.h>

struct strbuf;

struct findfilt {
	long long minsize, maxsize;	   /* bytes, inclusive; -1: none */
	long long mindepth, maxdepth;	   /* folders below the one searched (0: in it); -1: none */
	const char *min_ctime, *max_ctime; /* 13-digit ms or 10-digit s (findfilt_ms); NULL: none */
	const char *jobid, *user, *group;  /* equal to the row's jobid, owner, gowner; NULL: none */
};

/* A filter with nothing set. */
void findfilt_init(struct findfilt *f);
/* alien.py's time forms: 13 digits (ms) or a 10 character number (s); -1 otherwise. */
long long findfilt_ms(const char *s);
/* 1 if a find row (rel: its path below the folder searched) passes; a row without the
 * property a filter needs fails, with alien.py's line added to errs (may be NULL). */
int findfilt_row(const struct findfilt *f, const cJSON *row, const char *rel, struct strbuf *errs);
/* A local file (no catalogue row): only the size and depth filters apply. */
int findfilt_local(const struct findfilt *f, const char *rel, long long size);

#endif
