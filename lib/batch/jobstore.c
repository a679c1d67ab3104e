#include "batch/jobstore.h"
#include "history/histlog.h"
#include "attach.h"
#include "clock.h"
#include "diag.h"
#include "jsonx.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TX_ROWS 500
#define TX_MS 250

int jobs_tx_need(struct jobtx *t)
{
	if (t->open)
		return 0;
	if (store_begin(t->s) < 0)
		return -1;
	t->open = 1;
	t->rows = 0;
	t->started_ms = now_ms();
	return 0;
}

int jobs_tx_end(struct jobtx *t)
{
	if (!t->open)
		return 0;
	t->open = 0;
	return store_commit(t->s);
}

int jobs_tx_row(struct jobtx *t)
{
	if (++t->rows >= TX_ROWS || now_ms() - t->started_ms >= TX_MS)
		return jobs_tx_end(t);
	return 0;
}

void jobs_tx_abort(struct jobtx *t)
{
	if (t->open)
		store_rollback(t->s);
	t->open = 0;
}

static void bind_str(store_stmt *st, int i, const char *v)
{
	if (v && *v)
		store_bind_text_copy(st, i, v, -1);
	else
		store_bind_null(st, i);
}

static void col(store_stmt *st, int i, char *out, size_t cap)
{
	const char *v = store_col_text(st, i);
	snprintf(out, cap, "%s", v ? v : "");
}

int jobs_new(struct store *s, const char *provider, const char *model, int log, char id[STORE_ID_LEN + 1])
{
	char now[40];
	clock_rfc3339(now, sizeof now);
	store_new_id(id);
	if (store_begin(s) < 0)
		return -1;
	store_stmt *st = store_prepare(s, "INSERT INTO batch_jobs (id, provider, model, status, log, created, updated)"
					    " VALUES (?1, ?2, ?3, 'preparing', ?4, ?5, ?5)");
	if (st) {
		bind_str(st, 1, id);
		bind_str(st, 2, provider);
		bind_str(st, 3, model);
		store_bind_int(st, 4, log);
		bind_str(st, 5, now);
	}
	if (store_run(s, st, "recording a batch job") < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s);
}

static const char job_cols[] = "id, provider, coalesce(model, ''), coalesce(remote_id, ''), coalesce(input_file, ''),"
	" status, coalesce(error, ''), total, done, failed, coalesce(fingerprint, ''), log, collected, created, updated,"
	" coalesce(ended, '')";

static void read_job(store_stmt *st, struct jobrow *j)
{
	memset(j, 0, sizeof *j);
	col(st, 0, j->id, sizeof j->id);
	col(st, 1, j->provider, sizeof j->provider);
	col(st, 2, j->model, sizeof j->model);
	col(st, 3, j->remote, sizeof j->remote);
	col(st, 4, j->input_file, sizeof j->input_file);
	col(st, 5, j->status, sizeof j->status);
	col(st, 6, j->error, sizeof j->error);
	j->total = (long)store_col_int64(st, 7);
	j->done = (long)store_col_int64(st, 8);
	j->failed = (long)store_col_int64(st, 9);
	col(st, 10, j->fingerprint, sizeof j->fingerprint);
	j->log = store_col_int(st, 11);
	j->collected = store_col_int(st, 12);
	col(st, 13, j->created, sizeof j->created);
	col(st, 14, j->updated, sizeof j->updated);
	col(st, 15, j->ended, sizeof j->ended);
}

