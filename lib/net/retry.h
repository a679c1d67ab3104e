/* retry: the one retry policy of every HTTP caller (a chat exchange, image
 * generation, the batch APIs, the Gemini file upload) and the one reading
 * of a failed call as a struct chat_error. The rules are the official
 * SDKs': 408, 409, 429, 5xx, 529 and connection failures are retried,
 * --retries times (2 by default), after min(0.5 * 2^n, 8) s less up to a
 * quarter at random, or after the server's retry-after-ms, else
 * retry-after; x-should-retry true forces a retry and false forbids one;
 * a server that asks for more than two minutes, exhausted quota and a
 * reply already partly written out are not retried. */
#ifndef CHAT_RETRY_H
#define CHAT_RETRY_H
#include "errcode.h"
#include "net/http.h"
#include "net/ratelimit.h"
#include "providers/provider.h"

/* The longest wait a server may ask for and still be waited out. */
#define RETRY_MAX_HINT_MS 120000L

/* Where callers differ, they differ here, each field saying why. */
struct retry_policy {
	int retries;            /* extra attempts after the first (--retries). The
				 * Gemini upload counts its attempts from its last
				 * progress, so a long upload is not cut short by
				 * failures far apart */
	long deadline;          /* now_ms() by which the next attempt must start
				 * (chat's --timeout bounds the whole run); 0: none */
	struct ratelimit *rl;   /* the machine's shared limits, which a model's
				 * replies feed and a 429 pauses; NULL for the batch
				 * and Files APIs, whose limits are not the model's
				 * requests and tokens per minute */
	const char *provider;   /* rl's name for the provider */
};

/* The wait before attempt + 2 (attempt counts from 0) after the failure e,
 * in ms, or -1: give up. should_retry is the reply's x-should-retry (-1
 * absent, 0 false, 1 true; see struct http_call). emitted: part of the
 * reply has been written out, so a second attempt would repeat it (a batch
 * API call or an upload writes nothing out, and passes 0). */
long retry_next(const struct retry_policy *p, const struct chat_error *e, int should_retry, int attempt,
		int emitted);

/* Note a reply's rate-limit headers in p->rl, and pause every process's
 * requests to the provider after a 429 that was a rate limit. */
void retry_note_limits(const struct retry_policy *p, const struct http_call *c, const struct chat_error *e);

/* The failed call c as an error: interrupted by a signal, a transport
 * failure (mid: part of the reply had arrived), or a status that prov
 * reads from the body, a refused key noting key_source (may be NULL), and
 * the reply's retry-after headers before any hint in the body. */
void call_error(const struct provider *prov, const struct http_call *c, const char *key_source, int mid,
		struct chat_error *e);

/* A reply header that bears on retrying, read into c: retry-after-ms (ms),
 * which beats retry-after (seconds or an HTTP date, against now in unix
 * seconds) whichever comes first, and x-should-retry. 1 when name was one
 * of them, else 0. */
int retry_header(struct http_call *c, const char *name, const char *val, long now);
#endif
