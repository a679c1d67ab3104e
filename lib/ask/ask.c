#include "ask/ask.h"
#include "ask/urls.h"
#include "filetext.h"
#include "paths.h"
#include "numparse.h"
#include "ask/cache.h"
#include "diag.h"
#include "tokens/fit.h"
#include "fdio.h"
#include "jsonx.h"
#include "response.h"
#include "schema.h"
#include "sig.h"
#include "media/upload.h"
#include "net/dryrun.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static int emit(void *ctx, const char *t, size_t n)
{
	struct ask_sink *k = ctx;
	if (k->log_pending) {
		/* nothing of the reply goes out before its prompt is durable: in
		 * the history, or in the spool the next program writes in from */
		histlog_prompt_wait(k->log_pending);
		k->log_pending = NULL;
		if (k->conversation && !*k->conversation)
			k->conversation = NULL;
	}
	if (k->keep_text && buf_add(&k->text, t, n) < 0)
		return -1;
	if (n) {
		k->total += n;
		k->last = t[n - 1];
	}
	if (k->extracting)
		return extract_feed(&k->code, t, n, &k->out);
	if (k->rendering)
		return mdrender_feed(&k->md, t, n, &k->out);
	if (!(k->mode & ASK_STREAM))
		return 0;
	if (!(k->mode & ASK_JSON))
		return buf_add(&k->out, t, n);
	jv rec = JV_OBJECT(jv_string("type"), jv_string("delta"));
	if (jv_is_valid(k->id) && jv_get_kind(k->id) != JV_KIND_NULL)
		rec = jv_object_set(rec, jv_string("id"), jv_copy(k->id));
	if (k->conversation)
		rec = jv_object_set(rec, jv_string("conversation"), jv_string(k->conversation));
	rec = jv_object_set(rec, jv_string("text"), jv_string_sized(t, (int)n));
	return jx_dump_line(rec, &k->out);
}

/* The one block wanted is out: its reader (jq -f /dev/stdin, sh) sees the
 * end of its input now, not when the model stops talking. */
static void end_of_code(struct ask_sink *k)
{
	if (k->out_closed)
		return;
	k->out_closed = 1;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 1);
		close(null);
	}
}

static void before_output(struct ask_sink *k)
{
	if (k->before_output) {
		k->before_output(k->before_output_ctx);
		k->before_output = NULL;
	}
}

static int flush(void *ctx)
{
	struct ask_sink *k = ctx;
	if (!k->out.len)
		return 0;
	before_output(k);
	if (k->hold) {
		int h = buf_add(k->hold, k->out.p, k->out.len);
		buf_reset(&k->out);
		if (h < 0)
			k->write_errno = ENOMEM;
		return h;
	}
	int r = write_all(1, k->out.p, k->out.len);
	buf_reset(&k->out);
	if (r < 0) {
		k->write_errno = errno;
		if (errno == EPIPE)
			sig_note_pipe();
		return -1;
	}
	if (k->extracting && k->code.done)
		end_of_code(k);
	return 0;
}

/* Make the request fit the model's context and, with --max-cost, refuse it
 * when its worst case could cost more. 0 to go ahead; else reply->err says
 * why not (the caller reports and records it like any refusal). */
static int guard_checks(struct session *s, struct chat_request *rq, struct fit *f, struct chat_reply *reply);

static int fit_and_guard(struct session *s, struct chat_request *rq, struct fit *f, struct chat_reply *reply)
{
	int r = guard_checks(s, rq, f, reply);
	if (r)
		snprintf(reply->finish, sizeof reply->finish, "error");
	return r;
}

