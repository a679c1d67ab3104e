/* store_pg_bulk: an import's rows into PostgreSQL. Rows are gathered in
 * the client, sent by COPY into a temporary table, and moved in by one
 * INSERT ... SELECT per table. Each batch is a transaction of its own on
 * one of two connections kept for them (lanes), sent with its COMMIT and
 * not waited for: the server inserts one batch while the client gathers
 * the next, and on a server with more than one core two batches go in at
 * once. Batches take the history's write lock shared, so they exclude the
 * usual writers but not each other: their rows cannot collide (ids are
 * unique, and histio ends a batch only between conversations, or waits
 * for the batches before when a conversation spans them).
 *
 * The main connection serves everything else. Once a gathering statement
 * exists, a transaction begun there is owed until something needs it, and
 * before anything uses it every batch on its way is finished (pg_settle):
 * the order of writes is the order they were asked for. */
#include "history/store_pg_int.h"
#include "history/store_pg.h"
#include "diag.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_LANES 2
#define PG_RESULTS_MAX 64
#define PG_MADE_MAX 8

struct pg_lane {
	PGconn *c;
	struct buf sql;                /* statements to send with the COMMIT */
	long *counts[PG_RESULTS_MAX];  /* per result: where its row count is added, or NULL */
	int n;                         /* results the statements bring */
	int open;                      /* its transaction begun */
	int sent;                      /* sent: results not read yet */
	char *made[PG_MADE_MAX];       /* temporary tables made on this connection */
	int nmade;
};

struct pg_bulk {
	struct pg_lane lane[PG_LANES];
	int cur;                       /* the lane the next batch goes to */
	int main_owed;                 /* a transaction begun, not yet on the main connection */
	int main_open;                 /* ... and once there */
};

/* ---- gathering ---- */

int pg_gather_row(struct store *s, struct pg_stmt *p)
{
	for (int i = 0; i < p->nparams; i++) {
		if (i && buf_addc(&p->rows, '\t'))
			goto full;
		if (!p->vals[i]) {
			if (buf_adds(&p->rows, "\\N"))
				goto full;
			continue;
		}
		/* COPY's text format: runs without a special byte go in whole */
		const char *c = p->vals[i], *end = c + p->lens[i];
		while (c < end) {
			const char *run = c;
			while (c < end && *c != '\\' && *c != '\t' && *c != '\n' && *c != '\r')
				c++;
			if (c > run && buf_add(&p->rows, run, (size_t)(c - run)))
				goto full;
			if (c == end)
				break;
			const char *esc = *c == '\\' ? "\\\\" : *c == '\t' ? "\\t" : *c == '\n' ? "\\n" : "\\r";
			if (buf_adds(&p->rows, esc))
				goto full;
			c++;
		}
	}
	if (buf_addc(&p->rows, '\n'))
		goto full;
	p->nrows_gathered++;
	return STORE_DONE;
full:
	snprintf(s->pg_err, sizeof s->pg_err, "out of memory gathering rows");
	s->pg_errclass = STORE_ERROR;
	return STORE_ERROR;
}

store_stmt *store_pg_gather(struct store *s, const char *table, const char *const *cols, int n)
{
	if (!s->pg_bulk) {
		if (!(s->pg_bulk = calloc(1, sizeof *s->pg_bulk))) {
			error("history %s: out of memory", s->path);
			return NULL;
		}
		/* a transaction the main connection is in: its lock is let go
		 * before a batch is sent */
		s->pg_bulk->main_open = P->transactionStatus(s->pg) == PQTRANS_INTRANS;
	}
	struct buf list = BUF_INIT(1 << 16), sql = BUF_INIT(1 << 16);
	for (int i = 0; i < n; i++)
		buf_addf(&list, "%s%s", i ? ", " : "", cols[i]);
	for (int i = 0; i < n; i++)
		buf_addf(&sql, "%s?%d", i ? ", " : "", i + 1);
	store_stmt *st = store_pg_prepare(s, buf_str(&sql));
	if (st) {
		struct pg_stmt *p = st->pg;
		buf_reset(&sql);
		buf_addf(&sql, "gathered_%s", table);
		p->gather_table = buf_detach(&sql, NULL);
		/* the table's own column types, so COPY reads each value as it will be kept */
		buf_addf(&sql, "CREATE TEMP TABLE IF NOT EXISTS gathered_%s AS SELECT %s FROM %s WITH NO DATA", table,
			 buf_str(&list), table);
		p->gather_make = buf_detach(&sql, NULL);
		buf_addf(&sql, "COPY gathered_%s (%s) FROM STDIN", table, buf_str(&list));
		p->gather_copy = buf_detach(&sql, NULL);
		p->rows = (struct buf)BUF_INIT((size_t)1 << 30);
		if (!p->gather_table || !p->gather_make || !p->gather_copy) {
			store_pg_finalize(st);
			st = NULL;
			error("history %s: out of memory", s->path);
		}
	} else {
		error("history %s: %s", s->path, s->pg_err);
	}
	buf_free(&list);
	buf_free(&sql);
	return st;
}

/* ---- lanes ---- */

