#include "net/gemini_files.h"
#include "net/dryrun.h"
#include "numparse.h"
#include "base64.h"
#include "buf.h"
#include "errcode.h"
#include "clock.h"
#include "diag.h"
#include "net/http.h"
#include "net/retry.h"
#include "jsonx.h"
#include "progress.h"
#include "providers/provider.h"
#include "sha256.h"
#include "sig.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024LL * 1024)
#define DEFAULT_CHUNK (8 * MIB)          /* what Google's own SDKs send */
#define DEFAULT_GRANULE (256 * 1024LL)   /* when the service names no granularity */
/* Failed requests in a row without progress tried again when no --retries
 * was given. A resumable upload is many requests, each of which may fail
 * on a slow link, so it counts its attempts from its last progress (a
 * chunk sent, or a query showing more arrived) and allows more than a
 * single request's 2 by default: chat-upload, which has no --retries,
 * promises six tries in a row. An explicit --retries N means N here too. */
#define DEFAULT_RETRIES 5
#define MAX_SESSIONS 2                   /* a lost session is started afresh once */
#define DEFAULT_WAIT_S 600
#define MAX_POLL_MS 10000

struct up {
	const struct gfiles_opts *o;
	int fd;
	long long size;
	const char *mime, *display;
	char origin[1024];          /* scheme://host[:port] of the base URL */
	char api_path[1024];        /* the base URL's path, "/v1beta" */
	char session[4096];         /* the upload session's URL */
	int session_keyed;          /* it is on the base's host, so the key may go along */
	long long chunk;            /* bytes an upload request carries */
	long long body_off, body_len, body_pos;   /* the body being sent */
	int read_errno;             /* reading the file failed */
	struct sha256 sha;          /* of the file, in order, as its bytes go out */
	long long hashed;
	struct progress bar;
	struct chat_error err;
	const char *what;           /* the step under way, for messages */
	int tries;                  /* failed requests since the last progress */
	int should_retry;           /* the failed reply's x-should-retry (see struct http_call) */
	jv file;                    /* the File, once the upload is final */
	long hint;                  /* Retry-After of the reply that gave it, -1: none */
};

/* A size from the environment ("8M", "262144"), or dflt. A tuning knob
 * is read in the middle of an upload, so a bad one is said and the
 * default used rather than the upload thrown away. */
static long long env_size(const char *name, long long dflt)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return dflt;
	char digits[32], why[200];
	size_t n = strlen(s);
	long long mul = 1, v;
	if (n && (s[n - 1] == 'k' || s[n - 1] == 'K'))
		mul = 1024, n--;
	else if (n && (s[n - 1] == 'm' || s[n - 1] == 'M'))
		mul = MIB, n--;
	if (n >= sizeof digits)
		n = 0;
	memcpy(digits, s, n);
	digits[n] = 0;
	if (parse_whole(name, digits, 1, (1LL << 40) / mul, &v, why, sizeof why) < 0) {
		warn("%s: expected a whole number from 1 (K or M may end it), got '%s'; using the default, %lld", name, s,
		     dflt);
		return dflt;
	}
	return v * mul;
}

/* A message on stderr that does not tangle with the progress bar. */
static void note(struct up *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct up *u, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	progress_clear(&u->bar);
	warn("%s: %s", u->o->label ? u->o->label : u->display, msg);
}

/* "https://host:port/v1beta/" -> origin "https://host:port", path "/v1beta". */
static int split_base(struct up *u, const char *base)
{
	const char *s = strstr(base, "://");
	if (!s || !s[3])
		return -1;
	const char *slash = strchr(s + 3, '/');
	size_t on = slash ? (size_t)(slash - base) : strlen(base);
	size_t pl = slash ? strlen(slash) : 0;
	while (pl && slash[pl - 1] == '/')
		pl--;
	if (on >= sizeof u->origin || pl >= sizeof u->api_path)
		return -1;
	snprintf(u->origin, sizeof u->origin, "%.*s", (int)on, base);
	snprintf(u->api_path, sizeof u->api_path, "%.*s", (int)pl, slash ? slash : "");
	return 0;
}

