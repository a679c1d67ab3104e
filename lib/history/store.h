/* store: the shared history, behind one interface whatever holds it.
 *
 * The SQLite backend: one file that any number of processes write at once:
 * WAL, synchronous=FULL, BEGIN IMMEDIATE for every write, and every write
 * transaction and checkpoint serialised across processes with a flock on
 * "<db>.lock" (SQLite before 3.51.3 can corrupt a WAL database when two
 * connections checkpoint and commit at the same moment).
 *
 * Callers see statements (store_stmt) with ?N placeholders, typed binds and
 * columns, and transactions; they never name the engine. SQL that differs
 * between engines asks store_dialect(). */
#ifndef CHAT_STORE_H
#define CHAT_STORE_H
#include <stddef.h>

typedef long long store_int;
typedef struct store_stmt store_stmt;

/* step results and error classes (the values SQLite uses, so its backend
 * passes them through) */
enum {
	STORE_OK = 0,
	STORE_ERROR = 1,
	STORE_BUSY = 5,
	STORE_LOCKED = 6,
	STORE_CORRUPT = 11,
	STORE_CONSTRAINT = 19,
	STORE_NOTADB = 26,
	STORE_ROW = 100,
	STORE_DONE = 101,
};
/* column types */
enum { STORE_INTEGER = 1, STORE_FLOAT = 2, STORE_TEXT = 3, STORE_BLOB = 4, STORE_NULL = 5 };
/* which SQL a statement should be written in */
enum store_dialect { STORE_SQLITE, STORE_POSTGRES };

#define STORE_SCHEMA_VERSION 6
#define STORE_ID_LEN 12        /* hex characters in a conversation or message id */

struct sqlite3;
struct pg_conn;
struct store {
	enum store_dialect kind;
	struct sqlite3 *db;
	struct pg_conn *pg;        /* the PostgreSQL connection, when kind says so */
	struct pg_bulk *pg_bulk;   /* an import's batches on connections of their own */
	char *pg_conninfo;         /* ... which are opened with this */
	int pg_held;               /* store_hold's count on PostgreSQL */
	int pg_tx_failed;          /* a statement failed inside the transaction */
	int pg_errclass;           /* the last error's STORE_ class */
	int pg_changes;
	char pg_err[512];          /* the last error, one line */
	int lockfd;
	int locked;
	long lock_timeout_ms;      /* $CHAT_DB_TIMEOUT: every wait for the history, the lock's and SQLite's */
	int busy;                  /* a wait ran out: the exchange goes to the spool */
	int text_cache;            /* the page cache's size outside store_text_begin/end */
	char path[4096];           /* the file, or the connection string without its password */
};

enum store_open_mode { STORE_READ, STORE_CREATE };

/* Open (and with STORE_CREATE create, with its folder, mode 0600, and
 * migrate). Returns 0; 1 when mode is STORE_READ and there is no database
 * yet; or an exit status after printing why (65 not a history, 73 cannot
 * open or write). */
int store_open(struct store *s, const char *path, enum store_open_mode mode);
void store_close(struct store *s);

/* The cross-process lock alone, held across transactions and what follows
 * them (removing spooled files): wait is the longest wait in ms. 0 or -1. */
int store_hold(struct store *s, long wait);
void store_release(struct store *s);

/* A lock of the caller's own, named, that every process using this history
 * (on any machine, for PostgreSQL) takes in turn, waited for as long as it
 * takes: "<db>.NAME" flocked beside a file, an advisory lock on the server.
 * A handle for store_mutex_release, or -1 after saying why (or when a
 * signal came). */
int store_mutex_take(struct store *s, const char *name);
void store_mutex_release(struct store *s, int handle);

/* A write transaction: the cross-process lock, then BEGIN IMMEDIATE. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Inside a write transaction, before and after inserting many messages:
 * index them in one go instead of one trigger call each. */
int store_bulk_begin(struct store *s, store_int *first_rid);
int store_bulk_end(struct store *s, store_int first_rid);

/* Inside a write transaction, around one UPDATE of a message's text (the
 * message msg_id), prepared and run between the two: in SQLite the row is
 * written with the triggers off and store_text_end indexes text (len
 * bytes, a NUL after them) by a statement of its own when written is set,
 * so a long reply's record and its index are never in memory at once.
 * Each 0, or -1 after printing why; store_text_end always turns the
 * triggers back on. */
int store_text_begin(struct store *s, const char *msg_id);
int store_text_end(struct store *s, const char *msg_id, const char *text, size_t len, int written);

