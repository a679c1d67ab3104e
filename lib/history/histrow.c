#include "history/histrow.h"
#include "base64.h"
#include "buf.h"
#include "sha256.h"
#include <stdio.h>
#include <string.h>

const char *const histrow_conversation_fields[HISTROW_CONVERSATION_COLS] = {
	"id", "name", "title", "system", "created", "updated",
};

/* The messages columns, and the record fields export writes them as. */
const char *const histrow_message_columns[HISTROW_MESSAGE_COLS] = {
	"id", "conversation", "seq", "role", "text", "status", "finish", "provider", "model",
	"input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "cost_usd", "ttft_ms", "ms",
	"request_id", "created", "batch_job", "asked_model", "tool_calls",
};
const char *const histrow_message_fields[HISTROW_MESSAGE_COLS] = {
	"id", "conversation", "seq", "role", "text", "status", "finish", "provider", "model",
	"usage.input", "usage.output", "usage.cached", "usage.reasoning", "cost_usd", "ttft_ms", "ms",
	"request_id", "created", "batch_job", "asked_model", "tool_calls",
};

/* The parameter of each message column, in the order above. */
enum {
	M_ID = 1, M_CONVERSATION, M_SEQ, M_ROLE, M_TEXT, M_STATUS, M_FINISH, M_PROVIDER, M_MODEL,
	M_INPUT, M_OUTPUT, M_CACHED, M_REASONING, M_COST, M_TTFT, M_MS,
	M_REQUEST_ID, M_CREATED, M_BATCH_JOB, M_ASKED_MODEL, M_TOOL_CALLS, M_END
};
_Static_assert(M_END - 1 == HISTROW_MESSAGE_COLS, "a parameter for each message column");

/* "INSERT INTO table (a, b, ...) VALUES (?1, ?2, ...)" for n columns. */
static void insert_text(struct buf *b, const char *table, const char *const *cols, int n)
{
	buf_addf(b, "INSERT INTO %s (", table);
	for (int i = 0; i < n; i++)
		buf_addf(b, "%s%s", i ? ", " : "", cols[i]);
	buf_addf(b, ") VALUES (");
	for (int i = 0; i < n; i++)
		buf_addf(b, "%s?%d", i ? ", " : "", i + 1);
	buf_addc(b, ')');
}

store_stmt *histrow_prepare_insert(struct store *s, enum histrow_table t, const char *conflict)
{
	struct buf b = BUF_INIT(4096);
	if (t == HISTROW_CONVERSATIONS)
		insert_text(&b, "conversations", histrow_conversation_fields, HISTROW_CONVERSATION_COLS);
	else
		insert_text(&b, "messages", histrow_message_columns, HISTROW_MESSAGE_COLS);
	buf_addf(&b, "%s", conflict ? conflict : "");
	store_stmt *st = store_prepare(s, buf_str(&b));
	buf_free(&b);
	return st;
}

static void bind_text(store_stmt *st, int i, const char *v)
{
	if (v)
		store_bind_text(st, i, v, -1);
}

static void bind_count(store_stmt *st, int i, long v)
{
	if (v >= 0)
		store_bind_int64(st, i, v);
}

int histrow_insert_conversation(struct store *s, const struct histrow_conversation *c)
{
	store_stmt *st = histrow_prepare_insert(s, HISTROW_CONVERSATIONS, "");
	if (st) {
		const char *v[HISTROW_CONVERSATION_COLS] = { c->id, c->name, c->title, c->system, c->created, c->updated };
		for (int i = 0; i < HISTROW_CONVERSATION_COLS; i++)
			bind_text(st, i + 1, v[i]);
	}
	return store_run(s, st, "creating a conversation");
}

/* What a reply's ending sets, the same in an insert and an update. */
static void bind_ending(store_stmt *st, const struct histrow_message *m)
{
	store_bind_text(st, M_TEXT, m->text ? m->text : "", (int)(m->text ? m->len : 0));
	bind_text(st, M_STATUS, m->status);
	bind_text(st, M_FINISH, m->finish);
	bind_text(st, M_PROVIDER, m->provider);
	bind_text(st, M_MODEL, m->model);
	if (m->have_usage) {
		store_bind_int64(st, M_INPUT, m->input);
		store_bind_int64(st, M_OUTPUT, m->output);
		store_bind_int64(st, M_CACHED, m->cached);
		store_bind_int64(st, M_REASONING, m->reasoning);
	}
	if (m->cost >= 0)
		store_bind_double(st, M_COST, m->cost);
	bind_count(st, M_TTFT, m->ttft_ms);
	bind_count(st, M_MS, m->ms);
	bind_text(st, M_ASKED_MODEL, m->asked_model);
	bind_text(st, M_TOOL_CALLS, m->tool_calls);
}

int histrow_insert_message(struct store *s, const struct histrow_message *m)
{
	store_stmt *st = histrow_prepare_insert(s, HISTROW_MESSAGES, "");
	if (st) {
		bind_text(st, M_ID, m->id);
		bind_text(st, M_CONVERSATION, m->conversation);
		store_bind_int64(st, M_SEQ, m->seq);
		bind_text(st, M_ROLE, m->role);
		bind_ending(st, m);
		bind_text(st, M_REQUEST_ID, m->request_id);
		bind_text(st, M_CREATED, m->created);
		bind_text(st, M_BATCH_JOB, m->batch_job);
	}
	return store_run(s, st, m->role && !strcmp(m->role, "user") ? "logging the prompt" : "logging the reply");
}