/* The request body: bytes [body_off, body_off + body_len) of the file, read
 * as libcurl asks for them. The file's hash grows with bytes not seen yet. */
static long read_body(void *ctx, char *dst, size_t n)
{
	struct up *u = ctx;
	long long left = u->body_len - u->body_pos, off = u->body_off + u->body_pos;
	if ((long long)n > left)
		n = (size_t)left;
	if (!n)
		return 0;
	ssize_t r;
	do
		r = pread(u->fd, dst, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		u->read_errno = r < 0 ? errno : EIO; /* 0: the file got shorter */
		return -1;
	}
	if (off <= u->hashed && off + r > u->hashed) {
		sha256_update(&u->sha, dst + (u->hashed - off), (size_t)(off + r - u->hashed));
		u->hashed = off + r;
	}
	u->body_pos += r;
	return (long)r;
}

static int on_sent(void *ctx, long long sent)
{
	struct up *u = ctx;
	progress_update(&u->bar, u->body_off + sent);
	return 0;
}

static void call_init(struct up *u, struct http_call *c, const char *url, struct curl_slist *h)
{
	memset(c, 0, sizeof *c);
	c->url = url;
	c->headers = h;
	c->connect_timeout = u->o->connect_timeout;
	c->idle_timeout = u->o->idle_timeout;
	buf_init(&c->err_body, 1 << 20);
	buf_init(&c->head, 64 << 10);
}

/* The headers every request to the session carries; the key only when the
 * session lives on the host the key is meant for. */
static struct curl_slist *session_headers(struct up *u, const char *command)
{
	struct curl_slist *h = NULL;
	if (u->session_keyed && provider_header(&h, "x-goog-api-key: %s", u->o->key))
		goto oom;
	if (provider_header(&h, "X-Goog-Upload-Command: %s", command) || provider_header(&h, "Content-Type:") ||
	    provider_header(&h, "Expect:"))
		goto oom;
	return h;
oom:
	curl_slist_free_all(h);
	return NULL;
}

/* Why a request failed, in u->err. */
static void failed(struct up *u, const struct http_call *c)
{
	call_error(&provider_gemini, c, u->o->key_source, 0, &u->err);
	u->should_retry = c->should_retry;
}

/* After a failed request: wait and say 1 to try again, or 0 to give up
 * (u->err says why). Nothing of an upload is written out as it goes, and
 * the Files API's limits are not the model's: the policy has no rl. */
static int again(struct up *u)
{
	struct retry_policy pol = { .retries = u->o->retries_given ? u->o->retries : DEFAULT_RETRIES };
	long wait = retry_next(&pol, &u->err, u->should_retry, u->tries++, 0);
	u->should_retry = -1; /* a failure with no reply of its own has no say */
	if (wait < 0)
		return 0;
	if (verbose)
		note(u, "%s: %s; trying again in %ld ms", u->what, u->err.message, wait);
	http_sleep_ms(wait);
	if (sig_caught) {
		err_set(&u->err, ERR_INTERRUPTED, 0, "interrupted");
		return 0;
	}
	return 1;
}

/* A 2xx reply's body as the File it carries ({"file": {...}} from an
 * upload, the bare File from a GET), into u->file. 0 or -1 with u->err. */
