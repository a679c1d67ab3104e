/* The shared rate limiter: rate-limit headers of OpenAI and Anthropic, the
 * token-bucket arithmetic at explicit times, pauses, what headers teach,
 * settling, config limits, the state file (path, mode, refusals), two
 * connections and eight processes sharing one budget. No sleeps: every
 * time is given. With $CHAT_TEST_PG (a PostgreSQL database in libpq's
 * keyword form) the limiter's own tests run a second time, each state a
 * schema of that database instead of a file. */
#include "config.h"
#include "diag.h"
#include "net/ratelimit.h"
#include "pq_lib.h"
#include "tap.h"
#include <ctype.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <unistd.h>

static char dir[] = "/tmp/chat-test-ratelimit-XXXXXX";
static const long long T0 = 1767225600000LL;  /* 2026-01-01T00:00:00Z */

/* ---- headers ---- */

enum field { F_NONE, F_LREQ, F_RREQ, F_SREQ, F_LTOK, F_RTOK, F_STOK };

static long get(const struct rl_headers *h, enum field f)
{
	switch (f) {
	case F_LREQ: return h->limit_requests;
	case F_RREQ: return h->remaining_requests;
	case F_SREQ: return h->reset_requests_ms;
	case F_LTOK: return h->limit_tokens;
	case F_RTOK: return h->remaining_tokens;
	case F_STOK: return h->reset_tokens_ms;
	default: return -1;
	}
}

static int untouched(const struct rl_headers *h, enum field except)
{
	for (enum field f = F_LREQ; f <= F_STOK; f++)
		if (f != except && get(h, f) != -1)
			return 0;
	return 1;
}

static const long long NOW_A = 1771371821000LL;  /* 2026-02-17T23:43:41Z */

