#include "history/histlog.h"
#include "thread.h"
#include "paths.h"
#include "base64.h"
#include "clock.h"
#include "diag.h"
#include "media/audio.h"
#include "media/image.h"
#include "media/pdf.h"
#include "jsonx.h"
#include "history/histrow.h"
#include "history/spool.h"
#include "history/spool_replay.h"
#include <signal.h>
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
	/* the facts a record carried are not stored: read again from the bytes,
	 * for the context budget (fit.c) */
	const char *kind = attach_kind(mime);
	int w = 0, hh = 0;
	long pages = -1;
	double sec = -1;
	enum audio_how how;
	char why[160];
	if (!kind || !strcmp(kind, "image"))
		image_size(data, len, &w, &hh);
	else if (!strcmp(kind, "pdf"))
		pages = pdf_pages(data, len);
	else if (!strcmp(kind, "audio") && (audio_duration(mime, data, len, &sec, &how, why, sizeof why) < 0 ||
					    how == AUDIO_UNKNOWN))
		sec = -1;
	size_t n;
	char *text = buf_detach(&b64, &n);
	a[h->nmedia++] = (struct attachment){ .mime = m, .data = text, .data_len = n, .kind = kind ? kind : "image",
		.width = w, .height = hh, .pages = pages, .duration = sec };
	h->msgs[msg].natts++;
	return 0;
}

/* The earlier user turns' attachments, in order, so a follow-up question
 * about an image still has the image. */
static int load_media(struct histlog *h, const store_int *rids)
{
	store_stmt *st = store_prepare(&h->st,
		"SELECT mm.message, m.mime, m.data FROM message_media mm JOIN media m ON m.sha256 = mm.sha256"
		" JOIN messages g ON g.rid = mm.message WHERE g.conversation = ?1 ORDER BY g.seq, mm.ord");
	if (!st)
		return -1;
	store_bind_text(st, 1, h->conv, -1);
	size_t k = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		store_int rid = store_col_int64(st, 0);
		while (k < h->nmsgs && rids[k] != rid)
			k++;
		if (k == h->nmsgs)
			break; /* a turn left out of the context (an empty one) */
		if (add_media(h, k, store_col_text(st, 1), store_col_blob(st, 2),
			      (size_t)store_col_bytes(st, 2)) < 0) {
			store_finalize(st);
			return -1;
		}
	}
	store_finalize(st);
	if (rc != STORE_DONE && rc != STORE_ROW)
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
	store_stmt *st = store_prepare(&h->st,
		"SELECT role, text, status, rid FROM messages WHERE conversation = ?1 ORDER BY seq");
	if (!st)
		return -1;
	store_bind_text(st, 1, h->conv, -1);
	int rc;
	store_int *rids = NULL;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *role = store_col_text(st, 0);
		const char *text = store_col_text(st, 1);
		size_t len = (size_t)store_col_bytes(st, 1);
		const char *status = store_col_text(st, 2);
		int user = !strcmp(role, "user");
		if (!len)
			continue;
		store_int *r = realloc(rids, (h->nmsgs + 1) * sizeof *r);
		if (!r || push(h, user ? "user" : "assistant", text, len,
			       !user && strcmp(status, "complete") ? CUT_OFF_MARK : NULL) < 0) {
			rids = r ? r : rids;
			break;
		}
		rids = r;
		rids[h->nmsgs - 1] = store_col_int64(st, 3);
	}
	store_finalize(st);
	if (rc == STORE_DONE && h->nmsgs && load_media(h, rids) < 0)
		rc = STORE_ERROR;
	free(rids);
	if (rc != STORE_DONE)
		return store_error(&h->st, "reading the conversation");
	st = store_prepare(&h->st, "SELECT system FROM conversations WHERE id = ?1");
	if (!st)
		return -1;
	store_bind_text(st, 1, h->conv, -1);
	if (store_step(st) == STORE_ROW && store_col_type(st, 0) != STORE_NULL)
		h->system = strdup(store_col_text(st, 0));
	store_finalize(st);
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
	if (hs->defer) {
		/* the context was read before; a name not found then may have
		 * been made since, and is shared */
		if (!h->conv[0] && hs->conversation) {
			int r = store_conv_find(&h->st, hs->conversation, h->conv);
			if (r < 0)
				goto fail;
			if (r == 1)
				h->conv[0] = 0;
		}
	} else if ((hs->cont || hs->conversation) && find_and_load(h, hs) < 0) {
		goto fail;
	}
	if (h->conv_new ? histrow_add_conversation(&h->st, h->conv, NULL, title, now) < 0
			: !h->conv[0] && histrow_new_conversation(&h->st, h->conv, hs->conversation, title, now) < 0)
		goto fail;
	if (histrow_insert_turn(&h->st, h->conv, h->user_msg, h->reply_msg, hs->prompt, hs->system, hs->request_id,
				now) < 0 ||
	    histrow_attachments(&h->st, h->user_msg, hs->atts) < 0)
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
	h->sp_atts = hs->atts;
	h->spooling = h->sp_prompt != NULL;
}

