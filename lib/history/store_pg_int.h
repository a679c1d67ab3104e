/* store_pg_int: what the PostgreSQL backend's files share (store_pg.c, the
 * connection; store_pg_stmt.c, statements; store_pg_bulk.c, an import's
 * batches). Not for callers outside them. */
#ifndef CHAT_STORE_PG_INT_H
#define CHAT_STORE_PG_INT_H
#include "buf.h"
#include "history/store_impl.h"
#include "pq_lib.h"

/* the advisory lock every writer takes: "chat" */
#define PG_WRITE_LOCK "1667785076"
#define PG_MAX_PARAMS 32

struct pg_stmt {
	char *sql;
	int nparams;
	char *vals[PG_MAX_PARAMS];
	int lens[PG_MAX_PARAMS], fmts[PG_MAX_PARAMS];
	Oid types[PG_MAX_PARAMS];
	unsigned used;             /* the parameters the SQL names, as bits */
	PGresult *res;
	int row, nrows, ncols;
	unsigned char **blobs;     /* bytea columns of the current row, decoded */
	size_t *blob_lens;
	char *gather_table;        /* a gathering statement's temporary table, */
	char *gather_make;         /* ... the SQL that makes it, */
	char *gather_copy;         /* ... its COPY command */
	struct buf rows;           /* ... and its rows in COPY's text format */
	long nrows_gathered;
};

extern const struct pq_lib *P;
/* Keep msg's first line as the store's last error, classed by sqlstate. */
void keep_error(struct store *s, const char *msg, const char *sqlstate);
/* 1 when res succeeded; else 0 with its error kept. res stays the caller's. */
int result_ok(struct store *s, PGresult *res);
int exec_quiet(struct store *s, const char *sql);
void quiet_notice(void *arg, const char *msg);
/* BEGIN and the write lock on the main connection; COMMIT there. 0, or
 * -1 after saying why. */
int pg_begin_now(struct store *s);
int pg_commit_now(struct store *s);

/* store_pg_bulk.c */
/* Before the main connection is used: every batch on its way finished, and
 * a transaction owed begun. 0, or -1 after saying why. */
int pg_settle(struct store *s);
int pg_bulk_begin(struct store *s);
int pg_bulk_commit(struct store *s);
/* 1 when the main connection is in a transaction to roll back */
int pg_bulk_rollback(struct store *s);
void pg_bulk_close(struct store *s);
/* A step of a gathering statement: the row added to its COPY text. */
int pg_gather_row(struct store *s, struct pg_stmt *p);
#endif
