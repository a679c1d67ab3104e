#include "net/retry.h"
#include "clock.h"
#include "sig.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The SDKs' backoff: the server's hint when it gave one it is fair to
 * wait, else min(0.5 * 2^n, 8) s shortened by up to a quarter at random,
 * so that many clients do not come back in step. */
static long delay_ms(long hint_ms, int n)
{
	if (hint_ms > RETRY_MAX_HINT_MS)
		return -1;
	if (hint_ms > 0)
		return hint_ms;
	double d = 500.0 * (1 << (n < 5 ? n : 5));
	if (d > 8000)
		d = 8000;
	return (long)(d * (1.0 - 0.25 * ((double)rand() / RAND_MAX)));
}

long retry_next(const struct retry_policy *p, const struct chat_error *e, int should_retry, int attempt,
		int emitted)
{
	/* exhausted quota comes back the same whatever a header says */
	if (!e->code || e->code == ERR_INTERRUPTED || e->code == ERR_QUOTA || sig_caught)
		return -1;
	if (emitted || attempt >= p->retries)
		return -1;
	if (should_retry >= 0 ? !should_retry : !e->retryable)
		return -1;
	long wait = delay_ms(e->retry_after_ms, attempt);
	if (wait >= 0 && p->deadline && now_ms() + wait >= p->deadline)
		return -1; /* the next try would start past the deadline */
	return wait;
}

void retry_note_limits(const struct retry_policy *p, const struct http_call *c, const struct chat_error *e)
{
	if (!p->rl)
		return;
	ratelimit_note(p->rl, p->provider, &c->rl);
	if (c->status == 429 && e->code == ERR_RATE_LIMITED)
		ratelimit_pause(p->rl, p->provider, c->retry_after_ms);
}

void call_error(const struct provider *prov, const struct http_call *c, const char *key_source, int mid,
		struct chat_error *e)
{
	memset(e, 0, sizeof *e);
	if (sig_caught) {
		err_set(e, ERR_INTERRUPTED, 0, "interrupted");
		return;
	}
	if (c->code != CURLE_OK || c->stalled) {
		http_transport_error(c, e, mid);
		return;
	}
	prov->http_error(c->status, buf_str(&c->err_body), c->err_body.len, e);
	err_note_key(e, key_source);
	/* the headers beat a hint in the body (Gemini's RetryInfo); a body
	 * that says 0 is no hint */
	if (c->retry_after_ms >= 0 || e->retry_after_ms <= 0)
		e->retry_after_ms = c->retry_after_ms;
}

int retry_header(struct http_call *c, const char *name, const char *val, long now)
{
	if (!strcasecmp(name, "retry-after-ms")) {
		char *end;
		double d = strtod(val, &end);
		if (end != val && d >= 0 && d < 1e10)
			c->retry_after_ms = (long)d;
	} else if (!strcasecmp(name, "retry-after")) {
		if (c->retry_after_ms < 0)
			c->retry_after_ms = http_parse_retry_after(val, now);
	} else if (!strcasecmp(name, "x-should-retry")) {
		c->should_retry = !strcasecmp(val, "true") ? 1 : !strcasecmp(val, "false") ? 0 : -1;
	} else {
		return 0;
	}
	return 1;
}
