/* ratelimit_pg: the rate limits' buckets in PostgreSQL, so that processes
 * on different machines sharing one account share one limit and one 429
 * pause. A row per provider, taken under a transaction-scoped advisory
 * lock of its own; time is the server's clock, which every machine sees
 * alike. Commits are asynchronous (synchronous_commit off): as with the
 * file, a lost update of a bucket is harmless and no take waits for a
 * flush. Three round trips a take: lock, read, write and commit. */
#include "net/ratelimit_int.h"
#include "pq_lib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

/* the advisory lock's first key, "chat" as the history's write lock; the
 * second is 0 for making the table, else a hash of the provider */
#define RL_PG_LOCK "1667785076"
#define RL_PG_SCHEMA "chat rate limits, schema 1"

static const struct pq_lib *P;

static void keep(struct ratelimit *rl, const char *msg)
{
	pq_message_line(msg, rl->pg_err, sizeof rl->pg_err);
}

/* Take res (which may be NULL): 0 when its status is want, else -1 with
 * the error kept. */
static int done(struct ratelimit *rl, PGresult *res, ExecStatusType want)
{
	int ok = res && P->resultStatus(res) == want;
	if (!ok)
		keep(rl, res ? P->resultErrorMessage(res) : P->errorMessage(rl->pg));
	P->clear(res);
	return ok ? 0 : -1;
}

static int run(struct ratelimit *rl, const char *sql, ExecStatusType want)
{
	return done(rl, P->exec(rl->pg, sql), want);
}

int rl_pg_open(struct ratelimit *rl, const char *conninfo)
{
	char missing[256];
	if (!P && !(P = pq_lib(missing, sizeof missing))) {
		snprintf(rl->pg_err, sizeof rl->pg_err, "PostgreSQL: %s", missing);
		return -1;
	}
	if (pq_display(conninfo, rl->path, sizeof rl->path) < 0) {
		snprintf(rl->pg_err, sizeof rl->pg_err, "not a PostgreSQL connection string I can read");
		return -1;
	}
	rl->pg = P->connectdb(conninfo);
	if (!rl->pg || P->status(rl->pg) != CONNECTION_OK) {
		keep(rl, rl->pg ? P->errorMessage(rl->pg) : "out of memory");
		return -1;
	}
	char sql[512];
	/* the wait for a bucket, as $CHAT_DB_TIMEOUT says for the file */
	snprintf(sql, sizeof sql,
		 "SET synchronous_commit = off; SET lock_timeout = %ld; SET client_min_messages = warning;"
		 " SELECT to_regclass('rate_bucket') IS NOT NULL, obj_description(to_regclass('rate_bucket'), 'pg_class')",
		 rl->lock_timeout_ms);
	PGresult *res = P->exec(rl->pg, sql);
	if (!res || P->resultStatus(res) != PGRES_TUPLES_OK || P->ntuples(res) != 1)
		return done(rl, res, PGRES_TUPLES_OK) < 0 ? -1 : (keep(rl, "cannot read"), -1);
	int exists = !strcmp(P->getvalue(res, 0, 0), "t");
	int ours = !P->getisnull(res, 0, 1) && !strcmp(P->getvalue(res, 0, 1), RL_PG_SCHEMA);
	P->clear(res);
	if (exists && !ours) {
		snprintf(rl->pg_err, sizeof rl->pg_err,
			 "its table rate_bucket is not ours (or from another version of chat)");
		return -1;
	}
	if (!exists &&
	    run(rl,
		"BEGIN; SELECT pg_advisory_xact_lock(" RL_PG_LOCK ", 0);"
		"CREATE TABLE IF NOT EXISTS rate_bucket ("
		" provider TEXT PRIMARY KEY,"
		" stamp BIGINT NOT NULL,"
		" req DOUBLE PRECISION, tok DOUBLE PRECISION,"
		" learnt_rpm BIGINT NOT NULL DEFAULT 0, learnt_tpm BIGINT NOT NULL DEFAULT 0,"
		" paused_until BIGINT NOT NULL DEFAULT 0,"
		" req_slow DOUBLE PRECISION NOT NULL DEFAULT 0, req_slow_until BIGINT NOT NULL DEFAULT 0,"
		" tok_slow DOUBLE PRECISION NOT NULL DEFAULT 0, tok_slow_until BIGINT NOT NULL DEFAULT 0);"
		"COMMENT ON TABLE rate_bucket IS '" RL_PG_SCHEMA "'; COMMIT",
		PGRES_COMMAND_OK) < 0)
		return -1;
	return 0;
}

void rl_pg_close(struct ratelimit *rl)
{
	if (!rl->pg)
		return;
	if (P->transactionStatus(rl->pg) == PQTRANS_INERROR || P->transactionStatus(rl->pg) == PQTRANS_INTRANS)
		P->clear(P->exec(rl->pg, "ROLLBACK"));
	P->finish(rl->pg);
	rl->pg = NULL;
}

