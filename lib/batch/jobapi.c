/* jobapi: what the three batch APIs share — the HTTP exchanges with
 * retries, downloads to a file, the limits, and the list of providers. */
#include "batch/jobapi.h"
#include "net/dryrun.h"
#include "numparse.h"
#include <limits.h>
#include "diag.h"
#include "net/http.h"
#include "net/retry.h"
#include "jsonx.h"
#include "progress.h"
#include "sig.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

const struct jobapi *jobapi_for(const char *provider)
{
	static const struct jobapi *const all[] = { &jobapi_openai, &jobapi_anthropic, &jobapi_gemini, NULL };
	for (const struct jobapi *const *a = all; *a; a++)
		if (!strcmp((*a)->name, provider))
			return *a;
	return NULL;
}

int jobapi_ended(const char *s)
{
	return !strcmp(s, "completed") || !strcmp(s, "failed") || !strcmp(s, "expired") || !strcmp(s, "cancelled");
}

static long long env_limit(const char *name, long long dflt)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return dflt;
	char why[200];
	long long v;
	if (parse_whole(name, s, 1, LLONG_MAX, &v, why, sizeof why) < 0) {
		warn("%s; using %lld", why, dflt);
		return dflt;
	}
	return v < dflt ? v : dflt;
}

long jobapi_max_requests(const struct jobapi *a)
{
	return (long)env_limit("CHAT_BATCH_MAX_REQUESTS", a->max_requests);
}

long long jobapi_max_bytes(const struct jobapi *a)
{
	return env_limit("CHAT_BATCH_MAX_BYTES", a->max_bytes);
}

int jobapi_origin(const char *base, char *out, size_t cap)
{
	const char *s = strstr(base, "://");
	if (!s || !s[3])
		return -1;
	size_t n = strcspn(s + 3, "/");
	snprintf(out, cap, "%.*s", (int)(s + 3 - base + n), base);
	return 0;
}

void jobapi_text(jv v, char *out, size_t cap)
{
	if (jv_get_kind(v) == JV_KIND_STRING)
		snprintf(out, cap, "%s", jv_string_value(v));
	else if (jv_get_kind(v) == JV_KIND_NUMBER)
		snprintf(out, cap, "%.0f", jv_number_value(v));
	else if (cap)
		out[0] = 0;
}

void jobapi_openai_usage(jv u, struct chat_reply *reply)
{
	if (jv_get_kind(u) != JV_KIND_OBJECT)
		return;
	jv pd = jx_get(u, "prompt_tokens_details"), cd = jx_get(u, "completion_tokens_details");
	reply->usage.input = (long)jx_num(u, "prompt_tokens", 0);
	reply->usage.output = (long)jx_num(u, "completion_tokens", 0);
	reply->usage.cached = (long)jx_num(pd, "cached_tokens", 0);
	reply->usage.reasoning = (long)jx_num(cd, "reasoning_tokens", 0);
	reply->have_usage = 1;
	jv_free(pd);
	jv_free(cd);
}

/* Why the exchange h failed, in err, and the wait before trying again
 * (-1: give up). A batch API call writes nothing out as it goes, so
 * nothing of it is ever "emitted"; nor does it count against the model's
 * shared rate limits (the policy has no rl). */
static long failed(const struct jobapi_conn *c, const struct http_call *h, struct chat_error *err, int attempt)
{
	call_error(c->prov, h, c->key_source, 0, err);
	struct retry_policy pol = { .retries = c->retries };
	return retry_next(&pol, err, h->should_retry, attempt, 0);
}

/* Wait to try again: 1, or 0 when there is to be no next try. */
static int again(const struct jobapi_conn *c, const struct chat_error *err, long wait)
{
	if (wait < 0)
		return 0;
	if (verbose)
		warn("%s: %s; trying again in %ld ms", c->prov->name, err->message, wait);
	http_sleep_ms(wait);
	return !sig_caught;
}

/* A body read from a file between two bits of text (a multipart upload). */
struct framed {
	const char *pre, *post;
	size_t npre, npost;
	int fd;
	long long len, pos;         /* bytes of the whole body, and sent so far */
	int read_errno;
	struct progress bar;
};

