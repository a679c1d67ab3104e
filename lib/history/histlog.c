#include "history/histlog.h"
#include "paths.h"
#include "base64.h"
#include "clock.h"
#include "sha256.h"
#include "diag.h"
#include "media/image.h"
#include "jsonx.h"
#include "history/spool.h"
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define CUT_OFF_MARK "\n\n[This reply was cut off before it was finished.]"

static void clear_context(struct histlog *h)
{
	for (size_t i = 0; i < h->nmsgs; i++)
		free((char *)h->msgs[i].text);
	free(h->msgs);
	h->msgs = NULL;
	h->nmsgs = 0;
	for (size_t i = 0; i < h->nmedia; i++) {
		free((char *)h->media[i].mime);
		free((char *)h->media[i].data);
	}
	free(h->media);
	h->media = NULL;
	h->nmedia = 0;
	free(h->system);
	h->system = NULL;
}

static int push(struct histlog *h, const char *role, const char *text, size_t len, const char *suffix)
{
	struct message *m = realloc(h->msgs, (h->nmsgs + 1) * sizeof *m);
	if (!m)
		return -1;
	h->msgs = m;
	size_t sl = suffix ? strlen(suffix) : 0;
	char *t = malloc(len + sl + 1);
	if (!t)
		return -1;
	memcpy(t, text, len);
	memcpy(t + len, suffix ? suffix : "", sl);
	t[len + sl] = 0;
	m[h->nmsgs] = (struct message){ .role = role, .text = t };
	h->nmsgs++;
	return 0;
}

/* One stored attachment of message msg, base64 as a request carries it. */
static int add_media(struct histlog *h, size_t msg, const char *mime, const unsigned char *data, size_t len)
{
	struct attachment *a = realloc(h->media, (h->nmedia + 1) * sizeof *a);
	if (!a)
		return -1;
	h->media = a;
	struct buf b64 = BUF_INIT((size_t)1 << 31);
	char *m = strdup(mime);
	if (!m || base64_encode(data, len, &b64) < 0) {
		free(m);
		buf_free(&b64);
		return -1;
	}
	int w = 0, hh = 0;
	image_size(data, len, &w, &hh);
	size_t n;
	char *text = buf_detach(&b64, &n);
	a[h->nmedia++] = (struct attachment){ .mime = m, .data = text, .data_len = n,
		.kind = strncmp(mime, "video/", 6) ? "image" : "video", .width = w, .height = hh };
	h->msgs[msg].natts++;
	return 0;
}

/* The earlier user turns' attachments, in order, so a follow-up question
 * about an image still has the image. */
static int load_media(struct histlog *h, const sqlite3_int64 *rids)
{
	sqlite3_stmt *st = store_prepare(&h->st,
		"SELECT mm.message, m.mime, m.data FROM message_media mm JOIN media m ON m.sha256 = mm.sha256"
		" JOIN messages g ON g.rid = mm.message WHERE g.conversation = ?1 ORDER BY g.seq, mm.ord");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, h->conv, -1, SQLITE_STATIC);
	size_t k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 rid = sqlite3_column_int64(st, 0);
		while (k < h->nmsgs && rids[k] != rid)
			k++;
		if (k == h->nmsgs)
			break; /* a turn left out of the context (an empty one) */
		if (add_media(h, k, (const char *)sqlite3_column_text(st, 1), sqlite3_column_blob(st, 2),
			      (size_t)sqlite3_column_bytes(st, 2)) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_error(&h->st, "reading the conversation's attachments");
	size_t at = 0;
	for (size_t i = 0; i < h->nmsgs; i++) {
		h->msgs[i].atts = h->msgs[i].natts ? &h->media[at] : NULL;
		at += h->msgs[i].natts;
	}
	return 0;
}

/* The conversation's turns, oldest first. A reply that was cut off is sent
 * marked as such; an empty one (an error, or a kill before any token) is left out. */
