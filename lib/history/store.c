#include "history/store_impl.h"
#include "history/store_pg.h"
#include "paths.h"
#include "randbytes.h"
#include "fdio.h"
#include "flockwait.h"
#include "numparse.h"
#include "diag.h"
#include "sig.h"
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define STORE_INSERT_TRIGGER \
	"CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN" \
	"  INSERT INTO messages_fts(rowid, text) VALUES (new.rid, new.text); END"

static const char *const migrations[] = {
	/* version 1 */
	"CREATE TABLE conversations ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT UNIQUE,"
	"  title TEXT,"
	"  system TEXT,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL);"
	"CREATE INDEX conversations_updated ON conversations(updated);"
	"CREATE TABLE messages ("
	"  rid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('user','assistant')),"
	"  text TEXT NOT NULL,"
	"  provider TEXT,"
	"  model TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('complete','interrupted','error')),"
	"  finish TEXT,"
	"  input_tokens INTEGER, output_tokens INTEGER, cached_tokens INTEGER, reasoning_tokens INTEGER,"
	"  cost_usd REAL,"
	"  ttft_ms INTEGER,"
	"  ms INTEGER,"
	"  request_id TEXT,"
	"  created TEXT NOT NULL,"
	"  UNIQUE (conversation, seq));"
	"CREATE INDEX messages_created ON messages(created);"
	"CREATE INDEX messages_request ON messages(request_id) WHERE request_id IS NOT NULL;"
	"CREATE TABLE media ("
	"  sha256 TEXT PRIMARY KEY,"
	"  mime TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  data BLOB NOT NULL);"
	"CREATE TABLE message_media ("
	"  message INTEGER NOT NULL REFERENCES messages(rid) ON DELETE CASCADE,"
	"  ord INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL REFERENCES media(sha256),"
	"  PRIMARY KEY (message, ord));"
	"CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='rid');"
	STORE_INSERT_TRIGGER ";"
	"CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rid, old.text); END;"
	"CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rid, old.text);"
	"  INSERT INTO messages_fts(rowid, text) VALUES (new.rid, new.text); END;",
	/* version 2: provider batch jobs (chat-batch) and the records each
	 * covers; replies that came from one are marked with its id */
	"ALTER TABLE messages ADD COLUMN batch_job TEXT;"
	"CREATE TABLE batch_jobs ("
	"  id TEXT PRIMARY KEY,"
	"  provider TEXT NOT NULL,"
	"  model TEXT,"
	"  remote_id TEXT,"
	"  input_file TEXT,"
	"  status TEXT NOT NULL,"
	"  error TEXT,"
	"  total INTEGER NOT NULL DEFAULT 0,"
	"  done INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  fingerprint TEXT,"
	"  log INTEGER NOT NULL DEFAULT 1,"
	"  collected INTEGER NOT NULL DEFAULT 0,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL);"
	"CREATE INDEX batch_jobs_fingerprint ON batch_jobs(fingerprint);"
	"CREATE INDEX batch_jobs_remote ON batch_jobs(remote_id);"
	"CREATE TABLE batch_items ("
	"  job TEXT NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  custom_id TEXT NOT NULL,"
	"  request_id TEXT,"
	"  id_json TEXT,"
	"  record TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('pending','done','failed')),"
	"  error TEXT,"
	"  conversation TEXT,"
	"  message TEXT,"
	"  PRIMARY KEY (job, seq));"
	"CREATE INDEX batch_items_request ON batch_items(request_id) WHERE request_id IS NOT NULL;",
	/* version 3: when a batch job ended, by the provider's clock where it
	 * says; a provider that keeps results only so long (Gemini: 48 hours)
	 * counts from there */
	"ALTER TABLE batch_jobs ADD COLUMN ended TEXT;",
	/* version 4: the model a reply was asked of (the provider's own name
	 * for it, as routed), so a conversation continues with its model even
	 * when the reply named a dated snapshot */
	"ALTER TABLE messages ADD COLUMN asked_model TEXT;",
	/* version 5: the tool calls a reply made (a JSON array), which are not
	 * its text but part of it all the same */
	"ALTER TABLE messages ADD COLUMN tool_calls TEXT;",
	/* version 6: the status and state checks as comparisons. SQLite 3.40
	 * builds a throwaway table for an IN list of three in a CHECK, on every
	 * row written: a fifth of an import's writing. The tables' text is
	 * edited in place, the documented way to change a constraint the
	 * file's format does not depend on (sqlite.org/lang_altertable.html),
	 * so no row is copied; migrate() then moves the schema cookie on so
	 * every connection reads the new text. */
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_master SET sql = replace(sql,"
	"  'CHECK (status IN (''complete'',''interrupted'',''error''))',"
	"  'CHECK (status = ''complete'' OR status = ''interrupted'' OR status = ''error'')')"
	"  WHERE type = 'table' AND name = 'messages';"
	"UPDATE sqlite_master SET sql = replace(sql,"
	"  'CHECK (state IN (''pending'',''done'',''failed''))',"
	"  'CHECK (state = ''pending'' OR state = ''done'' OR state = ''failed'')')"
	"  WHERE type = 'table' AND name = 'batch_items';"
	"PRAGMA writable_schema = OFF;",
};
/* the version whose migration edits the schema's text */
#define SCHEMA_TEXT_EDITED 6

int store_error(struct store *s, const char *what)
{
	return error("history %s: %s: %s", s->path, what, store_errmsg(s));
}


/* The lock, counted so a holder may take it again; wait in ms. 0, or -1
 * with errno from flock_wait. */
static int take(struct store *s, long wait)
{
	if (s->locked) {
		s->locked++;
		return 0;
	}
	/* a blocking wait in the kernel: the holder's unlock wakes us, so a
	 * crowd waits its turn instead of spinning against each other */
	if (flock_wait(s->lockfd, wait) < 0)
		return -1;
	s->locked = 1;
	return 0;
}

static int lock(struct store *s)
{
	if (take(s, s->lock_timeout_ms) == 0)
		return 0;
	if (errno == ETIMEDOUT) {
		s->busy = 1;
		return error("history %s: busy: another process held it for %ld s", s->path, s->lock_timeout_ms / 1000);
	}
	if (errno == EINTR)
		return error("history %s: interrupted while waiting for it", s->path);
	return error("history %s: cannot lock: %s", s->path, strerror(errno));
}

static void unlock(struct store *s)
{
	if (s->locked && --s->locked == 0)
		flock(s->lockfd, LOCK_UN);
}

int store_hold(struct store *s, long wait)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_hold(s);
	return take(s, wait);
}