/* Prepare, or print the engine's error and return NULL. */
store_stmt *store_prepare(struct store *s, const char *sql);
/* Prepare without printing: NULL, with the error in store_errmsg. */
store_stmt *store_prepare_quiet(struct store *s, const char *sql);
/* Step st (from store_prepare, or NULL when that failed) once and
 * finalize it. 0, or -1 after printing "what" failed. */
int store_run(struct store *s, store_stmt *st, const char *what);

/* Statements. Text and blobs bound with store_bind_text/blob must stay
 * valid until the statement is stepped, reset or finalized; the _copy
 * variants take a copy. len -1: up to the NUL. Indexes count from 1 for
 * binds, 0 for columns, as in SQL. */
int store_bind_text(store_stmt *st, int i, const char *text, int len);
int store_bind_text_copy(store_stmt *st, int i, const char *text, int len);
int store_bind_blob(store_stmt *st, int i, const void *p, int len);
int store_bind_blob_copy(store_stmt *st, int i, const void *p, int len);
int store_bind_int(store_stmt *st, int i, int v);
int store_bind_int64(store_stmt *st, int i, store_int v);
int store_bind_double(store_stmt *st, int i, double v);
int store_bind_null(store_stmt *st, int i);
/* STORE_ROW, STORE_DONE or an error class (the message in store_errmsg) */
int store_step(store_stmt *st);
int store_reset(store_stmt *st);
int store_clear_bindings(store_stmt *st);
void store_finalize(store_stmt *st);
int store_col_count(store_stmt *st);
int store_col_type(store_stmt *st, int i);
const char *store_col_text(store_stmt *st, int i);
const void *store_col_blob(store_stmt *st, int i);
int store_col_bytes(store_stmt *st, int i);
int store_col_int(store_stmt *st, int i);
store_int store_col_int64(store_stmt *st, int i);
double store_col_double(store_stmt *st, int i);

/* Rows in bulk, where the backend has a faster way than one INSERT each
 * (PostgreSQL: COPY into a temporary table): a statement whose binds are
 * the columns of table named in cols and whose steps only gather the row.
 * store_gather_flush sends what was gathered and queues sql, which reads it
 * from the table "gathered_<table>", then forgets it. The queue goes with
 * the transaction's commit, and neither is waited for: the server runs
 * them while the caller gathers the next rows. The rows sql changed are
 * added to *changes (which must stay valid) and a failure is said once
 * the results are read: by the next call that needs the connection, or
 * store_sync. 0, or -1 after printing why. store_gather returns NULL when
 * the backend has no such way (SQLite): the caller inserts each. */
store_stmt *store_gather(struct store *s, const char *table, const char *const *cols, int n);
int store_gather_flush(store_stmt *st, const char *sql, long *changes);
/* Wait for what was sent without waiting: 0, or -1 after printing why (a
 * commit that failed: its transaction is lost). */
int store_sync(struct store *s);

/* The last error's message and class, rows the last statement changed, the
 * row id the last insert made. */
const char *store_errmsg(struct store *s);
int store_errcode(struct store *s);
int store_changes(struct store *s);
store_int store_last_rowid(struct store *s);
/* 1 when the database holds the table, 0 when not */
int store_has_table(struct store *s, const char *table);
static inline enum store_dialect store_dialect(const struct store *s)
{
	return s->kind;
}
/* Run SQL without results; 0 or -1 after printing the error. */
int store_exec(struct store *s, const char *sql);
/* Print "history PATH: what: sqlite's message" and return -1. */
int store_error(struct store *s, const char *what);

/* A new random id of STORE_ID_LEN hex characters. */
void store_new_id(char out[STORE_ID_LEN + 1]);

/* What a reference may name: a row of table by its key column (a name, a
 * provider's id), its id, or a unique id prefix (4+ hex characters). The
 * noun is what a message calls it ("NOUN 'REF' is ambiguous"). */
struct store_ref {
	const char *table, *key, *noun;
};
/* 0 with the id in out; 1 when none matches; -2 when the reference is
 * ambiguous (said); -1 on a database error. */
int store_find_ref(struct store *s, const struct store_ref *what, const char *ref, char out[STORE_ID_LEN + 1]);
/* Find a conversation by id, unique id prefix (4+ characters) or name.
 * 0 with the id in out; 1 when none matches; -2 when a prefix is ambiguous
 * (said so); -1 on a database error. */
int store_conv_find(struct store *s, const char *ref, char out[STORE_ID_LEN + 1]);
/* The most recently updated conversation; 0, or 1 when there is none. */
int store_conv_latest(struct store *s, char out[STORE_ID_LEN + 1]);
#endif