static int guard_checks(struct session *s, struct chat_request *rq, struct fit *f, struct chat_reply *reply)
{
	double max_cost = s->opts->max_cost;
	char why[256];
	if (fit_request(s->mi, s->prov->name, rq, max_cost >= 0, f, why, sizeof why) < 0) {
		err_set(&reply->err, ERR_BAD_INPUT, 0, "cannot count tokens: %s", why);
		return -1;
	}
	if (f->dropped_atts && verbose)
		warn("left out the %zu attachments of the earliest turns to fit %s's context", f->dropped_atts, s->model);
	if (f->dropped && verbose)
		warn("left out the %zu earliest messages to fit %s's context (%ld tokens%s, %ld kept for the reply)",
		     f->dropped, s->model, f->input, f->estimate ? ", estimated" : "", f->reserve);
	if (max_cost < 0)
		return 0;
	/* the reply is held to the allowance the worst case was priced with */
	rq->max_tokens = f->reserve;
	if (f->worst_usd < 0) {
		err_set(&reply->err, ERR_BUDGET, 0, "no known price for %s, so --max-cost cannot be kept; "
			"add its prices to the config (chat(5))", s->model_name);
		return -1;
	}
	if (verbose)
		warn("worst case $%.6f: %ld input tokens%s and up to %ld output", f->worst_usd, f->input,
		     f->estimate ? " (estimated)" : "", f->reserve);
	if (f->worst_usd > max_cost) {
		err_set(&reply->err, ERR_BUDGET, 0, "refused: this request could cost up to $%.6f (%ld input tokens%s, "
			"up to %ld output), over --max-cost $%g", f->worst_usd, f->input,
			f->estimate ? " estimated" : "", f->reserve, max_cost);
		return -1;
	}
	return 0;
}

static int report_write_error(struct ask_sink *k)
{
	if (k->write_errno == EPIPE)
		return 0; /* the reader went away: quiet, the caller dies by SIGPIPE */
	error("cannot write output: %s", strerror(k->write_errno));
	return EXIT_CANTCREAT;
}

static int extract_wanted(const struct cli_opts *o)
{
	return o->extract || o->extract_all || o->extract_lang;
}

/* The end of the output: the whole reply (chat-send), a final newline on a
 * terminal (chat-stream), and the response and error records. */
static void finish_output(struct session *s, const struct ask *a, struct ask_sink *k,
			  const struct chat_reply *reply, const struct exchange_timing *t, jv data, int cached)
{
	const struct chat_error *e = &reply->err;
	struct buf *o = &k->out;
	if (s->opts->data_only) {
		/* only the answers, one JSON line each: errors go to stderr */
		if (!e->code && jv_is_valid(data))
			jx_dump_line(jv_copy(data), o);
		return;
	}
	int json = a->mode & ASK_JSON, stream = a->mode & ASK_STREAM;
	int ends_nl = k->total && k->last == '\n';
	if (k->extracting) {
		if (!e->code)
			extract_end(&k->code, o); /* a block left open runs to the end */
		return;
	}
	if (k->rendering)
		mdrender_end(&k->md, o); /* the last line, if it had no newline */
	if (!json && !stream && !e->code) {
		buf_add(o, k->text.p, k->text.len);
		if (!ends_nl)
			buf_addc(o, '\n');
	} else if (!json && stream && k->total && !ends_nl && isatty(1)) {
		buf_addc(o, '\n'); /* leave the shell prompt on a line of its own */
	}
	if (!json)
		return;
	/* a reply that stopped part-way still gets its response record, so the
	 * text that arrived is never lost from a pipeline */
	if (!e->code || k->text.len || e->code == ERR_INTERRUPTED) {
		struct reply_info ri = { .id = a->id, .provider = s->prov->name, .model = s->model,
					 .conversation = s->hist.conv, .message = s->hist.logging ? s->hist.reply_msg : NULL,
					 .text = buf_str(&k->text), .text_len = k->text.len,
					 .reply = reply, .timing = t, .data = data, .cached = cached, .cost = reply->have_usage ?
					 model_cost(s->mi, reply->usage.input, reply->usage.cached, reply->usage.output) : -1 };
		jv rec = response_record(&ri);
		if (extract_wanted(s->opts))
			rec = jv_object_set(rec, jv_string("code"), extract_code(s->opts->extract_all, s->opts->extract_lang,
										k->text.p ? k->text.p : "", k->text.len));
		jx_dump_line(rec, o);
	}
	if (e->code && e->code != ERR_INTERRUPTED)
		jx_dump_line(error_record(a->id, e), o);
}

/* An early refusal in batch mode still answers the record. */
static int refuse_coded(const struct session *s, const struct ask *a, enum err_code code, const char *msg, int status)
{
	if ((a->mode & ASK_RECORD) && !s->opts->data_only) {
		struct chat_error e = { 0 };
		err_set(&e, code, 0, "%s", msg);
		if (a->hold ? jx_dump_line(error_record(a->id, &e), a->hold) < 0
			    : jx_write_line(1, error_record(a->id, &e)) < 0)
			return EXIT_CANTCREAT;
	}
	return status;
}

static int refuse_record(const struct session *s, const struct ask *a, const char *msg, int status)
{
	return refuse_coded(s, a, ERR_BAD_INPUT, msg, status);
}