void store_release(struct store *s)
{
	if (s->kind == STORE_POSTGRES) {
		store_pg_release(s);
		return;
	}
	unlock(s);
}

int store_mutex_take(struct store *s, const char *name)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_mutex_take(s, name);
	char path[4200];
	snprintf(path, sizeof path, "%s.%s", s->path, name);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return error("cannot open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR || sig_caught) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

void store_mutex_release(struct store *s, int handle)
{
	if (s->kind == STORE_POSTGRES)
		store_pg_mutex_release(s, handle);
	else if (handle >= 0)
		close(handle);
}

int store_exec(struct store *s, const char *sql)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_exec(s, sql);
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("history %s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_run(struct store *s, store_stmt *st, const char *what)
{
	if (!st)
		return -1;
	int rc = store_step(st);
	if (rc != STORE_DONE && rc != STORE_ROW)
		store_error(s, what);
	store_finalize(st);
	return rc != STORE_DONE && rc != STORE_ROW ? -1 : 0;
}

int store_begin(struct store *s)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_begin(s);
	if (lock(s) < 0)
		return -1;
	/* BEGIN IMMEDIATE: a read transaction upgraded to a write would fail at
	 * once with SQLITE_BUSY, whatever the busy timeout. Its busy wait (for
	 * a program that takes SQLite's lock but not ours, a sqlite3 shell
	 * say) has the same deadline as ours: $CHAT_DB_TIMEOUT in all. */
	int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		s->busy = 1;
	store_error(s, "cannot start a write");
	unlock(s);
	return -1;
}

int store_commit(struct store *s)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_commit(s);
	int r = 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		r = store_error(s, "cannot save");
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	unlock(s);
	return r;
}

