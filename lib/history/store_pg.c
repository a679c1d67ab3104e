/* store_pg: the PostgreSQL backend's connection: the schema and its
 * migrations, opening and closing, transactions and the write lock, named
 * locks, and errors kept as one line (statements: store_pg_stmt.c; an
 * import's batches: store_pg_bulk.c). */
#include "history/store_pg.h"
#include "history/store_impl.h"
#include "history/store_pg_int.h"
#include "diag.h"
#include "errcode.h"
#include "paths.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schema, version by version. PostgreSQL histories begin at version 5
 * (the SQLite file's columns as of then, in one step); each later version
 * is one more entry, applied under the write lock like SQLite's. */
struct pg_migration {
	int from, to;
	const char *sql;
};
static const struct pg_migration migrations[] = {
	{ 0, 5,
	  /* SQLite's total(): a sum that is 0.0 over no rows, of numbers or
	   * of conditions */
	  "CREATE FUNCTION chat_total_cond(double precision, boolean) RETURNS double precision"
	  "  LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 + CASE WHEN $2 THEN 1 ELSE 0 END';"
	  "CREATE AGGREGATE total(boolean) (sfunc = chat_total_cond, stype = double precision, initcond = '0');"
	  "CREATE AGGREGATE total(double precision) (sfunc = float8pl, stype = double precision, initcond = '0');"
	  "CREATE TABLE conversations ("
	  "  id TEXT PRIMARY KEY,"
	  "  name TEXT UNIQUE,"
	  "  title TEXT,"
	  "  system TEXT,"
	  "  created TEXT NOT NULL,"
	  "  updated TEXT NOT NULL,"
	  "  rowid BIGSERIAL);"
	  "CREATE INDEX conversations_updated ON conversations(updated, rowid);"
	  "CREATE TABLE messages ("
	  "  rid BIGSERIAL PRIMARY KEY,"
	  "  id TEXT NOT NULL UNIQUE,"
	  "  conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
	  "  seq BIGINT NOT NULL,"
	  "  role TEXT NOT NULL CHECK (role IN ('user','assistant')),"
	  "  text TEXT NOT NULL,"
	  "  provider TEXT,"
	  "  model TEXT,"
	  "  status TEXT NOT NULL CHECK (status IN ('complete','interrupted','error')),"
	  "  finish TEXT,"
	  "  input_tokens BIGINT, output_tokens BIGINT, cached_tokens BIGINT, reasoning_tokens BIGINT,"
	  "  cost_usd DOUBLE PRECISION,"
	  "  ttft_ms BIGINT,"
	  "  ms BIGINT,"
	  "  request_id TEXT,"
	  "  created TEXT NOT NULL,"
	  "  batch_job TEXT,"
	  "  asked_model TEXT,"
	  "  tool_calls TEXT,"
	  "  UNIQUE (conversation, seq));"
	  "CREATE INDEX messages_created ON messages(created);"
	  "CREATE INDEX messages_request ON messages(request_id) WHERE request_id IS NOT NULL;"
	  /* full-text search: words as they are written ('simple': no stemming,
	   * no stop words), as SQLite's unicode61 tokenizer finds them */
	  "CREATE INDEX messages_fts ON messages USING gin (to_tsvector('simple', text));"
	  "CREATE TABLE media ("
	  "  sha256 TEXT PRIMARY KEY,"
	  "  mime TEXT NOT NULL,"
	  "  bytes BIGINT NOT NULL,"
	  "  data BYTEA NOT NULL);"
	  "CREATE TABLE message_media ("
	  "  message BIGINT NOT NULL REFERENCES messages(rid) ON DELETE CASCADE,"
	  "  ord BIGINT NOT NULL,"
	  "  sha256 TEXT NOT NULL REFERENCES media(sha256),"
	  "  PRIMARY KEY (message, ord));"
	  "CREATE TABLE batch_jobs ("
	  "  id TEXT PRIMARY KEY,"
	  "  provider TEXT NOT NULL,"
	  "  model TEXT,"
	  "  remote_id TEXT,"
	  "  input_file TEXT,"
	  "  status TEXT NOT NULL,"
	  "  error TEXT,"
	  "  total BIGINT NOT NULL DEFAULT 0,"
	  "  done BIGINT NOT NULL DEFAULT 0,"
	  "  failed BIGINT NOT NULL DEFAULT 0,"
	  "  fingerprint TEXT,"
	  "  log BIGINT NOT NULL DEFAULT 1,"
	  "  collected BIGINT NOT NULL DEFAULT 0,"
	  "  created TEXT NOT NULL,"
	  "  updated TEXT NOT NULL,"
	  "  ended TEXT,"
	  "  rowid BIGSERIAL);"
	  "CREATE INDEX batch_jobs_fingerprint ON batch_jobs(fingerprint);"
	  "CREATE INDEX batch_jobs_remote ON batch_jobs(remote_id);"
	  "CREATE TABLE batch_items ("
	  "  job TEXT NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,"
	  "  seq BIGINT NOT NULL,"
	  "  custom_id TEXT NOT NULL,"
	  "  request_id TEXT,"
	  "  id_json TEXT,"
	  "  record TEXT,"
	  "  state TEXT NOT NULL CHECK (state IN ('pending','done','failed')),"
	  "  error TEXT,"
	  "  conversation TEXT,"
	  "  message TEXT,"
	  "  PRIMARY KEY (job, seq));"
	  "CREATE INDEX batch_items_request ON batch_items(request_id) WHERE request_id IS NOT NULL;" },
	/* the words of each message kept beside it, so that ranking the hits
	 * of a search reads them instead of parsing every hit's text again
	 * (a word in 1,000 of 1,000,000 messages: 25 ms of the query's 30) */
	{ 5, 6,
	  "ALTER TABLE messages ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;"
	  "DROP INDEX messages_fts;"
	  "CREATE INDEX messages_tsv ON messages USING gin (tsv);" },
};
#define PG_SCHEMA_VERSION 6


int store_pg_is_conninfo(const char *where)
{
	return path_is_conninfo(where);
}

/* libpq, loaded by the first function that needs it */
const struct pq_lib *P;

int store_pg_display(const char *where, char *out, size_t cap)
{
	return pq_display(where, out, cap);
}

/* The message's first line, kept as the store's last error. */
void keep_error(struct store *s, const char *msg, const char *sqlstate)
{
	pq_message_line(msg, s->pg_err, sizeof s->pg_err);
	s->pg_errclass = STORE_ERROR;
	if (sqlstate && !strncmp(sqlstate, "23", 2))
		s->pg_errclass = STORE_CONSTRAINT;
	else if (sqlstate && (!strcmp(sqlstate, "55P03") || !strcmp(sqlstate, "40P01") || !strcmp(sqlstate, "40001")))
		s->pg_errclass = STORE_BUSY;
	if (s->pg && P->status(s->pg) == CONNECTION_BAD) {
		char lost[600];
		snprintf(lost, sizeof lost, "lost the connection: %s", s->pg_err);
		snprintf(s->pg_err, sizeof s->pg_err, "%s", lost);
	}
}

/* A result's error kept; 1 when res succeeded, else 0. res is kept. */
int result_ok(struct store *s, PGresult *res)
{
	ExecStatusType t = res ? P->resultStatus(res) : PGRES_FATAL_ERROR;
	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK)
		return 1;
	keep_error(s, res ? P->resultErrorMessage(res) : P->errorMessage(s->pg),
		   res ? P->resultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
	/* the server is gone: what this exchange would write waits in the spool */
	if (P->status(s->pg) == CONNECTION_BAD)
		s->busy = 1;
	if (P->transactionStatus(s->pg) == PQTRANS_INERROR)
		s->pg_tx_failed = 1;
	return 0;
}

int exec_quiet(struct store *s, const char *sql)
{
	PGresult *res = P->exec(s->pg, sql);
	int ok = result_ok(s, res);
	P->clear(res);
	return ok ? 0 : -1;
}

int store_pg_exec(struct store *s, const char *sql)
{
	/* SQLite's tuning pragmas mean nothing here */
	if (!strncmp(sql, "PRAGMA", 6))
		return 0;
	if (pg_settle(s) < 0)
		return -1;
	if (exec_quiet(s, sql) < 0)
		return error("history %s: %s", s->path, s->pg_err);
	return 0;
}

int store_pg_begin(struct store *s)
{
	if (s->pg_bulk) /* begun when the main connection is needed */
		return pg_bulk_begin(s);
	return pg_begin_now(s);
}

int pg_begin_now(struct store *s)
{
	/* a long-lived process (chat, chat-batch) whose server went away and
	 * came back: one new connection before giving up */
	if (P->status(s->pg) == CONNECTION_BAD)
		P->reset(s->pg);
	s->pg_tx_failed = 0;
	if (exec_quiet(s, "BEGIN") == 0 && exec_quiet(s, "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")") == 0)
		return 0;
	if (s->pg_errclass == STORE_BUSY)
		error("history %s: busy: another process held it for %ld s", s->path, s->lock_timeout_ms / 1000);
	else
		error("history %s: cannot start a write: %s", s->path, s->pg_err);
	if (P->status(s->pg) == CONNECTION_OK)
		exec_quiet(s, "ROLLBACK");
	return -1;
}

int store_pg_commit(struct store *s)
{
	if (s->pg_bulk)
		return pg_bulk_commit(s);
	return pg_commit_now(s);
}

int pg_commit_now(struct store *s)
{
	PGresult *res = P->exec(s->pg, "COMMIT");
	int ok = result_ok(s, res);
	/* a transaction a statement failed in ends in ROLLBACK, not an error */
	if (ok && (s->pg_tx_failed || strcmp(P->cmdStatus(res), "COMMIT"))) {
		ok = 0;
		snprintf(s->pg_err, sizeof s->pg_err, "a statement failed inside the transaction");
	}
	P->clear(res);
	s->pg_tx_failed = 0;
	if (!ok)
		return error("history %s: cannot save: %s", s->path, s->pg_err);
	return 0;
}

void store_pg_rollback(struct store *s)
{
	if (s->pg_bulk && !pg_bulk_rollback(s))
		return; /* the main connection was not in a transaction */
	if (P->status(s->pg) == CONNECTION_OK)
		exec_quiet(s, "ROLLBACK");
	s->pg_tx_failed = 0;
}

int store_pg_hold(struct store *s)
{
	if (pg_settle(s) < 0)
		return -1;
	if (s->pg_held) {
		s->pg_held++;
		return 0;
	}
	if (exec_quiet(s, "SELECT pg_advisory_lock(" PG_WRITE_LOCK ")") < 0)
		return -1;
	s->pg_held = 1;
	return 0;
}

void store_pg_release(struct store *s)
{
	pg_settle(s);
	if (s->pg_held && --s->pg_held == 0)
		exec_quiet(s, "SELECT pg_advisory_unlock(" PG_WRITE_LOCK ")");
}

/* The named lock: the write lock's key with a hash of the name (FNV-1a),
 * waited for without the lock timeout, since another holder may be busy
 * for long (a batch's results downloading). */
int store_pg_mutex_take(struct store *s, const char *name)
{
	int key = pq_lock_key(name);
	char sql[256];
	snprintf(sql, sizeof sql, "SET lock_timeout = 0; SELECT pg_advisory_lock(%s, %d); SET lock_timeout = %ld",
		 PG_WRITE_LOCK, key, s->lock_timeout_ms);
	if (pg_settle(s) < 0 || exec_quiet(s, sql) < 0)
		return error("history %s: cannot take the %s lock: %s", s->path, name, s->pg_err);
	return key;
}

void store_pg_mutex_release(struct store *s, int handle)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%s, %d)", PG_WRITE_LOCK, handle);
	if (handle >= 0 && s->pg)
		exec_quiet(s, sql);
}

