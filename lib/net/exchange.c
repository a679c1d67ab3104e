#include "net/exchange.h"
#include "clock.h"
#include "config.h"
#include "diag.h"
#include "net/http.h"
#include "net/evdecode.h"
#include "net/dryrun.h"
#include "net/retry.h"
#include "jsonx.h"
#include "sig.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int counted_emit(void *ctx, const char *text, size_t len)
{
	struct exchange_stream *r = ctx;
	if (!len)
		return 0;
	if (!r->emitted) {
		r->emitted = 1;
		r->first = now_ms();
	}
	if (r->emit(r->ctx, text, len)) {
		/* the caller could not hold the text (memory, or its own cap):
		 * the reply is cut off by us, not by the user, so it is no
		 * interruption (that exited 130 with no word said) */
		if (!r->reply->err.code)
			err_set(&r->reply->err, ERR_BAD_OUTPUT, 0, "out of memory holding the reply (%zu bytes so far)",
				r->received);
		return -1;
	}
	return 0;
}

/* The last event of a body that ends without its blank line is taken, as
 * the SDKs take it, when it is whole: [DONE] or complete JSON. */
static int whole_event(const struct sse_event *ev)
{
	if (ev->data_len == 6 && !memcmp(ev->data, "[DONE]", 6))
		return 1;
	jv v = jv_parse_sized(ev->data, (int)ev->data_len);
	int ok = jv_is_valid(v);
	jv_free(v);
	char *copy = ok ? NULL : malloc(ev->data_len + 1);
	if (copy) {
		/* whole but for a lone surrogate, which the decoder will mend */
		memcpy(copy, ev->data, ev->data_len);
		if (evdecode_fix_surrogates(copy, ev->data_len)) {
			v = jv_parse_sized(copy, (int)ev->data_len);
			ok = jv_is_valid(v);
			jv_free(v);
		}
		free(copy);
	}
	return ok;
}

static int on_event(void *ctx, const struct sse_event *ev)
{
	struct exchange_stream *r = ctx;
	if (r->at_eof && !whole_event(ev))
		return 0; /* cut off mid-event: what arrived of it is not an event */
	if (evdecode_add(&r->batch, ev) < 0) {
		err_set(&r->reply->err, ERR_BAD_OUTPUT, 0, "out of memory holding the reply's events");
		return -1;
	}
	return 0;
}

/* The call in reply->tool_calls that key names, or -1. */
static int find_call(jv calls, double key)
{
	int n = jv_array_length(jv_copy(calls));
	for (int i = 0; i < n; i++) {
		jv c = jv_array_get(jv_copy(calls), i);
		double k = jx_num(c, "key", -2);
		jv_free(c);
		if (k == key)
			return i;
	}
	return -1;
}

/* Tool-call fragments merged into the reply's calls: a name and id start
 * a call, argument pieces are appended to it. The tool forced to carry
 * --schema is the answer itself, so its pieces go out as text. */
static int merge_tools(struct exchange_stream *r, const char *json, size_t len)
{
	struct chat_reply *reply = r->reply;
	jv frags = jv_parse_sized(json, (int)len);
	int rc = 0, n = jv_get_kind(frags) == JV_KIND_ARRAY ? jv_array_length(jv_copy(frags)) : 0;
	if (!jv_is_valid(reply->tool_calls))
		reply->tool_calls = jv_array();
	for (int i = 0; i < n && !rc; i++) {
		jv f = jv_array_get(jv_copy(frags), i), args = jx_get(f, "args");
		double key = jx_num(f, "key", -1);
		int at = key == -1 ? -1 : find_call(reply->tool_calls, key);
		if (at < 0 && key != -1 && !jx_kind_is(f, "name", JV_KIND_STRING)) {
			/* a piece of a block that is no tool call of ours (a
			 * server tool's input, say): nothing to keep */
			jv_free(args);
			jv_free(f);
			continue;
		}
		jv call = at >= 0 ? jv_array_get(jv_copy(reply->tool_calls), at)
				  : JV_OBJECT(jv_string("key"), jv_number(key), jv_string("args"), jv_string(""));
		jv id = jx_get(f, "id"), name = jx_get(f, "name");
		if (jv_get_kind(id) == JV_KIND_STRING)
			call = jv_object_set(call, jv_string("id"), jv_copy(id));
		if (jv_get_kind(name) == JV_KIND_STRING)
			call = jv_object_set(call, jv_string("name"), jv_copy(name));
		char cname[64] = "";
		jx_str(call, "name", cname, sizeof cname);
		int answer = r->schema && !strcmp(cname, SCHEMA_NAME);
		if (jv_get_kind(args) == JV_KIND_STRING) {
			if (answer)
				rc = counted_emit(r, jv_string_value(args), (size_t)jv_string_length_bytes(jv_copy(args)));
			jv so_far = jx_get(call, "args");
			call = jv_object_set(call, jv_string("args"),
					     jv_string_concat(jv_get_kind(so_far) == JV_KIND_STRING ? so_far : jv_string(""),
							      jv_copy(args)));
		}
		if (answer)
			call = jv_object_set(call, jv_string("answer"), jv_true());
		reply->tool_calls = at >= 0 ? jv_array_set(reply->tool_calls, at, call)
					    : jv_array_append(reply->tool_calls, call);
		jv_free(name);
		jv_free(id);
		jv_free(args);
		jv_free(f);
	}
	jv_free(frags);
	return rc;
}

