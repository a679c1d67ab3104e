/* The PostgreSQL backend's pieces that need no server: which strings are
 * connection strings, the SQL it rewrites, and the password kept out of
 * the name it shows. */
#include "history/store_pg.h"
#include "paths.h"
#include "diag.h"
#include "tap.h"
#include <stdlib.h>
#include <string.h>

static void translated(const char *sql, const char *want, const char *name)
{
	char *got = store_pg_translate(sql);
	is_str(got, want, name);
	free(got);
}

static void shown(const char *conninfo, const char *want, const char *name)
{
	char out[512];
	ok(store_pg_display(conninfo, out, sizeof out) == 0, "%s: parsed", name);
	is_str(out, want, name);
}

int main(void)
{
	ok(path_is_conninfo("postgresql://chat@db/chat"), "a postgresql:// URI is a connection string");
	ok(path_is_conninfo("postgres://db"), "... and a postgres:// one");
	ok(path_is_conninfo("host=/run/postgresql dbname=chat"), "... and libpq's keyword form");
	ok(!path_is_conninfo("/home/me/history.db"), "a path is not");
	ok(!path_is_conninfo("history.db"), "... nor a relative one");
	ok(!path_is_conninfo("weird=name.db"), "... nor a file whose name has an = after no keyword");

	translated("SELECT a FROM t WHERE id = ?1 AND b = ?12", "SELECT a FROM t WHERE id = $1 AND b = $12",
		   "?N becomes $N");
	translated("SELECT '?1', \"?2\" FROM t WHERE x = ?3", "SELECT '?1', \"?2\" FROM t WHERE x = $3",
		   "... but not inside quotes");
	translated("SELECT 1 WHERE (?4 IS NULL OR m = ?4)", "SELECT 1 WHERE ($4::text IS NULL OR m = $4)",
		   "?N IS NULL says its type");
	translated("SELECT id FROM t LIMIT ?7 OFFSET ?8",
		   "SELECT id FROM t LIMIT CASE WHEN $7::bigint < 0 THEN NULL ELSE $7::bigint END OFFSET $8",
		   "a negative LIMIT means none, as in SQLite");
	translated("INSERT OR IGNORE INTO media (a) VALUES (?1)", "INSERT INTO media (a) VALUES ($1) ON CONFLICT DO NOTHING",
		   "INSERT OR IGNORE becomes ON CONFLICT DO NOTHING");

	shown("postgresql://chat:s3cret-password@db.example:5433/hist?sslmode=require",
	      "user=chat dbname=hist host=db.example port=5433 sslmode=require", "a URI is shown without its password");
	char line[256];
	scrub(line, sizeof line, "auth failed for s3cret-password", strlen("auth failed for s3cret-password"));
	is_str(line, "auth failed for [redacted]", "... which is a secret from then on");
	shown("host=/run/postgresql dbname=chat password='another secret'", "dbname=chat host=/run/postgresql",
	      "the keyword form too");
	shown("dbname='my hist'", "dbname='my hist'", "a value with a space is quoted");
	char out[64];
	ok(store_pg_display("postgresql://[bad", out, sizeof out) < 0, "a URI libpq cannot read is refused");
	return tap_done();
}