/* The search index's in-memory hash, flushed to a new segment whenever it
 * holds this much: FTS5's 1 MiB by default, 16 MiB while a bulk load
 * indexes its rows, so that a batch is written as one segment or few
 * rather than a dozen, which FTS5 would merge again and again (a million
 * messages imported 6-8% faster, 4 MB more at the peak). It is set back
 * in the same transaction: no other writer ever holds the bigger hash. */
#define FTS_HASH_DEFAULT "1048576"
#define FTS_HASH_BULK "16777216"

/* Bulk loading: inside one write transaction the insert trigger is set
 * aside and the new rows are indexed in one statement before the trigger
 * comes back. Both happen inside the transaction, so no other connection
 * ever sees the schema without the trigger; FTS5 indexes one big insert far
 * faster than a row at a time. */
int store_bulk_begin(struct store *s, store_int *first_rid)
{
	if (s->kind == STORE_POSTGRES) /* the GIN index keeps up by itself */
		return *first_rid = 0, 0;
	store_stmt *st = store_prepare(s, "SELECT coalesce(max(rid), 0) FROM messages");
	if (!st)
		return -1;
	*first_rid = store_step(st) == STORE_ROW ? store_col_int64(st, 0) + 1 : 1;
	store_finalize(st);
	return store_exec(s, "DROP TRIGGER messages_ai;"
			     " INSERT INTO messages_fts(messages_fts, rank) VALUES ('hashsize', " FTS_HASH_BULK ")");
}

int store_bulk_end(struct store *s, store_int first_rid)
{
	if (s->kind == STORE_POSTGRES)
		return 0;
	store_stmt *st = store_prepare(s,
		"INSERT INTO messages_fts(rowid, text) SELECT rid, text FROM messages WHERE rid >= ?1");
	if (!st)
		return -1;
	store_bind_int64(st, 1, first_rid);
	int rc = store_step(st);
	if (rc != STORE_DONE)
		store_error(s, "indexing the new messages");
	store_finalize(st);
	if (rc != STORE_DONE)
		return -1;
	return store_exec(s, "INSERT INTO messages_fts(messages_fts, rank) VALUES ('hashsize', " FTS_HASH_DEFAULT ");"
			     STORE_INSERT_TRIGGER);
}

/* In the update trigger, SQLite would hold the row's record (a copy of the
 * text) and a copy of the value made to end it with a NUL while FTS5 builds
 * the text's index in memory, which for prose is larger than the text; a
 * statement of its own for each, with the text bound where it lies, keeps
 * the peak to the text and the larger of the two. Meanwhile a small page
 * cache sends the text's pages to the WAL as they fill (uncommitted until
 * the commit) instead of holding them all. */
#define TEXT_CACHE_KIB 128

static int fts_row(struct store *s, const char *sql, const char *msg_id, const char *text, size_t len)
{
	store_stmt *st = store_prepare(s, sql);
	if (st) {
		store_bind_text(st, 1, msg_id, -1);
		/* bound up to its NUL, SQLite hands FTS5 the text itself; with a
		 * length it would copy it to add one */
		if (text)
			store_bind_text(st, 2, text, text[len] || memchr(text, 0, len) ? (int)len : -1);
	}
	return store_run(s, st, "indexing the reply");
}

int store_text_begin(struct store *s, const char *msg_id)
{
	s->text_cache = 0;
	if (s->kind == STORE_POSTGRES) /* the words are a column of the row */
		return 0;
	if (fts_row(s, "INSERT INTO messages_fts(messages_fts, rowid, text)"
		       " SELECT 'delete', rid, text FROM messages WHERE id = ?1", msg_id, NULL, 0) < 0)
		return -1;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "PRAGMA cache_size", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			s->text_cache = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	char pragma[48];
	snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d", TEXT_CACHE_KIB);
	if (s->text_cache && store_exec(s, pragma) < 0)
		return -1;
	/* the connection's statements are prepared again, without triggers */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
	return 0;
}