/* The calls as the response record gives them: name, id where the
 * provider sent one, and arguments as JSON (the raw text when a limit cut
 * them off before they were whole). */
static jv final_calls(jv calls)
{
	jv out = jv_array();
	int n = jv_get_kind(calls) == JV_KIND_ARRAY ? jv_array_length(jv_copy(calls)) : 0;
	for (int i = 0; i < n; i++) {
		jv c = jv_array_get(jv_copy(calls), i), id = jx_get(c, "id"), name = jx_get(c, "name"), args = jx_get(c, "args");
		jv answer = jx_get(c, "answer");
		if (jv_get_kind(answer) != JV_KIND_TRUE) {
			const char *a = jv_get_kind(args) == JV_KIND_STRING ? jv_string_value(args) : "";
			jv parsed = *a ? jv_parse(a) : jv_object();
			jv o = jv_object();
			if (jv_get_kind(id) == JV_KIND_STRING)
				o = jv_object_set(o, jv_string("id"), jv_copy(id));
			o = jv_object_set(o, jv_string("name"), jv_get_kind(name) == JV_KIND_STRING ? jv_copy(name) : jv_string(""));
			if (jv_is_valid(parsed)) {
				o = jv_object_set(o, jv_string("arguments"), parsed);
			} else {
				jv_free(parsed);
				o = jv_object_set(o, jv_string("arguments"), jv_string(a));
			}
			out = jv_array_append(out, o);
		}
		jv_free(answer);
		jv_free(args);
		jv_free(name);
		jv_free(id);
		jv_free(c);
	}
	jv_free(calls);
	if (!jv_array_length(jv_copy(out))) {
		jv_free(out);
		return jv_invalid();
	}
	return out;
}

/* One decoded event applied to the reply: the text goes out, the rest is noted. */
static int apply(struct exchange_stream *r, size_t i)
{
	const struct provider_event *d = &r->batch.items[i].d;
	struct chat_reply *reply = r->reply;
	if (reply->done && !(d->usage_mask && !d->text_len))
		return 0; /* after the end marker only a late usage report counts */
	if (d->err.code) {
		reply->err = d->err;
		if (r->emitted)
			reply->err.retryable = 0; /* part of the reply is out: not this request again */
		return -1;
	}
	if (d->model_len && !reply->model[0]) {
		snprintf(reply->model, sizeof reply->model, "%.*s", (int)d->model_len,
			 evdecode_text(&r->batch, i, d->model_off));
		r->batch.model_known = reply->model[0] != 0; /* the first model named is kept */
	}
	if (d->usage_mask) {
		if (d->usage_mask & USAGE_INPUT)
			reply->usage.input = d->usage.input;
		if (d->usage_mask & USAGE_OUTPUT)
			reply->usage.output = d->usage.output;
		if (d->usage_mask & USAGE_CACHED)
			reply->usage.cached = d->usage.cached;
		if (d->usage_mask & USAGE_REASONING)
			reply->usage.reasoning = d->usage.reasoning;
		reply->have_usage = 1;
	}
	if (d->finish[0])
		snprintf(reply->finish, sizeof reply->finish, "%s", d->finish);
	if (d->done)
		reply->done = 1;
	if (d->refusal)
		reply->refused = 1;
	if (d->text_len && counted_emit(r, evdecode_text(&r->batch, i, d->text_off), d->text_len))
		return -1;
	if (d->tools_len && merge_tools(r, evdecode_text(&r->batch, i, d->tools_off), d->tools_len))
		return -1;
	return 0;
}

/* Decode this read's events (in parallel when there are many), then apply
 * them one by one, in order. */
