/* catalogue.c - SQLite-backed LFN catalogue. */
#include "catalogue.h"
#include "path.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

struct catalogue {
	sqlite3 *db;
};

static const char SCHEMA[] = "CREATE TABLE IF NOT EXISTS lfn ("
			     " entryId INTEGER PRIMARY KEY AUTOINCREMENT,"
			     " lfn TEXT NOT NULL UNIQUE," /* canonical; directories end with '/' */
			     " dir TEXT NOT NULL,"	  /* parent directory lfn, '' for '/' */
			     " name TEXT NOT NULL," /* stored name; directories end with '/' */
			     " type TEXT NOT NULL,"
			     " owner TEXT NOT NULL, gowner TEXT NOT NULL, perm TEXT NOT NULL,"
			     " size INTEGER NOT NULL DEFAULT 0,"
			     " ctime INTEGER NOT NULL," /* epoch seconds */
			     " jobid INTEGER NOT NULL DEFAULT 0,"
			     " md5 TEXT NOT NULL DEFAULT '', guid TEXT NOT NULL DEFAULT '',"
			     " guidtime INTEGER NOT NULL DEFAULT 0);"
			     "CREATE INDEX IF NOT EXISTS lfn_dir ON lfn(dir, name);"
			     "PRAGMA user_version = 1;";

#define COLS "entryId, lfn, type, owner, gowner, perm, size, ctime, jobid, md5, guid, guidtime"

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

static void row_to_entry(sqlite3_stmt *st, struct cat_entry *e)
{
	char type[4];

	e->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, e->lfn, sizeof(e->lfn));
	copy_col(st, 2, type, sizeof(type));
	e->type = type[0] ? type[0] : 'f';
	copy_col(st, 3, e->owner, sizeof(e->owner));
	copy_col(st, 4, e->gowner, sizeof(e->gowner));
	copy_col(st, 5, e->perm, sizeof(e->perm));
	e->size = sqlite3_column_int64(st, 6);
	e->ctime = sqlite3_column_int64(st, 7);
	e->jobid = sqlite3_column_int64(st, 8);
	copy_col(st, 9, e->md5, sizeof(e->md5));
	copy_col(st, 10, e->guid, sizeof(e->guid));
	e->guidtime_ms = sqlite3_column_int64(st, 11);
}

static int prep(struct catalogue *c, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK) {
		jcl_log("sqlite prepare failed: %s", sqlite3_errmsg(c->db));
		return -EIO;
	}
	return 0;
}

int catalogue_open(const char *path, struct catalogue **out)
{
	struct catalogue *c = calloc(1, sizeof(*c));
	char *err = NULL;

	if (!c)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		jcl_log("cannot open database %s: %s", path, c->db ? sqlite3_errmsg(c->db) : "?");
		catalogue_close(c);
		return -EIO;
	}
	sqlite3_busy_timeout(c->db, 2000);
	if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
			 &err) != SQLITE_OK ||
	    sqlite3_exec(c->db, SCHEMA, NULL, NULL, &err) != SQLITE_OK) {
		jcl_log("cannot initialise database %s: %s", path, err ? err : "?");
		sqlite3_free(err);
		catalogue_close(c);
		return -EIO;
	}
	*out = c;
	return 0;
}

void catalogue_close(struct catalogue *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	free(c);
}

