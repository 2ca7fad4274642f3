/* catalogue.h - the file catalogue of jcentral-lite, stored in SQLite.
 *
 * One table of LFN entries. Canonical names: directories end with '/', files do not. Each
 * entry has owner, group owner, 3-digit octal permissions, size, ctime (epoch seconds) and,
 * for files, md5/guid. Permission rule (JAliEn AuthorizationChecker): "admin" may do
 * everything; owner bits if the account is the owner, group bits if the account is the
 * group owner (an account's only role is itself here), else "other" bits.
 */
#ifndef JCL_CATALOGUE_H
#define JCL_CATALOGUE_H

#include <stdbool.h>
#include "jcl.h"

struct cat_entry {
	long long id;
	char lfn[JCL_LFN_MAX];
	char type; /* 'd', 'f', 'c' */
	char owner[JCL_ACCOUNT_MAX];
	char gowner[JCL_ACCOUNT_MAX];
	char perm[4];
	long long size;
	long long ctime; /* epoch seconds */
	long long jobid;
	char md5[64];  /* "" if unknown */
	char guid[40]; /* lower-case, "" if none */
	long long guidtime_ms;
};

#define CAT_R 4
#define CAT_W 2
#define CAT_X 1

typedef int (*catalogue_cb)(const struct cat_entry *e, void *arg);

int catalogue_open(const char *path, struct catalogue **out);
void catalogue_close(struct catalogue *c);

/* path: normalised absolute path, with or without trailing '/'. 0, -ENOENT or -EIO. */
int catalogue_get(struct catalogue *c, const char *path, struct cat_entry *e);
/* Children of directory dirlfn (trailing '/'), sorted by stored name. cb != 0 stops. */
int catalogue_list(struct catalogue *c, const char *dirlfn, catalogue_cb cb, void *arg);
/* All entries strictly below dirlfn, sorted by lfn. */
int catalogue_walk(struct catalogue *c, const char *dirlfn, catalogue_cb cb, void *arg);
int catalogue_count_children(struct catalogue *c, const char *dirlfn, long long *n);
/* Insert e (lfn canonical). -EEXIST if present. */
int catalogue_insert(struct catalogue *c, const struct cat_entry *e);
int catalogue_delete(struct catalogue *c, const char *lfn);
/* Delete lfn and everything below it (lfn must end with '/'). */
int catalogue_delete_tree(struct catalogue *c, const char *dirlfn);
/* Rename entry (and, for directories, everything below). */
int catalogue_rename(struct catalogue *c, const char *from, const char *to);
int catalogue_touch(struct catalogue *c, const char *lfn, long long ctime);
int catalogue_begin(struct catalogue *c);
int catalogue_commit(struct catalogue *c);
void catalogue_rollback(struct catalogue *c);

/* Make a directory if missing (used for the bootstrap tree). */
int catalogue_ensure_dir(struct catalogue *c, const char *dirlfn, const char *owner,
			 const char *gowner, const char *perm);

/* The SQLite handle, for the other tables of the same database (replicas.c, jobs.c). */
struct sqlite3 *catalogue_db(struct catalogue *c);
/* Find the file entry of a GUID (first LFN by name); 0 or -ENOENT. */
int catalogue_get_by_guid(struct catalogue *c, const char *guid, struct cat_entry *e);
/* A version-1 (time-based) UUID, lower-case, like the GUIDs JAliEn assigns. */
void catalogue_make_guid(char out[37], long long now_ms);

bool catalogue_can(const struct cat_entry *e, const char *account, int bit);
/* "drwxr-xr-x" */
void catalogue_perm_string(const struct cat_entry *e, char out[11]);

#endif