static int deliver(struct exchange_stream *r)
{
	int rc = 0;
	evdecode_decode(&r->batch);
	for (size_t i = 0; i < r->batch.n && !rc; i++)
		rc = apply(r, i);
	evdecode_clear(&r->batch);
	return rc;
}

int exchange_stream_feed(struct exchange_stream *r, const char *data, size_t len)
{
	/* the cap counts the body as the write callback gets it, after any
	 * gzip is undone: bytes past it are never parsed, so a small
	 * compressed body cannot grow into gigabytes of reply */
	size_t room = r->max_reply - r->received, take = len < room ? len : room;
	r->received += take;
	int rc = sse_feed(&r->sse, data, take);
	if (rc == -1 && r->sse.overflow && !r->reply->err.code)
		err_set(&r->reply->err, ERR_BAD_OUTPUT, 0, "an event in the reply stream is too large");
	int d = deliver(r);
	if (!rc)
		rc = d;
	if (take < len) {
		/* what arrived up to the cap was delivered above and is kept */
		if (!r->reply->err.code)
			err_set(&r->reply->err, ERR_BAD_OUTPUT, 0, "the reply is larger than %zu MiB (CHAT_MAX_REPLY_MB)",
				r->max_reply >> 20);
		rc = -1;
	}
	/* whatever this read produced goes out now, in one write */
	if (r->flush && r->flush(r->ctx)) {
		r->emit_failed = 1;
		return -1;
	}
	return rc;
}

static int on_body(void *ctx, const char *data, size_t len)
{
	return exchange_stream_feed(ctx, data, len);
}

void exchange_stream_open(struct exchange_stream *r)
{
	/* no line or event can be longer than the whole reply may be */
	size_t event_max = (size_t)64 << 20;
	sse_init(&r->sse, r->max_reply < event_max ? r->max_reply : event_max, on_event, r);
	r->received = 0;
	r->batch.model_known = 0; /* a new attempt's reply names its own */
}

/* The message of a JSON error the provider wrote outside the event stream. */
static void stray_message(const struct buf *b, char *out, size_t cap)
{
	jv v = jv_parse_sized(b->p, (int)b->len);
	jv e = jx_get(v, "error");
	char msg[256] = "";
	if (jx_str(e, "message", msg, sizeof msg) == 0)
		snprintf(out, cap, "%s", msg);
	jv_free(e);
	jv_free(v);
}

size_t exchange_max_reply(const struct config *cfg, char *why, size_t cap)
{
	const char *env = getenv("CHAT_MAX_REPLY_MB");
	int from_env = env && *env;
	const char *v = from_env ? env : cfg ? config_get(cfg, "", "max_reply_mb") : NULL;
	if (!v || !*v)
		return (size_t)MAX_REPLY_MB_DEFAULT << 20;
	char *end;
	errno = 0;
	long mb = strtol(v, &end, 10);
	if (end == v || *end || errno || mb < 1 || mb > MAX_REPLY_MB_MAX) {
		snprintf(why, cap, "%s = '%.40s': want a whole number of MiB from 1 to %d",
			 from_env ? "CHAT_MAX_REPLY_MB" : "max_reply_mb", v, MAX_REPLY_MB_MAX);
		return 0;
	}
	return (size_t)mb << 20;
}

/* The cap when the caller set none: the environment's or the default. A
 * bad value is said once and the default used. */
static size_t default_max_reply(void)
{
	static int warned;
	char why[160];
	size_t m = exchange_max_reply(NULL, why, sizeof why);
	if (!m && !warned++)
		warn("%s; using %d", why, MAX_REPLY_MB_DEFAULT);
	return m ? m : (size_t)MAX_REPLY_MB_DEFAULT << 20;
}

int exchange_begin(struct exchange *x, const struct provider *p, const struct chat_request *rq,
		   const struct exchange_opts *o, delta_fn emit, flush_fn flush, void *ctx,
		   struct chat_reply *reply, struct exchange_timing *t)
{
	memset(x, 0, sizeof *x);
	chat_reply_free(reply);
	memset(t, 0, sizeof *t);
	buf_init(&x->url, 8192);
	buf_init(&x->body, 256u << 20);
	x->o = o;
	x->t = t;
	/* --timeout bounds the whole run: rate-limit waits, retries, attempts */
	x->deadline = o->total_timeout > 0 ? now_ms() + o->total_timeout * 1000 : 0;
	x->r = (struct exchange_stream){ .p = p, .reply = reply, .emit = emit, .flush = flush, .ctx = ctx, .schema = rq->schema != NULL };
	evdecode_init(&x->r.batch, p);
	x->r.max_reply = o->max_reply ? o->max_reply : default_max_reply();
	x->r.start = now_ms();
	if (p->build(rq, o->base, o->key, &x->url, &x->headers, &x->body, &reply->err) < 0)
		return -1;
	x->c = (struct http_call){ .url = buf_str(&x->url), .headers = x->headers, .body = buf_str(&x->body),
				   .body_len = x->body.len, .connect_timeout = o->connect_timeout,
				   .idle_timeout = o->idle_timeout, .think_timeout = o->think_timeout,
				   .total_timeout = o->total_timeout,
				   .on_body = on_body, .ctx = &x->r };
	x->ready = 1;
	return 0;
}

