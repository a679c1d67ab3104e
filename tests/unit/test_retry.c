/* The one retry policy and the one reading of a failed call: which
 * failures are tried again (each status class, connection failures,
 * x-should-retry either way or absent, exhausted quota, a reply already
 * written out), how long the wait is (backoff and its cap, retry-after-ms
 * before retry-after, headers before a hint in the body, the two-minute
 * limit, a deadline), and the error a failed call becomes. */
#include "clock.h"
#include "net/retry.h"
#include "sig.h"
#include "tap.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct retry_policy two = { .retries = 2 };

/* A reply that arrived with status and body (and headers as
 * retry_header reads them). */
static void reply(struct http_call *c, long status, const char *body)
{
	memset(c, 0, sizeof *c);
	c->status = status;
	c->code = CURLE_OK;
	c->retry_after_ms = -1;
	c->should_retry = -1;
	buf_init(&c->err_body, 1 << 20);
	buf_adds(&c->err_body, body);
}

/* The error status becomes at prov, and the first wait retry_next gives. */
static long first_wait(const struct provider *prov, long status, const char *body, const char *header, const char *value,
		       struct chat_error *e)
{
	struct http_call c;
	reply(&c, status, body);
	if (header)
		retry_header(&c, header, value, 0);
	call_error(prov, &c, NULL, 0, e);
	long w = retry_next(&two, e, c.should_retry, 0, 0);
	http_call_free(&c);
	return w;
}

static int backoff(long w, int n)
{
	long full = 500L << n > 8000 ? 8000 : 500L << n;
	return w >= full * 3 / 4 && w <= full;
}

static void status_classes(void)
{
	struct chat_error e;
	static const long again[] = { 408, 409, 429, 500, 502, 503, 504 };
	for (size_t i = 0; i < sizeof again / sizeof *again; i++) {
		long w = first_wait(&provider_openai, again[i], "{\"error\":{\"message\":\"m\"}}", NULL, NULL, &e);
		ok(backoff(w, 0), "%ld is tried again after the first backoff (got %ld ms)", again[i], w);
	}
	long w = first_wait(&provider_anthropic, 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"x\"}}",
			    NULL, NULL, &e);
	ok(backoff(w, 0) && e.code == ERR_SERVER, "529 overloaded is tried again (got %ld ms)", w);
	static const long never[] = { 400, 401, 403, 404, 422 };
	for (size_t i = 0; i < sizeof never / sizeof *never; i++) {
		w = first_wait(&provider_openai, never[i], "{\"error\":{\"message\":\"m\"}}", NULL, NULL, &e);
		ok(w == -1, "%ld is not tried again", never[i]);
	}
	w = first_wait(&provider_openai, 429, "{\"error\":{\"message\":\"m\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}",
		       NULL, NULL, &e);
	ok(w == -1 && e.code == ERR_QUOTA, "an insufficient_quota 429 is quota, not tried again");
	w = first_wait(&provider_openai, 429, "{\"error\":{\"message\":\"m\",\"code\":\"insufficient_quota\"}}", "x-should-retry",
		       "true", &e);
	ok(w == -1, "... not even when x-should-retry says true");
}