/* The deferred write: the user turn from the kept copies. */
static void write_user_turn(struct histlog *h)
{
	struct histlog_start hs = { .cont = h->sp_cont, .conversation = h->sp_conversation, .prompt = h->sp_prompt,
				    .system = h->sp_system, .request_id = h->sp_request_id, .atts = h->sp_atts,
				    .defer = 1 };
	h->spooling = 0;
	if (h->open_pending) {
		h->open_pending = 0;
		int r = store_open(&h->st, h->db, STORE_CREATE);
		if (r) {
			h->status = r;  /* as when opened before the request: the turn goes unlogged */
			/* ... but a PostgreSQL server out of reach, or a turn
			 * already in its pending record: the spool keeps it */
			h->spooling = r == EXIT_CANTCREAT && (path_is_conninfo(h->db) || h->pending_held);
			h->forget_conv = !h->spooling;
			return;
		}
		h->opened = 1;
	}
	histlog_spool_replay(&h->st);
	if (log_user_turn(h, &hs) == 0) {
		h->logging = 1;
		return;
	}
	/* the request was built from the context: it stays, only the turn is
	 * lost, unless the spool can keep it (a busy history, or a turn whose
	 * pending record, and so its conversation's id, is out already) */
	h->status = EXIT_CANTCREAT;
	h->spooling = h->st.busy || h->pending_held;
	h->forget_conv = !h->spooling;
}

/* One of the writer's two signals (gate, resume) set, for the other side. */
static void gate_post(struct histlog *h, int *signal, int to)
{
	pthread_mutex_lock(&h->gate_mu);
	*signal = to;
	pthread_cond_broadcast(&h->gate_cv);
	pthread_mutex_unlock(&h->gate_mu);
}

/* The writer, once the turn's pending record is out, waits for the reply
 * to start (or end) before it takes the CPU SQLite needs: on a busy
 * machine the request and the first bytes come first. */
static void wait_for_reply(struct histlog *h)
{
	pthread_mutex_lock(&h->gate_mu);
	while (!h->resume)
		pthread_cond_wait(&h->gate_cv, &h->gate_mu);
	pthread_mutex_unlock(&h->gate_mu);
}


static void *writer_main(void *arg)
{
	struct histlog *h = arg;
	if (h->pending_wanted && histlog_pending_save(h) == 0) {
		gate_post(h, &h->gate, 1);
		wait_for_reply(h);
	}
	write_user_turn(h);
	if (h->logging)
		histlog_pending_drop(h); /* the history has the turn */
	gate_post(h, &h->gate, 2);
	jx_forget_keys(); /* this thread's cache of look-up keys (a spool replay fills it) */
	return NULL;
}

