/* replicas.c - replica and booking tables (see replicas.h). */
#include "replicas.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char REPLICAS_SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS pfn ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT NOT NULL, seNumber INTEGER NOT NULL,"
	" se TEXT NOT NULL, pfn TEXT NOT NULL, UNIQUE(guid, seNumber));"
	"CREATE TABLE IF NOT EXISTS booking ("
	" pfn TEXT PRIMARY KEY, guid TEXT NOT NULL, lfn TEXT NOT NULL, se TEXT NOT NULL,"
	" seNumber INTEGER NOT NULL, size INTEGER NOT NULL, md5 TEXT NOT NULL, owner TEXT NOT NULL,"
	" guidtime INTEGER NOT NULL, expires INTEGER NOT NULL);";

static int replicas_prep(struct catalogue *c, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(catalogue_db(c), sql, -1, st, NULL) != SQLITE_OK) {
		jcl_log("sqlite prepare failed: %s", sqlite3_errmsg(catalogue_db(c)));
		return -EIO;
	}
	return 0;
}

static int replicas_done(struct catalogue *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	if (rc != SQLITE_DONE) {
		jcl_log("sqlite write failed: %s", sqlite3_errmsg(catalogue_db(c)));
		return -EIO;
	}
	return 0;
}

static void replicas_col(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

int replicas_init(struct catalogue *c)
{
	char *err = NULL;
	if (sqlite3_exec(catalogue_db(c), REPLICAS_SCHEMA, NULL, NULL, &err) != SQLITE_OK) {
		jcl_log("cannot create the replica tables: %s", err ? err : "?");
		sqlite3_free(err);
		return -EIO;
	}
	return 0;
}

int replicas_list(struct catalogue *c, const char *guid, struct replica *out, int max)
{
	sqlite3_stmt *st;
	int n = 0,
	    rc = replicas_prep(
		    c, "SELECT se, seNumber, pfn FROM pfn WHERE guid = lower(?1) ORDER BY id", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, guid, -1, SQLITE_TRANSIENT);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		replicas_col(st, 0, out[n].se, sizeof(out[n].se));
		out[n].se_number = sqlite3_column_int(st, 1);
		replicas_col(st, 2, out[n].pfn, sizeof(out[n].pfn));
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

int replicas_add(struct catalogue *c, const char *guid, const struct replica *r)
{
	sqlite3_stmt *st;
	int rc = replicas_prep(c,
			       "INSERT OR REPLACE INTO pfn (guid, seNumber, se, pfn) VALUES "
			       "(lower(?1), ?2, ?3, ?4)",
			       &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, guid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, r->se_number);
	sqlite3_bind_text(st, 3, r->se, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->pfn, -1, SQLITE_TRANSIENT);
	return replicas_done(c, st);
}

int replicas_gc_all(struct catalogue *c)
{
	sqlite3_stmt *st;
	int rc = replicas_prep(
		c, "DELETE FROM pfn WHERE NOT EXISTS (SELECT 1 FROM lfn WHERE lfn.guid = pfn.guid)",
		&st);

	return rc ? rc : replicas_done(c, st);
}

long long replicas_count(struct catalogue *c, const char *guid)
{
	sqlite3_stmt *st;
	long long n = 0;

	if (!guid[0] || replicas_prep(c, "SELECT count(*) FROM pfn WHERE guid = lower(?1)", &st))
		return 0;
	sqlite3_bind_text(st, 1, guid, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int replicas_se_usage(struct catalogue *c, int se_number, long long *files, long long *bytes)
{
	sqlite3_stmt *st;
	int rc = replicas_prep(
		c,
		"SELECT count(*), coalesce(sum((SELECT size FROM lfn WHERE lfn.guid = pfn.guid"
		" LIMIT 1)), 0) FROM pfn WHERE seNumber = ?1",
		&st);

	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, se_number);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -EIO;
	if (!rc) {
		*files = sqlite3_column_int64(st, 0);
		*bytes = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc;
}

int replicas_book(struct catalogue *c, const struct booking *b)
{
	sqlite3_stmt *st;
	int rc = replicas_prep(
		c,
		"INSERT OR REPLACE INTO booking (pfn, guid, lfn, se, seNumber, size, md5, owner,"
		" guidtime, expires) VALUES (?1, lower(?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		&st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, b->pfn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, b->guid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, b->lfn, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, b->se, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, b->se_number);
	sqlite3_bind_int64(st, 6, b->size);
	sqlite3_bind_text(st, 7, b->md5, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, b->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, b->guidtime_ms);
	sqlite3_bind_int64(st, 10, (long long)time(NULL) + REPLICAS_BOOKING_S);
	return replicas_done(c, st);
}

int replicas_booking(struct catalogue *c, const char *pfn, struct booking *b)
{
	sqlite3_stmt *st;
	int rc = replicas_prep(c, "DELETE FROM booking WHERE expires < ?1", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, (long long)time(NULL));
	if ((rc = replicas_done(c, st)))
		return rc;
	if ((rc = replicas_prep(
		     c,
		     "SELECT pfn, guid, lfn, se, seNumber, size, md5, owner, guidtime FROM booking"
		     " WHERE pfn = ?1",
		     &st)))
		return rc;
	sqlite3_bind_text(st, 1, pfn, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		replicas_col(st, 0, b->pfn, sizeof(b->pfn));
		replicas_col(st, 1, b->guid, sizeof(b->guid));
		replicas_col(st, 2, b->lfn, sizeof(b->lfn));
		replicas_col(st, 3, b->se, sizeof(b->se));
		b->se_number = sqlite3_column_int(st, 4);
		b->size = sqlite3_column_int64(st, 5);
		replicas_col(st, 6, b->md5, sizeof(b->md5));
		replicas_col(st, 7, b->owner, sizeof(b->owner));
		b->guidtime_ms = sqlite3_column_int64(st, 8);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

int replicas_unbook(struct catalogue *c, const char *pfn)
{
	sqlite3_stmt *st;
	int rc = replicas_prep(c, "DELETE FROM booking WHERE pfn = ?1", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, pfn, -1, SQLITE_TRANSIENT);
	return replicas_done(c, st);
}