/* 1 when the statement returns a row */
static int has_row(struct store *s, const char *sql)
{
	PGresult *res = P->exec(s->pg, sql);
	int r = result_ok(s, res) ? P->ntuples(res) > 0 : -1;
	P->clear(res);
	return r;
}

/* The version is the table chat_schema's row and, since version 6, its
 * comment too: the comment can be read in the same round trip as the
 * session's settings, whether the table exists or not. */
#define PG_VERSION_MARK "chat history, schema "
/* pg_class read with the statement's snapshot, not looked up through the
 * session's catalog cache: a process that began its transaction before
 * another's migration committed, then waited for the lock, must see it */
#define PG_VERSION_QUERY \
	"SELECT count(*) > 0, max(obj_description(c.oid, 'pg_class')) FROM pg_class c" \
	" WHERE c.relname = 'chat_schema' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"

/* The version from res, a row of PG_VERSION_QUERY (taken); -1 on error. */
static int schema_version_of(struct store *s, PGresult *res)
{
	if (!result_ok(s, res) || P->ntuples(res) != 1) {
		P->clear(res);
		return -1;
	}
	int has = !strcmp(P->getvalue(res, 0, 0), "t");
	const char *mark = P->getisnull(res, 0, 1) ? "" : P->getvalue(res, 0, 1);
	int v = !has ? 0 : !strncmp(mark, PG_VERSION_MARK, strlen(PG_VERSION_MARK)) ? atoi(mark + strlen(PG_VERSION_MARK)) : -2;
	P->clear(res);
	if (v != -2)
		return v;
	/* a history from before the comment */
	res = P->exec(s->pg, "SELECT max(version) FROM chat_schema");
	v = result_ok(s, res) && P->ntuples(res) == 1 ? atoi(P->getvalue(res, 0, 0)) : -1;
	P->clear(res);
	return v;
}