static int take_file(struct up *u, const struct http_call *c)
{
	jv v = jv_parse_sized(c->err_body.p ? c->err_body.p : "", (int)c->err_body.len);
	jv f = jx_get(v, "file");
	if (jv_get_kind(f) != JV_KIND_OBJECT) {
		jv_free(f);
		f = jv_get_kind(v) == JV_KIND_OBJECT ? jv_copy(v) : jv_invalid();
	}
	jv_free(v);
	char name[128] = "";
	jx_str(f, "name", name, sizeof name);
	if (strncmp(name, "files/", 6) || !name[6] || name[6 + strspn(name + 6, "abcdefghijklmnopqrstuvwxyz0123456789-")]) {
		jv_free(f);
		err_set(&u->err, ERR_BAD_OUTPUT, c->status, "the reply names no file (or a strange one): %.80s",
			c->err_body.p ? c->err_body.p : "");
		return -1;
	}
	jv_free(u->file);
	u->file = f;
	u->hint = c->retry_after_ms;
	return 0;
}

/* Open a session: POST .../upload/v1beta/files, the file's size and type in
 * X-Goog-Upload-Header-* headers, its display name in the body; the
 * session's URL comes back in X-Goog-Upload-URL. 0 or -1 with u->err. */
static int start_request(struct up *u, struct buf *url, struct curl_slist **h, struct buf *body)
{
	buf_addf(url, "%s/upload%s/files", u->origin, u->api_path);
	provider_body(JV_OBJECT(jv_string("file"), JV_OBJECT(jv_string("display_name"), jv_string(u->display))), body);
	if (provider_header(h, "x-goog-api-key: %s", u->o->key) || provider_header(h, "X-Goog-Upload-Protocol: resumable") ||
	    provider_header(h, "X-Goog-Upload-Command: start") ||
	    provider_header(h, "X-Goog-Upload-Header-Content-Length: %lld", u->size) ||
	    provider_header(h, "X-Goog-Upload-Header-Content-Type: %s", u->mime) ||
	    provider_header(h, "Content-Type: application/json") || provider_header(h, "Expect:")) {
		err_set(&u->err, ERR_BAD_INPUT, 0, "out of memory");
		return -1;
	}
	return 0;
}

static int start_session(struct up *u)
{
	struct buf url = BUF_INIT(4096), body = BUF_INIT(8192);
	struct curl_slist *h = NULL;
	int rc = -1;
	u->what = "starting the upload";
	if (start_request(u, &url, &h, &body) < 0)
		goto out;
	for (;;) {
		struct http_call c;
		call_init(u, &c, buf_str(&url), h);
		c.body = buf_str(&body);
		c.body_len = body.len;
		http_post(&c);
		if (c.code == CURLE_OK && c.status / 100 == 2) {
			char g[32] = "";
			const char *s = u->session;
			if (http_header(&c, "x-goog-upload-url", u->session, sizeof u->session) < 0 ||
			    (strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) || strpbrk(s, " \t\r\n")) {
				err_set(&u->err, ERR_BAD_OUTPUT, c.status, "the service gave no upload URL");
				http_call_free(&c);
				goto out;
			}
			size_t ol = strlen(u->origin);
			u->session_keyed = !strncmp(s, u->origin, ol) && (!s[ol] || s[ol] == '/' || s[ol] == '?');
			/* non-final chunks must be a multiple of the granularity the service asks for */
			long long gran = DEFAULT_GRANULE;
			if (http_header(&c, "x-goog-upload-chunk-granularity", g, sizeof g) == 0) {
				char *end;
				long long v = strtoll(g, &end, 10);
				if (end != g && !*end && v > 0 && v <= 1024 * MIB)
					gran = v;
			}
			u->chunk = env_size("CHAT_UPLOAD_CHUNK", DEFAULT_CHUNK);
			u->chunk = u->chunk < gran ? gran : u->chunk - u->chunk % gran;
			http_call_free(&c);
			rc = 0;
			break;
		}
		failed(u, &c);
		http_call_free(&c);
		if (!again(u))
			break;
	}
out:
	curl_slist_free_all(h);
	buf_free(&url);
	buf_free(&body);
	return rc;
}

