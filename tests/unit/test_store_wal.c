/* The history's WAL at close: a short one is left for the next writer to
 * append to (its rows still read back, from the WAL), and one past 1 MiB
 * is folded into the database and removed by the close that finds it. */
#include "diag.h"
#include "history/store_impl.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char dir[] = "/tmp/test_store_wal.XXXXXX";

static long long size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static long long count(struct store *s)
{
	store_stmt *st = store_prepare(s, "SELECT count(*) FROM probe");
	long long n = st && store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
	store_finalize(st);
	return n;
}

int main(void)
{
	diag_init("test");
	if (!mkdtemp(dir))
		return 1;
	char db[4200], wal[4300];
	snprintf(db, sizeof db, "%s/h.db", dir);
	snprintf(wal, sizeof wal, "%s-wal", db);
	struct store s;
	ok(store_open(&s, db, STORE_CREATE) == 0, "a new history opens");
	ok(store_exec(&s, "CREATE TABLE probe(b BLOB); INSERT INTO probe VALUES (zeroblob(1000))") == 0,
	   "a small write");
	store_close(&s);
	long long w = size_of(wal);
	ok(w > 0 && w < (1 << 20), "a short WAL is left behind at close (%lld bytes)", w);
	ok(store_open(&s, db, STORE_READ) == 0 && count(&s) == 1, "its row reads back");
	store_close(&s);

	ok(store_open(&s, db, STORE_CREATE) == 0, "opened again");
	ok(store_exec(&s, "INSERT INTO probe VALUES (zeroblob(1500000))") == 0, "a write past 1 MiB");
	store_close(&s);
	ok(size_of(wal) <= 0, "the close folds a long WAL into the database");
	ok(size_of(db) > 1500000, "... which holds the rows now");
	ok(store_open(&s, db, STORE_READ) == 0 && count(&s) == 2, "both rows read back");
	store_close(&s);

	char cmd[4300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "clean up");
	return tap_done();
}
