/* The history's schema steps where the SQLite library starts every
 * connection defensive (as some builds do): a new history and one of
 * schema 5 both end at the current schema, the status check written as
 * comparisons (schema 6 edits the table's text in place). */
#include "diag.h"
#include "fdio.h"
#include "history/store_impl.h"
#include "tap.h"
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static int defensive(sqlite3 *db, const char **err, const struct sqlite3_api_routines *api)
{
	(void)err, (void)api;
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	return SQLITE_OK;
}

/* The messages table's text and the user version, read by a plain connection. */
static void read_schema(const char *path, char *sql, size_t cap, int *version)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	sql[0] = 0;
	*version = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(db, "SELECT sql, (SELECT user_version FROM pragma_user_version) FROM sqlite_master"
				   " WHERE name = 'messages'", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(sql, cap, "%s", (const char *)sqlite3_column_text(st, 0));
			*version = sqlite3_column_int(st, 1);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* Back to schema 5's text, as an older version made it. */
static int make_schema_5(const char *path)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *)NULL);
	int rc = sqlite3_exec(db,
		"BEGIN; PRAGMA writable_schema = ON;"
		"UPDATE sqlite_master SET sql = replace(sql,"
		" 'status = ''complete'' OR status = ''interrupted'' OR status = ''error''',"
		" 'status IN (''complete'',''interrupted'',''error'')') WHERE name = 'messages';"
		"PRAGMA writable_schema = OFF; PRAGMA user_version = 5; COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

int main(void)
{
	diag_init("test");
	char dir[4096];
	if (scratch_dir_make("test_store_schema", dir, sizeof dir) < 0)
		return 1;
	sqlite3_auto_extension((void (*)(void))defensive);
	char db[4200], sql[4096];
	int v;
	snprintf(db, sizeof db, "%s/h.db", dir);
	struct store s;
	ok(store_open(&s, db, STORE_CREATE) == 0, "a new history opens with every connection defensive");
	store_close(&s);
	read_schema(db, sql, sizeof sql, &v);
	ok(v == STORE_SCHEMA_VERSION, "... at the current schema (%d)", v);
	ok(strstr(sql, "status = 'complete' OR status = 'interrupted' OR status = 'error'") != NULL,
	   "... its status check written as comparisons");

	ok(make_schema_5(db) == 0, "the same file made schema 5 again");
	read_schema(db, sql, sizeof sql, &v);
	ok(v == 5 && strstr(sql, "status IN ('complete'") != NULL, "... with schema 5's check");
	ok(store_open(&s, db, STORE_CREATE) == 0, "a schema 5 history opens with every connection defensive");
	int on = 0;
	sqlite3_db_config(s.db, SQLITE_DBCONFIG_DEFENSIVE, -1, &on);
	ok(on == 1, "... its connection defensive again once migrated");
	ok(store_exec(&s, "INSERT INTO conversations (id, created, updated) VALUES ('c', 'x', 'x')") == 0 &&
	   store_exec(&s, "INSERT INTO messages (id, conversation, seq, role, text, status, created)"
			  " VALUES ('m', 'c', 1, 'user', 't', 'bogus', 'x')") < 0,
	   "... and still refuses a status outside the three");
	store_close(&s);
	read_schema(db, sql, sizeof sql, &v);
	ok(v == STORE_SCHEMA_VERSION && strstr(sql, "status = 'complete' OR") != NULL,
	   "... and is brought to the current schema in place");

	sqlite3_reset_auto_extension();
	scratch_dir_remove(dir);
	return tap_done();
}