static int schema_version(struct store *s)
{
	return schema_version_of(s, P->exec(s->pg, PG_VERSION_QUERY));
}

static int migrate(struct store *s)
{
	if (store_pg_begin(s) < 0)
		return -1;
	int v = schema_version(s);
	if (v == 0 && has_row(s, "SELECT 1 FROM pg_tables WHERE tablename IN ('conversations', 'messages')"
				 " AND schemaname = current_schema()") != 0) {
		error("history %s: not a chat history database (it holds other tables)", s->path);
		store_pg_rollback(s);
		return -2;
	}
	if (v == 0 && exec_quiet(s, "CREATE TABLE chat_schema (version INTEGER NOT NULL)") < 0)
		goto fail;
	for (size_t i = 0; v >= 0 && i < sizeof migrations / sizeof *migrations; i++) {
		if (migrations[i].from != v)
			continue;
		char mark[192];
		snprintf(mark, sizeof mark,
			 "DELETE FROM chat_schema; INSERT INTO chat_schema VALUES (%d);"
			 " COMMENT ON TABLE chat_schema IS '" PG_VERSION_MARK "%d'",
			 migrations[i].to, migrations[i].to);
		if (exec_quiet(s, migrations[i].sql) < 0 || exec_quiet(s, mark) < 0)
			goto fail;
		v = migrations[i].to;
	}
	if (v < 0)
		goto fail;
	return store_pg_commit(s);
fail:
	error("history %s: cannot set up the schema: %s", s->path, s->pg_err);
	store_pg_rollback(s);
	return -1;
}