static int lane_error(struct store *s, struct pg_lane *ln, PGresult *res)
{
	keep_error(s, res ? P->resultErrorMessage(res) : P->errorMessage(ln->c),
		   res ? P->resultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
	return -1;
}

static int lane_exec(struct store *s, struct pg_lane *ln, const char *sql)
{
	PGresult *res = P->exec(ln->c, sql);
	ExecStatusType t = res ? P->resultStatus(res) : PGRES_FATAL_ERROR;
	int r = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ? 0 : lane_error(s, ln, res);
	P->clear(res);
	return r;
}

static int lane_connect(struct store *s, struct pg_lane *ln)
{
	if (ln->c)
		return 0;
	if (!s->pg_conninfo) {
		snprintf(s->pg_err, sizeof s->pg_err, "out of memory");
		return -1;
	}
	ln->c = P->connectdb(s->pg_conninfo);
	if (!ln->c || P->status(ln->c) != CONNECTION_OK) {
		keep_error(s, ln->c ? P->errorMessage(ln->c) : "out of memory", NULL);
		return -1;
	}
	P->setNoticeProcessor(ln->c, quiet_notice, NULL);
	ln->sql = (struct buf)BUF_INIT((size_t)1 << 20);
	/* a batch is sent again by the next import if a crash loses it, so
	 * its commit need not wait for the disk; the search index's pending
	 * list is merged 64 MB at a time rather than 4 (a sixth of the time) */
	char set[256];
	snprintf(set, sizeof set,
		 "SET lock_timeout = %ld; SET client_min_messages = warning; SET synchronous_commit = off;"
		 " SET gin_pending_list_limit = '64MB'",
		 s->lock_timeout_ms);
	return lane_exec(s, ln, set);
}

/* Read the results of the batch sent on ln: 0, or -1 with the error kept
 * (its transaction is then lost whole). */
static int lane_drain(struct store *s, struct pg_lane *ln)
{
	int ok = 1, i = 0;
	PGresult *res;
	while ((res = P->getResult(ln->c))) {
		ExecStatusType t = P->resultStatus(res);
		if (ok && t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
			lane_error(s, ln, res);
			ok = 0;
		} else if (ok && i < ln->n && ln->counts[i]) {
			*ln->counts[i] += atol(P->cmdTuples(res));
		}
		/* a transaction a statement failed in ends in ROLLBACK */
		if (ok && i == ln->n - 1 && strcmp(P->cmdStatus(res), "COMMIT")) {
			ok = 0;
			snprintf(s->pg_err, sizeof s->pg_err, "a statement failed inside the transaction");
		}
		P->clear(res);
		i++;
	}
	if (ok && i < ln->n) {
		ok = 0;
		lane_error(s, ln, NULL);
	}
	if (P->status(ln->c) == CONNECTION_OK && P->transactionStatus(ln->c) != PQTRANS_IDLE)
		P->clear(P->exec(ln->c, "ROLLBACK"));
	ln->sent = ln->n = 0;
	return ok ? 0 : -1;
}

/* Send ln's batch with its COMMIT, not waiting. 0, or -1 with the error kept. */
static int lane_send(struct store *s, struct pg_lane *ln)
{
	buf_adds(&ln->sql, ln->sql.len ? "; COMMIT" : "COMMIT");
	ln->counts[ln->n++] = NULL;
	ln->open = 0;
	int ok = P->sendQuery(ln->c, buf_str(&ln->sql)) == 1;
	buf_reset(&ln->sql);
	if (!ok) {
		ln->n = 0;
		return lane_error(s, ln, NULL);
	}
	ln->sent = 1;
	return 0;
}

/* Drop what ln has not sent, and end its transaction. */
static void lane_drop(struct pg_lane *ln)
{
	buf_reset(&ln->sql);
	if (!ln->sent)
		ln->n = 0;
	if (ln->c && !ln->sent && P->status(ln->c) == CONNECTION_OK && P->transactionStatus(ln->c) != PQTRANS_IDLE)
		P->clear(P->exec(ln->c, "ROLLBACK"));
	ln->open = 0;
}

static int said(struct store *s)
{
	return error("history %s: cannot save: %s", s->path, s->pg_err);
}

/* Every lane's batch sent and finished: 0, or -1 after saying why. */
static int lanes_finish(struct store *s)
{
	struct pg_bulk *b = s->pg_bulk;
	int r = 0;
	for (int i = 0; i < PG_LANES; i++) {
		struct pg_lane *ln = &b->lane[(b->cur + i) % PG_LANES];
		if (ln->open && lane_send(s, ln) < 0 && !r)
			r = said(s);
		if (ln->sent && lane_drain(s, ln) < 0 && !r)
			r = said(s);
	}
	return r;
}

int pg_settle(struct store *s)
{
	struct pg_bulk *b = s->pg_bulk;
	if (!b)
		return 0;
	if (lanes_finish(s) < 0) {
		b->main_owed = 0;
		return -1;
	}
	if (b->main_owed) {
		b->main_owed = 0;
		if (pg_begin_now(s) < 0)
			return -1;
		b->main_open = 1;
	}
	return 0;
}

int store_pg_sync(struct store *s)
{
	struct pg_bulk *b = s->pg_bulk;
	return b ? lanes_finish(s) : 0;
}

int pg_bulk_begin(struct store *s)
{
	s->pg_tx_failed = 0;
	s->pg_bulk->main_owed = 1;
	return 0;
}

int pg_bulk_commit(struct store *s)
{
	struct pg_bulk *b = s->pg_bulk;
	struct pg_lane *ln = &b->lane[b->cur];
	b->main_owed = 0;
	if (ln->open) {
		if (lane_send(s, ln) < 0)
			return said(s);
		b->cur = (b->cur + 1) % PG_LANES;
	}
	if (!b->main_open)
		return 0;
	b->main_open = 0;
	return pg_commit_now(s);
}

int pg_bulk_rollback(struct store *s)
{
	struct pg_bulk *b = s->pg_bulk;
	lane_drop(&b->lane[b->cur]);
	for (int i = 0; i < PG_LANES; i++)
		if (b->lane[i].sent)
			lane_drain(s, &b->lane[i]);
	b->main_owed = 0;
	int was = b->main_open;
	b->main_open = 0;
	return was;
}

void pg_bulk_close(struct store *s)
{
	struct pg_bulk *b = s->pg_bulk;
	if (!b)
		return;
	for (int i = 0; i < PG_LANES; i++) {
		struct pg_lane *ln = &b->lane[i];
		if (ln->c) {
			if (ln->sent)
				lane_drain(s, ln);
			P->finish(ln->c);
		}
		buf_free(&ln->sql);
		for (int k = 0; k < ln->nmade; k++)
			free(ln->made[k]);
	}
	free(b);
	s->pg_bulk = NULL;
}

/* The statement's temporary table on ln's connection, made once. */
static int lane_table(struct store *s, struct pg_lane *ln, struct pg_stmt *p)
{
	for (int k = 0; k < ln->nmade; k++)
		if (!strcmp(ln->made[k], p->gather_table))
			return 0;
	if (ln->nmade == PG_MADE_MAX || !(ln->made[ln->nmade] = strdup(p->gather_table))) {
		snprintf(s->pg_err, sizeof s->pg_err, "too many tables gathered");
		return -1;
	}
	if (lane_exec(s, ln, p->gather_make) < 0) {
		free(ln->made[ln->nmade]);
		return -1;
	}
	ln->nmade++;
	return 0;
}

/* COPY the gathered rows over ln's connection. */
static int lane_copy(struct store *s, struct pg_lane *ln, struct pg_stmt *p)
{
	PGresult *res = P->exec(ln->c, p->gather_copy);
	int ok = res && P->resultStatus(res) == PGRES_COPY_IN;
	if (!ok)
		lane_error(s, ln, res);
	P->clear(res);
	if (ok && (P->putCopyData(ln->c, p->rows.p, (int)p->rows.len) != 1 || P->putCopyEnd(ln->c, NULL) != 1))
		ok = 0, lane_error(s, ln, NULL);
	if (ok) {
		while ((res = P->getResult(ln->c))) {
			ExecStatusType t = P->resultStatus(res);
			if (ok && t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
				ok = 0, lane_error(s, ln, res);
			P->clear(res);
		}
	}
	return ok ? 0 : -1;
}

int store_pg_gather_flush(store_stmt *st, const char *sql, long *changes)
{
	struct pg_stmt *p = st->pg;
	struct store *s = st->s;
	struct pg_bulk *b = s->pg_bulk;
	struct pg_lane *ln = &b->lane[b->cur];
	if (!p->nrows_gathered)
		return 0;
	/* the main connection's writes before these rows are kept first, and
	 * its lock let go, or the lane would wait for it */
	if (b->main_open) {
		b->main_open = 0;
		b->main_owed = 1;
		if (pg_commit_now(s) < 0)
			return -1;
	}
	if (ln->sent && lane_drain(s, ln) < 0)
		return said(s);
	int r = lane_connect(s, ln);
	if (!r && !ln->open) {
		r = lane_exec(s, ln, "BEGIN; SELECT pg_advisory_xact_lock_shared(" PG_WRITE_LOCK ")");
		ln->open = r == 0;
	}
	if (!r)
		r = lane_table(s, ln, p);
	if (!r)
		r = lane_copy(s, ln, p);
	buf_reset(&p->rows);
	p->nrows_gathered = 0;
	char *translated = r ? NULL : store_pg_translate(sql);
	if (!r && (!translated || ln->n + 3 > PG_RESULTS_MAX)) {
		snprintf(s->pg_err, sizeof s->pg_err, "%s", translated ? "too many statements in one batch" : "out of memory");
		r = -1;
	}
	if (r) {
		free(translated);
		lane_drop(ln);
		return error("history %s: writing rows in bulk: %s", s->path, s->pg_err);
	}
	/* sql, then the temporary table emptied for the next batch */
	buf_addf(&ln->sql, "%s%s; TRUNCATE %s", ln->sql.len ? "; " : "", translated, p->gather_table);
	free(translated);
	ln->counts[ln->n++] = changes;
	ln->counts[ln->n++] = NULL;
	return 0;
}