int exchange_describe(const struct provider *p, const struct chat_request *rq, const struct exchange_opts *o,
		      jv *rec, struct chat_reply *reply)
{
	struct exchange x;
	struct exchange_timing t;
	*rec = jv_invalid();
	int r = exchange_begin(&x, p, rq, o, NULL, NULL, NULL, reply, &t);
	if (!r)
		*rec = dryrun_record("POST", x.c.url, x.c.headers, x.c.body, x.c.body_len, o->key);
	exchange_end(&x);
	return r;
}

/* Longer than the SDKs' own retry ceiling: not waited out unless asked. */
#define LONG_PAUSE_MS RETRY_MAX_HINT_MS

/* A wall-clock time as the user's local HH:MM:SS, for "waiting until". */
static void clock_of(long long unix_ms, char *out, size_t cap)
{
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;
	strftime(out, cap, "%H:%M:%S", localtime_r(&t, &tm));
}

long exchange_wait(struct exchange *x)
{
	if (!x->o->rl)
		return 0;
	const char *name = x->r.p->name;
	long w = ratelimit_take(x->o->rl, name, x->o->est_tokens);
	if (w == 0 && verbose && ratelimit_taken_at(x->o->rl))
		warn("%s: request taken from the shared rate limit at %lld (unix ms)", name,
		     ratelimit_taken_at(x->o->rl));
	if (w <= 0)
		return w;
	long long paused = ratelimit_paused_until(x->o->rl), now = clock_real_ms();
	long left = paused > now ? (long)(paused - now) : w;
	char when[16];
	clock_of(now + left, when, sizeof when);
	if (paused && left > LONG_PAUSE_MS && !x->o->wait_limit) {
		err_set(&x->r.reply->err, ERR_RATE_LIMITED, 429, "%s paused requests until %s (%ld s from now) after "
			"a 429; not waiting that long: try again then, or give --wait-limit", name, when, left / 1000);
		x->r.reply->err.retryable = 0;
		return -1;
	}
	if (x->deadline && now_ms() + w > x->deadline) {
		err_set(&x->r.reply->err, ERR_TIMEOUT, 0, "waiting for %s's rate limit (until %s) would pass --timeout",
			name, when);
		return -1;
	}
	/* a wait the user would notice is said, once per run and reason */
	static long long said_until;
	if (left > 1000 && !x->waited && (paused > said_until + 1000 || (!paused && !said_until))) {
		warn("%s: waiting until %s for the shared rate limit (%s)", name, when,
		     paused ? "a 429 paused every request to it" : "its requests or tokens per minute are spent");
		said_until = paused ? paused : 1;
	} else if (verbose && !x->waited) {
		warn("%s: waiting %ld ms for the shared rate limit", name, w);
	}
	x->waited++;
	return w;
}

/* What the reply said about the limits, shared with every other process,
 * and the tokens it really took in place of the estimate. */
static void note_limits(struct exchange *x, const struct retry_policy *pol)
{
	const struct chat_reply *reply = x->r.reply;
	retry_note_limits(pol, &x->c, &reply->err);
	if (pol->rl && !(x->c.status == 429 && reply->err.code == ERR_RATE_LIMITED) && reply->have_usage)
		ratelimit_settle(pol->rl, pol->provider, x->o->est_tokens, reply->usage.input + reply->usage.output);
}

CURL *exchange_attempt(struct exchange *x)
{
	x->t->attempts = ++x->attempt;
	chat_reply_free(x->r.reply);
	if (x->deadline) {
		long left = (x->deadline - now_ms() + 999) / 1000;
		x->c.total_timeout = left > 0 ? left : 1;
	}
	exchange_stream_open(&x->r);
	x->in_attempt = 1;
	return http_start(&x->c);
}

