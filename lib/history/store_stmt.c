/* store_stmt: statements, binds and columns, passed to the backend that
 * holds the history. */
#include "history/store_impl.h"
#include "history/store_pg.h"
#include <stdio.h>
#include "diag.h"
#include <stdlib.h>
#include <string.h>

static store_stmt *wrap(struct store *s, sqlite3_stmt *lite)
{
	store_stmt *st = calloc(1, sizeof *st);
	if (!st) {
		sqlite3_finalize(lite);
		return NULL;
	}
	st->s = s;
	st->lite = lite;
	return st;
}

store_stmt *store_prepare_quiet(struct store *s, const char *sql)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_prepare(s, sql);
	sqlite3_stmt *lite = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &lite, NULL) != SQLITE_OK)
		return NULL;
	return wrap(s, lite);
}

store_stmt *store_prepare(struct store *s, const char *sql)
{
	store_stmt *st = store_prepare_quiet(s, sql);
	if (!st)
		store_error(s, "query");
	return st;
}

int store_bind_text(store_stmt *st, int i, const char *text, int len)
{
	if (st->pg)
		return store_pg_bind(st, i, STORE_TEXT, text, len);
	return sqlite3_bind_text(st->lite, i, text, len, SQLITE_STATIC);
}

int store_bind_text_copy(store_stmt *st, int i, const char *text, int len)
{
	if (st->pg)
		return store_pg_bind(st, i, STORE_TEXT, text, len);
	return sqlite3_bind_text(st->lite, i, text, len, SQLITE_TRANSIENT);
}

int store_bind_blob(store_stmt *st, int i, const void *p, int len)
{
	if (st->pg)
		return store_pg_bind(st, i, STORE_BLOB, p, len);
	return sqlite3_bind_blob(st->lite, i, p, len, SQLITE_STATIC);
}

int store_bind_blob_copy(store_stmt *st, int i, const void *p, int len)
{
	if (st->pg)
		return store_pg_bind(st, i, STORE_BLOB, p, len);
	return sqlite3_bind_blob(st->lite, i, p, len, SQLITE_TRANSIENT);
}

int store_bind_int(store_stmt *st, int i, int v)
{
	if (st->pg)
		return store_bind_int64(st, i, v);
	return sqlite3_bind_int(st->lite, i, v);
}

int store_bind_int64(store_stmt *st, int i, store_int v)
{
	if (st->pg) {
		char t[32];
		snprintf(t, sizeof t, "%lld", v);
		return store_pg_bind(st, i, STORE_INTEGER, t, (int)strlen(t));
	}
	return sqlite3_bind_int64(st->lite, i, v);
}

int store_bind_double(store_stmt *st, int i, double v)
{
	if (st->pg) {
		char t[40];
		snprintf(t, sizeof t, "%.17g", v);
		return store_pg_bind(st, i, STORE_FLOAT, t, (int)strlen(t));
	}
	return sqlite3_bind_double(st->lite, i, v);
}

int store_bind_null(store_stmt *st, int i)
{
	if (st->pg)
		return store_pg_bind(st, i, STORE_NULL, NULL, 0);
	return sqlite3_bind_null(st->lite, i);
}

int store_step(store_stmt *st)
{
	if (st->pg)
		return store_pg_step(st);
	return sqlite3_step(st->lite);
}

int store_reset(store_stmt *st)
{
	if (st->pg)
		return store_pg_reset(st);
	return sqlite3_reset(st->lite);
}

int store_clear_bindings(store_stmt *st)
{
	if (st->pg)
		return store_pg_clear_bindings(st);
	return sqlite3_clear_bindings(st->lite);
}

void store_finalize(store_stmt *st)
{
	if (!st)
		return;
	if (st->pg)
		store_pg_finalize(st);
	else
		sqlite3_finalize(st->lite);
	free(st);
}

int store_col_type(store_stmt *st, int i)
{
	if (st->pg)
		return store_pg_col_type(st, i);
	return sqlite3_column_type(st->lite, i);
}

const char *store_col_text(store_stmt *st, int i)
{
	if (st->pg)
		return store_pg_col_text(st, i);
	return (const char *)sqlite3_column_text(st->lite, i);
}

const void *store_col_blob(store_stmt *st, int i)
{
	if (st->pg)
		return store_pg_col_blob(st, i);
	return sqlite3_column_blob(st->lite, i);
}

int store_col_bytes(store_stmt *st, int i)
{
	if (st->pg)
		return store_pg_col_bytes(st, i);
	return sqlite3_column_bytes(st->lite, i);
}

int store_col_int(store_stmt *st, int i)
{
	if (st->pg)
		return (int)store_col_int64(st, i);
	return sqlite3_column_int(st->lite, i);
}

store_int store_col_int64(store_stmt *st, int i)
{
	if (st->pg) {
		const char *t = store_pg_col_text(st, i);
		return !t ? 0 : strpbrk(t, ".eE") ? (store_int)strtod(t, NULL) : strtoll(t, NULL, 10);
	}
	return sqlite3_column_int64(st->lite, i);
}

double store_col_double(store_stmt *st, int i)
{
	if (st->pg) {
		const char *t = store_pg_col_text(st, i);
		return t ? strtod(t, NULL) : 0;
	}
	return sqlite3_column_double(st->lite, i);
}

const char *store_errmsg(struct store *s)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_errmsg(s);
	return s->db ? sqlite3_errmsg(s->db) : "not open";
}

int store_errcode(struct store *s)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_errcode(s);
	return s->db ? sqlite3_errcode(s->db) & 0xff : STORE_ERROR;
}

int store_changes(struct store *s)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_changes(s);
	return sqlite3_changes(s->db);
}

store_int store_last_rowid(struct store *s)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_last_rowid(s);
	return sqlite3_last_insert_rowid(s->db);
}

int store_has_table(struct store *s, const char *table)
{
	if (s->kind == STORE_POSTGRES)
		return store_pg_has_table(s, table);
	return sqlite3_table_column_metadata(s->db, NULL, table, NULL, NULL, NULL, NULL, NULL, NULL) == SQLITE_OK;
}

int store_col_count(store_stmt *st)
{
	if (st->pg)
		return store_pg_col_count(st);
	return sqlite3_column_count(st->lite);
}

store_stmt *store_gather(struct store *s, const char *table, const char *const *cols, int n)
{
	return s->kind == STORE_POSTGRES ? store_pg_gather(s, table, cols, n) : NULL;
}

int store_gather_flush(store_stmt *st, const char *sql, long *changes)
{
	return st && st->pg ? store_pg_gather_flush(st, sql, changes) : 0;
}

int store_sync(struct store *s)
{
	return s->kind == STORE_POSTGRES ? store_pg_sync(s) : 0;
}
