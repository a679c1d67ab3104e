#include "ask/parallel.h"
#include "paths.h"
#include "ask/ask.h"
#include "clock.h"
#include "diag.h"
#include "fdio.h"
#include "jqprog.h"
#include "jsonx.h"
#include "response.h"
#include "sig.h"
#include "textcheck.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the reader thread: records in, through a small bounded queue ---- */

struct item {
	long lineno;
	jv rec;              /* jv_invalid() for a bad line */
	jv id;               /* a bad line's id, when known */
	size_t bytes;        /* what the record holds, roughly */
	char why[512];
};

/* Records read ahead are held to this many bytes as well as to a count, so
 * a run of 60 MB records cannot fill memory before they are sent. */
#define READ_AHEAD_BYTES ((size_t)256 << 20)

/* The bytes a record's text and attachments take. */
static size_t record_bytes(jv rec)
{
	size_t n = 0;
	jv text = jx_get(rec, "text"), atts = jx_get(rec, "attachments");
	if (jv_get_kind(text) == JV_KIND_STRING)
		n += (size_t)jv_string_length_bytes(jv_copy(text));
	int na = jv_get_kind(atts) == JV_KIND_ARRAY ? jv_array_length(jv_copy(atts)) : 0;
	for (int i = 0; i < na; i++) {
		jv a = jv_array_get(jv_copy(atts), i), d = jx_get(a, "data");
		if (jv_get_kind(d) == JV_KIND_STRING)
			n += (size_t)jv_string_length_bytes(jv_copy(d));
		jv_free(d);
		jv_free(a);
	}
	jv_free(atts);
	jv_free(text);
	return n;
}

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t room;
	struct item *v;
	size_t cap, head, n;
	size_t bytes;        /* held by the items waiting */
	int done, read_error, stop;
	struct promptmap *map;   /* --prompt-jq: records into prompts, on this thread */
	CURLM *wake;         /* woken when an item arrives or the input ends */
	struct line_reader *lr;
};

static int enqueue(void *ctx, long lineno, jv rec, const char *why)
{
	struct queue *q = ctx;
	size_t bytes = jv_is_valid(rec) ? record_bytes(rec) : 0;
	pthread_mutex_lock(&q->mu);
	while ((q->n == q->cap || (q->n && q->bytes + bytes > READ_AHEAD_BYTES)) && !q->stop)
		pthread_cond_wait(&q->room, &q->mu);
	if (q->stop) {
		pthread_mutex_unlock(&q->mu);
		jv_free(rec);
		return 1;
	}
	struct item *it = &q->v[(q->head + q->n) % q->cap];
	it->lineno = lineno;
	it->id = why && *why ? records_bad_line_id() : jv_null();
	snprintf(it->why, sizeof it->why, "%s", why ? why : "");
	if (q->map && jv_is_valid(rec)) {
		/* the jq programs run here, off the main thread, one record at a time */
		jv prompt;
		if (promptmap_apply(q->map, rec, &prompt, &it->id, it->why, sizeof it->why) < 0)
			rec = jv_invalid();
		else {
			rec = prompt;
			jv_free(it->id);
			it->id = jv_null();
		}
	}
	it->rec = rec;
	it->bytes = bytes;
	q->bytes += bytes;
	q->n++;
	pthread_mutex_unlock(&q->mu);
	curl_multi_wakeup(q->wake);
	return 0;
}

static void *reader(void *arg)
{
	struct queue *q = arg;
	int r = records_each(q->lr, enqueue, q);
	jx_forget_keys();
	pthread_mutex_lock(&q->mu);
	q->done = 1;
	q->read_error = r == -1;
	pthread_mutex_unlock(&q->mu);
	curl_multi_wakeup(q->wake);
	return NULL;
}