long exchange_attempt_done(struct exchange *x, CURLcode code)
{
	struct exchange_stream *r = &x->r;
	struct chat_reply *reply = r->reply;
	struct http_call *c = &x->c;
	const struct provider *p = r->p;
	if (c->handle)
		http_finish(c, code);
	x->in_attempt = 0;
	if (c->code == CURLE_OK && !reply->err.code && !sig_caught && !r->emit_failed) {
		r->at_eof = 1;
		if (sse_flush(&r->sse) == 0)
			deliver(r);
		r->at_eof = 0;
	}
	int discarded = sse_finish(&r->sse);
	char stray[300] = "";
	if (r->sse.stray.len)
		stray_message(&r->sse.stray, stray, sizeof stray);
	sse_free(&r->sse);
	if (sig_caught || r->emit_failed) {
		err_set(&reply->err, ERR_INTERRUPTED, 0, "interrupted");
	} else if (reply->err.code) {
		/* the provider reported an error in the stream */
	} else if (c->code != CURLE_OK || c->status < 200 || c->status >= 300) {
		call_error(p, c, NULL, r->emitted, &reply->err); /* the key is noted where the error is said */
	} else if (!c->streaming) {
		err_set(&reply->err, ERR_BAD_OUTPUT, c->status,
			"expected an event stream, got %s", c->content_type[0] ? c->content_type : "no content type");
	} else if (!reply->done && stray[0]) {
		err_set(&reply->err, ERR_SERVER, 0, "error in the reply stream: %s", stray);
	} else if (!reply->done && !reply->finish[0]) {
		/* a stream that carried its stop reason is whole, with or without
		 * its end marker, as the SDKs read it; one that ended before any is cut off */
		err_set(&reply->err, ERR_NETWORK, 0, "the reply stream ended before it was complete%s",
			discarded ? " (an unterminated event was discarded)" : "");
	}
	struct retry_policy pol = { .retries = x->o->retries, .deadline = x->deadline, .rl = x->o->rl,
				    .provider = p->name };
	note_limits(x, &pol);
	if (!reply->err.code)
		return -1;
	int attempt = x->attempt - 1, retries = x->o->retries;
	/* an error inside the stream is retried like the same error as a
	 * status (an overloaded_error event like a 529), but only while
	 * nothing of the reply has gone out */
	long wait = retry_next(&pol, &reply->err, c->should_retry, attempt, r->emitted);
	if (wait >= 0 && verbose)
		warn("%s; retrying in %ld ms (attempt %d of %d)", reply->err.message, wait, attempt + 2, retries + 1);
	return wait;
}

int exchange_end(struct exchange *x)
{
	struct chat_reply *reply = x->r.reply;
	struct exchange_timing *t = x->t;
	if (x->in_attempt)
		exchange_attempt_done(x, CURLE_ABORTED_BY_CALLBACK);
	if (x->ready) {
		http_call_free(&x->c);
		if (reply->err.code)
			snprintf(reply->finish, sizeof reply->finish, "%s",
				 reply->err.code == ERR_INTERRUPTED ? "interrupted" : "error");
		else if (reply->refused)
			snprintf(reply->finish, sizeof reply->finish, "filtered");
		else if (!reply->finish[0])
			snprintf(reply->finish, sizeof reply->finish, "stop");
		reply->tool_calls = final_calls(reply->tool_calls);
	}
	evdecode_free(&x->r.batch);
	t->total_ms = now_ms() - x->r.start;
	t->ttft_ms = x->r.emitted ? x->r.first - x->r.start : -1;
	curl_slist_free_all(x->headers);
	if (x->url.p)
		explicit_bzero(x->url.p, x->url.len);
	buf_free(&x->url);
	buf_free(&x->body);
	return reply->err.code ? -1 : 0;
}

int exchange_run(const struct provider *p, const struct chat_request *rq,
		 const struct exchange_opts *o, delta_fn emit, flush_fn flush, void *ctx,
		 struct chat_reply *reply, struct exchange_timing *t)
{
	struct exchange x;
	if (exchange_begin(&x, p, rq, o, emit, flush, ctx, reply, t) == 0) {
		for (;;) {
			long w = 0; /* a signal before the first wait leaves it unset */
			while (!sig_caught && (w = exchange_wait(&x)) > 0)
				http_sleep_ms(w);
			if (w < 0)
				break;
			if (sig_caught) {
				err_set(&reply->err, ERR_INTERRUPTED, 0, "interrupted");
				break;
			}
			CURL *h = exchange_attempt(&x);
			long wait = exchange_attempt_done(&x, h ? curl_easy_perform(h) : CURLE_FAILED_INIT);
			if (wait < 0)
				break;
			http_sleep_ms(wait);
			if (sig_caught) {
				err_set(&reply->err, ERR_INTERRUPTED, 0, "interrupted");
				break;
			}
		}
	}
	return exchange_end(&x);
}