/* The X-Goog-Upload-Status of a 2xx reply: 'a'ctive, 'f'inal, 'c'ancelled, or 0. */
static int upload_status(const struct http_call *c)
{
	char st[32] = "";
	http_header(c, "x-goog-upload-status", st, sizeof st);
	return !strcasecmp(st, "active") ? 'a' : !strcasecmp(st, "final") ? 'f' : !strcasecmp(st, "cancelled") ? 'c' : 0;
}

static int session_gone(const struct http_call *c)
{
	return c->code == CURLE_OK && (c->status == 404 || c->status == 410);
}

/* Send bytes [off, off + len) of the file, the last of them with finalize.
 * 0 sent (u->file is set once final), 1 the session is gone, -1 failed
 * (u->err), -2 the file could not be read. */
static int send_chunk(struct up *u, long long off, long long len, int last)
{
	char cmd[32];
	snprintf(cmd, sizeof cmd, "upload%s", last ? ", finalize" : "");
	struct curl_slist *h = session_headers(u, cmd);
	char offset[64];
	snprintf(offset, sizeof offset, "X-Goog-Upload-Offset: %lld", off);
	struct curl_slist *h2 = h ? curl_slist_append(h, offset) : NULL;
	if (!h2) {
		curl_slist_free_all(h);
		err_set(&u->err, ERR_BAD_INPUT, 0, "out of memory");
		return -1;
	}
	struct http_call c;
	call_init(u, &c, u->session, h2);
	c.on_read = read_body;
	c.on_sent = on_sent;
	c.ctx = u;
	c.body_len = (size_t)len;
	u->body_off = off;
	u->body_len = len;
	u->body_pos = 0;
	u->read_errno = 0;
	u->what = "uploading";
	http_post(&c);
	int rc = -1, st = upload_status(&c);
	if (u->read_errno) {
		rc = -2;
	} else if (c.code == CURLE_OK && c.status / 100 == 2 && (st == 'f' || (st == 'a' && !last))) {
		rc = st == 'f' ? take_file(u, &c) : 0;
	} else if (session_gone(&c) || (c.code == CURLE_OK && st == 'c')) {
		rc = 1;
	} else if (c.code == CURLE_OK && c.status / 100 == 2) {
		/* a 2xx that is neither: ask the service where things stand */
		err_set(&u->err, ERR_SERVER, c.status, "the reply to an upload said neither active nor final");
	} else {
		failed(u, &c);
	}
	http_call_free(&c);
	curl_slist_free_all(h2);
	return rc;
}

/* Ask how many bytes the session holds: 0 with *got (or u->file, when the
 * upload turns out to be final), 1 the session is gone, -1 failed. */
static int query(struct up *u, long long *got)
{
	struct curl_slist *h = session_headers(u, "query");
	if (!h) {
		err_set(&u->err, ERR_BAD_INPUT, 0, "out of memory");
		return -1;
	}
	struct http_call c;
	call_init(u, &c, u->session, h);
	u->what = "asking how much of the upload arrived";
	http_post(&c);
	int rc = -1, st = upload_status(&c);
	char v[32] = "";
	if (c.code == CURLE_OK && c.status / 100 == 2 && st == 'f') {
		rc = take_file(u, &c);
	} else if (c.code == CURLE_OK && c.status / 100 == 2 && st == 'a') {
		char *end;
		http_header(&c, "x-goog-upload-size-received", v, sizeof v);
		long long n = strtoll(v, &end, 10);
		if (end == v || *end || n < 0 || n > u->size)
			err_set(&u->err, ERR_BAD_OUTPUT, c.status, "the service says it has '%s' bytes of %lld", v, u->size);
		else
			*got = n, rc = 0;
	} else if (session_gone(&c) || (c.code == CURLE_OK && st == 'c')) {
		rc = 1;
	} else if (c.code == CURLE_OK && c.status / 100 == 2) {
		err_set(&u->err, ERR_SERVER, c.status, "the reply to a query said neither active nor final");
	} else {
		failed(u, &c);
	}
	http_call_free(&c);
	curl_slist_free_all(h);
	return rc;
}