static const struct hcase {
	const char *name, *value;
	int ret;
	enum field f;
	long want;  /* -1: left as not present */
} hcases[] = {
	/* OpenAI counts */
	{ "x-ratelimit-limit-requests", "30000", 1, F_LREQ, 30000 },
	{ "x-ratelimit-remaining-requests", "29999", 1, F_RREQ, 29999 },
	{ "x-ratelimit-limit-tokens", "150000000", 1, F_LTOK, 150000000 },
	{ "X-RateLimit-Remaining-Tokens", " 149999993 \r\n", 1, F_RTOK, 149999993 },
	{ "x-ratelimit-limit-requests", "12abc", 1, F_LREQ, -1 },
	{ "x-ratelimit-limit-requests", "-5", 1, F_LREQ, -1 },
	{ "x-ratelimit-limit-requests", "", 1, F_LREQ, -1 },
	{ "x-ratelimit-limit-requests", "1.5", 1, F_LREQ, -1 },
	{ "x-ratelimit-limit-requests", "99999999999999999999999", 1, F_LREQ, -1 },
	/* OpenAI resets: Go durations */
	{ "x-ratelimit-reset-requests", "1s", 1, F_SREQ, 1000 },
	{ "x-ratelimit-reset-tokens", "6m0s", 1, F_STOK, 360000 },
	{ "x-ratelimit-reset-requests", "20ms", 1, F_SREQ, 20 },
	{ "x-ratelimit-reset-requests", "1h2m3.5s", 1, F_SREQ, 3723500 },
	{ "x-ratelimit-reset-tokens", "0s", 1, F_STOK, 0 },
	{ "x-ratelimit-reset-tokens", "0", 1, F_STOK, 0 },
	{ "x-ratelimit-reset-tokens", "1m30.5s", 1, F_STOK, 90500 },
	{ "x-ratelimit-reset-requests", "2ms", 1, F_SREQ, 2 },
	{ "x-ratelimit-reset-requests", "1.5s", 1, F_SREQ, 1500 },
	{ "x-ratelimit-reset-requests", "1.1s", 1, F_SREQ, 1100 },
	{ "x-ratelimit-reset-requests", "6m0.001s", 1, F_SREQ, 360001 },
	{ "x-ratelimit-reset-requests", "500us", 1, F_SREQ, 1 },
	{ "x-ratelimit-reset-requests", "1500\xc2\xb5s", 1, F_SREQ, 2 },
	{ "x-ratelimit-reset-requests", "3ns", 1, F_SREQ, 1 },
	{ "x-ratelimit-reset-requests", ".5s", 1, F_SREQ, 500 },
	{ "x-ratelimit-reset-requests", "1.s", 1, F_SREQ, 1000 },
	{ "x-ratelimit-reset-requests", "2h", 1, F_SREQ, 7200000 },
	{ "x-ratelimit-reset-requests", "\t12ms ", 1, F_SREQ, 12 },
	{ "x-ratelimit-reset-requests", "abc", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "5", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "1x", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "-1s", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "+1s", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "1s2", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "s", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", ".s", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "1 s", 1, F_SREQ, -1 },
	{ "x-ratelimit-reset-requests", "99999999999h", 1, F_SREQ, -1 },
	/* Anthropic: counts, and resets as RFC 3339 times from NOW_A */
	{ "anthropic-ratelimit-requests-limit", "50", 1, F_LREQ, 50 },
	{ "Anthropic-RateLimit-Requests-Remaining", "49", 1, F_RREQ, 49 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T23:44:11Z", 1, F_SREQ, 30000 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T23:44:11.5Z", 1, F_SREQ, 30500 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T23:44:11.123456789Z", 1, F_SREQ, 30123 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-18T00:44:11+01:00", 1, F_SREQ, 30000 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T18:14:11-05:30", 1, F_SREQ, 30000 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17t23:44:11z", 1, F_SREQ, 30000 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17 23:44:11Z", 1, F_SREQ, 30000 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-18T00:00:00Z", 1, F_SREQ, 979000 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T23:43:00Z", 1, F_SREQ, 0 },
	{ "anthropic-ratelimit-requests-reset", "2024-02-29T00:00:00Z", 1, F_SREQ, 0 },
	{ "anthropic-ratelimit-tokens-reset", "2026-02-17T23:43:42Z", 1, F_STOK, 1000 },
	{ "anthropic-ratelimit-tokens-limit", "2400000", 1, F_LTOK, 2400000 },
	{ "anthropic-ratelimit-input-tokens-remaining", "28000", 1, F_RTOK, 28000 },
	{ "anthropic-ratelimit-requests-reset", "2026-13-01T00:00:00Z", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-30T00:00:00Z", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "2025-02-29T00:00:00Z", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T24:00:00Z", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T23:44:11", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T23:44:11+0100", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T23:44:11.Z", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "2026-02-17T23:44:11Zjunk", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "1771371851", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "30s", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-reset", "garbage", 1, F_SREQ, -1 },
	{ "anthropic-ratelimit-requests-limit", "fifty", 1, F_LREQ, -1 },
	{ "anthropic-ratelimit-output-tokens-limit", "400000", 1, F_NONE, -1 },
	/* not rate-limit headers, or not ones we use */
	{ "content-type", "text/event-stream", 0, F_NONE, -1 },
	{ "retry-after", "7", 0, F_NONE, -1 },
	{ "x-ratelimit-limit-tokens_usage_based", "1000", 0, F_NONE, -1 },
	{ "x-ratelimit-foo-requests", "1", 0, F_NONE, -1 },
	{ "x-ratelimit-limit", "1", 0, F_NONE, -1 },
	{ "anthropic-ratelimit-unified-reset", "1771371851", 0, F_NONE, -1 },
	{ "anthropic-ratelimit-requests-used", "1", 0, F_NONE, -1 },
	{ "anthropic-ratelimit-", "1", 0, F_NONE, -1 },
};

/* The value shown with control characters escaped, to keep TAP lines whole. */
static const char *shown(const char *v)
{
	static char out[256];
	size_t n = 0;
	for (; *v && n + 5 < sizeof out; v++)
		if ((unsigned char)*v < 0x20)
			n += (size_t)snprintf(out + n, sizeof out - n, "\\x%02x", (unsigned char)*v);
		else
			out[n++] = *v;
	out[n] = 0;
	return out;
}

static void test_headers(void)
{
	struct rl_headers h;
	rl_headers_init(&h);
	ok(untouched(&h, F_NONE), "init: every field -1 (not present)");
	for (size_t i = 0; i < sizeof hcases / sizeof hcases[0]; i++) {
		const struct hcase *c = &hcases[i];
		rl_headers_init(&h);
		int r = rl_headers_parse(&h, c->name, c->value, NOW_A);
		ok(r == c->ret && get(&h, c->f) == c->want && untouched(&h, c->f),
		   "header %s: '%s' -> %s%ld (got %d, %ld)", c->name, shown(c->value),
		   c->f == F_NONE ? "ignored " : "", c->want, r, get(&h, c->f));
	}

	/* Anthropic: the tokens headers win over input-tokens, in either order */
	rl_headers_init(&h);
	rl_headers_parse(&h, "anthropic-ratelimit-input-tokens-limit", "2000000", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-tokens-limit", "2400000", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-input-tokens-remaining", "1999000", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-tokens-remaining", "2399000", NOW_A);
	ok(h.limit_tokens == 2400000 && h.remaining_tokens == 2399000, "tokens after input-tokens: tokens win");
	rl_headers_init(&h);
	rl_headers_parse(&h, "anthropic-ratelimit-tokens-limit", "2400000", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-input-tokens-limit", "2000000", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-output-tokens-limit", "400000", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-tokens-reset", "2026-02-17T23:43:51Z", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-input-tokens-reset", "2026-02-17T23:44:41Z", NOW_A);
	ok(h.limit_tokens == 2400000 && h.reset_tokens_ms == 10000, "tokens before input-tokens: tokens still win");
	rl_headers_init(&h);
	rl_headers_parse(&h, "anthropic-ratelimit-input-tokens-limit", "2000000", NOW_A);
	ok(h.limit_tokens == 2000000, "input-tokens alone are used");
	rl_headers_init(&h);
	ok(rl_headers_parse(&h, NULL, "1", NOW_A) == 0 && rl_headers_parse(&h, "x-ratelimit-limit-requests", NULL, NOW_A) == 0 &&
	   untouched(&h, F_NONE), "NULL name or value: ignored");
	char longv[300];
	memset(longv, '1', sizeof longv - 1);
	longv[sizeof longv - 1] = 0;
	ok(rl_headers_parse(&h, "x-ratelimit-limit-requests", longv, NOW_A) == 1 && untouched(&h, F_NONE),
	   "a 299-digit value: ignored");
}

/* ---- the limiter ---- */

static char path[600];
static const char *pg;   /* the PostgreSQL round's database, or NULL */

/* Point $CHAT_RATE_DB at the state called name: a file in dir, or in the
 * PostgreSQL round a schema of its own (made here) as the search path. */
static void use_state(const char *name)
{
	if (!pg) {
		snprintf(path, sizeof path, "%s/%s", dir, name);
		setenv("CHAT_RATE_DB", path, 1);
		return;
	}
	char schema[64] = "t_";
	for (size_t i = 0; name[i] && i < 60; i++)
		schema[i + 2] = (char)(isalnum((unsigned char)name[i]) ? name[i] : '_');
	const struct pq_lib *P = pq_lib(NULL, 0);
	PGconn *c = P ? P->connectdb(pg) : NULL;
	char sql[128];
	snprintf(sql, sizeof sql, "SET client_min_messages = warning; CREATE SCHEMA IF NOT EXISTS %s", schema);
	if (c)
		P->clear(P->exec(c, sql));
	if (c)
		P->finish(c);
	snprintf(path, sizeof path, "%s options='-csearch_path=%s'", pg, schema);
	setenv("CHAT_RATE_DB", path, 1);
}

/* A fresh state named name, opened with the config text. */
static struct ratelimit *open_with(const char *name, const char *cfgtext, char *why, size_t cap)
{
	use_state(name);
	struct config c = { 0 };
	if (cfgtext && config_parse(&c, cfgtext, "t") < 0)
		return NULL;
	struct ratelimit *rl = ratelimit_open(cfgtext ? &c : NULL, NULL, why, cap);
	config_free(&c);
	return rl;
}

static struct ratelimit *fresh(const char *name, const char *cfgtext)
{
	char why[512] = "";
	struct ratelimit *rl = open_with(name, cfgtext, why, sizeof why);
	if (!rl)
		printf("# open %s: %s\n", name, why);
	return rl;
}

/* How many of n takes at time t go; *last gets the last answer. */
static int takes(struct ratelimit *rl, const char *prov, int n, long est, long long t, long *last)
{
	int granted = 0;
	long w = 0;
	for (int i = 0; i < n; i++)
		if ((w = ratelimit_take_at(rl, prov, est, t)) == 0)
			granted++;
	if (last)
		*last = w;
	return granted;
}

static void test_buckets(void)
{
	long w;
	int g;
	struct ratelimit *rl = fresh("burst.db", "[openai]\nrpm = 60\ntpm = 0\n");
	ok(rl != NULL, "open a fresh state file");
	if (!rl)
		return;
	ok(takes(rl, "openai", 60, 1000, T0, NULL) == 60, "rpm 60: a burst of 60 goes at once (capacity = a minute)");
	w = ratelimit_take_at(rl, "openai", 1000, T0);
	ok(w == 1000, "the 61st waits 1000 ms (got %ld)", w);
	w = ratelimit_take_at(rl, "openai", 1000, T0 + 999);
	ok(w == 1, "999 ms later: 1 ms more (got %ld)", w);
	w = ratelimit_take_at(rl, "openai", 1000, T0 + 1000);
	ok(w == 0, "1000 ms later: it goes");
	w = ratelimit_take_at(rl, "openai", 1000, T0 + 1000);
	ok(w == 1000, "and the next waits 1000 ms again (got %ld)", w);
	g = takes(rl, "openai", 31, 0, T0 + 31000, &w);
	ok(g == 30 && w == 1000, "30 s later, 30 more go (refill), then a wait of 1000 ms (got %ld)", w);
	g = takes(rl, "openai", 61, 0, T0 + 3600000, &w);
	ok(g == 60 && w == 1000, "an hour later: never more than a full bucket (60)");
	w = ratelimit_take_at(rl, "gemini", 0, T0);
	ok(w == 0, "another provider has its own buckets");
	ratelimit_close(rl);

	rl = fresh("tokens.db", "[anthropic]\nrpm = 0\ntpm = 6000\n");
	if (!rl)
		return;
	ok(ratelimit_take_at(rl, "anthropic", 4000, T0) == 0, "tpm 6000: 4000 tokens go");
	w = ratelimit_take_at(rl, "anthropic", 4000, T0);
	ok(w == 20000, "4000 more wait for 2000 tokens at 100/s: 20000 ms (got %ld)", w);
	ok(ratelimit_take_at(rl, "anthropic", 0, T0) == 0, "a request of no tokens goes (rpm unlimited)");
	ok(ratelimit_take_at(rl, "anthropic", 2000, T0) == 0, "2000 go: exactly what is left");
	w = ratelimit_take_at(rl, "anthropic", 4000, T0 + 39999);
	ok(w == 1, "39999 ms later: 1 ms more (got %ld)", w);
	w = ratelimit_take_at(rl, "anthropic", 4000, T0 + 40000);
	ok(w == 0, "40 s later: 4000 go");
	ratelimit_close(rl);

	rl = fresh("huge.db", "[anthropic]\nrpm = 0\ntpm = 6000\n");
	if (!rl)
		return;
	ok(ratelimit_take_at(rl, "anthropic", 100000, T0) == 0, "100000 tokens against tpm 6000: goes when the bucket is full");
	w = ratelimit_take_at(rl, "anthropic", 1, T0);
	ok(w == 60000, "then the debt makes the next wait, capped at 60 s (got %ld)", w);
	w = ratelimit_take_at(rl, "anthropic", 1, T0 + 60000);
	ok(w == 10, "the debt is at most one bucket: 60 s later 10 ms (got %ld)", w);
	ratelimit_close(rl);

	rl = fresh("huge2.db", "[anthropic]\nrpm = 0\ntpm = 6000\n");
	if (!rl)
		return;
	ok(ratelimit_take_at(rl, "anthropic", 100, T0) == 0, "100 tokens");
	w = ratelimit_take_at(rl, "anthropic", 1000000, T0);
	ok(w == 1000, "a million waits only for the bucket to be full: 1000 ms (got %ld)", w);
	ok(ratelimit_take_at(rl, "anthropic", 1000000, T0 + 1000) == 0, "then goes (no deadlock)");
	ratelimit_close(rl);

	rl = fresh("both.db", "[openai]\nrpm = 600\ntpm = 60000\n");
	if (!rl)
		return;
	ok(takes(rl, "openai", 2, 30000, T0, NULL) == 2, "rpm 600, tpm 60000: two requests of 30000 tokens");
	w = ratelimit_take_at(rl, "openai", 30000, T0);
	ok(w == 30000, "a third waits for the tokens, not the requests (got %ld)", w);
	g = takes(rl, "openai", 598, 0, T0, NULL);
	w = ratelimit_take_at(rl, "openai", 0, T0);
	ok(g == 598 && w == 100,
	   "requests run out at 600: then 100 ms each (got %ld)", w);
	ratelimit_close(rl);
}

static void test_pause(void)
{
	long w;
	struct ratelimit *rl = fresh("pause.db", "[openai]\nrpm = 60\n");
	if (!rl)
		return;
	ratelimit_pause_at(rl, "openai", 2000, T0);
	w = ratelimit_take_at(rl, "openai", 0, T0 + 1);
	ok(w == 1999, "paused 2 s: 1 ms in, wait 1999 ms (got %ld)", w);
	w = ratelimit_take_at(rl, "openai", 0, T0 + 2000);
	ok(w == 1000,
	   "pause over: requests resume at the limit's pace, not in a burst (got %ld)", w);
	ok(ratelimit_take_at(rl, "openai", 0, T0 + 3000) == 0, "one second later one goes");
	w = ratelimit_take_at(rl, "openai", 0, T0 + 3000);
	ok(w == 1000, "and only one (got %ld)", w);
	ratelimit_pause_at(rl, "openai", -1, T0 + 10000);
	w = ratelimit_take_at(rl, "openai", 0, T0 + 10000);
	ok(w == 1000, "no retry-after: a one-second pause (got %ld)", w);
	ratelimit_pause_at(rl, "openai", 5000, T0 + 20000);
	ratelimit_pause_at(rl, "openai", 1000, T0 + 20000);
	w = ratelimit_take_at(rl, "openai", 0, T0 + 20000);
	ok(w == 5000, "a shorter pause never shortens a longer one (got %ld)", w);
	ratelimit_pause_at(rl, "openai", 10 * 3600000L, T0 + 30000);
	w = ratelimit_take_at(rl, "openai", 0, T0 + 30000);
	ok(w == 60000, "a long pause: waits of at most 60 s (got %ld)", w);
	w = ratelimit_take_at(rl, "openai", 0, T0 + 30000 + 3600000);
	ok(w <= 1000, "a pause lasts at most an hour (got %ld)", w);
	ratelimit_pause_at(rl, "ollama", 3000, T0);
	w = ratelimit_take_at(rl, "ollama", 0, T0 + 1000);
	ok(w == 2000, "an unlimited provider is paused too (got %ld)", w);
	ok(ratelimit_take_at(rl, "ollama", 0, T0 + 3000) == 0, "and goes at once afterwards");
	ratelimit_close(rl);
}

static void test_note(void)
{
	long w;
	int g;
	struct rl_headers h;
	struct ratelimit *rl = fresh("learn.db", "");
	if (!rl)
		return;
	ok(takes(rl, "openai", 200, 0, T0, NULL) == 200, "openai's default allows a burst of 200");
	rl_headers_init(&h);
	h.limit_requests = 5;
	ratelimit_note_at(rl, "openai", &h, T0 + 1);
	g = takes(rl, "openai", 6, 0, T0 + 1, &w);
	ok(g == 5 && w == 12000,
	   "a limit of 5 from the headers replaces the default: 5 go, then 12000 ms (got %ld)", w);
	ratelimit_close(rl);
	rl = fresh("learn.db", "");
	g = rl ? takes(rl, "openai", 6, 0, T0 + 30001, &w) : -1;
	ok(g == 2 && w == 6000,
	   "the learnt limit is in the shared file: another open gets 2.5 after 30 s (got %ld)", w);
	ratelimit_close(rl);
	rl = fresh("learn.db", "[openai]\nrpm = 50\n");
	if (!rl)
		return;
	h.limit_requests = 5;
	ratelimit_note_at(rl, "openai", &h, T0 + 10 * 60000);
	ok(takes(rl, "openai", 51, 0, T0 + 10 * 60000, &w) == 50, "a configured rpm wins over a learnt one");
	ratelimit_close(rl);

	rl = fresh("low.db", "");
	if (!rl)
		return;
	rl_headers_init(&h);
	h.limit_requests = 100;
	h.remaining_requests = 10;
	h.reset_requests_ms = 90000;
	ratelimit_note_at(rl, "openai", &h, T0);
	ok(takes(rl, "openai", 11, 0, T0, &w) == 10, "10 of 100 remaining: the bucket drops to 10");
	ok(w == 1000, "and refills as the server will, 90 in 90 s: 1000 ms, not 600 (got %ld)", w);
	ok(ratelimit_take_at(rl, "openai", 0, T0 + 1000) == 0, "one goes after 1000 ms");
	g = takes(rl, "openai", 91, 0, T0 + 91000, &w);
	ok(g == 90 && w <= 600,
	   "after the reset time the normal pace is back (got %ld)", w);
	ratelimit_close(rl);

	rl = fresh("high.db", "");
	if (!rl)
		return;
	rl_headers_init(&h);
	h.limit_requests = 100;
	h.remaining_requests = 90;
	h.reset_requests_ms = 90000;
	ratelimit_note_at(rl, "openai", &h, T0);
	g = takes(rl, "openai", 91, 0, T0, &w);
	ok(g == 90 && w == 600,
	   "90 of 100 remaining: capped at 90, refilled at the normal pace (got %ld)", w);
	rl_headers_init(&h);
	h.remaining_requests = 50;
	ratelimit_note_at(rl, "openai", &h, T0 + 60000);
	ok(takes(rl, "openai", 100, 0, T0 + 60000, NULL) == 50, "remaining 50 caps a full bucket of 100 at 50");
	rl_headers_init(&h);
	h.limit_requests = 100;
	h.remaining_requests = 100;
	ratelimit_note_at(rl, "openai", &h, T0 + 60000);
	ok(ratelimit_take_at(rl, "openai", 0, T0 + 60000) > 0, "headers never loosen: remaining 100 does not refill it");
	ratelimit_close(rl);

	rl = fresh("tok.db", "[anthropic]\nrpm = 0\n");
	if (!rl)
		return;
	rl_headers_init(&h);
	rl_headers_parse(&h, "anthropic-ratelimit-tokens-limit", "60000", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-tokens-remaining", "6000", NOW_A);
	rl_headers_parse(&h, "anthropic-ratelimit-tokens-reset", "2026-02-17T23:45:11Z", NOW_A);
	ratelimit_note_at(rl, "anthropic", &h, NOW_A);
	ok(ratelimit_take_at(rl, "anthropic", 6000, NOW_A) == 0, "Anthropic headers: 6000 of 60000 tokens remaining go");
	w = ratelimit_take_at(rl, "anthropic", 600, NOW_A);
	ok(w == 1000,
	   "then 54000 refill over 90 s: 600 tokens take 1000 ms (got %ld)", w);
	rl_headers_init(&h);
	ratelimit_note_at(rl, "gemini", &h, NOW_A);
	ok(takes(rl, "gemini", 1000, 0, NOW_A, NULL) == 1000, "headers saying nothing change nothing (gemini: 1000 rpm)");
	ratelimit_close(rl);
}

static void test_settle(void)
{
	long w;
	struct ratelimit *rl = fresh("settle.db", "[openai]\nrpm = 0\ntpm = 6000\n");
	if (!rl)
		return;
	ok(ratelimit_take_at(rl, "openai", 5000, T0) == 0, "take an estimate of 5000");
	w = ratelimit_take_at(rl, "openai", 2000, T0);
	ok(w == 10000, "2000 more must wait 10000 ms (got %ld)", w);
	ratelimit_settle(rl, "openai", 5000, 1000);
	ok(ratelimit_take_at(rl, "openai", 2000, T0) == 0, "only 1000 were used: 4000 come back, 2000 go");
	ratelimit_settle(rl, "openai", 2000, 5000);
	w = ratelimit_take_at(rl, "openai", 1, T0);
	ok(w == 10, "3000 more than estimated were used: the bucket is empty (got %ld)", w);
	ratelimit_settle(rl, "openai", 0, 0);
	ratelimit_settle(rl, "openai", -1, 5);
	ratelimit_settle(rl, "openai", 100000, 0);
	ok(takes(rl, "openai", 7, 1000, T0, NULL) == 6, "a settle back never overfills the bucket");
	ratelimit_settle(rl, "anthropic", 100, 0);
	ok(ratelimit_take_at(rl, "anthropic", 0, T0) == 0, "settling a provider never seen is harmless");
	ratelimit_close(rl);
}

static void test_config(void)
{
	char why[512];
	long w;
	int g;
	struct ratelimit *rl = fresh("unl.db", "[openai]\nrpm = 0\ntpm = 0\n");
	if (!rl)
		return;
	ok(takes(rl, "openai", 1000, 1000000, T0, NULL) == 1000, "rpm = 0 and tpm = 0: unlimited");
	ok(takes(rl, "ollama", 1000, 1000000, T0, NULL) == 1000, "ollama is unlimited by default");
	ok(takes(rl, "acme", 100, 1000, T0, NULL) == 100, "a provider with no defaults is unlimited");
	ok(ratelimit_take_at(rl, "", 0, T0) == 0 && ratelimit_take_at(rl, NULL, 0, T0) == 0 &&
	   ratelimit_take_at(NULL, "openai", 0, T0) == 0, "no provider, or no limiter: go");
	ratelimit_close(rl);
	ratelimit_close(NULL);

	rl = fresh("cfg.db", "model = gpt-4o\n[openai]\nrpm = 7\nrpm = 5\n[acme]\nrpm = 2\n[model gpt-9]\nrpm = x\n[aliases]\nrpm = gpt-4o\n");
	ok(rl != NULL, "keys of [model NAME] and [aliases] are left to them");
	if (!rl)
		return;
	g = takes(rl, "openai", 6, 0, T0, &w);
	ok(g == 5 && w == 12000, "[openai] rpm = 5 (the last setting wins): 5 go, then 12000 ms");
	ok(takes(rl, "acme", 3, 0, T0, NULL) == 2, "[acme] rpm = 2: any provider can be limited");
	ok(takes(rl, "anthropic", 1001, 0, T0, NULL) == 1000, "anthropic's default: 1000 rpm");
	g = takes(rl, "gemini", 2, 600000, T0, &w);
	ok(g == 1 && w == 12000, "gemini's default: 1000000 tpm");
	ratelimit_close(rl);

	const char *bad[] = { "[openai]\nrpm = fast\n", "[openai]\ntpm = -1\n", "[gemini]\nrpm = 1.5\n",
			      "[openai]\nrpm =\n", "[openai]\ntpm = 99999999999\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = 0;
		rl = open_with("bad.db", bad[i], why, sizeof why);
		ok(!rl && strstr(why, "config: [") && strstr(why, "not a whole number"), "bad config value refused: %s", why);
		ratelimit_close(rl);
	}
}

static void test_two(void)
{
	long w;
	struct ratelimit *a = fresh("two.db", "[openai]\nrpm = 10\n");
	struct ratelimit *b = fresh("two.db", "[openai]\nrpm = 10\n");
	ok(a && b, "two connections on one file");
	if (!a || !b)
		goto out;
	ok(takes(a, "openai", 5, 0, T0, NULL) == 5 && takes(b, "openai", 5, 0, T0, NULL) == 5,
	   "5 through each");
	ok(ratelimit_take_at(a, "openai", 0, T0) > 0 && ratelimit_take_at(b, "openai", 0, T0) > 0,
	   "then neither gets an 11th: one budget");
	ratelimit_pause_at(a, "gemini", 4000, T0);
	w = ratelimit_take_at(b, "gemini", 0, T0 + 1000);
	ok(w == 3000, "a pause through one holds the other (got %ld)", w);
	struct rl_headers h;
	rl_headers_init(&h);
	h.limit_requests = 3;
	ratelimit_note_at(b, "anthropic", &h, T0);
	ok(takes(a, "anthropic", 4, 0, T0, NULL) == 3, "a limit learnt through one holds the other");
out:
	ratelimit_close(a);
	ratelimit_close(b);
}

/* Eight processes open the same new file at once and take 50 requests each
 * against 100 rpm, their times spread over half a second: exactly 100 may
 * go, so a lost update (two processes spending the same request) shows. */
static void test_processes(void)
{
	enum { KIDS = 8, EACH = 50 };
	use_state("procs.db");
	int fds[2];
	if (pipe(fds) < 0) {
		ok(0, "pipe");
		return;
	}
	pid_t pids[KIDS];
	for (int k = 0; k < KIDS; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			close(fds[0]);
			struct config c = { 0 };
			config_parse(&c, "[openai]\nrpm = 100\n", "t");
			char why[512];
			struct ratelimit *rl = ratelimit_open(&c, NULL, why, sizeof why);
			int got = -1;
			if (rl) {
				got = 0;
				for (int j = 0; j < EACH; j++)
					got += ratelimit_take_at(rl, "openai", 0, T0 + (long long)((j * 7 + k * 3) % EACH) * 10) == 0;
				ratelimit_close(rl);
			}
			config_free(&c);
			if (write(fds[1], &got, sizeof got) != (ssize_t)sizeof got)
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	int total = 0, opened = 0, got, crashed = 0;
	while (read(fds[0], &got, sizeof got) == (ssize_t)sizeof got) {
		if (got >= 0) {
			opened++;
			total += got;
		}
	}
	close(fds[0]);
	for (int k = 0; k < KIDS; k++) {
		int st;
		if (pids[k] < 0 || waitpid(pids[k], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			crashed++;
	}
	ok(opened == KIDS && !crashed, "8 processes created and opened the same file at once (%d opened)", opened);
	ok(total == 100, "8 x 50 takes against 100 rpm within 490 ms: exactly 100 went (got %d)", total);
	struct ratelimit *rl = fresh("procs.db", "[openai]\nrpm = 100\n");
	ok(rl && ratelimit_take_at(rl, "openai", 0, T0 + 500) > 0, "and the bucket is empty afterwards");
	ratelimit_close(rl);
}

static void test_clock(void)
{
	long w;
	struct ratelimit *rl = fresh("clock.db", "[openai]\nrpm = 60\n");
	if (!rl)
		return;
	takes(rl, "openai", 60, 0, T0, NULL);
	w = ratelimit_take_at(rl, "openai", 0, T0 - 3600000);
	ok(w == 1000,
	   "the clock stepped back an hour: the wait is still 1000 ms, not an hour (got %ld)", w);
	ok(ratelimit_take_at(rl, "openai", 0, T0 - 3600000 + 1000) == 0, "and a request goes a second later");
	w = ratelimit_take_at(rl, "openai", 0, T0 - 3600000 + 500);
	ok(w == 1000,
	   "half a second back (another process's older reading): no refill is credited twice (got %ld)", w);
	ratelimit_pause_at(rl, "openai", 30000, T0);
	w = ratelimit_take_at(rl, "openai", 0, T0 - 7200000);
	ok(w == 30000, "a pause moves back with the clock (got %ld)", w);
	w = ratelimit_take_at(rl, "openai", 0, T0 - 7200000 + 30000);
	ok(w == 1000,
	   "and ends 30 s after it began, then the usual pace (got %ld)", w);
	ratelimit_close(rl);
}

static int file_mode(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static int write_file(const char *p, const void *data, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	int r = write(fd, data, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	return r;
}

static int same_file(const char *p, const void *data, size_t len)
{
	char buf[4096];
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	return n == (ssize_t)len && !memcmp(buf, data, len);
}

/* The limits opened with their state at path (as $CHAT_RATE_DB), why emptied. */
static struct ratelimit *open_at(const char *at, char *why, size_t cap)
{
	setenv("CHAT_RATE_DB", at, 1);
	why[0] = 0;
	return ratelimit_open(NULL, NULL, why, cap);
}

/* A SQLite file at p made by sql (another program's, for the limiter). */
static void sqlite_file(const char *p, const char *sql)
{
	sqlite3 *o;
	if (sqlite3_open(p, &o) == SQLITE_OK) {
		sqlite3_exec(o, sql, NULL, NULL, NULL);
		sqlite3_close(o);
	}
}

static void test_files(void)
{
	char why[512], p[800], hist[700];
	/* the default place: beside the history */
	unsetenv("CHAT_RATE_DB");
	snprintf(hist, sizeof hist, "%s/data/sub/history.db", dir);
	setenv("CHAT_DB", hist, 1);
	struct ratelimit *rl = ratelimit_open(NULL, NULL, why, sizeof why);
	snprintf(p, sizeof p, "%s/data/sub/ratelimit.db", dir);
	ok(rl != NULL && file_mode(p) == 0600, "no CHAT_RATE_DB: ratelimit.db beside $CHAT_DB's history, mode 0600");
	snprintf(p, sizeof p, "%s/data/sub", dir);
	ok(file_mode(p) == 0700, "its folder created mode 0700");
	if (rl)
		ratelimit_take_at(rl, "openai", 10, T0);
	ratelimit_close(rl);
	snprintf(hist, sizeof hist, "%s/data/ratelimit.db", dir);
	setenv("CHAT_DB", hist, 1);
	rl = ratelimit_open(NULL, NULL, why, sizeof why);
	snprintf(p, sizeof p, "%s.rate", hist);
	ok(rl != NULL && file_mode(p) == 0600 && access(hist, F_OK) < 0,
	   "a history named ratelimit.db: the state goes to ratelimit.db.rate, the history's name stays free");
	ratelimit_close(rl);
	unsetenv("CHAT_DB");
	setenv("XDG_DATA_HOME", dir, 1);
	rl = ratelimit_open(NULL, NULL, why, sizeof why);
	snprintf(p, sizeof p, "%s/chat/ratelimit.db", dir);
	ok(rl != NULL && file_mode(p) == 0600, "else $XDG_DATA_HOME/chat/ratelimit.db");
	ratelimit_close(rl);

	/* rollback journal: the header says so (bytes 18 and 19 are 1, WAL 2), and no -wal */
	snprintf(p, sizeof p, "%s/burst.db", dir);
	unsigned char head[20] = { 0 };
	int fd = open(p, O_RDONLY);
	ok(fd >= 0 && read(fd, head, sizeof head) == (ssize_t)sizeof head && head[18] == 1 && head[19] == 1,
	   "the file is in rollback-journal mode, not WAL");
	if (fd >= 0)
		close(fd);
	snprintf(p, sizeof p, "%s/burst.db-wal", dir);
	ok(access(p, F_OK) < 0, "no -wal file");

	static const char text[] = "these are my notes, not a database\n";
	snprintf(p, sizeof p, "%s/notes.txt", dir);
	write_file(p, text, sizeof text - 1);
	rl = open_at(p, why, sizeof why);
	ok(rl && ratelimit_is_local(rl) && strstr(why, "within this process") && strstr(why, p) && strstr(why, "not a database") && strstr(why, "removing it starts afresh"),
	   "a text file at the path: not used, saying why, limits kept in this process (%s)", why);
	ratelimit_close(rl);
	ok(same_file(p, text, sizeof text - 1), "and left as it was");

	unsigned char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	snprintf(p, sizeof p, "%s/junk.db", dir);
	write_file(p, junk, sizeof junk);
	rl = open_at(p, why, sizeof why);
	ok(rl && ratelimit_is_local(rl) && strstr(why, "within this process") && strstr(why, "not a database"), "4 KiB of junk: not used (%s)", why);
	ratelimit_close(rl);
	ok(same_file(p, junk, sizeof junk), "and left as it was");

	/* a real SQLite file whose header is damaged */
	char src[700];
	snprintf(src, sizeof src, "%s/burst.db", dir);
	snprintf(p, sizeof p, "%s/damaged.db", dir);
	unsigned char db[8192];
	fd = open(src, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, db, sizeof db) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 100) {
		memset(db + 16, 0xff, 8);   /* page size and format bytes */
		write_file(p, db, (size_t)n);
		rl = open_at(p, why, sizeof why);
		ok(rl && ratelimit_is_local(rl) && strstr(why, "within this process") && *why, "a damaged SQLite file: refused (%s)", why);
		ratelimit_close(rl);
	} else {
		skip("no state file to damage");
	}

	snprintf(p, sizeof p, "%s/other.db", dir);
	sqlite_file(p, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)");
	rl = open_at(p, why, sizeof why);
	ok(rl && ratelimit_is_local(rl) && strstr(why, "within this process") && strstr(why, "other tables"), "another program's SQLite file: not used (%s)", why);
	ratelimit_close(rl);
	sqlite3 *o;
	ok(sqlite3_open(p, &o) == SQLITE_OK &&
	   sqlite3_exec(o, "SELECT 1 FROM rate_bucket", NULL, NULL, NULL) != SQLITE_OK, "and not written to");
	sqlite3_close(o);

	/* a header that looks like ours (rollback journal, user_version 1)
	 * skips the schema read at open; the file is still judged by its tables */
	snprintf(p, sizeof p, "%s/looks-ours.db", dir);
	sqlite_file(p, "PRAGMA user_version = 1; CREATE TABLE accounts (id INTEGER PRIMARY KEY)");
	rl = open_at(p, why, sizeof why);
	ok(rl && ratelimit_is_local(rl) && strstr(why, "other tables"),
	   "another program's file with our user_version: still not used (%s)", why);
	ratelimit_close(rl);
	snprintf(p, sizeof p, "%s/no-table.db", dir);
	sqlite_file(p, "PRAGMA user_version = 1");
	rl = open_at(p, why, sizeof why);
	ok(rl && !ratelimit_is_local(rl) && !why[0] && ratelimit_take_at(rl, "openai", 10, T0) == 0,
	   "our user_version but no table yet: the table is made and used (%s)", why);
	ratelimit_close(rl);

	rl = open_at(dir, why, sizeof why);
	ok(rl && ratelimit_is_local(rl) && strstr(why, "within this process") && strstr(why, "not a regular file"), "a folder at the path: not used (%s)", why);
	ratelimit_close(rl);

	snprintf(p, sizeof p, "%s/notes.txt/x/ratelimit.db", dir);
	rl = open_at(p, why, sizeof why);
	ok(rl && ratelimit_is_local(rl) && strstr(why, "within this process") && strstr(why, "cannot create its folder"), "a folder that cannot be made: not used (%s)", why);
	ratelimit_close(rl);

	if (geteuid() == 0) {
		skip("running as root: permissions are not enforced");
	} else {
		snprintf(p, sizeof p, "%s/ro.db", dir);
		setenv("CHAT_RATE_DB", p, 1);
		rl = ratelimit_open(NULL, NULL, why, sizeof why);
		ratelimit_close(rl);
		chmod(p, 0400);
		why[0] = 0;
		rl = ratelimit_open(NULL, NULL, why, sizeof why);
		ok(rl && ratelimit_is_local(rl) && strstr(why, "within this process") && *why, "a read-only file: refused (%s)", why);
		ratelimit_close(rl);
	}

	unsetenv("CHAT_RATE_DB");
	unsetenv("XDG_DATA_HOME");
	unsetenv("CHAT_DB");
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	unsetenv("HOME");
	why[0] = 0;
	rl = ratelimit_open(NULL, NULL, why, sizeof why);
	ok(rl && ratelimit_is_local(rl) && strstr(why, "within this process") && strstr(why, "CHAT_RATE_DB"), "no HOME at all: not used, naming CHAT_RATE_DB (%s)", why);
	ratelimit_close(rl);
	if (home) {
		setenv("HOME", home, 1);
		free(home);
	}
}

/* The file turns to junk under an open limiter: requests go on, with one
 * warning. */
static void test_broken(void)
{
	char err[700];
	struct ratelimit *rl = fresh("broken.db", "[openai]\nrpm = 1\n");
	if (!rl)
		return;
	ratelimit_take_at(rl, "openai", 0, T0);
	unsigned char junk[8192];
	memset(junk, 0x5a, sizeof junk);
	write_file(path, junk, sizeof junk);
	snprintf(err, sizeof err, "%s/stderr", dir);
	fflush(stderr);
	int saved = dup(2), fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	/* rpm = 1: within this process a fresh bucket of one, then a minute's wait */
	long first = ratelimit_take_at(rl, "openai", 0, T0);
	long again = ratelimit_take_at(rl, "openai", 0, T0);
	long third = ratelimit_take_at(rl, "openai", 0, T0 + 60000);
	struct rl_headers h;
	rl_headers_init(&h);
	h.remaining_requests = 0;
	ratelimit_note_at(rl, "openai", &h, T0);
	ratelimit_pause_at(rl, "openai", 1000, T0);
	ratelimit_settle(rl, "openai", 1, 2);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ok(first == 0 && again > 0 && third == 0 && ratelimit_is_local(rl),
	   "the file broke under us: the limit holds within this process (waits %ld, %ld, %ld)", first, again, third);
	char buf[2048] = "";
	fd = open(err, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	int lines = 0;
	for (char *s = buf; *s; s++)
		lines += *s == '\n';
	ok(lines == 1 && strstr(buf, "rate limits") && strstr(buf, "within this process only"),
	   "with exactly one warning: %.*s", (int)strcspn(buf, "\n"), buf);
	ratelimit_close(rl);
}

int main(void)
{
	diag_init("test_ratelimit");
	freopen("/dev/null", "w", stderr);
	if (!mkdtemp(dir))
		return 1;
	test_headers();
	test_buckets();
	test_pause();
	test_note();
	test_settle();
	test_config();
	test_two();
	test_processes();
	test_clock();
	test_files();
	test_broken();
	if ((pg = getenv("CHAT_TEST_PG")) && *pg) {
		printf("# again, with the state in PostgreSQL\n");
		struct ratelimit *rl = fresh("pg.db", "[openai]\nrpm = 1\n");
		ok(rl && !ratelimit_is_local(rl), "PostgreSQL: the state opens there");
		ratelimit_close(rl);
		test_buckets();
		test_pause();
		test_note();
		test_settle();
		test_config();
		test_two();
		test_processes();
		test_clock();
	}
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
