#include "ask/parallel.h"
#include "paths.h"
#include "ask/ask.h"
#include "clock.h"
#include "diag.h"
#include "fdio.h"
#include "ask/promptmap.h"
#include "promptrec.h"
#include "jsonx.h"
#include "progress.h"
#include "response.h"
#include "sig.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the records, read ahead on the reader's thread ---- */

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
	jv rec;
	struct prompt_rec p;
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
	long started_ms;
	struct progress line;      /* done, failed, running on a terminal */
	struct record_reader *rr;
	int ended;                 /* the reader has no more records */
	struct promptmap map;      /* --prompt-jq: records into prompts, on the reader's thread */
	int mapped;
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

/* A record answered without a request: an error record of our own, and
 * its line on stderr unless say is 0 (the record loop has said it). */
static void refuse_record(struct engine *e, long seq, jv id, long lineno, enum err_code code, const char *why, int say)
{
	struct chat_error ce = { 0 };
	char msg[400];
	snprintf(msg, sizeof msg, "line %ld: %s", lineno, why);
	err_set(&ce, code, 0, "%s", msg);
	if (say && !e->s->opts->quiet)
		warn("%s", msg);
	answer_error(e, seq, id, &ce);
}

static void slot_clear(struct slot *j)
{
	prompt_record_free(&j->p);
	jv_free(j->rec);
	j->rec = jv_invalid();
	j->state = FREE;
	j->h = NULL;
	j->in_exchange = 0;
	j->limited = 0;
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

/* The record's model, else the one its conversation was using, else the
 * default, into the main session: session_model's status, with why. */
static int use_model(struct engine *e, struct slot *j, char *why, size_t cap)
{
	const char *model = j->p.model;
	char conv_model[256];
	const char *kept = model[0] ? NULL
		: ask_conversation_model(e->s, prompt_rec_str(j->p.conversation), conv_model, sizeof conv_model);
	int st = session_model(e->s, model[0] ? model : kept);
	if (st)
		snprintf(why, cap, "cannot use model %s", model[0] ? model : e->s->model_name);
	return st;
}

/* Ask the slot's record with the model chosen. */
static void begin_ask(struct engine *e, struct slot *j)
{
	session_copy_model(&j->s, e->s);
	j->a = (struct ask){ .prompt = jv_string_value(j->p.text), .id = j->p.id, .mode = ASK_JSON | ASK_RECORD,
			     .atts = &j->p.atts, .hold = hold_for(e, j->seq),
			     .system = prompt_rec_str(j->p.system), .conversation = prompt_rec_str(j->p.conversation) };
	int st = ask_begin(&j->s, &j->a, &j->st);
	if (st) {
		/* refused before the request; its error record is written */
		if (st == EXIT_CANTCREAT && !e->fatal)
			e->fatal = st;
		e->failed++;
		output_done(e, j->seq);
		slot_clear(j);
	} else if (!j->st.go) {
		finish_slot(e, j);
	} else if (j->s.opts->dry_run) {
		int dst = ask_describe(&j->s, &j->a, &j->st);
		if (dst == EXIT_CANTCREAT && !e->fatal)
			e->fatal = dst; /* stdout is gone */
		else if (dst)
			e->failed++;
		e->done++;
		output_done(e, j->seq);
		slot_clear(j);
	} else {
		begin_exchange(e, j);
	}
}

/* Take a record into a free slot: refused, skipped, or asked. */
static void start_slot(struct engine *e, struct slot *j, struct record_item *it)
{
	long seq = e->next_seq++, lineno = it->lineno;
	if (!jv_is_valid(it->rec)) {
		refuse_record(e, seq, it->id, lineno, ERR_BAD_INPUT, it->why, !it->reported);
		record_item_free(it);
		return;
	}
	j->seq = seq;
	j->rec = it->rec;
	it->rec = jv_invalid();
	record_item_free(it);
	char bad[256];
	int parsed = prompt_record_parse(j->rec, &j->p, bad, sizeof bad) == 0;
	if (e->trip.code)
		answer_unsent(e, seq, jv_is_valid(j->p.id) ? j->p.id : jv_null());
	else if (parsed && e->bo->skip_done && e->skip_open && histlog_answered(&e->skip_db, j->p.id)) {
		e->skipped++;
		output_done(e, seq);
	} else {
		int st = parsed ? use_model(e, j, bad, sizeof bad) : 0;
		if (!bad[0]) {
			begin_ask(e, j);
			return;
		}
		refuse_record(e, seq, j->p.id, lineno, st == EXIT_NOPERM ? ERR_AUTH : ERR_BAD_INPUT, bad, !st);
	}
	slot_clear(j);
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
	if (last) {
		progress_end(&e->line);
		return;
	}
	if (!progress_due(&e->line))
		return;
	double mins = (now_ms() - e->started_ms) / 60000.0;
	int limited = 0;
	for (int i = 0; i < e->nslots; i++)
		limited += e->slots[i].state == WAITING && e->slots[i].limited;
	char waiting[64] = "", skipped[32] = "";
	if (limited)
		snprintf(waiting, sizeof waiting, ", %d waiting for the rate limit", limited);
	if (e->skipped)
		snprintf(skipped, sizeof skipped, ", %ld skipped", e->skipped);
	progress_line(&e->line, "%s: %ld done, %ld failed, %ld running, %.0f/min%s%s", progname, e->done, e->failed,
		      e->running, mins > 0 ? e->done / mins : 0.0, waiting, skipped);
}

/* ---- the engine ---- */

static int map_record(void *ctx, jv rec, jv *out, jv *id, char *why, size_t cap)
{
	struct engine *e = ctx;
	return promptmap_apply(&e->map, rec, out, id, why, cap);
}

static void wake_engine(void *ctx)
{
	struct engine *e = ctx;
	curl_multi_wakeup(e->multi);
}

static void engine_free(struct engine *e)
{
	if (e->mapped)
		promptmap_free(&e->map);
	for (long i = 0; e->held && i < e->window; i++)
		buf_free(&e->held[i].out);
	free(e->held);
	free(e->slots);
	curl_multi_cleanup(e->multi);
	if (e->skip_open)
		store_close(&e->skip_db);
}

/* The multi handle, the slots (each with its own history handle; the
 * config and table are shared), the ordered window, the jq programs and
 * the --skip-done history. 0, or an exit status after a message. */
static int engine_open(struct engine *e, struct session *s, const struct parallel_opts *bo)
{
	http_global_init();
	*e = (struct engine){ .s = s, .bo = bo, .nslots = bo->parallel > 0 ? bo->parallel : 1 };
	e->window = 4L * e->nslots;
	e->multi = curl_multi_init();
	e->slots = calloc((size_t)e->nslots, sizeof *e->slots);
	e->held = bo->ordered ? calloc((size_t)e->window, sizeof *e->held) : NULL;
	if (s->opts->prompt_jq) {
		char why[600];
		int r = promptmap_init(&e->map, s->opts->prompt_jq, s->opts->system_jq, s->opts->id_jq, s->opts->vars,
				       why, sizeof why);
		if (r) {
			error("%s", why);
			engine_free(e);
			return r;
		}
		e->mapped = 1;
	}
	if (!e->multi || !e->slots || (bo->ordered && !e->held)) {
		error("out of memory");
		engine_free(e);
		return EXIT_SOFTWARE;
	}
	for (long i = 0; bo->ordered && i < e->window; i++)
		buf_init(&e->held[i].out, 256u << 20);
	for (int i = 0; i < e->nslots; i++) {
		e->slots[i].s = *s;
		memset(&e->slots[i].s.hist, 0, sizeof e->slots[i].s.hist);
		e->slots[i].rec = jv_null();
	}
	if (bo->skip_done) {
		char path[4096];
		if (path_history(s->opts->db, path, sizeof path) == 0 && store_open(&e->skip_db, path, STORE_READ) == 0)
			e->skip_open = 1;
	}
	e->started_ms = now_ms();
	progress_start_line(&e->line, e->bo->progress, 250);
	return 0;
}

/* Records come in on the reader's thread, a few ahead of the slots, and
 * wake the multi handle as they arrive. 0, or an exit status. */
static int reader_start(struct engine *e, struct line_reader *lr)
{
	struct record_reader_opts o = { .max_items = (size_t)e->nslots * 2 + 2, .max_bytes = READ_AHEAD_BYTES,
					.weigh = record_bytes, .wake = wake_engine, .ctx = e };
	if (e->mapped) {
		o.shape = map_record; /* the jq programs run there, one record at a time */
		lr->any_json = 1;
	}
	if (!(e->rr = record_reader_start(lr, &o))) {
		error("out of memory");
		return EXIT_SOFTWARE;
	}
	return 0;
}

/* Stop reading: 1 when the input ended in a read error. */
static int reader_stop(struct engine *e)
{
	int read_error = record_reader_stop(e->rr);
	e->rr = NULL;
	return read_error;
}

/* New records into free slots, while the ordered window allows. */
static void fill_slots(struct engine *e)
{
	for (int i = 0; i < e->nslots && !e->ended; i++) {
		if (e->slots[i].state != FREE || (e->bo->ordered && e->next_seq - e->next_out >= e->window))
			continue;
		struct record_item it;
		int r = record_reader_try_take(e->rr, &it);
		e->ended = r < 0;
		if (r != 1)
			break;
		start_slot(e, &e->slots[i], &it);
		i--; /* the slot may be free again at once */
	}
}

/* Launch the attempts whose wait is over. Returns whether any slot is in
 * use; *timeout: the milliseconds until the next attempt is due. */
static int launch_due(struct engine *e, long *timeout)
{
	long now = now_ms();
	int busy = 0;
	*timeout = 500;
	for (int i = 0; i < e->nslots; i++) {
		struct slot *j = &e->slots[i];
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
				finish_slot(e, j); /* a pause past --wait-limit, or --timeout */
			else
				launch(e, j);
		}
		if (j->state == WAITING && j->not_before - now < *timeout)
			*timeout = j->not_before - now;
	}
	if (*timeout < 0)
		*timeout = 0;
	return busy;
}

