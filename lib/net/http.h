/* http: one HTTP request on libcurl — a POST whose body is in memory or read
 * as it goes (an upload), or a GET. The body of a 2xx event stream goes to a
 * callback as it arrives; any other reply's body is kept, as are its header
 * lines. Timeouts suit slow links, redirects are never followed (keys travel
 * in headers), and -v traces the exchange on stderr with key values redacted. */
#ifndef CHAT_HTTP_H
#define CHAT_HTTP_H
#include <curl/curl.h>
#include "buf.h"
#include "errcode.h"
#include "net/ratelimit.h"

typedef int (*http_body_fn)(void *ctx, const char *data, size_t len);
/* Fill dst with up to n bytes of the request body; the count, or -1 to abort. */
typedef long (*http_read_fn)(void *ctx, char *dst, size_t n);
/* Bytes of the request body sent so far; nonzero aborts the transfer. */
typedef int (*http_sent_fn)(void *ctx, long long sent);

struct http_call {
	/* in */
	const char *url;
	struct curl_slist *headers;
	const char *body;
	size_t body_len;
	long connect_timeout;   /* seconds */
	long idle_timeout;      /* seconds of silence once the reply has begun */
	long think_timeout;     /* seconds of silence before the first byte (0: 600):
				 * a reasoning model may think for minutes */
	long total_timeout;     /* seconds for the whole transfer; 0: no limit */
	http_body_fn on_body;   /* 2xx event streams; return nonzero to abort the transfer */
	int body_any;           /* on_body takes a 2xx body of any type (a download) */
	void *ctx;
	int get;                /* a GET: no body at all */
	http_read_fn on_read;   /* the body comes from here (body_len bytes), not body */
	http_sent_fn on_sent;   /* upload progress, for on_read bodies */
	/* out */
	long status;
	CURLcode code;
	char curl_err[CURL_ERROR_SIZE];
	int aborted;            /* on_body asked to stop, or a signal arrived */
	int stalled;            /* nothing arrived for too long (a timeout) */
	char stall_why[96];
	long started_ms, last_rx_ms;
	long long sent;         /* request bytes sent so far */
	int got_body;
	int streaming;          /* the 2xx body is text/event-stream */
	struct buf err_body;    /* non-2xx (or non-SSE) body, capped at body_max */
	size_t body_max;        /* in: the cap on err_body; 0: 1 MiB (an error body);
				 * a JSON reply carrying images needs far more */
	int body_over;          /* out: the body was larger than body_max; the rest was dropped */
	struct buf head;        /* the reply's header lines (the last reply's), capped */
	char content_type[128];
	long retry_after_ms;    /* -1: none; from retry-after-ms, else retry-after */
	int should_retry;       /* x-should-retry: -1 absent, 0 false, 1 true */
	struct rl_headers rl;   /* the rate-limit headers */
	void *handle;           /* the curl handle during the transfer */
};

/* libcurl's global init, once (it reads OpenSSL's configuration: about
 * 0.5 ms); every request's start calls it. */
void http_global_init(void);
/* Start it beside the caller, for a program about to make a request: it
 * then overlaps the options, config, history and request being made
 * ready. Any exit waits for it (thread_start_settled). */
void http_global_init_early(void);
/* Perform the call. Returns 0 when a reply arrived (any status), -1 on a
 * transport failure or abort (code/curl_err/aborted say which). */
int http_post(struct http_call *c);
/* The same in two halves, for a multi handle: the configured easy handle
 * (NULL when libcurl cannot make one: code and curl_err say so), then,
 * once the transfer ended with code, the status collected and the handle
 * freed (remove it from the multi handle first). */
CURL *http_start(struct http_call *c);
int http_finish(struct http_call *c, CURLcode code);
void http_call_free(struct http_call *c);
/* The value of the reply's header name (any case) into out. 0, or -1 when
 * the reply had no such header. */
int http_header(const struct http_call *c, const char *name, char *out, size_t cap);
/* A quick GET of a small body (a probe). 0 when a reply arrived. */
int http_get_small(const char *url, long timeout_ms, struct buf *out, long *status);
/* The error a failed transfer means (c->code is not CURLE_OK, or the call
 * stalled): network, timeout, or a TLS failure that is not retried. mid:
 * part of the reply had arrived. */
void http_transport_error(const struct http_call *c, struct chat_error *e, int mid);
/* Is this header (name[0..len), any case) one that carries a key? */
int http_secret_header(const char *name, size_t len);
/* Sleep, cut short by a signal. */
void http_sleep_ms(long ms);
/* Parse a Retry-After value (seconds or an HTTP date) into ms, or -1. */
long http_parse_retry_after(const char *v, long now);
#endif
