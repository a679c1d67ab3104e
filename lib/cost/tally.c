#include "cost/tally.h"
#include "numparse.h"
#include "diag.h"
#include "fdio.h"
#include "jsonx.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name, *sql;
} groupings[] = {
	{ "model", "coalesce(m.model, '')" },
	{ "provider", "coalesce(m.provider, '')" },
	{ "day", "substr(m.created, 1, 10)" },
	{ "month", "substr(m.created, 1, 7)" },
	{ "conversation", "coalesce(c.name, m.conversation)" },
	{ "kind", "CASE WHEN m.batch_job IS NULL THEN 'direct' ELSE 'batch' END" },
};
#define NGROUPINGS (sizeof groupings / sizeof *groupings)

int tally_parse_by(struct tally_query *q, char *spec, char *why, size_t cap)
{
	q->nby = 0;
	for (char *save = NULL, *w = strtok_r(spec, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t g = 0;
		while (g < NGROUPINGS && strcmp(groupings[g].name, w))
			g++;
		if (g == NGROUPINGS) {
			snprintf(why, cap, "cannot group by '%s'; choose from model, provider, day, month, conversation, kind", w);
			return -1;
		}
		if (q->nby == TALLY_MAX_BY) {
			snprintf(why, cap, "at most %d groupings", TALLY_MAX_BY);
			return -1;
		}
		q->by[q->nby++] = groupings[g].name;
	}
	if (!q->nby) {
		snprintf(why, cap, "no grouping given");
		return -1;
	}
	return 0;
}

void tally_init(struct tally *t)
{
	memset(t, 0, sizeof *t);
	t->index = jv_object();
	t->names = jv_object();
}

void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		jv_free(t->v[i].group);
	free(t->v);
	jv_free(t->index);
	jv_free(t->names);
	memset(t, 0, sizeof *t);
}

/* The row for a group (consumed), created empty when new; NULL when out of memory. */
static struct tally_row *row_for(struct tally *t, const struct tally_query *q, jv group)
{
	jv key = jv_array();
	for (int i = 0; i < q->nby; i++)
		key = jv_array_append(key, jx_get(group, q->by[i]));
	jv text = jv_dump_string(key, JV_PRINT_SORTED);
	jv at = jv_object_get(jv_copy(t->index), jv_copy(text));
	if (jv_is_valid(at)) {
		size_t i = (size_t)jv_number_value(at);
		jv_free(text);
		jv_free(group);
		return &t->v[i];
	}
	jv_free(at);
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct tally_row *v = realloc(t->v, cap * sizeof *v);
		if (!v) {
			jv_free(text);
			jv_free(group);
			return NULL;
		}
		t->v = v;
		t->cap = cap;
	}
	t->index = jv_object_set(t->index, text, jv_number((double)t->n));
	struct tally_row *r = &t->v[t->n++];
	memset(r, 0, sizeof *r);
	r->group = group;
	return r;
}

static int in_range(const struct tally_query *q, const char *created)
{
	if (q->since && strcmp(created, q->since) < 0)
		return 0;
	if (q->until && strcmp(created, q->until) >= 0)
		return 0;
	return 1;
}

int tally_history(struct tally *t, struct store *s, const struct tally_query *q)
{
	char sql[2048];
	size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT ");
	for (int i = 0; i < q->nby; i++)
		for (size_t g = 0; g < NGROUPINGS; g++)
			if (!strcmp(groupings[g].name, q->by[i]))
				len += (size_t)snprintf(sql + len, sizeof sql - len, "%s, ", groupings[g].sql);
	len += (size_t)snprintf(sql + len, sizeof sql - len,
		"count(*), total(m.input_tokens), total(m.output_tokens), total(m.cached_tokens),"
		" total(m.reasoning_tokens), total(m.cost_usd IS NULL AND m.status <> 'error'), total(m.cost_usd),"
		" total(m.batch_job IS NOT NULL), total(CASE WHEN m.batch_job IS NOT NULL THEN m.cost_usd END)"
		" FROM messages m LEFT JOIN conversations c ON c.id = m.conversation"
		" WHERE m.role = 'assistant' AND m.created >= ?1 AND (?2 IS NULL OR m.created < ?2)"
		" GROUP BY ");
	for (int i = 0; i < q->nby; i++)
		len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%d", i ? ", " : "", i + 1);
	store_stmt *st = store_prepare(s, sql);
	if (!st)
		return EXIT_CANTCREAT;
	store_bind_text(st, 1, q->since ? q->since : "", -1);
	if (q->until)
		store_bind_text(st, 2, q->until, -1);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		jv group = jv_object();
		for (int i = 0; i < q->nby; i++)
			group = jv_object_set(group, jv_string(q->by[i]),
					      jv_string(store_col_text(st, i)));
		struct tally_row *r = row_for(t, q, group);
		if (!r)
			break;
		int c = q->nby;
		r->requests += store_col_int64(st, c);
		r->input += store_col_int64(st, c + 1);
		r->output += store_col_int64(st, c + 2);
		r->cached += store_col_int64(st, c + 3);
		r->reasoning += store_col_int64(st, c + 4);
		r->unpriced += store_col_int64(st, c + 5);
		r->usd += store_col_double(st, c + 6);
		r->batch_requests += store_col_int64(st, c + 7);
		r->batch_usd += store_col_double(st, c + 8);
	}
	store_finalize(st);
	if (rc != STORE_DONE) {
		store_error(s, "adding up the spend");
		return EXIT_CANTCREAT;
	}
	return 0;
}