/* Move the transfers along; hand each one that ended to its slot. Returns
 * whether any did. */
static int reap_transfers(struct engine *e)
{
	int still, left, finished = 0;
	curl_multi_perform(e->multi, &still);
	CURLMsg *m;
	while ((m = curl_multi_info_read(e->multi, &left))) {
		finished = 1;
		if (m->msg != CURLMSG_DONE)
			continue;
		for (int i = 0; i < e->nslots; i++)
			if (e->slots[i].state == RUNNING && e->slots[i].h == m->easy_handle) {
				transfer_done(e, &e->slots[i], m->data.result);
				break;
			}
	}
	return finished;
}

/* Stopped early: what is in flight is saved as interrupted. */
static void save_in_flight(struct engine *e)
{
	for (int i = 0; i < e->nslots; i++) {
		struct slot *j = &e->slots[i];
		if (j->state == RUNNING) {
			curl_multi_remove_handle(e->multi, j->h);
			exchange_attempt_done(&j->x, CURLE_ABORTED_BY_CALLBACK);
		}
		if (j->state != FREE) {
			if (!j->st.reply.err.code)
				err_set(&j->st.reply.err, ERR_INTERRUPTED, 0, "interrupted");
			finish_slot(e, j);
		}
	}
	release(e);
	progress(e, 1);
}