static long framed_read(void *ctx, char *dst, size_t n)
{
	struct framed *f = ctx;
	size_t out = 0;
	while (out < n && f->pos < f->len) {
		long long p = f->pos;
		if (p < (long long)f->npre) {
			size_t k = f->npre - (size_t)p < n - out ? f->npre - (size_t)p : n - out;
			memcpy(dst + out, f->pre + p, k);
			out += k, f->pos += (long long)k;
			continue;
		}
		long long fend = f->len - (long long)f->npost;
		if (p < fend) {
			size_t k = (size_t)(fend - p) < n - out ? (size_t)(fend - p) : n - out;
			ssize_t r;
			do
				r = pread(f->fd, dst + out, k, (off_t)(p - (long long)f->npre));
			while (r < 0 && errno == EINTR);
			if (r <= 0) {
				f->read_errno = r < 0 ? errno : EIO;
				return -1;
			}
			out += (size_t)r, f->pos += r;
			continue;
		}
		size_t q = (size_t)(p - fend), k = f->npost - q < n - out ? f->npost - q : n - out;
		memcpy(dst + out, f->post + q, k);
		out += k, f->pos += (long long)k;
	}
	return (long)out;
}

static int framed_sent(void *ctx, long long sent)
{
	struct framed *f = ctx;
	progress_update(&f->bar, sent);
	return 0;
}

/* jobapi_http once the headers are settled. */
static int exchange(const struct jobapi_conn *c, const char *url, struct curl_slist *headers, const char *body,
		    size_t len, int fd, const char *pre, const char *post, jv *reply, struct chat_error *err)
{
	for (int attempt = 0;; attempt++) {
		struct http_call h;
		memset(&h, 0, sizeof h);
		h.url = url;
		h.headers = headers;
		h.connect_timeout = c->connect_timeout;
		h.idle_timeout = c->idle_timeout;
		h.body_max = (size_t)16 << 20;
		struct framed f = { .pre = pre ? pre : "", .post = post ? post : "", .fd = fd };
		if (fd >= 0) {
			f.npre = strlen(f.pre);
			f.npost = strlen(f.post);
			f.len = (long long)(f.npre + len + f.npost);
			h.on_read = framed_read;
			h.on_sent = framed_sent;
			h.ctx = &f;
			h.body_len = (size_t)f.len;
			progress_start(&f.bar, "uploading the batch", f.len, c->progress);
		} else if (body) {
			h.body = body;
			h.body_len = len;
		} else {
			h.get = 1;
		}
		http_post(&h);
		if (fd >= 0)
			progress_end(&f.bar);
		if (f.read_errno) {
			err_set(err, ERR_BAD_INPUT, 0, "reading the batch input: %s", strerror(f.read_errno));
			http_call_free(&h);
			return -1;
		}
		if (h.code == CURLE_OK && h.status / 100 == 2 && !sig_caught) {
			int rc = 0;
			if (reply) {
				*reply = jv_parse_sized(buf_str(&h.err_body), (int)h.err_body.len);
				if (h.body_over || jv_get_kind(*reply) != JV_KIND_OBJECT) {
					jv_free(*reply);
					*reply = jv_invalid();
					char snip[200];
					provider_snippet(buf_str(&h.err_body), h.err_body.len, snip, sizeof snip);
					err_set(err, ERR_BAD_OUTPUT, h.status, "the reply is not a JSON object: %s", snip);
					rc = -1;
				}
			}
			http_call_free(&h);
			return rc;
		}
		long wait = failed(c, &h, err, attempt);
		http_call_free(&h);
		if (!again(c, err, wait))
			return -1;
	}
}

/* headers less any Content-Type, plus an empty "Content-Type:" line, which
 * stops libcurl adding its form type to a POST of nothing. A new list, or
 * NULL when out of memory. */
static struct curl_slist *untyped(const struct curl_slist *headers)
{
	struct curl_slist *out = NULL, *next;
	for (const struct curl_slist *h = headers; h; h = h->next) {
		if (!strncasecmp(h->data, "Content-Type:", 13))
			continue;
		if (!(next = curl_slist_append(out, h->data)))
			goto oom;
		out = next;
	}
	if ((next = curl_slist_append(out, "Content-Type:")))
		return next;
oom:
	curl_slist_free_all(out);
	return NULL;
}

/* --dry-run: the request as a record on stdout, and a reply that names
 * what the provider would have made by JOBAPI_DRY_ID. */
