/* store_pg: the history in PostgreSQL, through libpq. The store's
 * functions pass here when the history is a connection string (store_open
 * decides by store_pg_is_conninfo). Writers are serialised by one
 * transaction-scoped advisory lock, so any number of processes on any
 * number of machines take turns without a file lock. */
#ifndef CHAT_STORE_PG_H
#define CHAT_STORE_PG_H
#include "history/store.h"

/* 1 when where is a PostgreSQL connection string: a postgresql:// or
 * postgres:// URI, or libpq's keyword=value form. */
int store_pg_is_conninfo(const char *where);
/* where without its password (for messages and stats): 0, or -1 when it
 * cannot be parsed (said nothing). The password is registered as a secret. */
int store_pg_display(const char *where, char *out, size_t cap);
/* store_open's work for a connection string: the same return values. */
int store_pg_open(struct store *s, const char *conninfo, enum store_open_mode mode);
void store_pg_close(struct store *s);
int store_pg_exec(struct store *s, const char *sql);
int store_pg_begin(struct store *s);
int store_pg_commit(struct store *s);
void store_pg_rollback(struct store *s);
int store_pg_hold(struct store *s);
void store_pg_release(struct store *s);
int store_pg_mutex_take(struct store *s, const char *name);
void store_pg_mutex_release(struct store *s, int handle);

/* statements (store_stmt.c passes here) */
store_stmt *store_pg_prepare(struct store *s, const char *sql);
int store_pg_bind(store_stmt *st, int i, int type, const void *p, int len);
int store_pg_step(store_stmt *st);
int store_pg_reset(store_stmt *st);
int store_pg_clear_bindings(store_stmt *st);
void store_pg_finalize(store_stmt *st);
int store_pg_col_count(store_stmt *st);
int store_pg_col_type(store_stmt *st, int i);
const char *store_pg_col_text(store_stmt *st, int i);
const void *store_pg_col_blob(store_stmt *st, int i);
int store_pg_col_bytes(store_stmt *st, int i);
const char *store_pg_errmsg(struct store *s);
int store_pg_errcode(struct store *s);
int store_pg_changes(struct store *s);
store_int store_pg_last_rowid(struct store *s);
int store_pg_has_table(struct store *s, const char *table);
store_stmt *store_pg_gather(struct store *s, const char *table, const char *const *cols, int n);
int store_pg_gather_flush(store_stmt *st, const char *sql, long *changes);
int store_pg_sync(struct store *s);
/* ?N placeholders and the SQLite spellings store_pg knows, in PostgreSQL's:
 * a new string to free, or NULL when out of memory. */
char *store_pg_translate(const char *sql);
#endif