static void connection_failures(void)
{
	struct http_call c;
	struct chat_error e;
	reply(&c, 0, "");
	c.code = CURLE_COULDNT_CONNECT;
	snprintf(c.curl_err, sizeof c.curl_err, "Connection refused");
	call_error(&provider_openai, &c, NULL, 0, &e);
	ok(e.code == ERR_NETWORK && e.unreachable && !strcmp(e.message, "cannot connect: Connection refused"),
	   "a refused connection is a network error: %s", e.message);
	ok(backoff(retry_next(&two, &e, c.should_retry, 0, 0), 0), "... tried again");
	c.code = CURLE_RECV_ERROR;
	call_error(&provider_openai, &c, NULL, 1, &e);
	is_str(e.message, "connection dropped mid-reply: Connection refused", "a drop after part of the reply says so");
	call_error(&provider_openai, &c, NULL, 0, &e);
	is_str(e.message, "connection failed: Connection refused", "... and before any, says that");
	c.code = CURLE_PEER_FAILED_VERIFICATION;
	call_error(&provider_openai, &c, NULL, 0, &e);
	ok(retry_next(&two, &e, -1, 0, 0) == -1, "a TLS failure is not tried again");
	c.code = CURLE_ABORTED_BY_CALLBACK;
	c.stalled = 1;
	snprintf(c.stall_why, sizeof c.stall_why, "no byte in 300 s");
	call_error(&provider_openai, &c, NULL, 0, &e);
	ok(e.code == ERR_TIMEOUT && backoff(retry_next(&two, &e, -1, 1, 0), 1), "a stall is a timeout, tried again: %s",
	   e.message);
	http_call_free(&c);
}

static void should_retry(void)
{
	struct chat_error e;
	const char *body = "{\"error\":{\"message\":\"m\"}}";
	ok(first_wait(&provider_openai, 503, body, "x-should-retry", "false", &e) == -1, "x-should-retry: false stops a 503");
	ok(backoff(first_wait(&provider_openai, 400, body, "x-should-retry", "true", &e), 0),
	   "x-should-retry: true forces a retry of a 400");
	ok(backoff(first_wait(&provider_openai, 503, body, "x-should-retry", "maybe", &e), 0),
	   "x-should-retry with another value is as absent");
	ok(first_wait(&provider_openai, 400, body, "X-Should-Retry", "TRUE", &e) >= 0, "... the name and value in any case");
	e = (struct chat_error){ 0 };
	err_set(&e, ERR_SERVER, 503, "m");
	ok(retry_next(&two, &e, 1, 2, 0) == -1, "x-should-retry: true does not go past --retries");
	ok(retry_next(&two, &e, 1, 0, 1) == -1, "... nor retry a reply already written out");
	err_set(&e, ERR_INTERRUPTED, 0, "interrupted");
	ok(retry_next(&two, &e, 1, 0, 0) == -1, "... nor an interruption");
}

static void attempts(void)
{
	struct chat_error e = { 0 };
	err_set(&e, ERR_SERVER, 500, "m");
	for (int n = 0; n < 2; n++)
		ok(backoff(retry_next(&two, &e, -1, n, 0), n), "attempt %d of 3: waits min(0.5 * 2^%d, 8) s less up to a quarter",
		   n + 2, n);
	ok(retry_next(&two, &e, -1, 2, 0) == -1, "--retries 2: no fourth attempt");
	struct retry_policy none = { .retries = 0 }, many = { .retries = 100 };
	ok(retry_next(&none, &e, -1, 0, 0) == -1, "--retries 0: no retry at all");
	int capped = 1;
	for (int n = 4; n < 40; n++)
		capped &= backoff(retry_next(&many, &e, -1, n, 0), 5);
	ok(capped, "the backoff stops growing at 8 s");
	ok(retry_next(&two, &e, -1, 0, 1) == -1, "nothing is retried once part of the reply was written out");
	e.code = ERR_NONE;
	ok(retry_next(&two, &e, -1, 0, 0) == -1, "no error, no retry");
	err_set(&e, ERR_SERVER, 500, "m");
	e.retry_after_ms = 1000;
	struct retry_policy soon = { .retries = 2, .deadline = now_ms() + 500 };
	ok(retry_next(&soon, &e, -1, 0, 0) == -1, "a wait that would pass the deadline is not waited");
	soon.deadline = now_ms() + 60000;
	ok(retry_next(&soon, &e, -1, 0, 0) == 1000, "... one within it is");
	sig_caught = SIGINT;
	ok(retry_next(&two, &e, -1, 0, 0) == -1, "after a signal nothing is retried");
	struct http_call c;
	reply(&c, 503, "{\"error\":{\"message\":\"m\"}}");
	call_error(&provider_openai, &c, NULL, 0, &e);
	ok(e.code == ERR_INTERRUPTED && !strcmp(e.message, "interrupted"), "... and a failed call is an interruption");
	sig_caught = 0;
	http_call_free(&c);
}