int store_text_end(struct store *s, const char *msg_id, const char *text, size_t len, int written)
{
	if (s->kind == STORE_POSTGRES)
		return 0;
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, (int *)NULL);
	int rc = written ? fts_row(s, "INSERT INTO messages_fts(rowid, text) SELECT rid, ?2 FROM messages WHERE id = ?1",
				   msg_id, text ? text : "", text ? len : 0)
			 : 0;
	char pragma[48];
	snprintf(pragma, sizeof pragma, "PRAGMA cache_size = %d", s->text_cache);
	if (s->text_cache && store_exec(s, pragma) < 0)
		rc = -1;
	return rc;
}

void store_rollback(struct store *s)
{
	if (s->kind == STORE_POSTGRES) {
		store_pg_rollback(s);
		return;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	unlock(s);
}

/* The schema version and, from the same snapshot, whether a version-0 file
 * holds someone else's tables (read apart, another process's migration
 * could commit in between and make our own fresh file look foreign). */
static int schema_state(struct store *s, int *v, int *foreign)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT user_version, (SELECT count(*) FROM sqlite_master) FROM pragma_user_version",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	*foreign = rc == SQLITE_ROW && *v == 0 && sqlite3_column_int(st, 1) > 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int is_wal(struct store *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return 0;
	int wal = sqlite3_step(st) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	return wal;
}


/* After the schema's text is edited: its cookie one on, as a change made
 * through SQL would have it, so connections that have read the old text
 * read it again. */
static int bump_schema_cookie(struct store *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA schema_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	long long cookie = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	if (cookie < 0)
		return -1;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA schema_version = %lld", cookie + 1);
	return store_exec(s, sql);
}

/* Bring the schema up to date inside one locked write transaction, so
 * twenty processes creating the file at once still make one schema. */
static int migrate(struct store *s)
{
	int v, foreign;
	if (schema_state(s, &v, &foreign) < 0)
		return -1;
	if (v == STORE_SCHEMA_VERSION)
		return 0;
	if (store_begin(s) < 0)
		return -1;
	if (schema_state(s, &v, &foreign) < 0)
		goto fail;
	if (foreign) {
		error("history %s: not a chat history database (it holds other tables)", s->path);
		store_rollback(s);
		return -2;
	}
	/* a library built to start connections defensive refuses the text's
	 * edit: this connection, migrating under the lock, may make it, and is
	 * defensive again afterwards */
	int defensive = 0;
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
	if (defensive && v < SCHEMA_TEXT_EDITED)
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *)NULL);
	int rc = 0;
	for (; rc == 0 && v < STORE_SCHEMA_VERSION; v++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, migrations[v]) < 0 || (v + 1 == SCHEMA_TEXT_EDITED && bump_schema_cookie(s) < 0) ||
		    store_exec(s, pragma) < 0)
			rc = -1;
	}
	if (defensive)
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	if (rc == 0)
		return store_commit(s);
fail:
	store_rollback(s);
	return -1;
}

