/* store_pg_stmt: the PostgreSQL backend's statements: the SQL translated
 * from the SQLite spelling callers write (?N, LIMIT -1, INSERT OR IGNORE),
 * parameters kept as text for PQexecParams, and the result's rows read
 * column by column as store_stmt's callers expect. */
#include "history/store_pg_int.h"
#include "history/store_pg.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the type OIDs of PostgreSQL's built-in types (pg_type.dat) */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* A LIMIT bound to a negative number means none, as in SQLite. */
static const char *const limit_none = "CASE WHEN $%d::bigint < 0 THEN NULL ELSE $%d::bigint END";

char *store_pg_translate(const char *sql)
{
	struct buf b = BUF_INIT((size_t)1 << 24);
	int ignore = 0;
	const char *p = sql;
	if (!strncmp(p, "INSERT OR IGNORE INTO", 21)) {
		buf_adds(&b, "INSERT INTO");
		p += 21;
		ignore = 1;
	}
	char quote = 0;
	for (; *p; p++) {
		if (quote) {
			buf_addc(&b, *p);
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			buf_addc(&b, *p);
			continue;
		}
		if (!strncmp(p, "LIMIT ?", 7) && isdigit((unsigned char)p[7])) {
			int n = atoi(p + 7);
			buf_adds(&b, "LIMIT ");
			buf_addf(&b, limit_none, n, n);
			for (p += 7; isdigit((unsigned char)p[1]); p++)
				;
			continue;
		}
		if (*p == '?' && isdigit((unsigned char)p[1])) {
			/* "?N IS NULL" alone says nothing of N's type: the ones here
			 * are all text */
			int n = atoi(p + 1);
			const char *after = p + 1 + strspn(p + 1, "0123456789");
			if (!strncmp(after, " IS NULL", 8)) {
				buf_addf(&b, "$%d::text", n);
				p = after - 1;
				continue;
			}
			buf_addc(&b, '$');
			continue;
		}
		buf_addc(&b, *p);
	}
	if (ignore)
		buf_adds(&b, " ON CONFLICT DO NOTHING");
	return buf_detach(&b, NULL);
}

store_stmt *store_pg_prepare(struct store *s, const char *sql)
{
	store_stmt *st = calloc(1, sizeof *st);
	struct pg_stmt *p = calloc(1, sizeof *p);
	char *q = store_pg_translate(sql);
	if (!st || !p || !q) {
		free(st);
		free(p);
		free(q);
		snprintf(s->pg_err, sizeof s->pg_err, "out of memory");
		return NULL;
	}
	p->sql = q;
	/* the highest ?N is how many parameters PostgreSQL is sent */
	for (const char *c = sql; (c = strchr(c, '?')); c++) {
		int n = isdigit((unsigned char)c[1]) ? atoi(c + 1) : 0;
		if (n > p->nparams)
			p->nparams = n;
		if (n >= 1 && n <= PG_MAX_PARAMS)
			p->used |= 1u << (n - 1);
	}
	if (p->nparams > PG_MAX_PARAMS) {
		snprintf(s->pg_err, sizeof s->pg_err, "too many parameters");
		free(q);
		free(p);
		free(st);
		return NULL;
	}
	for (int i = 0; i < p->nparams; i++)
		p->types[i] = p->used & (1u << i) ? 0 : 25;
	st->s = s;
	st->pg = p;
	return st;
}

static void drop_row(struct pg_stmt *p)
{
	if (p->blobs)
		for (int i = 0; i < p->ncols; i++)
			P->freemem(p->blobs[i]);
	free(p->blobs);
	free(p->blob_lens);
	p->blobs = NULL;
	p->blob_lens = NULL;
}

static void drop_result(struct pg_stmt *p)
{
	drop_row(p);
	P->clear(p->res);
	p->res = NULL;
	p->row = p->nrows = p->ncols = 0;
}

int store_pg_bind(store_stmt *st, int i, int type, const void *v, int len)
{
	struct pg_stmt *p = st->pg;
	if (i < 1 || i > PG_MAX_PARAMS)
		return STORE_ERROR;
	i--;
	free(p->vals[i]);
	p->vals[i] = NULL;
	p->lens[i] = 0;
	p->fmts[i] = 0;
	/* one the SQL leaves out still needs a type, which nothing implies */
	p->types[i] = p->used & (1u << i) ? 0 : 25;
	if (type == STORE_NULL)
		return STORE_OK;
	size_t n = type == STORE_TEXT && len < 0 ? strlen(v) : (size_t)len;
	p->vals[i] = malloc(n + 1);
	if (!p->vals[i])
		return STORE_ERROR;
	memcpy(p->vals[i], v, n);
	p->vals[i][n] = 0;
	p->lens[i] = (int)n;
	if (type == STORE_BLOB) {
		p->fmts[i] = 1;
		p->types[i] = OID_BYTEA;
	} else if (type == STORE_INTEGER && p->types[i] == 0) {
		p->types[i] = OID_INT8;
	} else if (type == STORE_FLOAT && p->types[i] == 0) {
		p->types[i] = OID_FLOAT8;
	}
	return STORE_OK;
}