static jv str_or_empty(jv rec, const char *key)
{
	jv v = jx_get(rec, key);
	if (jv_get_kind(v) == JV_KIND_STRING)
		return v;
	jv_free(v);
	return jv_string("");
}

int tally_record(struct tally *t, const struct tally_query *q, jv rec, const char **why)
{
	*why = NULL;
	char type[16], role[16] = "", created[40] = "";
	if (jx_str(rec, "type", type, sizeof type))
		return 0;
	if (!strcmp(type, "conversation")) {
		jv id = jx_get(rec, "id"), name = jx_get(rec, "name");
		if (jv_get_kind(id) == JV_KIND_STRING && jv_get_kind(name) == JV_KIND_STRING)
			t->names = jv_object_set(t->names, id, name);
		else {
			jv_free(id);
			jv_free(name);
		}
		return 0;
	}
	if (strcmp(type, "response") && !(!strcmp(type, "message") && !jx_str(rec, "role", role, sizeof role) &&
					  !strcmp(role, "assistant")))
		return 0;
	jx_str(rec, "created", created, sizeof created);
	if (!in_range(q, created))
		return 0;
	if ((*why = record_numbers_check(rec)))
		return -1; /* a total is only as good as every number in it */
	/* chat-batch's response records name their job; exported messages their batch_job */
	jv job = jx_get(rec, strcmp(type, "response") ? "batch_job" : "job");
	int batch = jv_get_kind(job) == JV_KIND_STRING;
	jv_free(job);
	jv group = jv_object();
	for (int i = 0; i < q->nby; i++) {
		const char *by = q->by[i];
		jv v;
		if (!strcmp(by, "day") || !strcmp(by, "month"))
			v = jv_string_sized(created, (int)strnlen(created, by[0] == 'd' ? 10 : 7));
		else if (!strcmp(by, "kind"))
			v = jv_string(batch ? "batch" : "direct");
		else if (!strcmp(by, "conversation")) {
			v = str_or_empty(rec, "conversation");
			jv name = jv_object_get(jv_copy(t->names), jv_copy(v));
			if (jv_is_valid(name)) {
				jv_free(v);
				v = name;
			} else
				jv_free(name);
		} else
			v = str_or_empty(rec, by);
		group = jv_object_set(group, jv_string(by), v);
	}
	struct tally_row *r = row_for(t, q, group);
	if (!r)
		return 0;
	jv usage = jx_get(rec, "usage");
	r->requests++;
	r->input += (long)jx_num(usage, "input", 0);
	r->output += (long)jx_num(usage, "output", 0);
	r->cached += (long)jx_num(usage, "cached", 0);
	r->reasoning += (long)jx_num(usage, "reasoning", 0);
	jv_free(usage);
	jv cost = jx_get(rec, "cost_usd");
	char status[16] = "", finish[16] = "";
	jx_str(rec, "status", status, sizeof status);
	jx_str(rec, "finish", finish, sizeof finish);
	r->batch_requests += batch;
	if (jv_get_kind(cost) == JV_KIND_NUMBER) {
		r->usd += jv_number_value(cost);
		if (batch)
			r->batch_usd += jv_number_value(cost);
	} else if (strcmp(status, "error") && strcmp(finish, "error"))
		r->unpriced++;
	jv_free(cost);
	return 1;
}

static int by_group(const void *a, const void *b)
{
	const struct tally_row *x = a, *y = b;
	jv kx = jv_dump_string(jv_copy(x->group), JV_PRINT_SORTED);
	jv ky = jv_dump_string(jv_copy(y->group), JV_PRINT_SORTED);
	int c = strcmp(jv_string_value(kx), jv_string_value(ky));
	jv_free(kx);
	jv_free(ky);
	return c;
}

/* Dollars rounded to a billionth, so sums of many prices print cleanly. */
static double round_usd(double usd)
{
	return round(usd * 1e9) / 1e9;
}

static jv cost_record(const struct tally_row *r, jv group)
{
	jv rec = JV_OBJECT(jv_string("type"), jv_string("cost"), jv_string("group"), group,
			 jv_string("requests"), jv_number((double)r->requests),
			 jv_string("usage"),
			 JV_OBJECT(jv_string("input"), jv_number((double)r->input),
				   jv_string("output"), jv_number((double)r->output),
				   jv_string("cached"), jv_number((double)r->cached),
				   jv_string("reasoning"), jv_number((double)r->reasoning)),
			 jv_string("usd"), jv_number(round_usd(r->usd)),
			 jv_string("unpriced"), jv_number((double)r->unpriced));
	if (r->batch_requests)
		rec = jv_object_set(rec, jv_string("batch"), JV_OBJECT(jv_string("requests"),
				    jv_number((double)r->batch_requests), jv_string("usd"), jv_number(round_usd(r->batch_usd))));
	return rec;
}