static void hints(void)
{
	struct http_call c;
	reply(&c, 429, "");
	http_call_free(&c);
	reply(&c, 429, "");
	retry_header(&c, "retry-after", "3", 0);
	retry_header(&c, "retry-after-ms", "250", 0);
	ok(c.retry_after_ms == 250, "retry-after-ms beats retry-after that came first");
	http_call_free(&c);
	reply(&c, 429, "");
	retry_header(&c, "Retry-After-Ms", "250", 0);
	retry_header(&c, "Retry-After", "3", 0);
	ok(c.retry_after_ms == 250, "... and one that came after");
	http_call_free(&c);
	reply(&c, 429, "");
	retry_header(&c, "retry-after", "3", 0);
	ok(c.retry_after_ms == 3000, "retry-after alone: seconds");
	http_call_free(&c);
	reply(&c, 429, "");
	retry_header(&c, "retry-after", "Thu, 01 Jan 1970 00:01:40 GMT", 40);
	ok(c.retry_after_ms == 60000, "retry-after as an HTTP date: the time until then");
	ok(!retry_header(&c, "content-type", "text/plain", 0), "other headers are not retry headers");
	http_call_free(&c);

	struct chat_error e;
#define GEMINI_429 "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"message\":\"slow down\",\"details\":" \
		   "[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"%s\"}]}}"
	char body[400];
	snprintf(body, sizeof body, GEMINI_429, "7s");
	ok(first_wait(&provider_gemini, 429, body, NULL, NULL, &e) == 7000, "a hint in the body (RetryInfo) is waited");
	ok(first_wait(&provider_gemini, 429, body, "retry-after-ms", "20", &e) == 20, "... but a header beats it");
	snprintf(body, sizeof body, GEMINI_429, "0s");
	ok(backoff(first_wait(&provider_gemini, 429, body, NULL, NULL, &e), 0) && e.retry_after_ms == -1,
	   "a hint of 0 is no hint: the backoff");
	ok(first_wait(&provider_openai, 503, "{}", "retry-after-ms", "120000", &e) == 120000, "two minutes are waited");
	ok(first_wait(&provider_openai, 503, "{}", "retry-after-ms", "120001", &e) == -1,
	   "more than two minutes: give up at once");
	snprintf(body, sizeof body, GEMINI_429, "300s");
	ok(first_wait(&provider_gemini, 429, body, NULL, NULL, &e) == -1, "... from the body too");
}

static void errors(void)
{
	struct http_call c;
	struct chat_error e;
	reply(&c, 401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}");
	call_error(&provider_openai, &c, "OPENAI_API_KEY", 0, &e);
	ok(e.code == ERR_AUTH && e.status == 401 && strstr(e.message, "Incorrect API key provided") &&
		   strstr(e.message, "(the key came from OPENAI_API_KEY)"),
	   "a refused key: auth, its status, the provider's words and where the key came from: %s", e.message);
	http_call_free(&c);
	reply(&c, 400, "{\"error\":{\"message\":\"bad\"}}");
	c.retry_after_ms = 5;
	call_error(&provider_openai, &c, NULL, 0, &e);
	ok(e.code == ERR_BAD_REQUEST && !e.retryable && e.retry_after_ms == 5, "a 400: bad_request, the header's hint kept");
	http_call_free(&c);
	reply(&c, 500, "<html>gateway</html>");
	call_error(&provider_anthropic, &c, NULL, 0, &e);
	ok(e.code == ERR_SERVER && e.retryable && e.retry_after_ms == -1, "a 500 with a body that is not JSON: server: %s",
	   e.message);
	http_call_free(&c);
}

int main(void)
{
	status_classes();
	connection_failures();
	should_retry();
	attempts();
	hints();
	errors();
	return tap_done();
}