/* An input that cannot fit the model's window even alone is refused before
 * anything is sent or logged (or, with --truncate, cut to fit: *prompt
 * then points to st->cut). 0 to go on, else an exit status. */
static int prompt_fits(struct session *s, const struct ask *a, struct ask_state *st, const char **prompt)
{
	const struct cli_opts *o = s->opts;
	struct message m = { .role = "user", .text = *prompt };
	struct chat_request rq = { .model = s->model, .system = a->system ? a->system : o->system, .msgs = &m, .nmsgs = 1,
				   .atts = a->atts ? a->atts->v : NULL, .natts = a->atts ? a->atts->n : 0,
				   .max_tokens = o->max_tokens, .default_max_tokens = s->default_max_tokens };
	struct fit_alone fa;
	char why[300] = "", msg[600];
	int r = fit_alone(s->mi, s->prov->name, &rq, o->truncate, &fa, why, sizeof why);
	if (r < 0) {
		snprintf(msg, sizeof msg, "cannot count tokens: %s", why);
		if (!(a->mode & ASK_RECORD) || !o->quiet)
			error("%s", msg);
		return refuse_record(s, a, msg, EXIT_DATAERR);
	}
	if (r == 1) {
		snprintf(msg, sizeof msg, "the prompt is %ld tokens%s; %s takes at most %ld (a %ld-token window less the "
			 "reply's allowance)%s%s: shorten it, keep what fits with --truncate, or cut it into parts with "
			 "chat-split", fa.tokens, fa.estimate ? " (estimated)" : "", s->model_name, fa.limit, fa.context,
			 why[0] ? "; " : "", why);
		if (!(a->mode & ASK_RECORD) || !o->quiet)
			error("%s", msg);
		return refuse_coded(s, a, ERR_CONTEXT_LENGTH, msg, EXIT_DATAERR);
	}
	if (fa.cut) {
		st->cut = fa.cut;
		*prompt = fa.cut;
		if (!o->quiet)
			warn("the prompt is %ld tokens, over %s's %ld: %zu bytes from its middle were left out (--truncate)",
			     fa.tokens, s->model_name, fa.limit, fa.left_out);
	}
	return 0;
}

/* --context, else the config's context: how many earlier turns go along. */
static long context_turns(const struct session *s)
{
	if (s->opts->context >= 0)
		return s->opts->context;
	const char *c = config_get(&s->cfg, "", "context");
	char why[200];
	long long v;
	if (!c || !*c)
		return -1;
	if (parse_whole("context in the config", c, 0, 1000000, &v, why, sizeof why) < 0) {
		if (!s->opts->quiet)
			warn("%s; sending every earlier turn", why);
		return -1;
	}
	return (long)v;
}

/* --cache: an identical request answered before is answered again from
 * the history, with no network call. */
static void from_cache(struct session *s, struct ask_state *st)
{
	cache_key(&st->rq, s->prov->name, st->cache_key);
	struct store own, *db = s->hist.opened ? &s->hist.st : NULL;
	char path[4096];
	if (!db && path_history(s->opts->db, path, sizeof path) == 0 && store_open(&own, path, STORE_READ) == 0)
		db = &own;
	if (!db)
		return;
	char *text = NULL, model[128];
	size_t len = 0;
	int hit = cache_find(db, st->cache_key, s->opts->cache_ttl, &text, &len, model, sizeof model) == 1;
	if (hit && s->opts->schema) {
		/* a remembered answer must still follow the schema, or it is asked afresh */
		char why[400] = "";
		jv v = jv_parse_sized(text, (int)len), sc = jv_parse(s->opts->schema);
		if (!jv_is_valid(v) || schema_check(sc, v, why, sizeof why)) {
			jv_free(v);
			hit = 0;
			free(text);
		} else {
			st->data = v;
		}
		jv_free(sc);
	}
	if (hit) {
		if (verbose)
			warn("answered from the history (--cache), with no request");
		st->go = 0;
		st->cached = 1;
		struct chat_reply *r = &st->reply;
		snprintf(r->finish, sizeof r->finish, "stop");
		snprintf(r->model, sizeof r->model, "%s", model);
		r->have_usage = 1; /* nothing spent: zero tokens, zero cost */
		r->done = 1;
		st->t.ttft_ms = 0;
		if (len)
			emit(&st->k, text, len);
		flush(&st->k);
		free(text);
	}
	if (db == &own)
		store_close(&own);
}