void histlog_write_start(struct histlog *h)
{
	if (!h->write_pending || h->writing)
		return;
	/* ^C and the like stay with the main thread, which stops the transfer;
	 * the lock's own deadline signal (flockwait) still reaches this one */
	sigset_t all, old;
	sigemptyset(&all);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGHUP);
	sigaddset(&all, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	h->gate = h->resume = 0;
	pthread_mutex_init(&h->gate_mu, NULL);
	pthread_cond_init(&h->gate_cv, NULL);
	h->writing = thread_job_start(&h->writer, writer_main, h) == 0;
	if (!h->writing) {
		pthread_cond_destroy(&h->gate_cv);
		pthread_mutex_destroy(&h->gate_mu);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void histlog_write_wait(struct histlog *h)
{
	if (!h->write_pending)
		return;
	if (h->writing) {
		gate_post(h, &h->resume, 1);
		thread_job_join(&h->writer);
		pthread_cond_destroy(&h->gate_cv);
		pthread_mutex_destroy(&h->gate_mu);
	} else {
		write_user_turn(h);
	}
	/* cleared here, not by the writer: a reply under way may be naming it */
	if (h->forget_conv)
		h->conv[0] = 0;
	h->forget_conv = 0;
	h->writing = 0;
	h->write_pending = 0;
}

void histlog_prompt_wait(struct histlog *h)
{
	if (!h->write_pending || !h->writing) {
		histlog_write_wait(h);
		return;
	}
	pthread_mutex_lock(&h->gate_mu);
	while (!h->gate)
		pthread_cond_wait(&h->gate_cv, &h->gate_mu);
	int done = h->gate == 2;
	pthread_mutex_unlock(&h->gate_mu);
	if (done)
		histlog_write_wait(h);
	else
		gate_post(h, &h->resume, 1);
}

int histlog_begin(struct histlog *h, const struct histlog_start *hs)
{
	histlog_write_wait(h); /* the last turn's, if it was never waited for */
	clear_context(h);
	h->logging = 0;
	h->spooling = 0;
	histlog_pending_drop(h);
	h->pending_wanted = h->conv_new = 0;
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
		} else if (hs->defer && !hs->no_log && !wants_context) {
			h->open_pending = 1;  /* nothing to read now: open beside the network */
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
	int logged = 0, deferred = 0;
	/* a PostgreSQL server out of reach: the exchange waits in this
	 * machine's spool for the next program that reaches it */
	if (!h->opened && !h->open_pending && h->status == EXIT_CANTCREAT && !hs->no_log && path_is_conninfo(h->db))
		keep_for_spool(h, hs);
	if ((h->opened || h->open_pending) && !hs->no_log && hs->defer) {
		/* read now, write beside the network: histlog_write_start; a
		 * killed program's prompt waiting in a slot is part of the
		 * conversation read */
		if (wants_context && h->opened)
			histlog_spool_replay(&h->st);
		if (wants_context && find_and_load(h, hs) < 0)
			return EXIT_CANTCREAT;
		keep_for_spool(h, hs);
		if (!h->spooling) {
			error("out of memory");
			return EXIT_SOFTWARE;
		}
		h->spooling = 0;
		h->write_pending = deferred = 1;
		/* a text turn to a conversation known now, or to a new one
		 * (named: its id is found or made under the lock): first to the
		 * spool, so the reply need not wait for SQLite */
		h->pending_wanted = !path_is_conninfo(h->db) && (!hs->atts || !hs->atts->n) &&
				    (h->conv[0] || (!hs->conversation && !hs->cont));
		if (h->pending_wanted && !h->conv[0]) {
			store_new_id(h->conv);
			h->conv_new = 1;
		}
	} else if (h->opened && !hs->no_log) {
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
	if (h->opened && wants_context && !logged && !deferred) {
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

/* The history would not take the reply in time: keep it in the spool,
 * so it is not lost; the exit status still says the history failed. */
static void spool_exchange(struct histlog *h, const struct histrow_message *r, int rows)
{
	jv e = histlog_spool_entry(h, r, rows);
	char where[4200];
	if (spool_save(h->db, e) == 0 && spool_where(h->db, where, sizeof where) == 0)
		warn("history %s: the exchange is kept in %s until the history can take it",
		     h->st.path[0] ? h->st.path : h->db, where);
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
		store_stmt *st = store_prepare(&h->st, sql[i]);
		if (st) {
			store_bind_text(st, 1, h->user_msg, -1);
			store_bind_text(st, 2, h->reply_msg, -1);
			store_bind_text(st, 3, h->conv, -1);
		}
		rc = store_run(&h->st, st, "forgetting a failed request");
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
	histlog_write_wait(h);
	if (!h->logging && !h->spooling) {
		histlog_pending_drop(h);
		return;
	}
	/* cut off part-way by a signal, a closed pipe or the network: interrupted,
	 * and continued later; refused, broken or never begun: error */
	enum err_code c = r->err.code;
	const char *status = !c ? "complete"
		: c == ERR_INTERRUPTED || ((c == ERR_NETWORK || c == ERR_TIMEOUT) && len) ? "interrupted" : "error";
	struct histrow_message row = { .id = h->reply_msg, .text = text, .len = len, .status = status, .finish = r->finish, .provider = provider,
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
	} else if (histrow_update_reply(&h->st, &row) < 0) {
		store_rollback(&h->st);
		h->status = EXIT_CANTCREAT;
	} else if (store_commit(&h->st) < 0) {
		h->status = EXIT_CANTCREAT;
	}
	jv_free(calls);
	histlog_pending_drop(h); /* the exchange is in the history or in the spool, or forgotten */
}

int histlog_write_exchange(struct store *s, const struct histlog_exchange *x, char conv[STORE_ID_LEN + 1],
			   char reply_id[STORE_ID_LEN + 1])
{
	char now[40], title[96], user_id[STORE_ID_LEN + 1];
	clock_rfc3339(now, sizeof now);
	int found = x->conversation ? store_conv_find(s, x->conversation, conv) : 1;
	if (found < 0)
		return -1;
	histlog_title(x->prompt, title, sizeof title);
	if (found && histrow_new_conversation(s, conv, x->conversation, title, x->user_created) < 0)
		return -1;
	long seq = histrow_last_seq(s, conv);
	if (seq < 0)
		return -1;
	store_new_id(user_id);
	store_new_id(reply_id);
	struct histrow_message user = { .id = user_id, .conversation = conv, .seq = seq + 1, .role = "user",
					.text = x->prompt, .len = strlen(x->prompt), .status = "complete", .cost = -1,
					.ttft_ms = -1, .ms = -1, .request_id = x->request_id, .created = x->user_created };
	struct histrow_message reply = x->reply;
	reply.id = reply_id;
	reply.conversation = conv;
	reply.seq = seq + 2;
	reply.role = "assistant";
	reply.request_id = x->request_id;
	reply.created = now;
	if (histrow_insert_message(s, &user) < 0 || histrow_attachments(s, user_id, x->atts) < 0 ||
	    histrow_insert_message(s, &reply) < 0)
		return -1;
	return histrow_touch_conversation(s, conv, now, x->system);
}

int histlog_reply_media(struct histlog *h, const struct histlog_media *m, size_t n)
{
	if (!h->logging || !n)
		return 0;
	if (store_begin(&h->st) < 0) {
		h->status = EXIT_CANTCREAT;
		return -1;
	}
	struct histrow_media w;
	int rc = histrow_media_open(&w, &h->st, h->reply_msg);
	for (size_t i = 0; !rc && i < n; i++)
		rc = histrow_media_put(&w, (int)i, m[i].mime, m[i].data, m[i].len);
	histrow_media_close(&w);
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
	store_stmt *q = r == 0 ? store_prepare(&st,
		"SELECT provider || ':' || coalesce(asked_model, model) FROM messages WHERE conversation = ?1"
		" AND role = 'assistant' AND provider IS NOT NULL AND text != '' ORDER BY seq DESC LIMIT 1") : NULL;
	int found = 0;
	if (q) {
		store_bind_text(q, 1, conv, -1);
		if (store_step(q) == STORE_ROW && store_col_type(q, 0) != STORE_NULL) {
			snprintf(out, cap, "%s", store_col_text(q, 0));
			found = 1;
		}
		store_finalize(q);
	}
	store_close(&st);
	return r < 0 ? EXIT_CANTCREAT : found ? 0 : 1;
}

int histlog_answered(struct store *s, jv id)
{
	char ref[256];
	if (jx_id_text(id, ref, sizeof ref) < 0)
		return 0;
	store_stmt *st = store_prepare(s,
		"SELECT 1 FROM messages WHERE request_id = ?1 AND role = 'assistant' AND status = 'complete' LIMIT 1");
	if (!st)
		return 0;
	store_bind_text_copy(st, 1, ref, -1);
	int yes = store_step(st) == STORE_ROW;
	store_finalize(st);
	return yes;
}

void histlog_close(struct histlog *h)
{
	histlog_write_wait(h);
	histlog_pending_drop(h);
	clear_context(h);
	free_spool_fields(h);
	if (h->opened)
		store_close(&h->st);
	h->opened = 0;
}
