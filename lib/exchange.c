#include "exchange.h"
#include "clock.h"
#include "diag.h"
#include "http.h"
#include "evbatch.h"
#include "jsonx.h"
#include "sig.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct run {
	const struct provider *p;
	struct chat_reply *reply;
	struct sse_parser sse;
	struct evbatch batch;
	delta_fn emit;
	flush_fn flush;
	void *ctx;
	long start, first;
	int emitted, emit_failed;
};

static int counted_emit(void *ctx, const char *text, size_t len)
{
	struct run *r = ctx;
	if (!len)
		return 0;
	if (!r->emitted) {
		r->emitted = 1;
		r->first = now_ms();
	}
	if (r->emit(r->ctx, text, len)) {
		r->emit_failed = 1;
		return -1;
	}
	return 0;
}

static int on_event(void *ctx, const struct sse_event *ev)
{
	struct run *r = ctx;
	if (evbatch_add(&r->batch, ev) < 0) {
		err_set(&r->reply->err, ERR_BAD_OUTPUT, 0, "out of memory holding the reply's events");
		return -1;
	}
	return 0;
}

/* One decoded event applied to the reply: the text goes out, the rest is noted. */
static int apply(struct run *r, size_t i)
{
	const struct decoded *d = &r->batch.items[i].d;
	struct chat_reply *reply = r->reply;
	if (reply->done && !(d->usage_mask && !d->text_len))
		return 0; /* after the end marker only a late usage report counts */
	if (d->err.code) {
		reply->err = d->err;
		return -1;
	}
	if (d->model_len && !reply->model[0])
		snprintf(reply->model, sizeof reply->model, "%.*s", (int)d->model_len,
			 evbatch_text(&r->batch, i, d->model_off));
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
	if (d->text_len && counted_emit(r, evbatch_text(&r->batch, i, d->text_off), d->text_len))
		return -1;
	return 0;
}

/* Decode this read's events (in parallel when there are many), then apply
 * them one by one, in order. */
static int deliver(struct run *r)
{
	int rc = 0;
	evbatch_decode(&r->batch);
	for (size_t i = 0; i < r->batch.n && !rc; i++)
		rc = apply(r, i);
	evbatch_clear(&r->batch);
	return rc;
}

