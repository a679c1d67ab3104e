/* http: one streaming HTTP POST on libcurl. The body of a 2xx reply goes to a
 * callback as it arrives; any other reply's body is kept for error mapping.
 * Timeouts suit slow links, redirects are never followed (keys travel in
 * headers), and -v traces the exchange on stderr with key values redacted. */
#ifndef CHAT_HTTP_H
#define CHAT_HTTP_H
#include <curl/curl.h>
#include "buf.h"

typedef int (*http_body_fn)(void *ctx, const char *data, size_t len);

struct http_call {
	/* in */
	const char *url;
	struct curl_slist *headers;
	const char *body;
	size_t body_len;
	long connect_timeout;   /* seconds */
	long idle_timeout;      /* seconds with no byte at all before giving up */
	http_body_fn on_body;   /* 2xx bodies; return nonzero to abort the transfer */
	void *ctx;
	/* out */
	long status;
	CURLcode code;
	char curl_err[CURL_ERROR_SIZE];
	int aborted;            /* on_body asked to stop, or a signal arrived */
	int streaming;          /* the 2xx body is text/event-stream */
	struct buf err_body;    /* non-2xx (or non-SSE) body, capped */
	char content_type[128];
	long retry_after_ms;    /* -1: none; from retry-after-ms, else retry-after */
	int should_retry;       /* x-should-retry: -1 absent, 0 false, 1 true */
	void *handle;           /* the curl handle during the transfer */
};

void http_global_init(void);
/* Perform the call. Returns 0 when a reply arrived (any status), -1 on a
 * transport failure or abort (code/curl_err/aborted say which). */
int http_post(struct http_call *c);
void http_call_free(struct http_call *c);
/* A quick GET of a small body (a probe). 0 when a reply arrived. */
int http_get_small(const char *url, long timeout_ms, struct buf *out, long *status);
/* Parse a Retry-After value (seconds or an HTTP date) into ms, or -1. */
long http_parse_retry_after(const char *v, long now);
#endif