static int describe(const struct jobapi_conn *c, const char *url, struct curl_slist *headers, const char *body,
		    size_t len, int fd, const char *pre, const char *post, jv *reply, struct chat_error *err)
{
	struct buf whole = BUF_INIT((size_t)1 << 31);
	if (fd >= 0) {
		/* an upload: its frame around the file, as it would be streamed */
		size_t at = 0;
		int bad = buf_adds(&whole, pre ? pre : "") < 0;
		while (!bad && at < len) {
			char chunk[65536];
			size_t want = len - at < sizeof chunk ? len - at : sizeof chunk;
			ssize_t r = pread(fd, chunk, want, (off_t)at);
			if (r <= 0 || buf_add(&whole, chunk, (size_t)r) < 0)
				bad = 1;
			at += r > 0 ? (size_t)r : 0;
		}
		if (bad || buf_adds(&whole, post ? post : "") < 0) {
			err_set(err, ERR_BAD_INPUT, 0, "reading the batch input: %s", strerror(errno ? errno : EIO));
			buf_free(&whole);
			return -1;
		}
		body = buf_str(&whole);
		len = whole.len;
	}
	jv rec = dryrun_record(body ? "POST" : "GET", url, headers, body, len, c->key);
	buf_free(&whole);
	if (jx_write_line(1, rec) < 0) {
		err_set(err, ERR_BAD_INPUT, 0, "cannot write output: %s", strerror(errno));
		return -1;
	}
	if (reply)
		*reply = JV_OBJECT(jv_string("id"), jv_string(JOBAPI_DRY_ID), jv_string("name"),
				   jv_string("batches/" JOBAPI_DRY_ID));
	return 0;
}

int jobapi_http(const struct jobapi_conn *c, const char *url, struct curl_slist *headers, const char *body,
		size_t len, int fd, const char *pre, const char *post, jv *reply, struct chat_error *err)
{
	if (reply)
		*reply = jv_invalid();
	if (c->dry_run)
		return describe(c, url, headers, body, len, fd, pre, post, reply, err);
	struct curl_slist *bare = NULL;
	if (body && !len && fd < 0) {
		/* a cancel carries nothing, as the official SDKs send it */
		if (!(bare = untyped(headers))) {
			err_set(err, ERR_BAD_INPUT, 0, "out of memory");
			return -1;
		}
		headers = bare;
	}
	int rc = exchange(c, url, headers, body, len, fd, pre, post, reply, err);
	curl_slist_free_all(bare);
	return rc;
}

struct sink {
	int fd, werr;
	long long wrote;
};

static int to_file(void *ctx, const char *data, size_t len)
{
	struct sink *s = ctx;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(s->fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->werr = w < 0 ? errno : EIO;
			return -1;
		}
		off += (size_t)w;
	}
	s->wrote += (long long)len;
	return 0;
}

int jobapi_fetch(const struct jobapi_conn *c, const char *url, struct curl_slist *headers, int fd,
		 struct chat_error *err)
{
	off_t start = lseek(fd, 0, SEEK_END);
	for (int attempt = 0;; attempt++) {
		struct sink s = { .fd = fd };
		struct http_call h;
		memset(&h, 0, sizeof h);
		h.url = url;
		h.headers = headers;
		h.get = 1;
		h.connect_timeout = c->connect_timeout;
		h.idle_timeout = c->idle_timeout;
		h.on_body = to_file;
		h.body_any = 1;
		h.ctx = &s;
		http_post(&h);
		if (s.werr) {
			err_set(err, ERR_BAD_INPUT, 0, "cannot keep the results: %s", strerror(s.werr));
			http_call_free(&h);
			return -1;
		}
		if (h.code == CURLE_OK && h.status / 100 == 2 && !sig_caught) {
			/* a last line without its newline still ends its line */
			if (s.wrote && to_file(&s, "\n", 1) < 0) {
				err_set(err, ERR_BAD_INPUT, 0, "cannot keep the results: %s", strerror(s.werr));
				http_call_free(&h);
				return -1;
			}
			http_call_free(&h);
			return 0;
		}
		long wait = failed(c, &h, err, attempt);
		http_call_free(&h);
		/* what a broken attempt wrote is dropped before the next */
		if (start >= 0 && ftruncate(fd, start) == 0)
			lseek(fd, start, SEEK_SET);
		if (!again(c, err, wait))
			return -1;
	}
}