int jobs_get(struct store *s, const char *id, struct jobrow *j)
{
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT %s FROM batch_jobs WHERE id = ?1", job_cols);
	store_stmt *st = store_prepare(s, sql);
	if (!st)
		return -1;
	bind_str(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		read_job(st, j);
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_error(s, "reading a batch job");
	return rc == STORE_ROW ? 0 : 1;
}

int jobs_find(struct store *s, const char *ref, char out[STORE_ID_LEN + 1])
{
	static const struct store_ref job = { "batch_jobs", "remote_id", "batch job" };
	return store_find_ref(s, &job, ref, out);
}

int jobs_same_input(struct store *s, const char *fingerprint, const char *except, char out[STORE_ID_LEN + 1])
{
	store_stmt *st = store_prepare(s, "SELECT id FROM batch_jobs WHERE fingerprint = ?1 AND id <> ?2"
					    " AND status NOT IN ('preparing', 'failed', 'expired', 'cancelled')"
					    " ORDER BY created LIMIT 1");
	if (!st)
		return -1;
	bind_str(st, 1, fingerprint);
	bind_str(st, 2, except);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		col(st, 0, out, STORE_ID_LEN + 1);
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_error(s, "looking for the same input");
	return rc == STORE_ROW ? 0 : 1;
}

int jobs_put(struct store *s, const struct jobrow *j)
{
	char now[40];
	clock_rfc3339(now, sizeof now);
	int mine = !s->locked;
	if (mine && store_begin(s) < 0)
		return -1;
	store_stmt *st = store_prepare(s,
		"UPDATE batch_jobs SET remote_id = ?2, input_file = ?3, status = ?4, error = ?5, total = ?6, done = ?7,"
		" failed = ?8, fingerprint = ?9, collected = ?10, updated = ?11, ended = ?12 WHERE id = ?1");
	if (st) {
		bind_str(st, 1, j->id);
		bind_str(st, 2, j->remote);
		bind_str(st, 3, j->input_file);
		bind_str(st, 4, j->status);
		bind_str(st, 5, j->error);
		store_bind_int64(st, 6, j->total);
		store_bind_int64(st, 7, j->done);
		store_bind_int64(st, 8, j->failed);
		bind_str(st, 9, j->fingerprint);
		store_bind_int(st, 10, j->collected);
		bind_str(st, 11, now);
		bind_str(st, 12, j->ended);
	}
	if (store_run(s, st, "updating a batch job") < 0) {
		if (mine)
			store_rollback(s);
		return -1;
	}
	return mine ? store_commit(s) : 0;
}

int jobs_delete(struct store *s, const char *id)
{
	if (store_begin(s) < 0)
		return -1;
	store_stmt *st = store_prepare(s, "DELETE FROM batch_jobs WHERE id = ?1");
	if (st)
		bind_str(st, 1, id);
	if (store_run(s, st, "removing a batch job") < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s);
}

jv jobs_ids(struct store *s, int all)
{
	jv list = jv_array();
	store_stmt *st = store_prepare(s, all ? "SELECT id FROM batch_jobs ORDER BY created DESC, rowid DESC"
						: "SELECT id FROM batch_jobs WHERE collected = 0 ORDER BY created, rowid");
	while (st && store_step(st) == STORE_ROW)
		list = jv_array_append(list, jv_string(store_col_text(st, 0)));
	store_finalize(st);
	return list;
}

jv jobs_record(struct store *s, const struct jobrow *j, int with_ids)
{
	jv rec = JV_OBJECT(jv_string("type"), jv_string("job"), jv_string("job"), jv_string(j->id),
			   jv_string("provider"), jv_string(j->provider), jv_string("model"),
			   j->model[0] ? jv_string(j->model) : jv_null(), jv_string("status"), jv_string(j->status),
			   jv_string("counts"), JV_OBJECT(jv_string("total"), jv_number((double)j->total),
							  jv_string("done"), jv_number((double)j->done),
							  jv_string("failed"), jv_number((double)j->failed)));
	rec = jv_object_set(rec, jv_string("created"), jv_string(j->created));
	rec = jv_object_set(rec, jv_string("batch"), j->remote[0] ? jv_string(j->remote) : jv_null());
	rec = jv_object_set(rec, jv_string("collected"), jv_bool(j->collected));
	if (j->error[0])
		rec = jv_object_set(rec, jv_string("error"), jv_string(j->error));
	if (with_ids) {
		jv ids = jv_array();
		store_stmt *st = store_prepare(s, "SELECT id_json FROM batch_items WHERE job = ?1 ORDER BY seq");
		if (st)
			bind_str(st, 1, j->id);
		while (st && store_step(st) == STORE_ROW) {
			const char *t = store_col_text(st, 0);
			ids = jv_array_append(ids, t ? jv_parse(t) : jv_null());
		}
		store_finalize(st);
		rec = jv_object_set(rec, jv_string("ids"), ids);
	}
	return rec;
}

int jobs_recount(struct store *s, struct jobrow *j)
{
	store_stmt *st = store_prepare(s, "SELECT count(*), total(state = 'done'), total(state = 'failed')"
					    " FROM batch_items WHERE job = ?1");
	if (!st)
		return -1;
	bind_str(st, 1, j->id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		j->total = (long)store_col_int64(st, 0);
		j->done = (long)store_col_int64(st, 1);
		j->failed = (long)store_col_int64(st, 2);
	}
	store_finalize(st);
	return rc == STORE_ROW ? 0 : store_error(s, "counting a job's records");
}

void jobs_request_id(jv id, char *out, size_t cap)
{
	jx_id_text(id, out, cap);
}

int jobs_add_item(struct jobtx *t, const char *job, long seq, const char *custom_id, jv rec)
{
	if (jobs_tx_need(t) < 0)
		return -1;
	store_stmt *st = store_prepare(t->s, "INSERT INTO batch_items (job, seq, custom_id, request_id, id_json, record, state)"
					       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')");
	if (!st)
		return -1;
	jv id = jx_get(rec, "id");
	char rid[256];
	jobs_request_id(id, rid, sizeof rid);
	bind_str(st, 1, job);
	store_bind_int64(st, 2, seq);
	bind_str(st, 3, custom_id);
	bind_str(st, 4, rid);
	if (jv_is_valid(id) && jv_get_kind(id) != JV_KIND_NULL) {
		jv t1 = jv_dump_string(jv_copy(id), 0);
		store_bind_text_copy(st, 5, jv_string_value(t1), -1);
		jv_free(t1);
	}
	jv_free(id);
	jv text = jv_dump_string(jv_copy(rec), 0);
	store_bind_text_copy(st, 6, jv_string_value(text), jv_string_length_bytes(jv_copy(text)));
	jv_free(text);
	if (store_run(t->s, st, "recording a batch record") < 0)
		return -1;
	return jobs_tx_row(t);
}

int jobs_item(struct store *s, const char *job, long seq, jv *rec, char state[16])
{
	store_stmt *st = store_prepare(s, "SELECT record, state FROM batch_items WHERE job = ?1 AND seq = ?2");
	if (!st)
		return -1;
	bind_str(st, 1, job);
	store_bind_int64(st, 2, seq);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		const char *r = store_col_text(st, 0);
		*rec = r ? jv_parse_sized(r, store_col_bytes(st, 0)) : jv_null();
		col(st, 1, state, 16);
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_error(s, "reading a batch record");
	return rc == STORE_ROW ? 0 : 1;
}

int jobs_item_done(struct store *s, const char *job, long seq, const char *code, const char *conv, const char *msg)
{
	store_stmt *st = store_prepare(s, "UPDATE batch_items SET state = ?3, error = ?4, conversation = ?5, message = ?6,"
					    " record = NULL WHERE job = ?1 AND seq = ?2");
	if (st) {
		bind_str(st, 1, job);
		store_bind_int64(st, 2, seq);
		bind_str(st, 3, code ? "failed" : "done");
		bind_str(st, 4, code);
		bind_str(st, 5, conv);
		bind_str(st, 6, msg);
	}
	return store_run(s, st, "marking a batch record");
}

jv jobs_pending(struct store *s, const char *job, int max)
{
	jv list = jv_array();
	store_stmt *st = store_prepare(s, "SELECT seq, record FROM batch_items WHERE job = ?1 AND state = 'pending'"
					    " ORDER BY seq LIMIT ?2");
	if (!st)
		return list;
	bind_str(st, 1, job);
	store_bind_int(st, 2, max);
	while (store_step(st) == STORE_ROW) {
		const char *r = store_col_text(st, 1);
		list = jv_array_append(list, JV_ARRAY(jv_number((double)store_col_int64(st, 0)),
						      r ? jv_parse_sized(r, store_col_bytes(st, 1)) : jv_null()));
	}
	store_finalize(st);
	return list;
}

int jobs_only_failed(struct store *s, const char *request_id)
{
	if (!request_id[0])
		return 0;
	store_stmt *st = store_prepare(s,
		"SELECT EXISTS (SELECT 1 FROM batch_items WHERE request_id = ?1 AND state = 'failed')"
		" AND NOT EXISTS (SELECT 1 FROM batch_items i JOIN batch_jobs j ON j.id = i.job"
		"   WHERE i.request_id = ?1 AND (i.state = 'done' OR (i.state = 'pending' AND j.status <> 'preparing')))"
		" AND NOT EXISTS (SELECT 1 FROM messages WHERE request_id = ?1 AND role = 'assistant' AND status = 'complete')");
	if (!st)
		return -1;
	bind_str(st, 1, request_id);
	int rc = store_step(st), yes = rc == STORE_ROW && store_col_int(st, 0);
	store_finalize(st);
	return rc == STORE_ROW ? yes : store_error(s, "looking up failed records");
}

/* The history keeps no empty names, ids or times: NULL instead. */
static const char *or_null(const char *v)
{
	return v && *v ? v : NULL;
}

int jobs_log_reply(struct store *s, jv rec, const struct jobs_reply *r, char conv[STORE_ID_LEN + 1],
		   char msg[STORE_ID_LEN + 1])
{
	char ref[256] = "", rid[256], why[256];
	jv text = jx_get(rec, "text"), sys = jx_get(rec, "system"), id = jx_get(rec, "id"), list = jx_get(rec, "attachments");
	jobs_request_id(id, rid, sizeof rid);
	jx_str(rec, "conversation", ref, sizeof ref);
	struct attachments atts;
	attachments_init(&atts);
	for (int i = 0; jv_get_kind(list) == JV_KIND_ARRAY && i < jv_array_length(jv_copy(list)); i++) {
		jv a = jv_array_get(jv_copy(list), i);
		attachments_add(&atts, a, why, sizeof why); /* checked when the job was submitted */
		jv_free(a);
	}
	const struct chat_reply *re = r->reply;
	struct histlog_exchange x = {
		.conversation = or_null(ref), .prompt = jv_get_kind(text) == JV_KIND_STRING ? jv_string_value(text) : "",
		.system = jv_get_kind(sys) == JV_KIND_STRING ? jv_string_value(sys) : NULL, .request_id = or_null(rid),
		.user_created = or_null(r->user_created), .atts = &atts,
		.reply = { .text = r->text ? r->text : "", .len = r->text ? r->len : 0, .status = "complete",
			   .finish = or_null(re->finish), .provider = or_null(r->provider),
			   .model = or_null(re->model[0] ? re->model : r->model), .have_usage = re->have_usage,
			   .input = re->usage.input, .output = re->usage.output, .cached = re->usage.cached,
			   .reasoning = re->usage.reasoning, .cost = r->cost, .ttft_ms = -1, .ms = -1,
			   .batch_job = or_null(r->job) },
	};
	int rc = histlog_write_exchange(s, &x, conv, msg);
	attachments_free(&atts);
	jv_free(text);
	jv_free(sys);
	jv_free(id);
	jv_free(list);
	return rc;
}