/* 1 with an item, 0 when none is waiting; *ended when none will come. */
static int dequeue(struct queue *q, struct item *out, int *ended)
{
	pthread_mutex_lock(&q->mu);
	int got = q->n > 0;
	if (got) {
		*out = q->v[q->head];
		q->head = (q->head + 1) % q->cap;
		q->n--;
		q->bytes -= out->bytes;
		pthread_cond_signal(&q->room);
	}
	*ended = !got && q->done;
	pthread_mutex_unlock(&q->mu);
	return got;
}

/* ---- slots: one record's exchange, in one of a fixed set of slots ---- */

enum job_state { FREE, WAITING, RUNNING };

struct slot {
	enum job_state state;
	long seq;
	struct session s;          /* the main session's copy, with its own history handle */
	struct ask a;
	struct ask_state st;
	struct exchange x;
	int in_exchange;
	CURL *h;
	long not_before;           /* now_ms() time of the next attempt */
	int limited;               /* waiting for the shared rate limit */
	struct attachments atts;
	jv rec, text, system, conv, id;
};

struct held {                      /* ordered output waiting for its turn */
	int ready;
	struct buf out;
};

struct engine {
	struct session *s;
	const struct parallel_opts *bo;
	CURLM *multi;
	struct slot *slots;
	int nslots;
	struct held *held;
	long window, next_seq, next_out;
	long done, failed, skipped, running;
	int fatal;
	struct store skip_db;
	int skip_open;
	struct chat_error trip;    /* an answer every record would get: stop sending */
	long unsent;
	long started_ms, progress_ms;
};

static struct buf *hold_for(struct engine *e, long seq)
{
	return e->bo->ordered ? &e->held[seq % e->window].out : NULL;
}

/* Write the ordered output that is ready, in order. */
static void release(struct engine *e)
{
	while (e->bo->ordered && e->next_out < e->next_seq) {
		struct held *h = &e->held[e->next_out % e->window];
		if (!h->ready)
			break;
		if (h->out.len && !e->fatal && write_all(1, h->out.p, h->out.len) < 0) {
			if (errno == EPIPE)
				sig_note_pipe();
			else
				e->fatal = (error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT);
		}
		buf_reset(&h->out);
		h->ready = 0;
		e->next_out++;
	}
}

static void output_done(struct engine *e, long seq)
{
	if (e->bo->ordered) {
		e->held[seq % e->window].ready = 1;
		release(e);
	}
}

/* Failures that would be the same for every record, so the rest are not
 * sent: the key refused, the quota gone, the model unknown, the host out
 * of reach after its retries. Anything transient keeps its own retries. */
static int same_for_every_record(const struct chat_error *err)
{
	return err->code == ERR_AUTH || err->code == ERR_QUOTA || err->status == 404 || err->unreachable;
}

/* Record seq is answered with an error record of our own (none with
 * --data, where only answers go out), in its turn. */
static void answer_error(struct engine *e, long seq, jv id, const struct chat_error *ce)
{
	e->failed++;
	if (!e->s->opts->data_only) {
		jv rec = error_record(id, ce);
		struct buf *hold = hold_for(e, seq);
		if (hold ? jx_dump_line(rec, hold) < 0 : jx_write_line(1, rec) < 0) {
			if (errno == EPIPE)
				sig_note_pipe();
			else
				e->fatal = (error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT);
		}
	}
	output_done(e, seq);
}

/* A record that is not sent because of e->trip gets that error. */
static void answer_unsent(struct engine *e, long seq, jv id)
{
	struct chat_error ce = e->trip;
	snprintf(ce.message, sizeof ce.message, "not sent: an earlier request failed with: %s", e->trip.message);
	ce.retryable = 0;
	e->unsent++;
	answer_error(e, seq, id, &ce);
}

/* A record answered without a request: an error record of our own. */
static void fail_now(struct engine *e, long seq, jv id, long lineno, const char *why)
{
	struct chat_error ce = { 0 };
	char msg[400];
	snprintf(msg, sizeof msg, "line %ld: %s", lineno, why);
	err_set(&ce, ERR_BAD_INPUT, 0, "%s", msg);
	if (!e->s->opts->quiet && !strstr(why, "invalid JSON") && !strstr(why, "a record must") &&
	    !strstr(why, "a record needs") && strncmp(why, "longer than ", 12) && strncmp(why, "not UTF-8", 9))
		warn("%s", msg); /* the record loop has already reported lines it could not parse */
	answer_error(e, seq, id, &ce);
}

