/* The PostgreSQL backend's pieces that need no server: which strings are
 * connection strings, the SQL it rewrites, and the password kept out of
 * the name it shows. With $CHAT_TEST_PG (a database, libpq's keyword
 * form) also the bulk rows sent without waiting: counts that come with
 * the results, a transaction begun while they run, and a failure said
 * when they are read. */
#include "history/store.h"
#include "history/store_pg.h"
#include "history/pgquery.h"
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

static void tsq(const char *fts, const char *want, const char *name)
{
	struct buf b = BUF_INIT(1 << 16);
	int r = pgquery_from_fts(fts, &b);
	if (!want)
		ok(r == -1 && b.len == 0, "%s: not translated", name);
	else
		is_str(r == 0 ? buf_str(&b) : "(refused)", want, name);
	buf_free(&b);
}

/* Gather n rows of (a, b) into t and queue sql on them. */
static int gather(struct store *s, int n, const char *sql, long *changes)
{
	static const char *const cols[] = { "a", "b" };
	store_stmt *g = store_gather(s, "t", cols, 2);
	if (!g)
		return -1;
	for (int i = 0; i < n; i++) {
		store_bind_int(g, 1, i);
		store_bind_text(g, 2, "row\twith a tab\\", -1);
		store_step(g);
	}
	int r = store_gather_flush(g, sql, changes);
	store_finalize(g);
	return r;
}

static long count_rows(struct store *s)
{
	store_stmt *st = store_prepare(s, "SELECT count(*) FROM t");
	long n = st && store_step(st) == STORE_ROW ? (long)store_col_int64(st, 0) : -1;
	store_finalize(st);
	return n;
}

static void with_server(const char *conninfo)
{
	struct store s = { 0 };
	s.lock_timeout_ms = 5000;
	if (store_open(&s, conninfo, STORE_CREATE)) {
		ok(0, "a history opens in $CHAT_TEST_PG");
		return;
	}
	store_exec(&s, "DROP TABLE IF EXISTS t; CREATE TABLE t (a BIGINT PRIMARY KEY, b TEXT NOT NULL)");
	long changes = 0;
	ok(store_begin(&s) == 0 && gather(&s, 1000, "INSERT INTO t SELECT a, b FROM gathered_t", &changes) == 0 &&
	   store_commit(&s) == 0, "1,000 rows gathered, sent with the commit");
	ok(store_begin(&s) == 0, "a transaction begun while they may still run");
	ok(store_commit(&s) == 0, "... and committed with nothing in it");
	ok(store_sync(&s) == 0 && changes == 1000, "the count comes with the results (%ld)", changes);
	ok(count_rows(&s) == 1000, "... and the rows are there, tabs and backslashes too");
	store_stmt *st = store_prepare(&s, "SELECT b FROM t WHERE a = 7");
	ok(st && store_step(st) == STORE_ROW && !strcmp(store_col_text(st, 0), "row\twith a tab\\"), "a row's text as sent");
	store_finalize(st);
	/* the next batch: a statement after it reads its results first */
	changes = 0;
	ok(store_begin(&s) == 0 && gather(&s, 10, "INSERT INTO t SELECT a + 1000, b FROM gathered_t", &changes) == 0 &&
	   store_commit(&s) == 0 && count_rows(&s) == 1010 && changes == 10,
	   "a query after an unwaited commit sees its rows");
	/* a batch the server refuses: said when the results are read, and
	 * the transaction is lost, not half kept */
	changes = 0;
	ok(store_begin(&s) == 0 && gather(&s, 5, "INSERT INTO t SELECT a + 2000, b FROM gathered_t", &changes) == 0 &&
	   gather(&s, 5, "INSERT INTO t SELECT a, b FROM gathered_t", &changes) == 0 && store_commit(&s) == 0,
	   "a batch whose second statement fails is sent");
	ok(store_sync(&s) == -1, "store_sync says it failed");
	ok(count_rows(&s) == 1010, "... and none of the batch is kept");
	ok(store_begin(&s) == 0 && store_commit(&s) == 0, "the connection is usable afterwards");
	changes = 0;
	ok(store_begin(&s) == 0 && gather(&s, 3, "INSERT INTO t SELECT a + 3000, b FROM gathered_t", &changes) == 0,
	   "a batch queued");
	store_rollback(&s);
	ok(store_sync(&s) == 0 && count_rows(&s) == 1010 && changes == 0, "... and dropped by a rollback");
	store_exec(&s, "DROP TABLE t");
	store_close(&s);
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

	tsq("rust", "('rust')", "a word is a lexeme");
	tsq("rust memory", "('rust') & ('memory')", "words side by side: all of them");
	tsq("rust AND memory", "('rust') & ('memory')", "AND");
	tsq("rust OR go", "('rust') | ('go')", "OR");
	tsq("rust NOT go", "('rust' & !'go')", "NOT: the first without the second");
	tsq("rus*", "('rus':*)", "prefix*");
	tsq("\"borrow checker\"", "(('borrow' <-> 'checker'))", "a phrase: words in a row");
	tsq("\"borrow check\"*", "(('borrow' <-> 'check':*))", "a phrase's last word as a prefix");
	tsq("(rust OR go) memory", "((('rust') | ('go'))) & ('memory')", "parentheses group");
	tsq("NEAR(rust memory, 5)", "(('rust' & 'memory'))", "NEAR: both, anywhere");
	tsq("text:rust", "('rust')", "the text: column filter");
	tsq("\"o'brien \\x\"", "(('o''brien' <-> '\\\\x'))", "quotes and backslashes inside a lexeme are escaped");
	tsq("don't", NULL, "punctuation FTS5 refuses: read as typed instead");
	tsq("(rust", NULL, "an unclosed parenthesis");
	tsq("rust OR", NULL, "an operator with nothing after it");
	tsq("title:rust", NULL, "a column the history has not");
	tsq("   ", NULL, "nothing at all");

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
	const char *pg = getenv("CHAT_TEST_PG");
	if (pg && *pg)
		with_server(pg);
	return tap_done();
}