int ask_begin(struct session *s, const struct ask *a, struct ask_state *st)
{
	const struct cli_opts *o = s->opts;
	memset(st, 0, sizeof *st);
	char request_id[256];
	jx_id_text(a->id, request_id, sizeof request_id);
	struct histlog_start hs = {
		.db_flag = o->db, .no_log = o->no_log, .cont = o->cont,
		.conversation = a->conversation ? a->conversation : o->conversation,
		.prompt = a->prompt, .system = a->system ? a->system : o->system,
		.request_id = request_id[0] ? request_id : NULL,
		.atts = a->atts,
		.defer = (a->mode & ASK_LOG_BESIDE) && !o->dry_run,
	};
	int ast = a->atts ? attachments_check(a->atts, s->model_name, s->mi, &s->models) : 0;
	if (ast) {
		char msg[320];
		snprintf(msg, sizeof msg, "%s cannot take this attachment", s->model_name);
		return refuse_record(s, a, msg, ast);
	}
	const char *prompt = a->prompt;
	int pst = prompt_fits(s, a, st, &prompt);
	if (pst)
		return pst;
	hs.prompt = prompt;
	int hst = histlog_begin(&s->hist, &hs);
	if (hst) {
		free(st->cut);
		st->cut = NULL;
		return refuse_record(s, a, "the conversation cannot be read from the history", hst);
	}
	st->data = jv_invalid();
	st->rq = (struct chat_request){
		.model = s->model,
		.system = s->hist.system,
		.msgs = s->hist.msgs,
		.nmsgs = s->hist.nmsgs,
		.max_tokens = s->opts->max_tokens,
		.default_max_tokens = s->default_max_tokens,
		.atts = a->atts ? a->atts->v : NULL,
		.natts = a->atts ? a->atts->n : 0,
		.temperature = s->opts->temperature,
		.schema = s->opts->schema,
	};
	/* a streamed reply nobody will read back (no history, no records) is
	 * not kept, so memory stays flat however long the reply */
	struct ask_sink *k = &st->k;
	*k = (struct ask_sink){ .mode = a->mode, .id = a->id, .hold = a->hold,
				.before_output = a->before_output, .before_output_ctx = a->before_output_ctx,
				.conversation = s->hist.logging || s->hist.write_pending ? s->hist.conv : NULL,
				.log_pending = s->hist.write_pending ? &s->hist : NULL,
				.keep_text = s->hist.logging || s->hist.write_pending || s->opts->schema || a->reply_copy ||
					     (a->mode & (ASK_JSON | ASK_STREAM)) != ASK_STREAM,
				.extracting = extract_wanted(o) && !(a->mode & ASK_JSON) && !o->data_only };
	extract_init(&k->code, o->extract_all, o->extract_lang);
	k->rendering = o->render && (a->mode & (ASK_JSON | ASK_STREAM)) == ASK_STREAM && !o->data_only;
	mdrender_init(&k->md, k->rendering && colour_on(1));
	buf_init(&k->out, 256u << 20);
	buf_init(&k->text, 256u << 20);
	st->t.ttft_ms = -1;
	long turns = context_turns(s);
	size_t left = turns >= 0 ? fit_context(&st->rq, turns) : 0;
	if (left && verbose)
		warn("--context %ld: the %zu earlier messages before the last %ld turns stay out", turns, left, turns);
	st->go = fit_and_guard(s, &st->rq, &st->f, &st->reply) == 0;
	s->xo.est_tokens = st->f.input + st->f.reserve;
	if (st->go && s->opts->cache && !s->opts->dry_run)
		from_cache(s, st);
	return 0;
}

int ask_exchange(struct session *s, struct ask_state *st, struct exchange *x)
{
	return exchange_begin(x, s->prov, &st->rq, &s->xo, emit, flush, &st->k, &st->reply, &st->t);
}

int ask_again(struct session *s, struct ask_state *st)
{
	/* our count was short (an estimate, or the provider counts its own
	 * way): leave out more of the past and try once more */
	if (st->reply.err.code != ERR_CONTEXT_LENGTH || st->k.total || st->trimmed_again || !fit_further(&st->rq, &st->f))
		return 0;
	st->trimmed_again = 1;
	if (!s->opts->quiet)
		warn("%s said the conversation is too long: trying again without the %zu earliest messages",
		     s->model, st->f.dropped);
	return 1;
}

