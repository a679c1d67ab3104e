#include "net/http.h"
#include "net/retry.h"
#include "clock.h"
#include "diag.h"
#include "sig.h"
#include "thread.h"
#include <pthread.h>
#include <signal.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_global_init(void)
{
	pthread_once(&global_once, global_init);
}

static void *global_init_beside(void *arg)
{
	(void)arg;
	http_global_init();
	return NULL;
}

void http_global_init_early(void)
{
	/* the thread takes no signals: they stay with the threads that act on them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	thread_start_settled(global_init_beside, NULL);  /* if it cannot start, the first request inits */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static const char *const secret_headers[] = { "authorization", "x-api-key", "x-goog-api-key",
	"proxy-authorization", NULL };

int http_secret_header(const char *name, size_t len)
{
	for (const char *const *h = secret_headers; *h; h++)
		if (len == strlen(*h) && !strncasecmp(name, *h, len))
			return 1;
	return 0;
}

/* Print one header line for -v, with the value of any key-bearing header hidden. */
static void trace_line(char dir, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	char safe[1024];
	const char *colon = memchr(s, ':', n);
	if (colon && http_secret_header(s, (size_t)(colon - s))) {
		fprintf(stderr, "%c %.*s: [redacted]\n", dir, (int)(colon - s), s);
		return;
	}
	scrub(safe, sizeof safe, s, n);
	fprintf(stderr, "%c %s\n", dir, safe);
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	const struct http_call *c = ud;
	(void)h;
	if (type == CURLINFO_TEXT) {
		trace_line('*', data, size);
	} else if (type == CURLINFO_HEADER_OUT) {
		/* the whole request head arrives in one piece: split it into lines */
		const char *p = data, *end = data + size;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
			if (n > 2 || (n && p[0] != '\r' && p[0] != '\n'))
				trace_line('>', p, n);
			p += n;
		}
	} else if (type == CURLINFO_HEADER_IN) {
		if (size > 2)
			trace_line('<', data, size);
	} else if (type == CURLINFO_DATA_OUT && !c->on_read) {
		/* an upload's body goes in many pieces: it is counted once, at the end */
		fprintf(stderr, "> [%zu bytes of request body]\n", size);
	}
	return 0;
}

long http_parse_retry_after(const char *v, long now)
{
	while (*v == ' ')
		v++;
	char *end;
	double d = strtod(v, &end);
	if (end != v) {
		while (*end == ' ')
			end++;
		if (*end)
			return -1;
		return d >= 0 && d < 1e7 ? (long)(d * 1000) : -1;
	}
	time_t t = curl_getdate(v, NULL);
	if (t == (time_t)-1)
		return -1;
	return t > now ? (long)(t - now) * 1000 : 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct http_call *c = ud;
	size_t n = size * nmemb;
	c->last_rx_ms = now_ms();
	if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new response head (after a 100 Continue, say): forget the old one */
		c->retry_after_ms = -1;
		c->should_retry = -1;
		c->content_type[0] = 0;
		buf_reset(&c->head);
		rl_headers_init(&c->rl);
		return n;
	}
	if (c->head.len + n <= c->head.max)
		buf_add(&c->head, data, n);
	const char *colon = memchr(data, ':', n);
	if (!colon)
		return n;
	char name[64], val[256];
	size_t nl = (size_t)(colon - data);
	if (nl >= sizeof name)
		return n;
	memcpy(name, data, nl);
	name[nl] = 0;
	const char *v = colon + 1;
	size_t vl = n - nl - 1;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	if (vl >= sizeof val)
		vl = sizeof val - 1;
	memcpy(val, v, vl);
	val[vl] = 0;
	if (!strcasecmp(name, "content-type")) {
		snprintf(c->content_type, sizeof c->content_type, "%s", val);
	} else if (retry_header(c, name, val, (long)time(NULL))) {
		/* read into retry_after_ms and should_retry */
	} else if ((name[0] == 'x' || name[0] == 'X' || name[0] == 'a' || name[0] == 'A') && strcasestr(name, "ratelimit")) {
		rl_headers_parse(&c->rl, name, val, (long long)time(NULL) * 1000);
	}
	return n;
}

static int is_event_stream(const char *ct)
{
	return !strncasecmp(ct, "text/event-stream", 17) && (!ct[17] || ct[17] == ';' || ct[17] == ' ');
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
	struct http_call *c = ud;
	size_t n = size * nmemb;
	c->last_rx_ms = now_ms();
	c->got_body = 1;
	if (c->status >= 200 && c->status < 300 && c->streaming) {
		if (sig_caught || c->on_body(c->ctx, data, n)) {
			c->aborted = 1;
			return CURL_WRITEFUNC_ERROR;
		}
		return n;
	}
	size_t room = c->err_body.max - c->err_body.len, take = n < room ? n : room;
	if (buf_add(&c->err_body, data, take) < 0 || take < n)
		c->body_over = 1; /* out of room (or memory): the caller must not trust the body */
	return n;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct http_call *c = ud;
	if (sig_caught || (c->on_sent && c->on_sent(c->ctx, (long long)un))) {
		c->aborted = 1;
		return 1;
	}
	/* silence is judged by phase: before the first byte of the body the
	 * model may be thinking; once it streams, a long pause means a stall */
	long now = now_ms(), quiet = now - (c->last_rx_ms ? c->last_rx_ms : c->started_ms);
	long limit = c->got_body ? (c->idle_timeout > 0 ? c->idle_timeout : 300)
				 : (c->think_timeout > 0 ? c->think_timeout : 600);
	if (un > c->sent) {
		c->sent = un; /* request bytes going out (an upload) are not silence */
		c->last_rx_ms = now;
	} else if (quiet > limit * 1000) {
		c->stalled = 1;
		snprintf(c->stall_why, sizeof c->stall_why, "nothing received for %ld s%s", limit,
			 c->got_body ? " in the middle of the reply (--idle-timeout)"
				     : " before the reply began (--think-timeout)");
		return 1;
	}
	return 0;
}