int catalogue_get(struct catalogue *c, const char *path, struct cat_entry *e)
{
	char asdir[JCL_LFN_MAX + 1], asfile[JCL_LFN_MAX];
	size_t l = strlen(path);
	sqlite3_stmt *st;
	int rc;

	if (l == 0 || l >= JCL_LFN_MAX)
		return -ENOENT;
	memcpy(asfile, path, l + 1);
	while (l > 1 && asfile[l - 1] == '/')
		asfile[--l] = '\0';
	snprintf(asdir, sizeof(asdir), "%s%s", asfile, l == 1 ? "" : "/");
	if ((rc = prep(c,
		       "SELECT " COLS
		       " FROM lfn WHERE lfn = ?1 OR lfn = ?2 ORDER BY type = 'd' DESC LIMIT 1",
		       &st)))
		return rc;
	sqlite3_bind_text(st, 1, asdir, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, asfile, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_to_entry(st, e);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

static int run_query(struct catalogue *c, sqlite3_stmt *st, catalogue_cb cb, void *arg)
{
	struct cat_entry *e = malloc(sizeof(*e));
	int rc;

	if (!e) {
		sqlite3_finalize(st);
		return -ENOMEM;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_entry(st, e);
		int r = cb(e, arg);
		if (r) {
			rc = r;
			goto out;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : -EIO;
	if (rc)
		jcl_log("sqlite query failed: %s", sqlite3_errmsg(c->db));
out:
	free(e);
	sqlite3_finalize(st);
	return rc;
}

int catalogue_list(struct catalogue *c, const char *dirlfn, catalogue_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc = prep(c, "SELECT " COLS " FROM lfn WHERE dir = ?1 ORDER BY name", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, dirlfn, -1, SQLITE_TRANSIENT);
	return run_query(c, st, cb, arg);
}

int catalogue_walk(struct catalogue *c, const char *dirlfn, catalogue_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc = prep(c,
		      "SELECT " COLS
		      " FROM lfn WHERE substr(lfn, 1, ?2) = ?1 AND lfn <> ?1 ORDER BY lfn",
		      &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, dirlfn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, (int)strlen(dirlfn));
	return run_query(c, st, cb, arg);
}

int catalogue_count_children(struct catalogue *c, const char *dirlfn, long long *n)
{
	sqlite3_stmt *st;
	int rc = prep(c, "SELECT count(*) FROM lfn WHERE dir = ?1", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, dirlfn, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -EIO;
	if (!rc)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* dir and stored name of a canonical lfn */
static void split_lfn(const char *lfn, char *dir, size_t dsz, char *name, size_t nsz)
{
	if (!strcmp(lfn, "/")) {
		dir[0] = '\0';
		snprintf(name, nsz, "/");
		return;
	}
	path_parent(lfn, dir, dsz);
	snprintf(name, nsz, "%s", lfn + strlen(dir));
}

static int exec_simple(struct catalogue *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_CONSTRAINT) {
		rc = -EEXIST;
	} else if (rc != SQLITE_DONE) {
		jcl_log("sqlite write failed: %s", sqlite3_errmsg(c->db));
		rc = -EIO;
	} else {
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int catalogue_insert(struct catalogue *c, const struct cat_entry *e)
{
	char dir[JCL_LFN_MAX], name[JCL_LFN_MAX], type[2] = { e->type, 0 };
	sqlite3_stmt *st;
	int rc = prep(
		c,
		"INSERT INTO lfn (lfn, dir, name, type, owner, gowner, perm, size, ctime,"
		" jobid, md5, guid, guidtime) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
		&st);

	if (rc)
		return rc;
	split_lfn(e->lfn, dir, sizeof(dir), name, sizeof(name));
	sqlite3_bind_text(st, 1, e->lfn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, dir, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, e->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, e->gowner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, e->perm, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, e->size);
	sqlite3_bind_int64(st, 9, e->ctime);
	sqlite3_bind_int64(st, 10, e->jobid);
	sqlite3_bind_text(st, 11, e->md5, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, e->guid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 13, e->guidtime_ms);
	return exec_simple(c, st);
}

int catalogue_delete(struct catalogue *c, const char *lfn)
{
	sqlite3_stmt *st;
	int rc = prep(c, "DELETE FROM lfn WHERE lfn = ?1", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, lfn, -1, SQLITE_TRANSIENT);
	rc = exec_simple(c, st);
	if (!rc && sqlite3_changes(c->db) == 0)
		rc = -ENOENT;
	return rc;
}

int catalogue_delete_tree(struct catalogue *c, const char *dirlfn)
{
	sqlite3_stmt *st;
	int rc = prep(c, "DELETE FROM lfn WHERE substr(lfn, 1, ?2) = ?1", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, dirlfn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, (int)strlen(dirlfn));
	return exec_simple(c, st);
}

int catalogue_rename(struct catalogue *c, const char *from, const char *to)
{
	char dir[JCL_LFN_MAX], name[JCL_LFN_MAX];
	sqlite3_stmt *st;
	int rc;

	split_lfn(to, dir, sizeof(dir), name, sizeof(name));
	if ((rc = prep(c, "UPDATE lfn SET lfn = ?2, dir = ?3, name = ?4 WHERE lfn = ?1", &st)))
		return rc;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, dir, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
	if ((rc = exec_simple(c, st)))
		return rc;
	size_t fl = strlen(from);
	if (fl == 0 || from[fl - 1] != '/')
		return 0;
	/* descendants: replace the prefix in lfn and dir */
	if ((rc = prep(
		     c,
		     "UPDATE lfn SET lfn = ?2 || substr(lfn, ?3 + 1),"
		     " dir = ?2 || substr(dir, ?3 + 1) WHERE substr(lfn, 1, ?3) = ?1 AND lfn <> ?2",
		     &st)))
		return rc;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, (int)fl);
	return exec_simple(c, st);
}

int catalogue_touch(struct catalogue *c, const char *lfn, long long ctime)
{
	sqlite3_stmt *st;
	int rc = prep(c, "UPDATE lfn SET ctime = ?2 WHERE lfn = ?1", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, lfn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, ctime);
	return exec_simple(c, st);
}

static int exec_sql(struct catalogue *c, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		jcl_log("sqlite %s failed: %s", sql, err ? err : "?");
		sqlite3_free(err);
		return -EIO;
	}
	return 0;
}

int catalogue_begin(struct catalogue *c)
{
	return exec_sql(c, "BEGIN IMMEDIATE");
}

int catalogue_commit(struct catalogue *c)
{
	return exec_sql(c, "COMMIT");
}

void catalogue_rollback(struct catalogue *c)
{
	exec_sql(c, "ROLLBACK");
}

int catalogue_ensure_dir(struct catalogue *c, const char *dirlfn, const char *owner,
			 const char *gowner, const char *perm)
{
	struct cat_entry *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return -ENOMEM;
	rc = catalogue_get(c, dirlfn, e);
	if (rc == -ENOENT) {
		memset(e, 0, sizeof(*e));
		snprintf(e->lfn, sizeof(e->lfn), "%s", dirlfn);
		e->type = 'd';
		snprintf(e->owner, sizeof(e->owner), "%s", owner);
		snprintf(e->gowner, sizeof(e->gowner), "%s", gowner);
		snprintf(e->perm, sizeof(e->perm), "%s", perm);
		e->ctime = (long long)time(NULL);
		rc = catalogue_insert(c, e);
	} else if (!rc && e->type != 'd') {
		jcl_log("catalogue: %s exists but is not a directory", dirlfn);
		rc = -ENOTDIR;
	}
	free(e);
	return rc;
}

struct sqlite3 *catalogue_db(struct catalogue *c)
{
	return c->db;
}

int catalogue_get_by_guid(struct catalogue *c, const char *guid, struct cat_entry *e)
{
	sqlite3_stmt *st;
	int rc = prep(c,
		      "SELECT " COLS
		      " FROM lfn WHERE guid = lower(?1) AND guid <> '' ORDER BY lfn LIMIT 1",
		      &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, guid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_to_entry(st, e);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

void catalogue_make_guid(char out[37], long long now_ms)
{
	static unsigned short seq;
	unsigned char rnd[8] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd))
			memset(rnd, 0x5a, sizeof(rnd));
		close(fd);
	}
	unsigned long long t =
		(unsigned long long)now_ms * 10000ULL + 0x01B21DD213814000ULL + (seq++ % 10000);
	snprintf(out, 37, "%08llx-%04llx-%04llx-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 t & 0xffffffffULL, (t >> 32) & 0xffff, ((t >> 48) & 0x0fff) | 0x1000,
		 (rnd[0] & 0x3f) | 0x80, rnd[1], rnd[2] | 0x02, rnd[3], rnd[4], rnd[5], rnd[6],
		 rnd[7]);
}

bool catalogue_can(const struct cat_entry *e, const char *account, int bit)
{
	int digit;

	if (!strcmp(account, "admin"))
		return true;
	if (!strcmp(e->owner, account))
		digit = e->perm[0];
	else if (!strcmp(e->gowner, account))
		digit = e->perm[1];
	else
		digit = e->perm[2];
	if (digit < '0' || digit > '7')
		return false;
	return ((digit - '0') & bit) != 0;
}

void catalogue_perm_string(const struct cat_entry *e, char out[11])
{
	static const char rwx[] = "rwx";

	out[0] = e->type == 'f' ? '-' : e->type;
	for (int i = 0; i < 3; i++) {
		int d = (e->perm[i] >= '0' && e->perm[i] <= '7') ? e->perm[i] - '0' : 0;
		for (int b = 0; b < 3; b++)
			out[1 + i * 3 + b] = (d & (4 >> b)) ? rwx[b] : '-';
	}
	out[10] = '\0';
}