int ask_fallback(struct session *s, struct ask_state *st)
{
	const struct cli_opts *o = s->opts;
	enum err_code c = st->reply.err.code;
	if (st->k.total || st->fallbacks >= o->nfallback ||
	    !(c == ERR_SERVER || c == ERR_NETWORK || c == ERR_TIMEOUT || c == ERR_RATE_LIMITED))
		return 0;
	const char *next = o->fallback[st->fallbacks++];
	char was[sizeof s->model_name];
	memcpy(was, s->model_name, sizeof was);
	if (session_switch_model(s, next))
		return ask_fallback(s, st); /* that one cannot be used: the one after it */
	if (!o->quiet)
		warn("%s: %s; falling back to %s", was, st->reply.err.message, s->model_name);
	st->rq.model = s->model;
	st->rq.default_max_tokens = s->default_max_tokens;
	chat_reply_free(&st->reply);
	/* the next model has its own context window and prices */
	st->go = fit_and_guard(s, &st->rq, &st->f, &st->reply) == 0;
	s->xo.est_tokens = st->f.input + st->f.reserve;
	return st->go;
}

int ask_output(struct session *s, struct ask_state *st)
{
	const char *schema = s->opts->schema;
	struct ask_sink *k = &st->k;
	if (!schema || st->reply.err.code)
		return 0;
	char why[400] = "";
	jv v = jv_parse_sized(k->text.p ? k->text.p : "", (int)k->text.len);
	if (!jv_is_valid(v)) {
		jv msg = jv_invalid_get_msg(jv_copy(v));
		snprintf(why, sizeof why, "not JSON (%s)", jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "empty");
		jv_free(msg);
	} else {
		jv sc = jv_parse(schema);
		schema_check(sc, v, why, sizeof why);
		jv_free(sc);
	}
	if (!why[0]) {
		st->data = v;
		return 0;
	}
	jv_free(v);
	/* once more, unless the broken answer is already on the user's screen */
	if (!st->output_retried && !(k->mode & ASK_STREAM)) {
		st->output_retried = 1;
		if (!s->opts->quiet)
			warn("%s: the answer does not follow the schema: %s; asking once more", s->model, why);
		st->spent.input += st->reply.usage.input;
		st->spent.output += st->reply.usage.output;
		st->spent.cached += st->reply.usage.cached;
		st->spent.reasoning += st->reply.usage.reasoning;
		buf_reset(&k->text);
		k->total = 0;
		return 1;
	}
	err_set(&st->reply.err, ERR_BAD_OUTPUT, 0, "the answer does not follow the schema: %s", why);
	snprintf(st->reply.finish, sizeof st->reply.finish, "error");
	return 0;
}

int ask_finish(struct session *s, const struct ask *a, struct ask_state *st)
{
	struct ask_sink *k = &st->k;
	struct chat_reply *reply = &st->reply;
	if (st->output_retried) {
		reply->usage.input += st->spent.input;
		reply->usage.output += st->spent.output;
		reply->usage.cached += st->spent.cached;
		reply->usage.reasoning += st->spent.reasoning;
	}
	before_output(k);
	histlog_write_wait(&s->hist);
	err_note_key(&reply->err, s->key_source);
	if (a->reply_copy) {
		buf_reset(a->reply_copy);
		if (k->text.len && buf_add(a->reply_copy, k->text.p, k->text.len) < 0)
			buf_reset(a->reply_copy);
	}
	/* saved before anything else can go wrong: the reply, complete or cut off */
	double cost = reply->have_usage ? model_cost(s->mi, reply->usage.input, reply->usage.cached, reply->usage.output) : -1;
	histlog_end(&s->hist, buf_str(&k->text), k->text.len, reply, &st->t, s->prov->name, s->model, cost);
	if (s->opts->cache && !st->cached && !reply->err.code && s->hist.logging && !s->hist.status &&
	    cache_remember(&s->hist.st, st->cache_key, s->hist.reply_msg) < 0 && !s->opts->quiet)
		warn("the answer could not be remembered for --cache");
	int status = 0;
	const struct chat_error *e = &reply->err;
	int reader_gone = k->write_errno == EPIPE || sig_caught == SIGPIPE;
	if (k->write_errno) {
		status = report_write_error(k);
	} else if (!reader_gone) {
		finish_output(s, a, k, reply, &st->t, st->data, st->cached);
		if (flush(k) < 0)
			status = report_write_error(k);
		if (e->code && e->code != ERR_INTERRUPTED) {
			if (!s->opts->quiet || !(a->mode & ASK_RECORD))
				error("%s %s: %s", s->prov->name, s->model, e->message);
			if (!status)
				status = err_exit_status(e->code);
		}
		if (k->extracting && !e->code && !k->code.found && !status) {
			error("no %s%scode block in the reply", s->opts->extract_lang ? s->opts->extract_lang : "",
			      s->opts->extract_lang ? " " : "");
			status = EXIT_DATAERR;
		}
	}
	if (e->code == ERR_INTERRUPTED && !status)
		status = sig_status();
	buf_free(&k->out);
	buf_free(&k->text);
	extract_free(&k->code);
	mdrender_free(&k->md);
	jv_free(reply->tool_calls);
	reply->tool_calls = jv_invalid();
	free(st->cut);
	st->cut = NULL;
	jv_free(st->data);
	st->data = jv_invalid();
	return status;
}

