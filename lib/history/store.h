/* store: the shared SQLite history. One file that any number of processes
 * write at once: WAL, synchronous=FULL, BEGIN IMMEDIATE for every write, and
 * every write transaction and checkpoint serialised across processes with a
 * flock on "<db>.lock" (SQLite before 3.51.3 can corrupt a WAL database when
 * two connections checkpoint and commit at the same moment). */
#ifndef CHAT_STORE_H
#define CHAT_STORE_H
#include <sqlite3.h>
#include <stddef.h>

#define STORE_SCHEMA_VERSION 5
#define STORE_ID_LEN 12        /* hex characters in a conversation or message id */

struct store {
	sqlite3 *db;
	int lockfd;
	int locked;
	long lock_timeout_ms;      /* $CHAT_DB_TIMEOUT: every wait for the history, the lock's and SQLite's */
	int busy;                  /* a wait ran out: the exchange goes to the spool */
	char path[4096];
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

/* A write transaction: the cross-process lock, then BEGIN IMMEDIATE. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Inside a write transaction, before and after inserting many messages:
 * index them in one go instead of one trigger call each. */
int store_bulk_begin(struct store *s, sqlite3_int64 *first_rid);
int store_bulk_end(struct store *s, sqlite3_int64 first_rid);

/* Prepare, or print the SQLite error and return NULL. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql);
/* Step st (from store_prepare, or NULL when that failed) once and
 * finalize it. 0, or -1 after printing "what" failed. */
int store_run(struct store *s, sqlite3_stmt *st, const char *what);
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
