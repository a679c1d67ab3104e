/* exchange: one request/reply with a provider — build, post, parse the event
 * stream, hand deltas to the caller, retry what may be retried (never once a
 * delta has been handed out), and time it. */
#ifndef CHAT_EXCHANGE_H
#define CHAT_EXCHANGE_H
#include "net/evdecode.h"
#include "net/http.h"
#include "providers/provider.h"
#include "sse.h"

struct exchange_opts {
	const char *base;          /* base URL */
	const char *key;
	long connect_timeout, idle_timeout;
	long think_timeout;        /* seconds of silence before the reply's first byte */
	long total_timeout;        /* --timeout: seconds for the whole run, waits included; 0: none */
	int wait_limit;            /* --wait-limit: wait out a pause longer than two minutes */
	struct ratelimit *rl;      /* the machine's shared limits, or NULL */
	long est_tokens;           /* what the request may use, for the limits */
	int retries;               /* extra attempts after the first */
	size_t max_reply;          /* bytes of reply body, counted after any
				    * decompression; 0: exchange_max_reply(NULL) */
};

/* The cap on one reply: past it the reply stops with bad_output ("the
 * reply is larger than N MiB") and what arrived is kept. A compressed
 * body is counted as it expands, so a gzip bomb meets the cap too. */
#define MAX_REPLY_MB_DEFAULT 64
#define MAX_REPLY_MB_MAX 256    /* the most a reply's text may be held in memory */
/* $CHAT_MAX_REPLY_MB, else cfg's max_reply_mb (cfg may be NULL), else the
 * default, in bytes; 0 when the value set is no whole number from 1 to
 * MAX_REPLY_MB_MAX (why then says which value is wrong). */
struct config;
size_t exchange_max_reply(const struct config *cfg, char *why, size_t cap);

/* Called after each network read's deltas, so one read becomes one write. */
typedef int (*flush_fn)(void *ctx);

/* Run the exchange. Returns 0 when the reply completed, -1 otherwise
 * (reply->err says why: ERR_INTERRUPTED when a signal or a failed flush —
 * the output went away — stopped it; ERR_BAD_OUTPUT when the reply went
 * past its cap or emit could not take its text). */
int exchange_run(const struct provider *p, const struct chat_request *rq,
		 const struct exchange_opts *o, delta_fn emit, flush_fn flush, void *ctx,
		 struct chat_reply *reply, struct exchange_timing *t);

/* The same in steps, for many exchanges on one multi handle. */
struct exchange_stream {
	const struct provider *p;
	struct chat_reply *reply;
	struct sse_parser sse;
	struct evdecode batch;
	delta_fn emit;
	flush_fn flush;
	void *ctx;
	long start, first;
	int emitted, emit_failed;   /* emit_failed: a flush (a write) failed */
	size_t received, max_reply; /* reply body bytes so far (decoded), and the cap */
	int schema;           /* --schema: a tool forced to carry it gives the answer */
	int at_eof;           /* the transfer ended: an unterminated event is being flushed */
};

/* The stream's parser made ready for a reply body (each attempt does it;
 * p, reply, emit, flush, ctx, max_reply and batch must be set first). */
void exchange_stream_open(struct exchange_stream *r);
/* One network read of the body: parsed, decoded, applied to the reply and
 * flushed, as the transfer does it; the bench replays a recorded body
 * through it. 0, or -1 when the reply stops here (reply->err says why). */
int exchange_stream_feed(struct exchange_stream *r, const char *data, size_t len);

struct exchange {
	struct exchange_stream r;
	struct http_call c;
	struct buf url, body;
	struct curl_slist *headers;
	const struct exchange_opts *o;
	struct exchange_timing *t;
	int attempt, ready, in_attempt, waited;
	long deadline;             /* now_ms() by which the whole run ends (--timeout); 0: none */
};

/* Build the request (o must outlive the exchange). 0, or -1 with reply->err
 * set; exchange_end is due either way. */
int exchange_begin(struct exchange *x, const struct provider *p, const struct chat_request *rq,
		   const struct exchange_opts *o, delta_fn emit, flush_fn flush, void *ctx,
		   struct chat_reply *reply, struct exchange_timing *t);
/* --dry-run: the request exchange_begin builds, as a request record in
 * *rec (see net/dryrun.h), never sent. 0, or -1 with reply->err set. */
int exchange_describe(const struct provider *p, const struct chat_request *rq, const struct exchange_opts *o,
		      jv *rec, struct chat_reply *reply);
/* Before each attempt: 0 when the shared rate limits let it start now,
 * else the milliseconds to wait before asking again; -1 when the exchange
 * is over instead (a pause past --wait-limit's two minutes, or a wait that
 * would pass --timeout): reply->err says why and exchange_end is due. */
long exchange_wait(struct exchange *x);
/* Start an attempt: its easy handle, or NULL (then call exchange_attempt_done
 * with CURLE_FAILED_INIT). */
CURL *exchange_attempt(struct exchange *x);
/* The attempt's transfer ended with code (the handle already removed from
 * any multi handle): -1 when the exchange is over (reply says how), else
 * the milliseconds to wait before the next attempt. */
long exchange_attempt_done(struct exchange *x, CURLcode code);
/* Finish: finish reason, timing; frees everything. 0 when the reply completed. */
int exchange_end(struct exchange *x);
#endif