static void slot_clear(struct slot *j)
{
	attachments_free(&j->atts);
	jv_free(j->rec);
	jv_free(j->text);
	jv_free(j->system);
	jv_free(j->conv);
	jv_free(j->id);
	j->state = FREE;
	j->h = NULL;
	j->in_exchange = 0;
	j->limited = 0;
}

/* Has the history a complete answer to this id? */
static int answered(struct engine *e, jv id)
{
	char ref[256];
	if (jv_get_kind(id) == JV_KIND_STRING)
		snprintf(ref, sizeof ref, "%s", jv_string_value(id));
	else if (jv_get_kind(id) == JV_KIND_NUMBER)
		snprintf(ref, sizeof ref, "%.17g", jv_number_value(id));
	else
		return 0;
	if (!e->skip_open)
		return 0;
	sqlite3_stmt *st = store_prepare(&e->skip_db,
		"SELECT 1 FROM messages WHERE request_id = ?1 AND role = 'assistant' AND status = 'complete' LIMIT 1");
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_TRANSIENT);
	int yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static void finish_slot(struct engine *e, struct slot *j)
{
	if (j->in_exchange)
		exchange_end(&j->x);
	j->in_exchange = 0;
	struct chat_error err = j->st.reply.err;
	err_note_key(&err, j->s.key_source); /* as ask_finish says it */
	int st = ask_finish(&j->s, &j->a, &j->st);
	if (!e->trip.code && err.code && same_for_every_record(&err)) {
		e->trip = err;
		if (!e->s->opts->quiet)
			warn("stopped sending: %s", err.message);
	}
	if (j->s.hist.status && !e->fatal)
		e->fatal = j->s.hist.status; /* the history cannot be written: stop paying for answers */
	if (st == EXIT_CANTCREAT && !e->fatal)
		e->fatal = st;
	else if (st && !sig_caught)
		e->failed++;
	e->done++;
	output_done(e, j->seq);
	slot_clear(j);
}

/* Start (or restart, after a retry wait) the slot's exchange. */
static void begin_exchange(struct engine *e, struct slot *j)
{
	if (ask_exchange(&j->s, &j->st, &j->x) < 0) {
		j->in_exchange = 1;
		finish_slot(e, j);
		return;
	}
	j->in_exchange = 1;
	j->state = WAITING;
	j->not_before = 0;
}