static void add_row(struct tally_row *sum, const struct tally_row *r)
{
	sum->requests += r->requests;
	sum->input += r->input;
	sum->output += r->output;
	sum->cached += r->cached;
	sum->reasoning += r->reasoning;
	sum->unpriced += r->unpriced;
	sum->usd += r->usd;
	sum->batch_requests += r->batch_requests;
	sum->batch_usd += r->batch_usd;
}

/* A group's value as the table shows it: scrubbed (a model or conversation
 * name may hold anything). */
static void group_text(jv group, const char *key, char *out, size_t cap)
{
	jv v = jx_get(group, key);
	if (jv_get_kind(v) == JV_KIND_STRING)
		scrub(out, cap, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
	else if (cap)
		out[0] = 0;
	jv_free(v);
}

static void cell(struct buf *b, const char *s, int width, int right)
{
	buf_addf(b, right ? "%*s  " : "%-*s  ", width, s);
}

int tally_print(struct tally *t, const struct tally_query *q, int json)
{
	if (t->n) /* qsort wants an array, even of none */
		qsort(t->v, t->n, sizeof *t->v, by_group);
	struct tally_row total = { .group = jv_null() };
	for (size_t i = 0; i < t->n; i++)
		add_row(&total, &t->v[i]);
	if (json) {
		for (size_t i = 0; i < t->n; i++)
			if (jx_write_line(1, cost_record(&t->v[i], jv_copy(t->v[i].group))))
				return -1;
		return jx_write_line(1, cost_record(&total, jv_object()));
	}
	/* column widths: the group columns from their values */
	int w[TALLY_MAX_BY];
	for (int c = 0; c < q->nby; c++) {
		w[c] = (int)strlen(q->by[c]);
		if (w[c] < 5)
			w[c] = 5;
		for (size_t i = 0; i < t->n; i++) {
			char shown[64] = "";
			group_text(t->v[i].group, q->by[c], shown, sizeof shown);
			int l = (int)strlen(shown);
			if (l > w[c])
				w[c] = l > 60 ? 60 : l;
		}
	}
	struct buf b;
	buf_init(&b, (size_t)1 << 30);
	for (int c = 0; c < q->nby; c++)
		cell(&b, q->by[c], w[c], 0);
	buf_addf(&b, "%9s  %12s  %12s  %12s  %12s\n", "requests", "input", "output", "cached", "usd");
	size_t rows = t->n + (t->n > 1);
	for (size_t i = 0; i < rows; i++) {
		const struct tally_row *r = i < t->n ? &t->v[i] : &total;
		for (int c = 0; c < q->nby; c++) {
			char text[64] = "total";
			if (r != &total || c) {
				group_text(r->group, q->by[c], text, sizeof text);
				if (r == &total)
					text[0] = 0;
				else if (!text[0])
					snprintf(text, sizeof text, "?");
			}
			cell(&b, text, w[c], 0);
		}
		char usd[48];
		snprintf(usd, sizeof usd, "%.6f%s", r->usd, r->unpriced ? "+?" : "");
		buf_addf(&b, "%9ld  %12ld  %12ld  %12ld  %12s\n", r->requests, r->input, r->output, r->cached, usd);
	}
	if (total.batch_requests)
		buf_addf(&b, "batch: %ld of the requests and $%.6f of the spend came through batch jobs (chat-batch)\n",
			 total.batch_requests, total.batch_usd);
	if (total.unpriced)
		buf_addf(&b, "+?: %ld %s without a known price (model not in the table, or no usage reported)\n",
			   total.unpriced, total.unpriced == 1 ? "reply" : "replies");
	int rc = write_all(1, b.p, b.len);
	buf_free(&b);
	return rc;
}

/* The assistant replies a condition picks (its ?1 bound to value): their
 * cost, their number, and how many have no known price. */
static int sum_replies(struct store *s, const char *where, const char *value, const char *what, double *usd,
		       long *requests, long *unpriced)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT total(cost_usd), count(*), total(cost_usd IS NULL AND status <> 'error')"
		 " FROM messages WHERE role = 'assistant' AND %s", where);
	store_stmt *st = store_prepare(s, sql);
	if (!st)
		return EXIT_CANTCREAT;
	store_bind_text(st, 1, value, -1);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*usd = store_col_double(st, 0);
		*requests = store_col_int64(st, 1);
		*unpriced = store_col_int64(st, 2);
	}
	store_finalize(st);
	if (rc != STORE_ROW) {
		store_error(s, what);
		return EXIT_CANTCREAT;
	}
	return 0;
}

int tally_spent(struct store *s, const char *since, double *usd, long *unpriced)
{
	long requests;
	return sum_replies(s, "created >= ?1", since, "adding up the spend", usd, &requests, unpriced);
}

int tally_conversation(struct store *s, const char *conv_id, double *usd, long *requests, long *unpriced)
{
	return sum_replies(s, "conversation = ?1", conv_id, "adding up the conversation's spend", usd, requests,
			   unpriced);
}