int histrow_update_reply(struct store *s, const struct histrow_message *m)
{
	if (store_text_begin(s, m->id) < 0) {
		store_text_end(s, m->id, NULL, 0, 0);
		return -1;
	}
	struct buf b = BUF_INIT(4096);
	buf_addf(&b, "UPDATE messages SET ");
	for (int i = M_TEXT; i < M_END; i++)
		if (i != M_REQUEST_ID && i != M_CREATED && i != M_BATCH_JOB)
			buf_addf(&b, "%s%s = ?%d", i == M_TEXT ? "" : ", ", histrow_message_columns[i - 1], i);
	buf_addf(&b, " WHERE id = ?%d", M_ID);
	store_stmt *st = store_prepare(s, buf_str(&b));
	buf_free(&b);
	if (st) {
		bind_text(st, M_ID, m->id);
		bind_ending(st, m);
	}
	int rc = store_run(s, st, "saving the reply");
	if (store_text_end(s, m->id, m->text, m->text ? m->len : 0, rc == 0) < 0)
		rc = -1;
	return rc;
}

int histrow_add_conversation(struct store *s, const char *conv, const char *name, const char *title,
			     const char *created)
{
	struct histrow_conversation c = { .id = conv, .name = name, .title = title, .created = created, .updated = created };
	return histrow_insert_conversation(s, &c);
}

int histrow_new_conversation(struct store *s, char conv[STORE_ID_LEN + 1], const char *name, const char *title,
			     const char *created)
{
	store_new_id(conv);
	return histrow_add_conversation(s, conv, name, title, created);
}

long histrow_last_seq(struct store *s, const char *conv)
{
	store_stmt *st = store_prepare(s, "SELECT coalesce(max(seq), 0) FROM messages WHERE conversation = ?1");
	if (!st)
		return -1;
	store_bind_text(st, 1, conv, -1);
	long seq = store_step(st) == STORE_ROW ? (long)store_col_int64(st, 0) : 0;
	store_finalize(st);
	return seq;
}

int histrow_touch_conversation(struct store *s, const char *conv, const char *now, const char *system)
{
	store_stmt *st = store_prepare(s, "UPDATE conversations SET updated = ?2, system = coalesce(?3, system) WHERE id = ?1");
	if (st) {
		bind_text(st, 1, conv);
		bind_text(st, 2, now);
		bind_text(st, 3, system);
	}
	return store_run(s, st, "updating the conversation");
}

int histrow_insert_turn(struct store *s, const char *conv, const char *user_id, const char *reply_id,
			const char *prompt, const char *system, const char *request_id, const char *now)
{
	long seq = histrow_last_seq(s, conv);
	if (seq < 0)
		return -1;
	struct histrow_message user = { .id = user_id, .conversation = conv, .seq = seq + 1, .role = "user",
					.text = prompt, .len = strlen(prompt), .status = "complete", .cost = -1,
					.ttft_ms = -1, .ms = -1, .request_id = request_id, .created = now };
	struct histrow_message reply = user;
	reply.id = reply_id;
	reply.seq = seq + 2;
	reply.role = "assistant";
	reply.text = "";
	reply.len = 0;
	reply.status = "interrupted";
	if (histrow_insert_message(s, &user) < 0 || histrow_insert_message(s, &reply) < 0)
		return -1;
	return histrow_touch_conversation(s, conv, now, system);
}

int histrow_media_open(struct histrow_media *w, struct store *s, const char *msg_id)
{
	*w = (struct histrow_media){ .s = s };
	store_stmt *q = store_prepare(s, "SELECT rid FROM messages WHERE id = ?1");
	if (q) {
		store_bind_text(q, 1, msg_id, -1);
		if (store_step(q) == STORE_ROW)
			w->rid = store_col_int64(q, 0);
		store_finalize(q);
	}
	w->media = store_prepare(s, "INSERT OR IGNORE INTO media (sha256, mime, bytes, data) VALUES (?1, ?2, ?3, ?4)");
	w->link = store_prepare(s, "INSERT INTO message_media (message, ord, sha256) VALUES (?1, ?2, ?3)");
	return w->media && w->link && w->rid ? 0 : -1;
}

int histrow_media_put(struct histrow_media *w, int ord, const char *mime, const void *data, size_t len)
{
	char hex[65];
	sha256_hex(len ? data : "", len, hex);
	store_bind_text(w->media, 1, hex, -1);
	store_bind_text(w->media, 2, mime, -1);
	store_bind_int64(w->media, 3, (store_int)len);
	store_bind_blob(w->media, 4, len ? data : "", (int)len);
	store_bind_int64(w->link, 1, w->rid);
	store_bind_int(w->link, 2, ord);
	store_bind_text(w->link, 3, hex, -1);
	int rc = store_step(w->media) != STORE_DONE || store_step(w->link) != STORE_DONE
		? store_error(w->s, "storing media") : 0;
	store_reset(w->media);
	store_reset(w->link);
	return rc;
}

void histrow_media_close(struct histrow_media *w)
{
	store_finalize(w->media);
	store_finalize(w->link);
	w->media = w->link = NULL;
}

int histrow_attachments(struct store *s, const char *msg_id, const struct attachments *a)
{
	if (!a || !a->n)
		return 0;
	struct histrow_media w;
	int rc = histrow_media_open(&w, s, msg_id);
	for (size_t i = 0; !rc && i < a->n; i++) {
		if (!a->v[i].data)
			continue;
		struct buf raw = BUF_INIT((size_t)1 << 31);
		if (base64_decode(a->v[i].data, a->v[i].data_len, &raw) == 0)
			rc = histrow_media_put(&w, (int)i, a->v[i].mime, raw.p, raw.len);
		buf_free(&raw);
	}
	histrow_media_close(&w);
	return rc;
}