/* Take a record into a free slot. */
static void start_slot(struct engine *e, struct slot *j, struct item *it)
{
	long seq = e->next_seq++;
	jv rec = it->rec;
	if (!jv_is_valid(rec)) {
		jv_free(rec);
		fail_now(e, seq, it->id, it->lineno, it->why);
		jv_free(it->id);
		return;
	}
	if (e->trip.code) {
		jv id = jx_get(rec, "id");
		answer_unsent(e, seq, jv_get_kind(id) == JV_KIND_INVALID ? jv_null() : id);
		jv_free(id);
		jv_free(rec);
		jv_free(it->id);
		return;
	}
	jv_free(it->id);
	memset(&j->a, 0, sizeof j->a);
	j->seq = seq;
	j->rec = rec;
	j->id = jx_get(rec, "id");
	j->text = jx_get(rec, "text");
	j->system = jx_get(rec, "system");
	j->conv = jx_get(rec, "conversation");
	attachments_init(&j->atts);
	char type[32] = "", model[256] = "", bad[256] = "";
	jx_str(rec, "type", type, sizeof type);
	jv list = jx_get(rec, "attachments");
	int na = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;
	for (int i = 0; i < na && !bad[0]; i++) {
		jv one = jv_array_get(jv_copy(list), i);
		attachments_add(&j->atts, one, bad, sizeof bad);
		jv_free(one);
	}
	if (jv_is_valid(list) && jv_get_kind(list) != JV_KIND_ARRAY && jv_get_kind(list) != JV_KIND_NULL)
		snprintf(bad, sizeof bad, "\"attachments\" must be a list");
	jv_free(list);
	if (strcmp(type, "prompt"))
		snprintf(bad, sizeof bad, "a %s record is not a prompt", type);
	else if (!bad[0] && (jv_get_kind(j->text) != JV_KIND_STRING || !jv_string_length_bytes(jv_copy(j->text))))
		snprintf(bad, sizeof bad, "a prompt record needs a non-empty \"text\"");
	else if (!bad[0])
		prompt_record_check(rec, bad, sizeof bad); /* a NUL would cut the text short */
	if (!bad[0] && e->bo->skip_done && answered(e, j->id)) {
		e->skipped++;
		output_done(e, seq);
		slot_clear(j);
		return;
	}
	int st = 0;
	if (!bad[0]) {
		jx_str(rec, "model", model, sizeof model);
		char conv_model[256];
		const char *kept = model[0] ? NULL : ask_conversation_model(e->s,
			jv_get_kind(j->conv) == JV_KIND_STRING ? jv_string_value(j->conv) : NULL, conv_model, sizeof conv_model);
		st = session_model(e->s, model[0] ? model : kept);
		if (st)
			snprintf(bad, sizeof bad, "cannot use model %s", model[0] ? model : e->s->model_name);
	}
	if (bad[0]) {
		struct chat_error ce = { 0 };
		char msg[400];
		snprintf(msg, sizeof msg, "line %ld: %s", it->lineno, bad);
		err_set(&ce, st == EXIT_NOPERM ? ERR_AUTH : ERR_BAD_INPUT, 0, "%s", msg);
		if (!e->s->opts->quiet && !st)
			warn("%s", msg);
		answer_error(e, seq, j->id, &ce);
		slot_clear(j);
		return;
	}
	session_copy_model(&j->s, e->s);
	j->a = (struct ask){ .prompt = jv_string_value(j->text), .id = j->id, .mode = ASK_JSON | ASK_RECORD,
			     .atts = &j->atts, .hold = hold_for(e, seq),
			     .system = jv_get_kind(j->system) == JV_KIND_STRING ? jv_string_value(j->system) : NULL,
			     .conversation = jv_get_kind(j->conv) == JV_KIND_STRING ? jv_string_value(j->conv) : NULL };
	st = ask_begin(&j->s, &j->a, &j->st);
	if (st) {
		/* refused before the request; its error record is written */
		if (st == EXIT_CANTCREAT && !e->fatal)
			e->fatal = st;
		e->failed++;
		output_done(e, seq);
		slot_clear(j);
		return;
	}
	if (!j->st.go) {
		finish_slot(e, j);
		return;
	}
	begin_exchange(e, j);
}

/* A transfer ended: retry later, try again differently, or finish. */
static void transfer_done(struct engine *e, struct slot *j, CURLcode code)
{
	if (j->h)
		curl_multi_remove_handle(e->multi, j->h);
	j->h = NULL;
	e->running--;
	long wait = exchange_attempt_done(&j->x, code);
	if (wait >= 0) {
		j->state = WAITING;
		j->not_before = now_ms() + wait;
		return;
	}
	exchange_end(&j->x);
	j->in_exchange = 0;
	if (!sig_caught && (ask_again(&j->s, &j->st) || ask_fallback(&j->s, &j->st) || ask_output(&j->s, &j->st))) {
		begin_exchange(e, j);
		return;
	}
	finish_slot(e, j);
}

static void launch(struct engine *e, struct slot *j)
{
	j->h = exchange_attempt(&j->x);
	j->state = RUNNING;
	e->running++;
	if (!j->h || curl_multi_add_handle(e->multi, j->h) != CURLM_OK)
		transfer_done(e, j, CURLE_FAILED_INIT);
}