int store_open(struct store *s, const char *path, enum store_open_mode mode)
{
	memset(s, 0, sizeof *s);
	if (store_pg_is_conninfo(path)) {
		s->kind = STORE_POSTGRES;
		s->lockfd = -1;
		if (path_lock_timeout_ms(&s->lock_timeout_ms) < 0)
			return EXIT_CONFIG;
		return store_pg_open(s, path, mode);
	}
	memset(s, 0, sizeof *s);
	s->lockfd = -1;
	if (path_lock_timeout_ms(&s->lock_timeout_ms) < 0)
		return EXIT_CONFIG;
	/* the lock belongs to the database itself: two paths to one file (a
	 * symlinked CHAT_DB) must share it */
	char real[PATH_MAX];
	if (realpath(path, real))
		path = real;
	snprintf(s->path, sizeof s->path, "%s", path);
	struct stat st;
	int exists = stat(path, &st) == 0;
	if (!exists && mode == STORE_READ)
		return 1;
	if (exists && !S_ISREG(st.st_mode))
		return error("history %s: not a regular file", path), EXIT_DATAERR;
	if (!exists && mkdirs_for(path, 0700) < 0)
		return error("history %s: cannot create its folder: %s", path, strerror(errno)), EXIT_CANTCREAT;
	if (path_on_network_fs(path))
		return error("history %s: on a network filesystem, where SQLite's WAL is unsafe; use --db or CHAT_DB for a local path", path), EXIT_CANTCREAT;
	if (!exists) {
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return error("history %s: cannot create: %s", path, strerror(errno)), EXIT_CANTCREAT;
		close(fd);
	}
	char lockpath[4200];
	snprintf(lockpath, sizeof lockpath, "%s.lock", path);
	/* never through a symlink someone planted where the lock file goes */
	s->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	int readonly = 0;
	if (s->lockfd < 0 && errno == ELOOP)
		return error("history %s: its lock file %s is a symbolic link: refusing to follow it", path, lockpath),
		       EXIT_CANTCREAT;
	if (s->lockfd < 0 && mode == STORE_READ && (errno == EACCES || errno == EROFS || errno == EPERM)) {
		readonly = 1; /* a history one may only read: reading needs no lock */
	} else if (s->lockfd < 0) {
		return error("history %s: cannot open its lock file: %s", path, strerror(errno)), EXIT_CANTCREAT;
	}
	if (sqlite3_open_v2(path, &s->db, (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		store_error(s, "cannot open");
		store_close(s);
		return EXIT_CANTCREAT;
	}
	/* SQLite's own wait for a reader or a checkpoint, within the same deadline */
	sqlite3_busy_timeout(s->db, (int)s->lock_timeout_ms);
	sqlite3_extended_result_codes(s->db, 0);
	int v, foreign;
	if (schema_state(s, &v, &foreign) < 0) {
		int code = sqlite3_errcode(s->db);
		store_error(s, "cannot read");
		store_close(s);
		return code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? EXIT_DATAERR : EXIT_CANTCREAT;
	}
	if (v > STORE_SCHEMA_VERSION) {
		error("history %s: written by a newer version of chat (schema %d, this one knows %d)", path, v,
		      STORE_SCHEMA_VERSION);
		store_close(s);
		return EXIT_DATAERR;
	}
	if (foreign) {
		/* checked before anything is written: another program's file stays as it was */
		error("history %s: not a chat history database (it holds other tables)", path);
		store_close(s);
		return EXIT_DATAERR;
	}
	if (readonly) /* nothing to set up or migrate in a file we may only read */
		return store_exec(s, "PRAGMA mmap_size=0") < 0 ? (store_close(s), EXIT_CANTCREAT) : 0;
	/* journal_mode=WAL is a property of the file: set it (once) under the lock */
	if (store_exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			  "PRAGMA journal_size_limit=67108864; PRAGMA mmap_size=0") < 0 ||
	    (!is_wal(s) && (lock(s) < 0 || store_exec(s, "PRAGMA journal_mode=WAL") < 0))) {
		unlock(s);
		store_close(s);
		return EXIT_CANTCREAT;
	}
	unlock(s);
	if (mode == STORE_CREATE || v != STORE_SCHEMA_VERSION) {
		int r = migrate(s);
		if (r < 0) {
			store_close(s);
			return r == -2 ? EXIT_DATAERR : EXIT_CANTCREAT;
		}
	}
	return 0;
}

/* A short WAL is left for the next writer to append to: a checkpoint at
 * close deletes it, and the next commit must then make a new one, whose
 * header SQLite syncs apart, with the directory, before the commit's own
 * sync. That commit is the one a reply waits for (histlog_write_wait), so
 * the WAL is folded in at the close that finds it past STORE_WAL_KEEP,
 * after that run's reply, well before SQLite's own checkpoint at 1,000
 * pages would put one on a commit. */
#define STORE_WAL_KEEP (1L << 20)
static int wal_worth_keeping(const struct store *s)
{
	char wal[sizeof s->path + 8];
	struct stat st;
	snprintf(wal, sizeof wal, "%s-wal", s->path);
	return stat(wal, &st) == 0 && st.st_size > 0 && st.st_size < STORE_WAL_KEEP;
}

void store_close(struct store *s)
{
	if (s->kind == STORE_POSTGRES) {
		store_pg_close(s);
		return;
	}
	if (s->db) {
		/* closing the last connection checkpoints: keep that serialised too,
		 * or, when the lock is not free this moment, leave the checkpoint to
		 * a later close (commits checkpoint under the lock as well), so
		 * closing never waits in a crowd */
		int got = 0;
		if (s->lockfd >= 0 && !s->locked)
			got = flock(s->lockfd, LOCK_EX | LOCK_NB) == 0;
		else if (s->locked)
			got = 1;
		if (!got || wal_worth_keeping(s))
			sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		sqlite3_close_v2(s->db);
		s->db = NULL;
		if (got && !s->locked)
			flock(s->lockfd, LOCK_UN);
	}
	if (s->lockfd >= 0)
		close(s->lockfd);
	s->lockfd = -1;
}

void store_new_id(char out[STORE_ID_LEN + 1])
{
	unsigned char r[STORE_ID_LEN / 2];
	randbytes(r, sizeof r, 0);
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static int one_id(struct store *s, const char *sql, const char *arg, char out[STORE_ID_LEN + 1])
{
	store_stmt *st = store_prepare(s, sql);
	if (!st)
		return -1;
	if (arg)
		store_bind_text_copy(st, 1, arg, -1);
	int found = 0, rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (found++)
			break;
		snprintf(out, STORE_ID_LEN + 1, "%s", store_col_text(st, 0));
	}
	if (rc != STORE_ROW && rc != STORE_DONE)
		store_error(s, "query");
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return -1;
	return found == 0 ? 1 : found == 1 ? 0 : 2;
}

int store_find_ref(struct store *s, const struct store_ref *what, const char *ref, char out[STORE_ID_LEN + 1])
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE %s = ?1 LIMIT 2", what->table, what->key);
	int r = one_id(s, sql, ref, out);
	if (r == 2) {
		error("%s '%s' is ambiguous", what->noun, ref);
		return -2;
	}
	if (r != 1)
		return r;
	snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id = ?1", what->table);
	r = one_id(s, sql, ref, out);
	if (r != 1 || strlen(ref) < 4 || strspn(ref, "0123456789abcdef") != strlen(ref))
		return r;
	char pattern[64];
	snprintf(pattern, sizeof pattern, "%.*s*", STORE_ID_LEN, ref);
	if (store_dialect(s) == STORE_POSTGRES) /* ids are hex: nothing in them is special to LIKE */
		pattern[strlen(pattern) - 1] = '%';
	snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id %s ?1 LIMIT 2", what->table,
		 store_dialect(s) == STORE_POSTGRES ? "LIKE" : "GLOB");
	r = one_id(s, sql, pattern, out);
	if (r == 2) {
		error("%s '%s' is ambiguous: give more of its id", what->noun, ref);
		return -2;
	}
	return r;
}

int store_conv_find(struct store *s, const char *ref, char out[STORE_ID_LEN + 1])
{
	static const struct store_ref conversation = { "conversations", "name", "conversation" };
	return store_find_ref(s, &conversation, ref, out);
}

int store_conv_latest(struct store *s, char out[STORE_ID_LEN + 1])
{
	int r = one_id(s, "SELECT id FROM conversations ORDER BY updated DESC, rowid DESC LIMIT 1", NULL, out);
	return r == 2 ? 0 : r;
}
