#include "history/histio.h"
#include "base64.h"
#include "buf.h"
#include "diag.h"
#include "fdio.h"
#include "jsonx.h"
#include <errno.h>
#include <string.h>

static jv col_str(store_stmt *st, int i)
{
	if (store_col_type(st, i) == STORE_NULL)
		return jv_null();
	return jv_string_sized(store_col_text(st, i), store_col_bytes(st, i));
}

static jv col_num(store_stmt *st, int i)
{
	if (store_col_type(st, i) == STORE_NULL)
		return jv_null();
	return jv_number(store_col_double(st, i));
}

static int flush_out(struct buf *out, int fd, int force)
{
	if (out->len < (force ? 1 : 65536))
		return 0;
	int r = write_all(fd, out->p, out->len);
	buf_reset(out);
	if (r < 0 && errno != EPIPE)
		error("cannot write output: %s", strerror(errno));
	return r < 0 ? (errno == EPIPE ? -2 : -1) : 0;
}

static jv attachments(struct store *s, store_int rid, int media)
{
	static const char q[] =
		"SELECT m.sha256, m.mime, m.bytes, m.data FROM message_media mm JOIN media m ON m.sha256 = mm.sha256"
		" WHERE mm.message = ?1 ORDER BY mm.ord";
	store_stmt *st = store_prepare(s, q);
	jv list = jv_array();
	if (!st)
		return list;
	store_bind_int64(st, 1, rid);
	while (store_step(st) == STORE_ROW) {
		jv a = JV_OBJECT(jv_string("sha256"), col_str(st, 0), jv_string("mime"), col_str(st, 1),
				 jv_string("bytes"), col_num(st, 2));
		if (media) {
			struct buf b = BUF_INIT((size_t)1 << 31);
			base64_encode(store_col_blob(st, 3), (size_t)store_col_bytes(st, 3), &b);
			a = jv_object_set(a, jv_string("data"), jv_string_sized(buf_str(&b), (int)b.len));
			buf_free(&b);
		}
		list = jv_array_append(list, a);
	}
	store_finalize(st);
	return list;
}

int histio_export_one(struct store *s, const char *conv_id, int media, int fd)
{
	struct buf out = BUF_INIT((size_t)1 << 31);
	int status = 0;
	store_stmt *st = store_prepare(s, "SELECT id, name, title, system, created, updated FROM conversations WHERE id = ?1");
	if (!st)
		return EXIT_CANTCREAT;
	store_bind_text(st, 1, conv_id, -1);
	if (store_step(st) == STORE_ROW) {
		jv c = JV_OBJECT(jv_string("type"), jv_string("conversation"), jv_string("id"), col_str(st, 0),
				 jv_string("name"), col_str(st, 1), jv_string("title"), col_str(st, 2),
				 jv_string("system"), col_str(st, 3), jv_string("created"), col_str(st, 4));
		c = jv_object_set(c, jv_string("updated"), col_str(st, 5));
		jx_dump_line(c, &out);
	}
	store_finalize(st);
	st = store_prepare(s,
		"SELECT rid, id, conversation, seq, role, text, status, finish, provider, model, input_tokens,"
		" output_tokens, cached_tokens, reasoning_tokens, cost_usd, ttft_ms, ms, request_id, created,"
		" EXISTS (SELECT 1 FROM message_media WHERE message = rid), batch_job, asked_model, tool_calls"
		" FROM messages WHERE conversation = ?1 ORDER BY seq");
	if (!st) {
		buf_free(&out);
		return EXIT_CANTCREAT;
	}
	store_bind_text(st, 1, conv_id, -1);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		jv usage = store_col_type(st, 10) == STORE_NULL ? jv_null()
			: JV_OBJECT(jv_string("input"), col_num(st, 10), jv_string("output"), col_num(st, 11),
				    jv_string("cached"), col_num(st, 12), jv_string("reasoning"), col_num(st, 13));
		jv m = JV_OBJECT(jv_string("type"), jv_string("message"), jv_string("id"), col_str(st, 1),
				 jv_string("conversation"), col_str(st, 2), jv_string("seq"), col_num(st, 3),
				 jv_string("role"), col_str(st, 4), jv_string("text"), col_str(st, 5));
		m = jv_object_set(m, jv_string("status"), col_str(st, 6));
		m = jv_object_set(m, jv_string("finish"), col_str(st, 7));
		m = jv_object_set(m, jv_string("provider"), col_str(st, 8));
		m = jv_object_set(m, jv_string("model"), col_str(st, 9));
		m = jv_object_set(m, jv_string("usage"), usage);
		m = jv_object_set(m, jv_string("cost_usd"), col_num(st, 14));
		m = jv_object_set(m, jv_string("ttft_ms"), col_num(st, 15));
		m = jv_object_set(m, jv_string("ms"), col_num(st, 16));
		m = jv_object_set(m, jv_string("request_id"), col_str(st, 17));
		m = jv_object_set(m, jv_string("created"), col_str(st, 18));
		if (store_col_int(st, 19))
			m = jv_object_set(m, jv_string("attachments"), attachments(s, store_col_int64(st, 0), media));
		if (store_col_type(st, 20) != STORE_NULL) /* a reply that came through chat-batch */
			m = jv_object_set(m, jv_string("batch_job"), col_str(st, 20));
		if (store_col_type(st, 21) != STORE_NULL) /* the model as asked, which a continuation keeps */
			m = jv_object_set(m, jv_string("asked_model"), col_str(st, 21));
		if (store_col_type(st, 22) != STORE_NULL) {
			jv calls = jv_parse(store_col_text(st, 22));
			if (jv_get_kind(calls) == JV_KIND_ARRAY)
				m = jv_object_set(m, jv_string("tool_calls"), calls);
			else
				jv_free(calls);
		}
		jx_dump_line(m, &out);
		int f = flush_out(&out, fd, 0);
		if (f < 0) {
			status = f == -2 ? 0 : EXIT_CANTCREAT;
			break;
		}
	}
	if (rc != STORE_ROW && rc != STORE_DONE)
		status = (store_error(s, "export"), EXIT_CANTCREAT);
	store_finalize(st);
	if (!status && flush_out(&out, fd, 1) == -1)
		status = EXIT_CANTCREAT;
	buf_free(&out);
	return status;
}