/* the server's notices ("relation already exists, skipping") are not ours to show */
void quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int store_pg_open(struct store *s, const char *conninfo, enum store_open_mode mode)
{
	s->kind = STORE_POSTGRES;
	char missing[300];
	if (!P && !(P = pq_lib(missing, sizeof missing)))
		return error("history: PostgreSQL: %s", missing), EXIT_CANTCREAT;
	if (store_pg_display(conninfo, s->path, sizeof s->path) < 0)
		return error("history: not a PostgreSQL connection string I can read"), EXIT_CONFIG;
	s->pg = P->connectdb(conninfo);
	if (!s->pg || P->status(s->pg) != CONNECTION_OK) {
		keep_error(s, s->pg ? P->errorMessage(s->pg) : "out of memory", NULL);
		const char *why = s->pg_err;
		if (!strncmp(why, "lost the connection: ", 21)) /* it never was */
			why += 21;
		error("history %s: cannot connect: %s", s->path, why);
		store_pg_close(s);
		return EXIT_CANTCREAT;
	}
	P->setNoticeProcessor(s->pg, quiet_notice, NULL);
	s->pg_conninfo = strdup(conninfo); /* for an import's extra connections */
	char set[256];
	/* the wait for the write lock, as $CHAT_DB_TIMEOUT says for the file;
	 * the settings and the version in one round trip */
	snprintf(set, sizeof set, "SET lock_timeout = %ld; SET client_min_messages = warning; " PG_VERSION_QUERY,
		 s->lock_timeout_ms);
	int v = schema_version_of(s, P->exec(s->pg, set));
	if (v < 0) {
		error("history %s: cannot read: %s", s->path, s->pg_err);
		store_pg_close(s);
		return EXIT_CANTCREAT;
	}
	if (v > PG_SCHEMA_VERSION) {
		error("history %s: written by a newer version of chat (schema %d, this one knows %d)", s->path, v,
		      PG_SCHEMA_VERSION);
		store_pg_close(s);
		return EXIT_DATAERR;
	}
	if (v == 0 && mode == STORE_READ) {
		store_pg_close(s);
		return 1;
	}
	if (v != PG_SCHEMA_VERSION) {
		int r = migrate(s);
		if (r < 0) {
			store_pg_close(s);
			return r == -2 ? EXIT_DATAERR : EXIT_CANTCREAT;
		}
	}
	return 0;
}

void store_pg_close(struct store *s)
{
	pg_bulk_close(s);
	if (s->pg)
		P->finish(s->pg);
	s->pg = NULL;
	if (s->pg_conninfo) {
		explicit_bzero(s->pg_conninfo, strlen(s->pg_conninfo));
		free(s->pg_conninfo);
		s->pg_conninfo = NULL;
	}
}

const char *store_pg_errmsg(struct store *s)
{
	return s->pg ? s->pg_err : "not open";
}

int store_pg_errcode(struct store *s)
{
	return s->pg_errclass;
}

int store_pg_changes(struct store *s)
{
	return s->pg_changes;
}

store_int store_pg_last_rowid(struct store *s)
{
	PGresult *res = P->exec(s->pg, "SELECT lastval()");
	store_int v = result_ok(s, res) && P->ntuples(res) == 1 ? strtoll(P->getvalue(res, 0, 0), NULL, 10) : 0;
	P->clear(res);
	return v;
}