static void progress(struct engine *e, int last)
{
	if (!e->bo->progress)
		return;
	long now = now_ms();
	if (!last && now - e->progress_ms < 250)
		return;
	e->progress_ms = now;
	if (last) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	double mins = (now - e->started_ms) / 60000.0;
	int limited = 0;
	for (int i = 0; i < e->nslots; i++)
		limited += e->slots[i].state == WAITING && e->slots[i].limited;
	fprintf(stderr, "\r\033[K%s: %ld done, %ld failed, %ld running, %.0f/min", progname, e->done,
		e->failed, e->running, mins > 0 ? e->done / mins : 0.0);
	if (limited)
		fprintf(stderr, ", %d waiting for the rate limit", limited);
	if (e->skipped)
		fprintf(stderr, ", %ld skipped", e->skipped);
}

int parallel_run(struct session *s, struct line_reader *lr, const struct parallel_opts *bo)
{
	http_global_init();
	struct engine e = { .s = s, .bo = bo, .nslots = bo->parallel > 0 ? bo->parallel : 1 };
	e.window = 4L * e.nslots;
	e.multi = curl_multi_init();
	e.slots = calloc((size_t)e.nslots, sizeof *e.slots);
	e.held = bo->ordered ? calloc((size_t)e.window, sizeof *e.held) : NULL;
	struct queue q = { .cap = (size_t)e.nslots * 2 + 2, .wake = e.multi, .lr = lr };
	struct promptmap map;
	if (s->opts->prompt_jq) {
		char why[600];
		int r = promptmap_init(&map, s->opts->prompt_jq, s->opts->system_jq, s->opts->id_jq, s->opts->vars,
				       why, sizeof why);
		if (r) {
			error("%s", why);
			curl_multi_cleanup(e.multi);
			free(e.slots);
			free(e.held);
			return r;
		}
		q.map = &map;
		lr->any_json = 1;
	}
	q.v = calloc(q.cap, sizeof *q.v);
	if (!e.multi || !e.slots || (bo->ordered && !e.held) || !q.v) {
		error("out of memory");
		curl_multi_cleanup(e.multi);
		free(e.slots);
		free(e.held);
		free(q.v);
		return EXIT_SOFTWARE;
	}
	for (long i = 0; bo->ordered && i < e.window; i++)
		buf_init(&e.held[i].out, 256u << 20);
	/* every slot keeps its own history handle; the config and table are shared */
	for (int i = 0; i < e.nslots; i++) {
		e.slots[i].s = *s;
		memset(&e.slots[i].s.hist, 0, sizeof e.slots[i].s.hist);
		e.slots[i].rec = e.slots[i].text = e.slots[i].system = e.slots[i].conv = e.slots[i].id = jv_null();
	}
	if (bo->skip_done) {
		char path[4096];
		if (path_history(s->opts->db, path, sizeof path) == 0 && store_open(&e.skip_db, path, STORE_READ) == 0)
			e.skip_open = 1;
	}
	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.room, NULL);
	pthread_t tid;
	int have_reader = pthread_create(&tid, NULL, reader, &q) == 0;
	if (!have_reader)
		q.done = 1;
	e.started_ms = e.progress_ms = now_ms();
	int ended = 0;
	while (!e.fatal && !sig_caught) {
		/* new records into free slots, while the ordered window allows */
		for (int i = 0; i < e.nslots && !ended; i++) {
			if (e.slots[i].state != FREE || (bo->ordered && e.next_seq - e.next_out >= e.window))
				continue;
			struct item it;
			if (!dequeue(&q, &it, &ended))
				break;
			start_slot(&e, &e.slots[i], &it);
			i--; /* the slot may be free again at once */
		}
		if (!ended) {
			pthread_mutex_lock(&q.mu);
			ended = q.done && !q.n;
			pthread_mutex_unlock(&q.mu);
		}
		/* attempts whose wait is over; how long until the next one */
		long now = now_ms(), timeout = 500;
		int busy = 0;
		for (int i = 0; i < e.nslots; i++) {
			struct slot *j = &e.slots[i];
			if (j->state == FREE)
				continue;
			busy = 1;
			if (j->state == WAITING && j->not_before <= now) {
				/* the machine's shared limits, exactly as a single call takes them */
				long w = exchange_wait(&j->x);
				j->limited = w > 0;
				if (w > 0)
					j->not_before = now + w;
				else if (w < 0)
					finish_slot(&e, j); /* a pause past --wait-limit, or --timeout */
				else
					launch(&e, j);
			}
			if (j->state == WAITING && j->not_before - now < timeout)
				timeout = j->not_before - now;
		}
		if (!busy && ended)
			break;
		int still;
		curl_multi_perform(e.multi, &still);
		CURLMsg *m;
		int left, finished = 0;
		while ((m = curl_multi_info_read(e.multi, &left))) {
			finished = 1;
			if (m->msg != CURLMSG_DONE)
				continue;
			CURL *h = m->easy_handle;
			CURLcode code = m->data.result;
			for (int i = 0; i < e.nslots; i++)
				if (e.slots[i].state == RUNNING && e.slots[i].h == h) {
					transfer_done(&e, &e.slots[i], code);
					break;
				}
		}
		progress(&e, 0);
		/* a finished transfer frees a slot: fill it now rather than after a wait */
		if (!e.fatal && !sig_caught && !finished)
			curl_multi_poll(e.multi, NULL, 0, (int)(timeout > 0 ? timeout : 0), NULL);
	}
	/* stopped early: what is in flight is saved as interrupted */
	for (int i = 0; i < e.nslots; i++) {
		struct slot *j = &e.slots[i];
		if (j->state == RUNNING) {
			curl_multi_remove_handle(e.multi, j->h);
			exchange_attempt_done(&j->x, CURLE_ABORTED_BY_CALLBACK);
			if (!j->st.reply.err.code)
				err_set(&j->st.reply.err, ERR_INTERRUPTED, 0, "interrupted");
		}
		if (j->state != FREE) {
			if (!j->st.reply.err.code)
				err_set(&j->st.reply.err, ERR_INTERRUPTED, 0, "interrupted");
			finish_slot(&e, j);
		}
		histlog_close(&j->s.hist);
		explicit_bzero(j->s.key, sizeof j->s.key);
	}
	release(&e);
	progress(&e, 1);
	pthread_mutex_lock(&q.mu);
	q.stop = 1;
	pthread_cond_broadcast(&q.room);
	int reading = !q.done;
	pthread_mutex_unlock(&q.mu);
	if (have_reader) {
		if (reading)
			pthread_cancel(tid); /* blocked on input that is no longer wanted */
		pthread_join(tid, NULL);
	}
	int read_error = q.read_error;
	for (size_t i = 0; i < q.n; i++) {
		jv_free(q.v[(q.head + i) % q.cap].rec);
		jv_free(q.v[(q.head + i) % q.cap].id);
	}
	if (q.map)
		promptmap_free(q.map);
	pthread_mutex_destroy(&q.mu);
	pthread_cond_destroy(&q.room);
	free(q.v);
	for (long i = 0; bo->ordered && i < e.window; i++)
		buf_free(&e.held[i].out);
	free(e.held);
	free(e.slots);
	curl_multi_cleanup(e.multi);
	if (e.skip_open)
		store_close(&e.skip_db);
	if (e.skipped && !s->opts->quiet && (verbose || bo->progress))
		warn("skipped %ld already answered", e.skipped);
	if (e.unsent && !s->opts->quiet)
		warn("%ld record%s not sent, each answered with that error", e.unsent, e.unsent == 1 ? "" : "s");
	if (e.fatal)
		return e.fatal < 0 ? EXIT_CANTCREAT : e.fatal;
	if (sig_caught)
		return sig_status();
	if (read_error)
		return EXIT_DATAERR;
	if (e.trip.code)
		return err_exit_status(e.trip.code);
	return e.failed ? EXIT_PARTIAL : 0;
}