int ask_describe(struct session *s, const struct ask *a, struct ask_state *st)
{
	jv rec;
	int status = 0;
	if (exchange_describe(s->prov, &st->rq, &s->xo, &rec, &st->reply) < 0) {
		st->go = 0;
		return ask_finish(s, a, st); /* the request could not be built: said as a failure is */
	}
	rec = dryrun_with(rec, a->id, s->opts->max_cost >= 0 ? st->f.worst_usd : -1);
	if (a->hold ? jx_dump_line(rec, a->hold) < 0 : jx_write_line(1, rec) < 0) {
		if (errno == EPIPE)
			sig_note_pipe();
		else
			status = (error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT);
	}
	chat_reply_free(&st->reply);
	buf_free(&st->k.out);
	buf_free(&st->k.text);
	free(st->cut);
	st->cut = NULL;
	jv_free(st->data);
	st->data = jv_invalid();
	return status;
}

int ask_run(struct session *s, const struct ask *a)
{
	struct ask_state st;
	struct ask beside = *a;
	beside.mode |= ASK_LOG_BESIDE;
	a = &beside;
	int r = ask_begin(s, a, &st);
	if (r)
		return r;
	if (st.go && s->opts->dry_run)
		return ask_describe(s, a, &st);
	if (st.go)
		histlog_write_start(&s->hist);
	while (st.go) {
		exchange_run(s->prov, &st.rq, &s->xo, emit, flush, &st.k, &st.reply, &st.t);
		if (!ask_again(s, &st) && !ask_fallback(s, &st) && !ask_output(s, &st))
			break;
	}
	return ask_finish(s, a, &st);
}

int ask_attach(struct session *s, struct attachments *atts, const char *const *files, int nfiles)
{
	const struct cli_opts *o = s->opts;
	struct upload_remote up = { .files = { .base = s->base, .key = s->key, .key_source = s->key_source,
					       .connect_timeout = o->connect_timeout,
					       .idle_timeout = o->idle_timeout, .retries = o->retries,
					       .retries_given = o->retries_given, .progress = !o->quiet },
				   .dry_run = o->dry_run };
	char why_not[320];
	snprintf(why_not, sizeof why_not, "%s is not a Gemini model", s->model_name);
	for (int i = 0; i < nfiles; i++) {
		int st = filetext_is_url(files[i])
				 ? ask_attach_url(s, atts, files[i])
				 : attachments_files(atts, files + i, 1, s->mi, s->prov == &provider_gemini ? &up : NULL, why_not);
		if (st)
			return st;
	}
	return 0;
}

const char *ask_conversation_model(const struct session *s, const char *conversation, char *buf, size_t cap)
{
	const struct cli_opts *o = s->opts;
	if (o->model && *o->model)
		return NULL;
	if (!conversation)
		conversation = o->conversation;
	if (!conversation && !o->cont)
		return NULL;
	if (histlog_conversation_model(o->db, !conversation, conversation, buf, cap) != 0)
		return NULL;
	if (verbose)
		warn("continuing with the conversation's model, %s", buf);
	return buf;
}

int ask_words(struct session *s, const char *prompt, struct attachments *atts, unsigned mode)
{
	const struct cli_opts *o = s->opts;
	char conv_model[256];
	int st = session_model(s, ask_conversation_model(s, NULL, conv_model, sizeof conv_model));
	if (!st && o->nattach)
		st = ask_attach(s, atts, o->attach, o->nattach);
	if (!st) {
		struct ask a = { .prompt = prompt, .id = jv_invalid(), .atts = atts, .mode = mode };
		st = ask_run(s, &a);
		if (!st)
			st = s->hist.status; /* the reply is out; the history failed */
	}
	return st;
}