/* The provider's lock key; never 0, which making the table takes. */
static long lock_key(const char *provider)
{
	return (long)pq_lock_key(provider) | 1;
}

static double column_double(PGresult *res, int col, double if_null)
{
	return P->getisnull(res, 0, col) ? if_null : strtod(P->getvalue(res, 0, col), NULL);
}

static long long column_ll(PGresult *res, int col)
{
	return P->getisnull(res, 0, col) ? 0 : strtoll(P->getvalue(res, 0, col), NULL, 10);
}

int rl_pg_begin(struct ratelimit *rl, const char *provider, long long *now, struct rl_row *r)
{
	char sql[128];
	snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(" RL_PG_LOCK ", %ld)", lock_key(provider));
	if (run(rl, sql, PGRES_TUPLES_OK) < 0)
		return -1;
	/* a statement after the lock, so that it sees the last holder's write */
	const char *params[1] = { provider };
	PGresult *res = P->execParams(rl->pg,
				      "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint, b.stamp, b.req, b.tok,"
				      " b.learnt_rpm, b.learnt_tpm, b.paused_until, b.req_slow, b.req_slow_until,"
				      " b.tok_slow, b.tok_slow_until"
				      " FROM (VALUES (1)) one LEFT JOIN rate_bucket b ON b.provider = $1",
				      1, NULL, params, NULL, NULL, 0);
	if (!res || P->resultStatus(res) != PGRES_TUPLES_OK || P->ntuples(res) != 1)
		return done(rl, res, PGRES_TUPLES_OK) < 0 ? -1 : (keep(rl, "cannot read"), -1);
	if (*now < 0)
		*now = column_ll(res, 0);
	if (!P->getisnull(res, 0, 1)) {
		r->exists = 1;
		r->stamp = column_ll(res, 1);
		/* NULL: unlimited when last written, so full */
		r->req = column_double(res, 2, INFINITY);
		r->tok = column_double(res, 3, INFINITY);
		r->learnt_rpm = (long)column_ll(res, 4);
		r->learnt_tpm = (long)column_ll(res, 5);
		r->paused_until = column_ll(res, 6);
		r->req_slow = column_double(res, 7, 0);
		r->req_slow_until = column_ll(res, 8);
		r->tok_slow = column_double(res, 9, 0);
		r->tok_slow_until = column_ll(res, 10);
	}
	P->clear(res);
	return 0;
}

/* A level as an SQL literal: NULL for an unlimited bucket (full whenever
 * it gets a limit). */
static const char *level(char *out, size_t cap, long limit, double v)
{
	if (limit <= 0 || !isfinite(v))
		return "NULL";
	snprintf(out, cap, "%.17g", v);
	return out;
}

static const char *number(char *out, size_t cap, double v)
{
	snprintf(out, cap, "%.17g", isfinite(v) ? v : 0);
	return out;
}

int rl_pg_end(struct ratelimit *rl, const char *provider, const struct rl_row *r, long rpm, long tpm)
{
	if (!r->dirty)
		return run(rl, "COMMIT", PGRES_COMMAND_OK);
	/* the name as hex: a literal nothing in it can end */
	char hex[2 * 64 + 1];
	size_t n = strlen(provider);
	if (n >= 64)
		n = 63;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)provider[i]);
	hex[2 * n] = 0;
	char a[32], b[32], c[32], d[32];
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "INSERT INTO rate_bucket (provider, stamp, req, tok, learnt_rpm, learnt_tpm, paused_until,"
		 " req_slow, req_slow_until, tok_slow, tok_slow_until)"
		 " VALUES (convert_from(decode('%s', 'hex'), 'UTF8'), %lld, %s, %s, %ld, %ld, %lld, %s, %lld, %s, %lld)"
		 " ON CONFLICT (provider) DO UPDATE SET stamp = excluded.stamp, req = excluded.req, tok = excluded.tok,"
		 " learnt_rpm = excluded.learnt_rpm, learnt_tpm = excluded.learnt_tpm,"
		 " paused_until = excluded.paused_until, req_slow = excluded.req_slow,"
		 " req_slow_until = excluded.req_slow_until, tok_slow = excluded.tok_slow,"
		 " tok_slow_until = excluded.tok_slow_until; COMMIT",
		 hex, r->stamp, level(a, sizeof a, rpm, r->req), level(b, sizeof b, tpm, r->tok), r->learnt_rpm,
		 r->learnt_tpm, r->paused_until, number(c, sizeof c, r->req_slow), r->req_slow_until,
		 number(d, sizeof d, r->tok_slow), r->tok_slow_until);
	return run(rl, sql, PGRES_COMMAND_OK);
}