/* The bytes the service holds, from the first to the last, in one session
 * (two, when the first is lost). 0, -1 with u->err, or -2 unreadable. */
static int transfer(struct up *u)
{
	for (int sessions = 1;; sessions++) {
		if (start_session(u) < 0)
			return -1;
		long long off = 0;
		int need_query = 0, r = 0;
		u->tries = 0;
		while (!jv_is_valid(u->file)) {
			if (need_query) {
				long long got = 0;
				r = query(u, &got);
				if (r == 0 && !jv_is_valid(u->file)) {
					if (got > off)
						u->tries = 0; /* part of what was sent arrived: that is progress */
					if (verbose)
						note(u, "the service has %lld of %lld bytes; going on from there", got, u->size);
					off = got;
					need_query = 0;
					progress_update(&u->bar, off);
				}
			} else {
				long long len = u->size - off < u->chunk ? u->size - off : u->chunk;
				r = send_chunk(u, off, len, off + len == u->size);
				if (r == 0 && !jv_is_valid(u->file))
					off += len, u->tries = 0;
				else if (r == -1)
					need_query = 1; /* whatever happened, the service knows what it kept */
			}
			if (r == -2)
				return -2;
			if (r == 1)
				break;
			if (r == -1 && !again(u))
				return -1;
		}
		if (jv_is_valid(u->file))
			return 0;
		if (sessions >= MAX_SESSIONS) {
			err_set(&u->err, ERR_SERVER, 404, "the service lost the upload session twice");
			return -1;
		}
		if (verbose)
			note(u, "the upload session is gone (it may have expired); starting a new one");
		progress_update(&u->bar, 0);
	}
}

/* Hash what the upload did not read (only when the service claimed bytes it
 * was never sent). 0 or -1 with errno. */
static int hash_rest(struct up *u)
{
	char b[65536];
	while (u->hashed < u->size) {
		size_t n = u->size - u->hashed < (long long)sizeof b ? (size_t)(u->size - u->hashed) : sizeof b;
		ssize_t r = pread(u->fd, b, n, (off_t)u->hashed);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : (errno = EIO, -1);
		sha256_update(&u->sha, b, (size_t)r);
		u->hashed += r;
	}
	return 0;
}

/* Does the File's sha256Hash disagree with ours? Google sends it as base64
 * of the hexadecimal digest; raw digest bytes are accepted too, and a form
 * we do not know is not held against the upload. */
static int hash_differs(jv file, const char *hex)
{
	char b64[256];
	if (jx_str(file, "sha256Hash", b64, sizeof b64) < 0)
		return 0;
	struct buf raw = BUF_INIT(256);
	int differs = 0;
	if (base64_decode(b64, strlen(b64), &raw) == 0) {
		if (raw.len == 64 && strspn(raw.p, "0123456789abcdefABCDEF") == 64) {
			differs = strncasecmp(raw.p, hex, 64) != 0;
		} else if (raw.len == 32) {
			char h[65];
			for (int i = 0; i < 32; i++)
				snprintf(h + 2 * i, 3, "%02x", (unsigned char)raw.p[i]);
			differs = strcmp(h, hex) != 0;
		}
	}
	buf_free(&raw);
	return differs;
}

/* Poll GET .../files/NAME until the File is ACTIVE: video is PROCESSING for
 * a while first, and may end FAILED. 0, or an exit status with u->err. */
