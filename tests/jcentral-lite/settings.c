/* settings.c - settings remembered in the catalogue database (see settings.h). */
#include "settings.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char g_token_cert[4096], g_token_key[4096];

static int settings_exec(sqlite3 *db, const char *sql)
{
	char *e = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) {
		jcl_log("settings: %s", e ? e : "?");
		sqlite3_free(e);
		return -EIO;
	}
	return 0;
}

static int settings_put(sqlite3 *db, const char *key, const void *val, int len)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
			       -1, &st, NULL))
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, val, len, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
	sqlite3_finalize(st);
	return rc;
}

/* copies the value of key (at most outsz bytes); returns its length, -ENOENT or -E2BIG */
static int settings_get(sqlite3 *db, const char *key, void *out, size_t outsz)
{
	sqlite3_stmt *st;
	int rc = -ENOENT;

	if (sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = ?1", -1, &st, NULL))
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 0);
		if ((size_t)n > outsz)
			rc = -E2BIG;
		else {
			memcpy(out, sqlite3_column_blob(st, 0), (size_t)n);
			rc = n;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int settings_apply(struct jcl_server *srv, char *err, size_t errsz)
{
	sqlite3 *db = catalogue_db(srv->cat);
	int rc;

	if ((rc = settings_exec(
		     db, "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value BLOB)")))
		goto fail;
	if (srv->n_ses) {
		rc = settings_put(db, "ses", srv->ses, (int)(srv->n_ses * sizeof(srv->ses[0])));
	} else {
		int n = settings_get(db, "ses", srv->ses, sizeof(srv->ses));
		if (n > 0 && n % (int)sizeof(srv->ses[0]) == 0)
			srv->n_ses = (size_t)n / sizeof(srv->ses[0]);
		else
			memset(srv->ses, 0, sizeof(srv->ses));
	}
	if (rc)
		goto fail;
	if (srv->token_ca_cert) {
		rc = settings_put(db, "token_ca_cert", srv->token_ca_cert,
				  (int)strlen(srv->token_ca_cert));
		if (!rc)
			rc = settings_put(db, "token_ca_key", srv->token_ca_key,
					  (int)strlen(srv->token_ca_key));
	} else {
		int a = settings_get(db, "token_ca_cert", g_token_cert, sizeof(g_token_cert) - 1);
		int b = settings_get(db, "token_ca_key", g_token_key, sizeof(g_token_key) - 1);
		if (a > 0 && b > 0) {
			g_token_cert[a] = '\0';
			g_token_key[b] = '\0';
			srv->token_ca_cert = g_token_cert;
			srv->token_ca_key = g_token_key;
		}
	}
	if (rc)
		goto fail;
	return 0;
fail:
	snprintf(err, errsz, "cannot store or load the settings in --db %s", srv->db_path);
	return rc;
}