static size_t on_read(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct http_call *c = ud;
	long n = c->on_read(c->ctx, dst, size * nmemb);
	if (n < 0 || sig_caught) {
		c->aborted = 1;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

/* Called once the head is in: decide whether the body is the stream. */
static size_t on_write_first(char *data, size_t size, size_t nmemb, void *ud);

CURL *http_start(struct http_call *c)
{
	http_global_init();
	CURL *h = curl_easy_init();
	if (!h) {
		c->code = CURLE_OUT_OF_MEMORY;
		snprintf(c->curl_err, sizeof c->curl_err, "cannot start libcurl");
		return NULL;
	}
	c->status = 0;
	c->aborted = 0;
	c->stalled = 0;
	rl_headers_init(&c->rl);
	c->got_body = 0;
	c->sent = 0;
	c->last_rx_ms = 0;
	c->started_ms = now_ms();
	c->streaming = 0;
	c->retry_after_ms = -1;
	c->should_retry = -1;
	c->curl_err[0] = 0;
	c->content_type[0] = 0;
	c->body_over = 0;
	buf_free(&c->err_body);
	buf_init(&c->err_body, c->body_max ? c->body_max : 1 << 20);
	buf_free(&c->head);
	buf_init(&c->head, 64 << 10);

	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	if (c->get) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (c->on_read) {
			curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(h, CURLOPT_READDATA, c);
		} else {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body ? c->body : "");
		}
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len);
	}
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout > 0 ? c->connect_timeout : 20L);
	/* silence is timed in on_progress, by phase: a thinking model is not
	 * a stalled stream */
	if (c->total_timeout > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT, c->total_timeout);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "chat/" CHAT_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write_first);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_PRIVATE, h);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	if (verbose) {
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
	}
	c->handle = h;
	return h;
}

int http_finish(struct http_call *c, CURLcode code)
{
	CURL *h = c->handle;
	c->code = code;
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (!c->status)
		c->status = status;
	if (verbose && c->on_read) {
		curl_off_t sent = 0;
		curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &sent);
		fprintf(stderr, "> [%lld bytes of request body]\n", (long long)sent);
	}
	c->handle = NULL;
	curl_easy_cleanup(h);
	if (c->code != CURLE_OK && !c->curl_err[0])
		snprintf(c->curl_err, sizeof c->curl_err, "%s", curl_easy_strerror(c->code));
	return c->code == CURLE_OK ? 0 : -1;
}

int http_post(struct http_call *c)
{
	CURL *h = http_start(c);
	return h ? http_finish(c, curl_easy_perform(h)) : -1;
}

static size_t on_write_first(char *data, size_t size, size_t nmemb, void *ud)
{
	struct http_call *c = ud;
	CURL *h = c->handle;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
	c->streaming = c->status >= 200 && c->status < 300 && c->on_body &&
		       (c->body_any || is_event_stream(c->content_type));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	return on_write(data, size, nmemb, ud);
}

void http_call_free(struct http_call *c)
{
	buf_free(&c->err_body);
	buf_free(&c->head);
}

int http_header(const struct http_call *c, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *p = c->head.p, *end = p ? p + c->head.len : NULL;
	while (p && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol ? eol + 1 : end;
		if ((size_t)(next - p) > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
			const char *v = p + nl + 1, *e = eol ? eol : end;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (cap)
				snprintf(out, cap, "%.*s", (int)(e - v), v);
			return 0;
		}
		p = next;
	}
	return -1;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	return buf_add(b, data, size * nmemb) == 0 ? size * nmemb : 0;
}

int http_get_small(const char *url, long timeout_ms, struct buf *out, long *status)
{
	http_global_init();
	CURL *h = curl_easy_init();
	if (!h)
		return -1;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "chat/" CHAT_VERSION);
	CURLcode rc = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(h);
	return rc == CURLE_OK ? 0 : -1;
}

void http_transport_error(const struct http_call *c, struct chat_error *e, int mid)
{
	if (c->stalled) {
		err_set(e, ERR_TIMEOUT, 0, "timed out: %s", c->stall_why);
		return;
	}
	switch (c->code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		err_set(e, ERR_NETWORK, 0, "cannot connect: %s", c->curl_err);
		e->unreachable = 1;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		err_set(e, ERR_TIMEOUT, 0, "timed out: %s", c->curl_err);
		break;
	case CURLE_BAD_CONTENT_ENCODING:
		/* a body the server says is gzip (or an encoding libcurl lacks)
		 * that does not decode: the same bytes would come again */
		err_set(e, ERR_BAD_OUTPUT, 0, "cannot decode the reply: %s", c->curl_err);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		err_set(e, ERR_NETWORK, 0, "TLS failure: %s", c->curl_err);
		e->retryable = 0;
		e->unreachable = 1;
		break;
	default:
		err_set(e, ERR_NETWORK, 0, "%s: %s", mid ? "connection dropped mid-reply" : "connection failed", c->curl_err);
	}
}

void http_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (!sig_caught && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