static int load_context(struct histlog *h)
{
	sqlite3_stmt *st = store_prepare(&h->st,
		"SELECT role, text, status, rid FROM messages WHERE conversation = ?1 ORDER BY seq");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, h->conv, -1, SQLITE_STATIC);
	int rc;
	sqlite3_int64 *rids = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(st, 0);
		const char *text = (const char *)sqlite3_column_text(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		const char *status = (const char *)sqlite3_column_text(st, 2);
		int user = !strcmp(role, "user");
		if (!len)
			continue;
		sqlite3_int64 *r = realloc(rids, (h->nmsgs + 1) * sizeof *r);
		if (!r || push(h, user ? "user" : "assistant", text, len,
			       !user && strcmp(status, "complete") ? CUT_OFF_MARK : NULL) < 0) {
			rids = r ? r : rids;
			break;
		}
		rids = r;
		rids[h->nmsgs - 1] = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE && h->nmsgs && load_media(h, rids) < 0)
		rc = SQLITE_ERROR;
	free(rids);
	if (rc != SQLITE_DONE)
		return store_error(&h->st, "reading the conversation");
	st = store_prepare(&h->st, "SELECT system FROM conversations WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, h->conv, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		h->system = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return 0;
}

void histlog_title(const char *prompt, char *out, size_t cap)
{
	while (*prompt == ' ' || *prompt == '\n' || *prompt == '\t')
		prompt++;
	size_t n = strcspn(prompt, "\r\n");
	if (n >= cap)
		n = cap - 1;
	while (n && ((unsigned char)prompt[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, prompt, n);
	out[n] = 0;
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (st)
		sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return st ? store_error(s, what) : -1;
	return 0;
}

static int create_conversation(struct store *s, char conv[STORE_ID_LEN + 1], const char *name, const char *title,
			       const char *now)
{
	store_new_id(conv);
	sqlite3_stmt *st = store_prepare(s,
		"INSERT INTO conversations (id, name, title, system, created, updated) VALUES (?1, ?2, ?3, NULL, ?4, ?4)");
	if (st) {
		sqlite3_bind_text(st, 1, conv, -1, SQLITE_STATIC);
		if (name)
			sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	}
	return step_done(s, st, "creating a conversation");
}

/* One exchange's two rows at the end of conversation conv: the prompt, and
 * the reply as a placeholder marked interrupted until it is saved. Then the
 * conversation's updated time (and system prompt, when one was given). */
static int insert_turn(struct store *s, const char *conv, const char *user_id, const char *reply_id,
		       const char *prompt, const char *system, const char *request_id, const char *now)
{
	long seq = 0;
	sqlite3_stmt *st = store_prepare(s, "SELECT coalesce(max(seq), 0) FROM messages WHERE conversation = ?1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, conv, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	static const char ins[] =
		"INSERT INTO messages (id, conversation, seq, role, text, status, request_id, created)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	for (int i = 0; i < 2; i++) {
		st = store_prepare(s, ins);
		if (st) {
			sqlite3_bind_text(st, 1, i ? reply_id : user_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, conv, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, seq + 1 + i);
			sqlite3_bind_text(st, 4, i ? "assistant" : "user", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, i ? "" : prompt, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, i ? "interrupted" : "complete", -1, SQLITE_STATIC);
			if (request_id)
				sqlite3_bind_text(st, 7, request_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
		}
		if (step_done(s, st, "logging the prompt") < 0)
			return -1;
	}
	st = store_prepare(s, "UPDATE conversations SET updated = ?2, system = coalesce(?3, system) WHERE id = ?1");
	if (st) {
		sqlite3_bind_text(st, 1, conv, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		if (system)
			sqlite3_bind_text(st, 3, system, -1, SQLITE_STATIC);
	}
	return step_done(s, st, "updating the conversation");
}

/* The rid of message id, or 0. */
static sqlite3_int64 message_rid(struct histlog *h, const char *id)
{
	sqlite3_int64 rid = 0;
	sqlite3_stmt *q = store_prepare(&h->st, "SELECT rid FROM messages WHERE id = ?1");
	if (!q)
		return 0;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		rid = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rid;
}

/* Inside a write transaction: the bytes stored once by content (sha256)
 * and linked to message rid as its item ord. 0 or -1 (said). */
static int put_media(struct histlog *h, sqlite3_stmt *media, sqlite3_stmt *link, sqlite3_int64 rid, int ord,
		     const char *mime, const void *data, size_t len)
{
	char hex[65];
	sha256_hex(len ? data : "", len, hex);
	sqlite3_bind_text(media, 1, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(media, 2, mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(media, 3, (sqlite3_int64)len);
	sqlite3_bind_blob(media, 4, len ? data : "", (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(link, 1, rid);
	sqlite3_bind_int(link, 2, ord);
	sqlite3_bind_text(link, 3, hex, -1, SQLITE_STATIC);
	int rc = sqlite3_step(media) != SQLITE_DONE || sqlite3_step(link) != SQLITE_DONE ? store_error(&h->st, "storing media") : 0;
	sqlite3_reset(media);
	sqlite3_reset(link);
	return rc;
}

static sqlite3_stmt *media_insert(struct histlog *h)
{
	return store_prepare(&h->st, "INSERT OR IGNORE INTO media (sha256, mime, bytes, data) VALUES (?1, ?2, ?3, ?4)");
}

static sqlite3_stmt *media_link(struct histlog *h)
{
	return store_prepare(&h->st, "INSERT INTO message_media (message, ord, sha256) VALUES (?1, ?2, ?3)");
}

/* The user turn's attachments, stored once each by content (sha256 of the
 * bytes) and linked to the message just inserted. Attachments by uri have
 * no bytes here and are not stored. */
static int store_media(struct histlog *h, const struct attachments *a)
{
	if (!a || !a->n)
		return 0;
	sqlite3_int64 rid = message_rid(h, h->user_msg);
	sqlite3_stmt *media = media_insert(h), *link = media_link(h);
	int rc = media && link && rid ? 0 : -1;
	for (size_t i = 0; !rc && i < a->n; i++) {
		if (!a->v[i].data)
			continue;
		struct buf raw = BUF_INIT((size_t)1 << 31);
		if (base64_decode(a->v[i].data, a->v[i].data_len, &raw) == 0)
			rc = put_media(h, media, link, rid, (int)i, a->v[i].mime, raw.p, raw.len);
		buf_free(&raw);
	}
	sqlite3_finalize(media);
	sqlite3_finalize(link);
	return rc;
}

/* Find the conversation asked for (or the latest) and read its context.
 * 0 found, 1 none, -1 error. */
static int find_and_load(struct histlog *h, const struct histlog_start *hs)
{
	int r = hs->conversation ? store_conv_find(&h->st, hs->conversation, h->conv)
				 : store_conv_latest(&h->st, h->conv);
	if (r != 0) {
		h->conv[0] = 0;
		return r;
	}
	return load_context(h) < 0 ? -1 : 0;
}

/* Inside one write transaction: find or create the conversation, read its
 * context, and log the user turn with a placeholder for the reply, so even
 * a SIGKILL leaves the reply marked as interrupted. Doing it all under the
 * one lock means two cron jobs naming the same new conversation share it. */
static int log_user_turn(struct histlog *h, const struct histlog_start *hs)
{
	char now[40], title[96];
	clock_rfc3339(now, sizeof now);
	histlog_title(hs->prompt, title, sizeof title);
	if (store_begin(&h->st) < 0)
		return -1;
	if ((hs->cont || hs->conversation) && find_and_load(h, hs) < 0)
		goto fail;
	if (!h->conv[0] && create_conversation(&h->st, h->conv, hs->conversation, title, now) < 0)
		goto fail;
	if (insert_turn(&h->st, h->conv, h->user_msg, h->reply_msg, hs->prompt, hs->system, hs->request_id, now) < 0 ||
	    store_media(h, hs->atts) < 0)
		goto fail;
	return store_commit(&h->st);
fail:
	store_rollback(&h->st);
	return -1;
}

static void free_spool_fields(struct histlog *h)
{
	free(h->sp_prompt);
	free(h->sp_system);
	free(h->sp_conversation);
	free(h->sp_request_id);
	h->sp_prompt = h->sp_system = h->sp_conversation = h->sp_request_id = NULL;
}

/* What the spool needs to log the prompt later, kept past the caller's strings. */
static void keep_for_spool(struct histlog *h, const struct histlog_start *hs)
{
	free_spool_fields(h);
	h->sp_prompt = strdup(hs->prompt);
	h->sp_system = hs->system ? strdup(hs->system) : NULL;
	h->sp_conversation = hs->conversation ? strdup(hs->conversation) : NULL;
	h->sp_request_id = hs->request_id ? strdup(hs->request_id) : NULL;
	h->sp_cont = hs->cont;
	h->spooling = h->sp_prompt != NULL;
}

int histlog_begin(struct histlog *h, const struct histlog_start *hs)
{
	clear_context(h);
	h->logging = 0;
	h->spooling = 0;
	h->conv[0] = h->user_msg[0] = h->reply_msg[0] = 0;
	/* the exchange's ids are made before it is logged, so a spooled copy
	 * of it carries them and is written in once only */
	store_new_id(h->user_msg);
	store_new_id(h->reply_msg);
	int wants_context = hs->cont || hs->conversation;
	/* nothing to read and nothing to write: leave the database alone */
	if (!h->opened && !h->status && !(hs->no_log && !wants_context)) {
		if (path_history(hs->db_flag, h->db, sizeof h->db) < 0) {
			h->status = EXIT_CANTCREAT;
		} else {
			int r = store_open(&h->st, h->db, hs->no_log ? STORE_READ : STORE_CREATE);
			if (r == 0)
				h->opened = 1;
			else if (r != 1)
				h->status = r;
		}
	}
	if (wants_context && !h->opened) {
		if (h->status) {
			error("cannot continue a conversation without the history");
			return h->status;
		}
		if (hs->conversation) {
			error("no conversation '%s': there is no history yet", hs->conversation);
			return EXIT_DATAERR;
		}
	}
	int logged = 0;
	if (h->opened && !hs->no_log) {
		histlog_spool_replay(&h->st);
		logged = log_user_turn(h, hs) == 0;
		if (!logged) {
			h->status = EXIT_CANTCREAT;
			clear_context(h);
			h->conv[0] = 0;
			if (h->st.busy)
				keep_for_spool(h, hs);
		}
	}
	if (h->opened && wants_context && !logged) {
		/* read-only: --no-log, or a history that cannot be written */
		int r = find_and_load(h, hs);
		if (r < 0)
			return EXIT_CANTCREAT;
		if (r == 1 && hs->conversation && hs->no_log) {
			error("no conversation '%s' in %s", hs->conversation, h->db);
			return EXIT_DATAERR;
		}
	}
	h->logging = logged;
	if (hs->system) {
		free(h->system);
		h->system = strdup(hs->system);
	}
	if (push(h, "user", hs->prompt, strlen(hs->prompt), NULL) < 0) {
		error("out of memory");
		return EXIT_SOFTWARE;
	}
	return 0;
}

/* How a reply ended, as its row keeps it. */
struct reply_row {
	const char *text;
	size_t len;
	const char *status, *finish, *provider, *model, *asked_model;
	int have_usage;
	long input, output, cached, reasoning;
	long ttft_ms, ms;           /* ttft_ms < 0: none */
	double cost;                /* < 0: unknown */
	const char *tool_calls;     /* the reply's tool calls as a JSON array, or NULL */
};

/* Inside a write transaction: the reply's row as it ended. */
static int update_reply(struct store *s, const char *reply_id, const struct reply_row *r)
{
	sqlite3_stmt *st = store_prepare(s,
		"UPDATE messages SET text = ?2, status = ?3, finish = ?4, provider = ?5, model = ?6,"
		" input_tokens = ?7, output_tokens = ?8, cached_tokens = ?9, reasoning_tokens = ?10,"
		" ttft_ms = ?11, ms = ?12, cost_usd = ?13, asked_model = ?14, tool_calls = ?15 WHERE id = ?1");
	if (st) {
		sqlite3_bind_text(st, 1, reply_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->text ? r->text : "", (int)r->len, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->finish, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->provider, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->model, -1, SQLITE_STATIC);
		if (r->have_usage) {
			sqlite3_bind_int64(st, 7, r->input);
			sqlite3_bind_int64(st, 8, r->output);
			sqlite3_bind_int64(st, 9, r->cached);
			sqlite3_bind_int64(st, 10, r->reasoning);
		}
		if (r->ttft_ms >= 0)
			sqlite3_bind_int64(st, 11, r->ttft_ms);
		sqlite3_bind_int64(st, 12, r->ms);
		if (r->cost >= 0)
			sqlite3_bind_double(st, 13, r->cost);
		if (r->asked_model)
			sqlite3_bind_text(st, 14, r->asked_model, -1, SQLITE_STATIC);
		if (r->tool_calls)
			sqlite3_bind_text(st, 15, r->tool_calls, -1, SQLITE_STATIC);
	}
	return step_done(s, st, "saving the reply");
}

static jv str_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

/* The exchange as the spool keeps it: enough to write both rows later
 * (rows: whether the prompt's rows are already in the history). */
static jv spool_entry(const struct histlog *h, const struct reply_row *r, int rows)
{
	char now[40];
	clock_rfc3339(now, sizeof now);
	jv reply = jv_object();
	reply = jv_object_set(reply, jv_string("text"), jv_string_sized(r->text ? r->text : "", (int)r->len));
	reply = jv_object_set(reply, jv_string("status"), jv_string(r->status));
	reply = jv_object_set(reply, jv_string("finish"), str_or_null(r->finish));
	reply = jv_object_set(reply, jv_string("provider"), str_or_null(r->provider));
	reply = jv_object_set(reply, jv_string("model"), str_or_null(r->model));
	reply = jv_object_set(reply, jv_string("asked_model"), str_or_null(r->asked_model));
	reply = jv_object_set(reply, jv_string("ttft_ms"), r->ttft_ms >= 0 ? jv_number((double)r->ttft_ms) : jv_null());
	reply = jv_object_set(reply, jv_string("ms"), jv_number((double)r->ms));
	reply = jv_object_set(reply, jv_string("cost_usd"), r->cost >= 0 ? jv_number(r->cost) : jv_null());
	reply = jv_object_set(reply, jv_string("tool_calls"), str_or_null(r->tool_calls));
	if (r->have_usage)
		reply = jv_object_set(reply, jv_string("usage"),
			JV_OBJECT(jv_string("input"), jv_number((double)r->input), jv_string("output"), jv_number((double)r->output),
				  jv_string("cached"), jv_number((double)r->cached),
				  jv_string("reasoning"), jv_number((double)r->reasoning)));
	jv e = JV_OBJECT(jv_string("type"), jv_string("spooled_exchange"), jv_string("rows"), jv_bool(rows),
			 jv_string("user_msg"), jv_string(h->user_msg), jv_string("reply_msg"), jv_string(h->reply_msg));
	e = jv_object_set(e, jv_string("conv_id"), h->conv[0] ? jv_string(h->conv) : jv_null());
	e = jv_object_set(e, jv_string("conversation"), str_or_null(h->sp_conversation));
	e = jv_object_set(e, jv_string("cont"), jv_bool(h->sp_cont));
	e = jv_object_set(e, jv_string("prompt"), str_or_null(h->sp_prompt));
	e = jv_object_set(e, jv_string("system"), str_or_null(h->sp_system));
	e = jv_object_set(e, jv_string("request_id"), str_or_null(h->sp_request_id));
	e = jv_object_set(e, jv_string("created"), jv_string(now));
	return jv_object_set(e, jv_string("reply"), reply);
}

/* The history would not take the reply in time: keep it in the spool,
 * so it is not lost; the exit status still says the history failed. */
static void spool_exchange(struct histlog *h, const struct reply_row *r, int rows)
{
	jv e = spool_entry(h, r, rows);
	if (spool_save(h->db, e) == 0)
		warn("history %s: the exchange is kept in %s.spool until the history can take it", h->db, h->db);
	jv_free(e);
	h->status = EXIT_CANTCREAT;
}

/* A request that failed before any reply (refused, unreachable, a guard)
 * leaves nothing behind: not its two rows, not a conversation it alone
 * began; it was no request to count and no turn to continue from. */
static void forget_exchange(struct histlog *h)
{
	if (store_begin(&h->st) < 0) {
		h->status = EXIT_CANTCREAT;
		return;
	}
	int rc = 0;
	static const char *const sql[] = {
		"DELETE FROM messages WHERE id IN (?1, ?2)",
		"DELETE FROM conversations WHERE id = ?3 AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation = ?3)",
	};
	for (size_t i = 0; i < sizeof sql / sizeof *sql && !rc; i++) {
		sqlite3_stmt *st = store_prepare(&h->st, sql[i]);
		if (st) {
			sqlite3_bind_text(st, 1, h->user_msg, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, h->reply_msg, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, h->conv, -1, SQLITE_STATIC);
		}
		rc = step_done(&h->st, st, "forgetting a failed request");
	}
	if (rc < 0) {
		store_rollback(&h->st);
		h->status = EXIT_CANTCREAT;
	} else if (store_commit(&h->st) < 0) {
		h->status = EXIT_CANTCREAT;
	}
}

void histlog_end(struct histlog *h, const char *text, size_t len, const struct chat_reply *r,
		 const struct exchange_timing *t, const char *provider, const char *model, double cost)
{
	if (!h->logging && !h->spooling)
		return;
	/* cut off part-way by a signal, a closed pipe or the network: interrupted,
	 * and continued later; refused, broken or never begun: error */
	enum err_code c = r->err.code;
	const char *status = !c ? "complete"
		: c == ERR_INTERRUPTED || ((c == ERR_NETWORK || c == ERR_TIMEOUT) && len) ? "interrupted" : "error";
	struct reply_row row = { .text = text, .len = len, .status = status, .finish = r->finish, .provider = provider,
				 .model = r->model[0] ? r->model : model, .asked_model = model, .have_usage = r->have_usage,
				 .input = r->usage.input, .output = r->usage.output, .cached = r->usage.cached,
				 .reasoning = r->usage.reasoning, .ttft_ms = t->ttft_ms, .ms = t->total_ms, .cost = cost };
	jv calls = jv_get_kind(r->tool_calls) == JV_KIND_ARRAY ? jv_dump_string(jv_copy(r->tool_calls), 0) : jv_invalid();
	row.tool_calls = jv_is_valid(calls) ? jv_string_value(calls) : NULL;
	/* failed before any reply; a refusal (filtered) is an answer, and kept */
	int nothing = !strcmp(status, "error") && !len && !r->have_usage && strcmp(r->finish, "filtered");
	if (h->spooling) {
		if (!nothing)
			spool_exchange(h, &row, 0);
	} else if (nothing) {
		forget_exchange(h);
	} else if (store_begin(&h->st) < 0) {
		if (h->st.busy)
			spool_exchange(h, &row, 1);
		h->status = EXIT_CANTCREAT;
	} else if (update_reply(&h->st, h->reply_msg, &row) < 0) {
		store_rollback(&h->st);
		h->status = EXIT_CANTCREAT;
	} else if (store_commit(&h->st) < 0) {
		h->status = EXIT_CANTCREAT;
	}
	jv_free(calls);
}

/* One spooled exchange written in, inside the replay's transaction. The
 * ids it carries make it safe to meet twice (a crash between the commit
 * and the removal of its file): a reply row that exists is only updated. */
static int replay_one(struct store *s, jv e)
{
	char user_id[STORE_ID_LEN + 1] = "", reply_id[STORE_ID_LEN + 1] = "", conv[STORE_ID_LEN + 1] = "";
	char ref[512] = "", created[40] = "", title[96];
	jx_str(e, "user_msg", user_id, sizeof user_id);
	jx_str(e, "reply_msg", reply_id, sizeof reply_id);
	jx_str(e, "created", created, sizeof created);
	if (strlen(user_id) != STORE_ID_LEN || strlen(reply_id) != STORE_ID_LEN || !created[0])
		return 1; /* not one of ours: left alone */
	jv reply = jx_get(e, "reply"), usage = jx_get(reply, "usage"), text = jx_get(reply, "text");
	jv prompt = jx_get(e, "prompt"), system = jx_get(e, "system"), rid = jx_get(e, "request_id");
	jv fin = jx_get(reply, "finish"), prov = jx_get(reply, "provider"), mod = jx_get(reply, "model");
	jv asked = jx_get(reply, "asked_model"), stat = jx_get(reply, "status"), calls = jx_get(reply, "tool_calls");
#define STR(v) (jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL)
	struct reply_row row = { .text = STR(text), .len = STR(text) ? (size_t)jv_string_length_bytes(jv_copy(text)) : 0,
				 .status = STR(stat) ? STR(stat) : "error", .finish = STR(fin), .provider = STR(prov),
				 .model = STR(mod), .asked_model = STR(asked), .have_usage = jv_get_kind(usage) == JV_KIND_OBJECT,
				 .input = (long)jx_num(usage, "input", 0), .output = (long)jx_num(usage, "output", 0),
				 .cached = (long)jx_num(usage, "cached", 0), .reasoning = (long)jx_num(usage, "reasoning", 0),
				 .ttft_ms = (long)jx_num(reply, "ttft_ms", -1), .ms = (long)jx_num(reply, "ms", 0),
				 .cost = jx_num(reply, "cost_usd", -1), .tool_calls = STR(calls) };
	int rc = 0;
	sqlite3_stmt *q = store_prepare(s, "SELECT 1 FROM messages WHERE id = ?1");
	int exists = 0;
	if (q) {
		sqlite3_bind_text(q, 1, reply_id, -1, SQLITE_STATIC);
		exists = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_finalize(q);
	}
	if (!exists) {
		/* the prompt never reached the history either: its conversation as asked */
		int found = 1;
		jv cid = jx_get(e, "conv_id"), cref = jx_get(e, "conversation"), cont = jx_get(e, "cont");
		if (STR(cid))
			found = store_conv_find(s, STR(cid), conv);
		if (found && STR(cref)) {
			snprintf(ref, sizeof ref, "%s", STR(cref));
			found = store_conv_find(s, ref, conv);
		} else if (found && jv_get_kind(cont) == JV_KIND_TRUE) {
			found = store_conv_latest(s, conv);
		}
		histlog_title(STR(prompt) ? STR(prompt) : "", title, sizeof title);
		if (found < 0 || (found && create_conversation(s, conv, ref[0] ? ref : NULL, title, created) < 0) ||
		    insert_turn(s, conv, user_id, reply_id, STR(prompt) ? STR(prompt) : "", STR(system), STR(rid),
				created) < 0)
			rc = -1;
		jv_free(cid);
		jv_free(cref);
		jv_free(cont);
	}
	if (!rc && update_reply(s, reply_id, &row) < 0)
		rc = -1;
#undef STR
	jv_free(reply);
	jv_free(usage);
	jv_free(text);
	jv_free(prompt);
	jv_free(system);
	jv_free(rid);
	jv_free(fin);
	jv_free(prov);
	jv_free(mod);
	jv_free(asked);
	jv_free(stat);
	jv_free(calls);
	return rc;
}

size_t histlog_spool_replay(struct store *s)
{
	char **names;
	size_t n = spool_list(s->path, &names), done = 0;
	if (!n)
		return 0;
	/* held across the commit and the removals, so nobody writes one twice */
	if (store_hold(s, 0) < 0) {
		spool_names_free(names, n);
		return 0;
	}
	int ok = store_begin(s) == 0;
	for (size_t i = 0; ok && i < n; i++) {
		jv e = spool_read(names[i]);
		int r = jv_is_valid(e) ? replay_one(s, e) : 1;
		if (!jv_is_valid(e)) {
			/* damaged or half written: never removed */
			free(names[i]);
			names[i] = NULL;
		}
		jv_free(e);
		if (r < 0)
			ok = 0;
		else if (r == 0)
			done++;
	}
	if (ok && store_commit(s) == 0) {
		for (size_t i = 0; i < n; i++)
			if (names[i])
				unlink(names[i]);
	} else {
		if (!ok)
			store_rollback(s);
		done = 0;
	}
	store_release(s);
	spool_names_free(names, n);
	return done;
}

int histlog_reply_media(struct histlog *h, const struct histlog_media *m, size_t n)
{
	if (!h->logging || !n)
		return 0;
	if (store_begin(&h->st) < 0) {
		h->status = EXIT_CANTCREAT;
		return -1;
	}
	sqlite3_int64 rid = message_rid(h, h->reply_msg);
	sqlite3_stmt *media = media_insert(h), *link = media_link(h);
	int rc = media && link && rid ? 0 : -1;
	for (size_t i = 0; !rc && i < n; i++)
		rc = put_media(h, media, link, rid, (int)i, m[i].mime, m[i].data, m[i].len);
	sqlite3_finalize(media);
	sqlite3_finalize(link);
	if (rc < 0) {
		store_rollback(&h->st);
		h->status = EXIT_CANTCREAT;
		return -1;
	}
	if (store_commit(&h->st) < 0) {
		h->status = EXIT_CANTCREAT;
		return -1;
	}
	return 0;
}

int histlog_conversation_model(const char *db_flag, int cont, const char *conversation, char *out, size_t cap)
{
	struct store st;
	char db[4096], conv[STORE_ID_LEN + 1];
	if (path_history(db_flag, db, sizeof db) < 0)
		return 1;
	int r = store_open(&st, db, STORE_READ);
	if (r)
		return r == 1 ? 1 : r;
	r = conversation ? store_conv_find(&st, conversation, conv) : store_conv_latest(&st, conv);
	sqlite3_stmt *q = r == 0 ? store_prepare(&st,
		"SELECT provider || ':' || coalesce(asked_model, model) FROM messages WHERE conversation = ?1"
		" AND role = 'assistant' AND provider IS NOT NULL AND text != '' ORDER BY seq DESC LIMIT 1") : NULL;
	int found = 0;
	if (q) {
		sqlite3_bind_text(q, 1, conv, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
			snprintf(out, cap, "%s", (const char *)sqlite3_column_text(q, 0));
			found = 1;
		}
		sqlite3_finalize(q);
	}
	store_close(&st);
	return r < 0 ? EXIT_CANTCREAT : found ? 0 : 1;
}

int histlog_answered(struct store *s, jv id)
{
	char ref[256];
	if (jv_get_kind(id) == JV_KIND_STRING)
		snprintf(ref, sizeof ref, "%s", jv_string_value(id));
	else if (jv_get_kind(id) == JV_KIND_NUMBER)
		snprintf(ref, sizeof ref, "%.17g", jv_number_value(id));
	else
		return 0;
	sqlite3_stmt *st = store_prepare(s,
		"SELECT 1 FROM messages WHERE request_id = ?1 AND role = 'assistant' AND status = 'complete' LIMIT 1");
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_TRANSIENT);
	int yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

void histlog_close(struct histlog *h)
{
	clear_context(h);
	free_spool_fields(h);
	if (h->opened)
		store_close(&h->st);
	h->opened = 0;
}