int histio_export_all(struct store *s, int media, int fd)
{
	store_stmt *st = store_prepare(s, "SELECT id FROM conversations ORDER BY created, id");
	if (!st)
		return EXIT_CANTCREAT;
	int status = 0;
	while (!status && store_step(st) == STORE_ROW) {
		char id[STORE_ID_LEN + 1];
		snprintf(id, sizeof id, "%s", store_col_text(st, 0));
		status = histio_export_one(s, id, media, fd);
	}
	store_finalize(st);
	return status;
}

/* ---- edits ---- */

static int write_one(struct store *s, const char *sql, const char *a, const char *b, long *changed)
{
	if (store_begin(s) < 0)
		return EXIT_CANTCREAT;
	store_stmt *st = store_prepare(s, sql);
	int rc = STORE_ERROR;
	if (st) {
		store_bind_text(st, 1, a, -1);
		if (b)
			store_bind_text(st, 2, b, -1);
		rc = store_step(st);
		if (changed)
			*changed = store_changes(s);
		store_finalize(st);
	}
	if (rc != STORE_DONE) {
		int constraint = store_errcode(s) == STORE_CONSTRAINT;
		if (st && !constraint)
			store_error(s, "write");
		store_rollback(s);
		return constraint ? EXIT_DATAERR : EXIT_CANTCREAT;
	}
	/* media no message refers to any more goes too */
	if (store_exec(s, "DELETE FROM media WHERE sha256 NOT IN (SELECT sha256 FROM message_media)") < 0) {
		store_rollback(s);
		return EXIT_CANTCREAT;
	}
	return store_commit(s) < 0 ? EXIT_CANTCREAT : 0;
}

int histio_remove(struct store *s, const char *conv_id)
{
	return write_one(s, "DELETE FROM conversations WHERE id = ?1", conv_id, NULL, NULL);
}

int histio_rename(struct store *s, const char *conv_id, const char *name)
{
	int r = write_one(s, "UPDATE conversations SET name = ?2 WHERE id = ?1", conv_id, name, NULL);
	if (r == EXIT_DATAERR)
		error("the name '%s' is already used by another conversation", name);
	return r;
}

int histio_prune(struct store *s, const char *before, long *removed, int dry_run)
{
	if (dry_run) {
		store_stmt *st = store_prepare(s, "SELECT count(*) FROM conversations WHERE updated < ?1");
		if (!st)
			return EXIT_CANTCREAT;
		store_bind_text(st, 1, before, -1);
		*removed = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
		store_finalize(st);
		return 0;
	}
	return write_one(s, "DELETE FROM conversations WHERE updated < ?1", before, NULL, removed);
}