static int wait_active(struct up *u)
{
	long long wait_s = env_size("CHAT_UPLOAD_WAIT", DEFAULT_WAIT_S);
	long deadline = now_ms() + (long)(wait_s < 86400 ? wait_s : 86400) * 1000;
	char name[128] = "", state[32] = "";
	struct buf url = BUF_INIT(4096);
	struct curl_slist *h = NULL;
	int rc = -1;
	u->what = "waiting for the service to process the file";
	jx_str(u->file, "name", name, sizeof name);
	provider_url(&url, u->o->base, "/");
	buf_adds(&url, name);
	if (provider_header(&h, "x-goog-api-key: %s", u->o->key)) {
		err_set(&u->err, ERR_BAD_INPUT, 0, "out of memory");
		goto out;
	}
	u->tries = 0;
	for (int n = 0;; n++) {
		state[0] = 0;
		jx_str(u->file, "state", state, sizeof state);
		if (!strcmp(state, "ACTIVE")) {
			rc = 0;
			break;
		}
		if (!strcmp(state, "FAILED")) {
			jv e = jx_get(u->file, "error");
			char msg[300] = "";
			jx_str(e, "message", msg, sizeof msg);
			jv_free(e);
			err_set(&u->err, ERR_BAD_INPUT, 0, "the service could not process the file: %s",
				msg[0] ? msg : "no reason given");
			rc = EXIT_DATAERR;
			break;
		}
		/* a Retry-After on a poll's reply, should the service send one, sets the pace */
		long delay = u->hint >= 0 && u->hint <= 60000 ? u->hint : 500L << (n < 5 ? n : 5);
		if (delay > MAX_POLL_MS)
			delay = MAX_POLL_MS;
		if (now_ms() + delay > deadline) {
			err_set(&u->err, ERR_TIMEOUT, 0, "the file is still %s after %lld s (CHAT_UPLOAD_WAIT)",
				state[0] ? state : "not ready", wait_s);
			break;
		}
		if (verbose)
			note(u, "the file is %s; asking again in %ld ms", state[0] ? state : "not ready", delay);
		http_sleep_ms(delay);
		if (sig_caught) {
			err_set(&u->err, ERR_INTERRUPTED, 0, "interrupted");
			break;
		}
		for (;;) {
			struct http_call c;
			call_init(u, &c, buf_str(&url), h);
			c.get = 1;
			http_post(&c);
			int ok = c.code == CURLE_OK && c.status / 100 == 2;
			if (ok) {
				ok = take_file(u, &c) == 0;
				u->tries = 0;
			} else {
				failed(u, &c);
			}
			http_call_free(&c);
			if (ok)
				break;
			if (!again(u))
				goto out;
		}
	}
out:
	curl_slist_free_all(h);
	buf_free(&url);
	return rc;
}

/* The record gfiles_dry_upload writes; jv_invalid() when the base URL is no URL. */
static jv gfiles_describe(long long size, const char *mime, const char *display_name, const struct gfiles_opts *o)
{
	struct up u = { .o = o, .size = size, .mime = mime, .display = display_name, .file = jv_invalid() };
	struct buf url = BUF_INIT(4096), body = BUF_INIT(8192);
	struct curl_slist *h = NULL;
	jv rec = jv_invalid();
	if (split_base(&u, o->base) == 0 && start_request(&u, &url, &h, &body) == 0) {
		rec = dryrun_record("POST", buf_str(&url), h, buf_str(&body), body.len, o->key);
		/* the bytes themselves go to the session URL the reply names */
		rec = jv_object_set(rec, jv_string("upload"), JV_OBJECT(jv_string("bytes"), jv_number((double)size),
			jv_string("content_type"), jv_string(mime), jv_string("label"), jv_string(o->label ? o->label : display_name)));
	}
	curl_slist_free_all(h);
	buf_free(&url);
	buf_free(&body);
	return rec;
}