/* Let everything go; the run's exit status. */
static int engine_close(struct engine *e, int read_error)
{
	for (int i = 0; i < e->nslots; i++) {
		histlog_close(&e->slots[i].s.hist);
		explicit_bzero(e->slots[i].s.key, sizeof e->slots[i].s.key);
	}
	engine_free(e);
	if (e->skipped && !e->s->opts->quiet && (verbose || e->bo->progress))
		warn("skipped %ld already answered", e->skipped);
	if (e->unsent && !e->s->opts->quiet)
		warn("%ld record%s not sent, each answered with that error", e->unsent, e->unsent == 1 ? "" : "s");
	if (e->fatal)
		return e->fatal < 0 ? EXIT_CANTCREAT : e->fatal;
	if (sig_caught)
		return sig_status();
	if (read_error)
		return EXIT_DATAERR;
	if (e->trip.code)
		return err_exit_status(e->trip.code);
	return e->failed ? EXIT_PARTIAL : 0;
}

int parallel_run(struct session *s, struct line_reader *lr, const struct parallel_opts *bo)
{
	struct engine e;
	int st = engine_open(&e, s, bo);
	if (st)
		return st;
	if ((st = reader_start(&e, lr))) {
		engine_close(&e, 0);
		return st;
	}
	while (!e.fatal && !sig_caught) {
		fill_slots(&e);
		long timeout;
		if (!launch_due(&e, &timeout) && e.ended)
			break;
		int finished = reap_transfers(&e);
		progress(&e, 0);
		/* a finished transfer frees a slot: fill it now rather than after a wait */
		if (!e.fatal && !sig_caught && !finished)
			curl_multi_poll(e.multi, NULL, 0, (int)timeout, NULL);
	}
	save_in_flight(&e);
	int read_error = reader_stop(&e);
	return engine_close(&e, read_error);
}