/* One bound row in COPY's text format: tab between columns, \N for NULL,
 * backslash escapes for what would end a column or a row. */
int store_pg_step(store_stmt *st)
{
	struct pg_stmt *p = st->pg;
	struct store *s = st->s;
	if (p->gather_copy)
		return pg_gather_row(s, p);
	if (p->res) {
		drop_row(p);
		return ++p->row < p->nrows ? STORE_ROW : STORE_DONE;
	}
	if (pg_settle(s) < 0) {
		s->pg_errclass = STORE_ERROR;
		return STORE_ERROR;
	}
	p->res = P->execParams(s->pg, p->sql, p->nparams, p->types, (const char *const *)p->vals, p->lens, p->fmts, 0);
	if (!result_ok(s, p->res)) {
		drop_result(p);
		return s->pg_errclass;
	}
	const char *tuples = P->cmdTuples(p->res);
	s->pg_changes = *tuples ? atoi(tuples) : 0;
	p->nrows = P->ntuples(p->res);
	p->ncols = P->nfields(p->res);
	p->row = 0;
	return p->nrows > 0 ? STORE_ROW : STORE_DONE;
}

int store_pg_reset(store_stmt *st)
{
	drop_result(st->pg);
	return STORE_OK;
}

int store_pg_clear_bindings(store_stmt *st)
{
	for (int i = 1; i <= PG_MAX_PARAMS; i++)
		store_pg_bind(st, i, STORE_NULL, NULL, 0);
	return STORE_OK;
}

void store_pg_finalize(store_stmt *st)
{
	struct pg_stmt *p = st->pg;
	drop_result(p);
	for (int i = 0; i < PG_MAX_PARAMS; i++)
		free(p->vals[i]);
	free(p->sql);
	free(p->gather_table);
	free(p->gather_make);
	free(p->gather_copy);
	buf_free(&p->rows);
	free(p);
}

static int in_row(struct pg_stmt *p, int i)
{
	return p->res && p->row < p->nrows && i >= 0 && i < p->ncols;
}

int store_pg_col_count(store_stmt *st)
{
	return st->pg->res ? st->pg->ncols : 0;
}

int store_pg_col_type(store_stmt *st, int i)
{
	struct pg_stmt *p = st->pg;
	if (!in_row(p, i) || P->getisnull(p->res, p->row, i))
		return STORE_NULL;
	switch (P->ftype(p->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		return STORE_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return STORE_FLOAT;
	case OID_BYTEA:
		return STORE_BLOB;
	}
	return STORE_TEXT;
}

const char *store_pg_col_text(store_stmt *st, int i)
{
	struct pg_stmt *p = st->pg;
	if (!in_row(p, i) || P->getisnull(p->res, p->row, i))
		return NULL;
	const char *v = P->getvalue(p->res, p->row, i);
	if (P->ftype(p->res, i) == OID_BOOL)
		return *v == 't' ? "1" : "0";
	return v;
}

const void *store_pg_col_blob(store_stmt *st, int i)
{
	struct pg_stmt *p = st->pg;
	if (!in_row(p, i) || P->getisnull(p->res, p->row, i))
		return NULL;
	if (P->ftype(p->res, i) != OID_BYTEA)
		return P->getvalue(p->res, p->row, i);
	if (!p->blobs) {
		p->blobs = calloc((size_t)p->ncols, sizeof *p->blobs);
		p->blob_lens = calloc((size_t)p->ncols, sizeof *p->blob_lens);
		if (!p->blobs || !p->blob_lens) {
			drop_row(p);
			return NULL;
		}
	}
	if (!p->blobs[i])
		p->blobs[i] = P->unescapeBytea((const unsigned char *)P->getvalue(p->res, p->row, i), &p->blob_lens[i]);
	return p->blobs[i];
}

int store_pg_col_bytes(store_stmt *st, int i)
{
	struct pg_stmt *p = st->pg;
	if (!in_row(p, i) || P->getisnull(p->res, p->row, i))
		return 0;
	if (P->ftype(p->res, i) == OID_BYTEA)
		return store_pg_col_blob(st, i) ? (int)p->blob_lens[i] : 0;
	return P->getlength(p->res, p->row, i);
}

int store_pg_has_table(struct store *s, const char *table)
{
	const char *v[1] = { table };
	if (pg_settle(s) < 0)
		return 0;
	PGresult *res = P->execParams(s->pg, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, v, NULL, NULL, 0);
	int r = result_ok(s, res) && P->ntuples(res) == 1 && *P->getvalue(res, 0, 0) == 't';
	P->clear(res);
	return r;
}