int gfiles_upload(int fd, long long size, const char *mime, const char *display_name,
		  const struct gfiles_opts *o, struct gfile *out, char *why, size_t cap)
{
	struct up u = { .o = o, .fd = fd, .size = size, .mime = mime, .display = display_name, .file = jv_invalid(),
			.hint = -1, .should_retry = -1 };
	struct stat before, after;
	int status = EXIT_UNAVAILABLE;
	memset(out, 0, sizeof *out);
	if (split_base(&u, o->base) < 0) {
		snprintf(why, cap, "the Gemini base URL '%s' is not a URL", o->base);
		return EXIT_CONFIG;
	}
	if (fstat(fd, &before) < 0 || size <= 0) {
		snprintf(why, cap, "%s", size <= 0 ? "empty file" : strerror(errno));
		return size <= 0 ? EXIT_DATAERR : EXIT_NOINPUT;
	}
	sha256_init(&u.sha);
	progress_start(&u.bar, o->label ? o->label : display_name, size, o->progress);
	int r = transfer(&u);
	progress_end(&u.bar);
	if (r == -2 || (r == 0 && hash_rest(&u) < 0)) {
		snprintf(why, cap, "reading it for the upload: %s", strerror(u.read_errno ? u.read_errno : errno));
		status = EXIT_NOINPUT;
		goto out;
	}
	if (r < 0)
		goto failed;
	if (fstat(fd, &after) < 0 || after.st_size != before.st_size || after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec) {
		snprintf(why, cap, "the file changed while it was being uploaded");
		status = EXIT_DATAERR;
		goto out;
	}
	unsigned char digest[32];
	sha256_final(&u.sha, digest);
	for (int i = 0; i < 32; i++)
		snprintf(out->sha256 + 2 * i, 3, "%02x", digest[i]);
	char got[32] = "";
	if (jx_str(u.file, "sizeBytes", got, sizeof got) < 0)
		snprintf(got, sizeof got, "%.0f", jx_num(u.file, "sizeBytes", (double)size));
	if (strtoll(got, NULL, 10) != size) {
		err_set(&u.err, ERR_BAD_OUTPUT, 0, "the service has %s bytes of the %lld sent", got, size);
		goto failed;
	}
	if (hash_differs(u.file, out->sha256)) {
		err_set(&u.err, ERR_BAD_OUTPUT, 0, "the file arrived damaged: its SHA-256 differs from ours");
		goto failed;
	}
	r = wait_active(&u);
	if (r == EXIT_DATAERR) {
		snprintf(why, cap, "%s", u.err.message);
		status = r;
		goto out;
	}
	if (r)
		goto failed;
	jx_str(u.file, "name", out->name, sizeof out->name);
	jx_str(u.file, "expirationTime", out->expires, sizeof out->expires);
	if (jx_str(u.file, "uri", out->uri, sizeof out->uri) < 0 || !out->uri[0]) {
		err_set(&u.err, ERR_BAD_OUTPUT, 0, "the service gave the file no uri");
		goto failed;
	}
	status = 0;
	goto out;
failed:
	if (u.err.code == ERR_INTERRUPTED || sig_caught) {
		snprintf(why, cap, "interrupted");
		status = sig_status();
	} else {
		snprintf(why, cap, "Gemini Files API, %s: %s", u.what ? u.what : "uploading", u.err.message);
		status = err_exit_status(u.err.code);
	}
out:
	jv_free(u.file);
	return status;
}

/* --dry-run: what would be uploaded, said as the request that opens the
 * upload; the attachment names the file by a stand-in. */
int gfiles_dry_upload(long long size, const char *mime, const char *display, const struct gfiles_opts *fo,
		      struct gfile *gf, char *why, size_t cap)
{
	memset(gf, 0, sizeof *gf);
	snprintf(gf->name, sizeof gf->name, "files/dry-run");
	snprintf(gf->uri, sizeof gf->uri, "%s/files/dry-run", fo->base);
	jv rec = gfiles_describe(size, mime, display, fo);
	if (!jv_is_valid(rec)) {
		jv_free(rec);
		snprintf(why, cap, "the Gemini base URL '%s' is not a URL", fo->base);
		return EXIT_CONFIG;
	}
	if (jx_write_line(1, rec) < 0) {
		snprintf(why, cap, "cannot write output: %s", strerror(errno));
		return EXIT_CANTCREAT;
	}
	return 0;
}