static int on_body(void *ctx, const char *data, size_t len)
{
	struct run *r = ctx;
	int rc = sse_feed(&r->sse, data, len);
	if (rc == -1 && r->sse.overflow && !r->reply->err.code)
		err_set(&r->reply->err, ERR_BAD_OUTPUT, 0, "an event in the reply stream is too large");
	int d = deliver(r);
	if (!rc)
		rc = d;
	/* whatever this read produced goes out now, in one write */
	if (r->flush && r->flush(r->ctx)) {
		r->emit_failed = 1;
		return -1;
	}
	return rc;
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

static void transport_error(const struct http_call *c, struct chat_reply *reply, int emitted)
{
	switch (c->code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		err_set(&reply->err, ERR_NETWORK, 0, "cannot connect: %s", c->curl_err);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		err_set(&reply->err, ERR_TIMEOUT, 0, "timed out: %s", c->curl_err);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		err_set(&reply->err, ERR_NETWORK, 0, "TLS failure: %s", c->curl_err);
		reply->err.retryable = 0;
		break;
	default:
		err_set(&reply->err, ERR_NETWORK, 0, "%s: %s",
			emitted ? "connection dropped mid-reply" : "connection failed", c->curl_err);
	}
}

/* Wait before attempt n+1 the way the official SDKs do; -1: do not retry. */
static long retry_delay(const struct http_call *c, int n)
{
	long hint = c->retry_after_ms;
	if (hint > 120000)
		return -1; /* the server wants more than two minutes: give up now */
	if (hint > 0)
		return hint;
	double d = 500.0 * (1 << (n < 5 ? n : 5));
	if (d > 8000)
		d = 8000;
	return (long)(d * (1.0 - 0.25 * ((double)rand() / RAND_MAX)));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (!sig_caught && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int exchange_run(const struct provider *p, const struct chat_request *rq,
		 const struct exchange_opts *o, delta_fn emit, flush_fn flush, void *ctx,
		 struct chat_reply *reply, struct exchange_timing *t)
{
	struct buf url = BUF_INIT(8192), body = BUF_INIT(256u << 20);
	struct curl_slist *headers = NULL;
	memset(reply, 0, sizeof *reply);
	memset(t, 0, sizeof *t);
	struct run r = { .p = p, .reply = reply, .emit = emit, .flush = flush, .ctx = ctx };
	evbatch_init(&r.batch, p);
	r.start = now_ms();
	if (p->build(rq, o->base, o->key, &url, &headers, &body, &reply->err) < 0)
		goto out;
	struct http_call c = { .url = buf_str(&url), .headers = headers, .body = buf_str(&body),
			       .body_len = body.len, .connect_timeout = o->connect_timeout,
			       .idle_timeout = o->idle_timeout, .on_body = on_body, .ctx = &r };
	for (int attempt = 0;; attempt++) {
		t->attempts = attempt + 1;
		memset(reply, 0, sizeof *reply);
		sse_init(&r.sse, 64u << 20, on_event, &r);
		http_post(&c);
		int discarded = sse_finish(&r.sse);
		char stray[300] = "";
		if (r.sse.stray.len)
			stray_message(&r.sse.stray, stray, sizeof stray);
		sse_free(&r.sse);
		if (sig_caught || r.emit_failed) {
			err_set(&reply->err, ERR_INTERRUPTED, 0, "interrupted");
		} else if (reply->err.code) {
			/* the provider reported an error in the stream */
		} else if (c.code != CURLE_OK && !(c.aborted && reply->err.code)) {
			transport_error(&c, reply, r.emitted);
		} else if (c.status < 200 || c.status >= 300) {
			p->http_error(c.status, buf_str(&c.err_body), c.err_body.len, &reply->err);
			if (c.retry_after_ms >= 0 || reply->err.retry_after_ms <= 0)
				reply->err.retry_after_ms = c.retry_after_ms; /* headers beat a hint in the body */
		} else if (!c.streaming) {
			err_set(&reply->err, ERR_BAD_OUTPUT, c.status,
				"expected an event stream, got %s", c.content_type[0] ? c.content_type : "no content type");
		} else if (!reply->done && stray[0]) {
			err_set(&reply->err, ERR_SERVER, 0, "error in the reply stream: %s", stray);
			reply->err.retryable = 0;
		} else if (!reply->done) {
			err_set(&reply->err, ERR_NETWORK, 0, "the reply stream ended before it was complete%s",
				discarded ? " (an unterminated event was discarded)" : "");
		}
		if (!reply->err.code)
			break;
		int retry = reply->err.retryable && !r.emitted && attempt < o->retries;
		if (c.should_retry >= 0 && !r.emitted && attempt < o->retries && reply->err.code != ERR_INTERRUPTED)
			retry = c.should_retry;
		long wait = retry ? retry_delay(&c, attempt) : -1;
		if (wait < 0)
			break;
		if (verbose)
			warn("%s; retrying in %ld ms (attempt %d of %d)", reply->err.message, wait,
			     attempt + 2, o->retries + 1);
		sleep_ms(wait);
		if (sig_caught) {
			err_set(&reply->err, ERR_INTERRUPTED, 0, "interrupted");
			break;
		}
	}
	http_call_free(&c);
	evbatch_free(&r.batch);
	if (reply->err.code)
		snprintf(reply->finish, sizeof reply->finish, "%s",
			 reply->err.code == ERR_INTERRUPTED ? "interrupted" : "error");
	else if (!reply->finish[0])
		snprintf(reply->finish, sizeof reply->finish, "stop");
out:
	t->total_ms = now_ms() - r.start;
	t->ttft_ms = r.emitted ? r.first - r.start : -1;
	curl_slist_free_all(headers);
	explicit_bzero(url.p, url.len);
	buf_free(&url);
	buf_free(&body);
	return reply->err.code ? -1 : 0;
}
