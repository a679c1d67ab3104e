/* exchange: one request/reply with a provider — build, post, parse the event
 * stream, hand deltas to the caller, retry what may be retried (never once a
 * delta has been handed out), and time it. */
#ifndef CHAT_EXCHANGE_H
#define CHAT_EXCHANGE_H
#include "provider.h"

struct exchange_opts {
	const char *base;          /* base URL */
	const char *key;
	long connect_timeout, idle_timeout;
	int retries;               /* extra attempts after the first */
};

/* Called after each network read's deltas, so one read becomes one write. */
typedef int (*flush_fn)(void *ctx);

struct exchange_timing {
	long ttft_ms, total_ms;
	int attempts;
};

/* Run the exchange. Returns 0 when the reply completed, -1 otherwise
 * (reply->err says why; ERR_INTERRUPTED when a signal or a failed emit
 * stopped it). */
int exchange_run(const struct provider *p, const struct chat_request *rq,
		 const struct exchange_opts *o, delta_fn emit, flush_fn flush, void *ctx,
		 struct chat_reply *reply, struct exchange_timing *t);
#endif
