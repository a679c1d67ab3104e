/* fakeprov: a fake LLM provider for the shell tests and benchmarks.  An
 * HTTP/1.1 server on 127.0.0.1 that answers each request with a scripted
 * reply (text, pacing, errors, broken streams) in the provider's exact wire
 * format, and logs every request as one JSON line.  One process per
 * connection, so a slow reply never holds up another client.
 * A wire format is one `struct wire` in a file of its own (OpenAI Chat
 * Completions in openai.c, Anthropic Messages in anthropic.c, Gemini in
 * gemini.c, OpenAI's Images API, with the images themselves, in images.c),
 * chosen by request path; this file has the server, the options and the
 * dispatch, and does HTTP, pacing and faults for every format.
 * GET /api/tags answers with a model list the way a local Ollama server does,
 * so the programs' probe for one can be tested, and with --upload-dir the
 * Gemini Files API takes resumable uploads (gemini.c). */
#include "fakeprov.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX (64L * 1024 * 1024)    /* request body */
#define BATCH (64 * 1024)               /* HTTP chunk size in --repeat mode */

static const char usage[] =
"usage: fakeprov [--port-file FILE] [--log FILE] [--idle SECONDS]\n"
"                [--batch-dir DIR [--batch-polls N] [--batch-fail-every K]\n"
"                [--batch-expire] [--batch-fail]]\n"
"                [--upload-dir DIR [--upload-polls N] [--upload-failed]\n"
"                [--upload-granularity BYTES]]\n"
"                REPLY-OPTIONS... [--then REPLY-OPTIONS...]...\n"
"reply options: --text STR | --text-file FILE, --chunks N, --split-writes N,\n"
"  --delay-first MS, --delay-chunk MS, --repeat N, --usage | --no-usage,\n"
"  --cached N, --reasoning N, --finish REASON, --no-done, --status CODE,\n"
"  --error KIND, --retry-after S, --header 'Name: value', --mid-error N,\n"
"  --drop-after N, --malformed-after N, --trickle BPS, --hang, --model NAME,\n"
"  --echo (the reply is \"echo: \" and the last message's text),\n"
"  --blocked REASON (Gemini only), --ollama-models NAME,NAME...,\n"
"  --upload-drop-after N, --upload-expire (Gemini Files API uploads),\n"
"  --refuse (image requests: the safety system refuses the prompt),\n"
"  --image-garbage text|truncated (the first image of a reply is not one),\n"
"  --image-scale N (images are 1/N of the size asked for; 64),\n"
"  --no-done (no [DONE] or message_stop, the stop reason still sent),\n"
"  --no-finish (the stream ends after the text: no stop reason either),\n"
"  --finish-every (Gemini: a finishReason on every chunk, as older models),\n"
"  --gate FILE (after the first chunk, wait until FILE exists), --gate-first\n"
"  FILE (the same before the first chunk),\n"
"  --refusal (OpenAI: the text is a refusal), --no-final-blank (the last\n"
"  event lacks its blank line), --tool-call NAME=JSON (the reply also calls\n"
"  a tool), --other-choice TEXT (OpenAI: a second choice, index 1),\n"
"  --replay FILE (a chat request gets the reply recorded in FILE, NAME.sse,\n"
"  with the status and headers of NAME.http.json when present),\n"
"  --replay-split whole|events|awkward|N (how its bytes are cut into writes),\n"
"  --replay-encoding NAME (FILE is already encoded, e.g. gzip: sent as it is\n"
"  with Content-Encoding: NAME, so a small file can expand hugely)\n"
"error kinds: context_length auth permission not_found rate_limit quota\n"
"  server unavailable overloaded bad_request\n"
"wire formats, by request path: .../chat/completions (OpenAI), .../messages\n"
"  (Anthropic), ...:streamGenerateContent[?alt=sse] and ...:generateContent\n"
"  (Gemini; with responseModalities IMAGE, a reply with an image),\n"
"  .../images/generations and .../images/edits (OpenAI Images; edits as\n"
"  multipart/form-data; images are real PNG or JPEG, 1/64 of the size asked\n"
"  for unless --image-scale says), GET /api/tags (Ollama's model list:\n"
"  llama3.2:latest and qwen3:8b unless --ollama-models names others, '' for\n"
"  none; --status, --delay-first and --hang apply), GET .../models (the\n"
"  providers' model lists, OpenAI's, Anthropic's by anthropic-version, Gemini's\n"
"  .../v1beta/models; --ollama-models names the models, --error applies);\n"
"  with --upload-dir,\n"
"  POST .../upload/v1beta/files (the resumable protocol: start, upload,\n"
"  finalize, query; sessions and the bytes received are kept in DIR) and\n"
"  GET .../v1beta/files/ID (PROCESSING for N polls, 1 by default, then\n"
"  ACTIVE or FAILED); --status and --error apply;\n"
"  with --batch-dir, the batch APIs of OpenAI (.../files, .../batches),\n"
"  Anthropic (.../messages/batches) and Gemini (...:batchGenerateContent,\n"
"  .../batches/ID, /download/.../files/ID:download), their jobs moving on a\n"
"  phase every --batch-polls GETs (1) (see batch.c); other paths\n"
"  get an OpenAI-style 404\n";

/* ---------- reply options ---------- */

enum { T_STR, T_NUM, T_SET, T_FILE, T_HDR, T_SECS, T_TAGS };
#define F(m) offsetof(struct group, m)
static const struct opt {
	const char *name;
	int type;
	size_t off;
	int val;        /* T_SET: the value stored */
} opts[] = {
	{"text", T_STR, F(text), 0}, {"text-file", T_FILE, F(text), 0},
	{"chunks", T_NUM, F(chunks), 0}, {"split-writes", T_NUM, F(split), 0},
	{"delay-first", T_NUM, F(delay_first), 0}, {"delay-chunk", T_NUM, F(delay_chunk), 0},
	{"repeat", T_NUM, F(repeat), 0}, {"usage", T_SET, F(usage), 1},
	{"no-usage", T_SET, F(usage), 0}, {"cached", T_NUM, F(cached), 0},
	{"reasoning", T_NUM, F(reasoning), 0}, {"finish", T_STR, F(finish), 0},
	{"no-done", T_SET, F(no_done), 1}, {"status", T_NUM, F(status), 0},
	{"error", T_STR, F(error), 0}, {"retry-after", T_SECS, F(retry_ms), 0},
	{"header", T_HDR, F(hdrs), 0}, {"mid-error", T_NUM, F(mid_error), 0},
	{"drop-after", T_NUM, F(drop_after), 0}, {"malformed-after", T_NUM, F(malformed_after), 0},
	{"trickle", T_NUM, F(trickle), 0}, {"hang", T_SET, F(hang), 1},
	{"echo", T_SET, F(echo), 1},
	{"model", T_STR, F(model), 0}, {"blocked", T_STR, F(blocked), 0},
	{"ollama-models", T_TAGS, 0, 0},
	{"upload-drop-after", T_NUM, F(upload_drop), 0}, {"upload-expire", T_SET, F(upload_expire), 1},
	{"refuse", T_SET, F(refuse), 1}, {"image-garbage", T_STR, F(garbage), 0},
	{"image-scale", T_NUM, F(image_scale), 0},
	{"no-finish", T_SET, F(no_finish), 1}, {"finish-every", T_SET, F(finish_every), 1},
	{"refusal", T_SET, F(refusal), 1}, {"no-final-blank", T_SET, F(no_final_blank), 1},
	{"tool-call", T_STR, F(tool_call), 0}, {"other-choice", T_STR, F(other_choice), 0},
	{"replay", T_STR, F(replay), 0}, {"replay-split", T_STR, F(replay_split), 0},
	{"replay-encoding", T_STR, F(replay_encoding), 0},
	{"gate", T_STR, F(gate), 0}, {"gate-first", T_STR, F(gate_first), 0},
};

static struct group *groups;
static size_t ngroups;
/* Each group's --ollama-models, beside groups (NULL: the default list). */
static const char **tag_lists;
static long idle_s = 30;
static int log_fd = -1;

/* ---------- small helpers ---------- */

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "fakeprov: %s%s\n", msg, arg ? arg : "");
	exit(64);
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (us > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long long now_unix(void)
{
	/* CHAT_NOW pins timestamps so golden files stay stable. */
	const char *s = getenv("CHAT_NOW");
	char *end;
	if (s && *s) {
		long long v = strtoll(s, &end, 10);
		if (!*end)
			return v;
	}
	return (long long)time(NULL);
}

static int full_write(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes to the client: when it has gone away this child has nothing left to do. */
static void write_all(int fd, const char *p, size_t n)
{
	if (full_write(fd, p, n) < 0)
		_exit(0);
}

/* jv_object_get aborts on non-objects, and requests are untrusted. */
jv jget(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), jv_string(key));
}

void add_json(struct buf *b, jv v, int flags)
{
	jv s = jv_dump_string(v, flags);
	buf_add(b, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
}

size_t text_bytes(jv v)
{
	size_t n = 0;
	if (jv_get_kind(v) == JV_KIND_STRING)
		return (size_t)jv_string_length_bytes(jv_copy(v));
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		jv_array_foreach(v, i, x) {
			n += text_bytes(x);
			jv_free(x);
		}
	} else if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv_object_foreach(v, k, x) {
			n += text_bytes(x);
			jv_free(k);
			jv_free(x);
		}
	}
	return n;
}

void tool_call_parts(const struct group *g, char *name, size_t cap, const char **args)
{
	const char *eq = strchr(g->tool_call, '=');
	size_t n = eq ? (size_t)(eq - g->tool_call) : strlen(g->tool_call);
	snprintf(name, cap, "%.*s", (int)(n < cap ? n : cap - 1), g->tool_call);
	*args = eq ? eq + 1 : "{}";
}

/* ---------- output: pacing, HTTP chunking and batching ---------- */

static void out_init(struct out *o, int fd, int chunked, const struct group *g)
{
	o->fd = fd;
	o->chunked = chunked;
	o->batch = g->repeat > 0;
	o->split = g->split;
	o->trickle = g->trickle;
	o->hold_last = g->no_final_blank;
	buf_init(&o->pend, GEN_MAX);
	buf_init(&o->frame, GEN_MAX);
}

/* Sends bytes as they go on the wire, in small timed writes when asked,
 * so the client really sees split reads (TCP_NODELAY is set). */
static void out_raw(struct out *o, const char *p, size_t n)
{
	size_t step = n;
	long pause = 0;
	if (o->trickle > 0)
		step = o->trickle / 20 ? (size_t)(o->trickle / 20) : 1;
	if (o->split > 0 && (size_t)o->split < step)
		step = (size_t)o->split;
	if (o->trickle > 0)
		pause = (long)(step * 1000000 / (size_t)o->trickle);
	else if (o->split > 0)
		pause = 2000;
	for (size_t off = 0; off < n; off += step) {
		size_t len = n - off < step ? n - off : step;
		write_all(o->fd, p + off, len);
		/* a trickle's pause is for the bytes just written, not a whole step */
		sleep_us(o->trickle > 0 ? (long)(len * 1000000 / (size_t)o->trickle) : pause);
	}
}

void out_flush(struct out *o)
{
	if (!o->pend.len)
		return;
	if (o->chunked) {
		buf_reset(&o->frame);
		buf_addf(&o->frame, "%zx\r\n", o->pend.len);
		buf_add(&o->frame, o->pend.p, o->pend.len);
		buf_adds(&o->frame, "\r\n");
		out_raw(o, o->frame.p, o->frame.len);
	} else {
		out_raw(o, o->pend.p, o->pend.len);
	}
	buf_reset(&o->pend);
}

/* One event is one HTTP chunk, as a real server sends it as it is made;
 * in --repeat mode events are packed to push a million of them quickly. */
void out_event(struct out *o, const char *p, size_t n)
{
	if (o->hold_last) {   /* the one held back is not the last after all */
		out_flush(o);
		buf_add(&o->pend, p, n);
		return;
	}
	buf_add(&o->pend, p, n);
	if (!o->batch || o->pend.len >= BATCH)
		out_flush(o);
}

static void out_end(struct out *o)
{
	/* --no-final-blank: the body ends with the last event's data line */
	if (o->hold_last && o->pend.len >= 2 && o->pend.p[o->pend.len - 1] == '\n')
		o->pend.len -= o->pend.p[o->pend.len - 2] == '\r' ? 2 : 1;
	out_flush(o);
	if (o->chunked)
		out_raw(o, "0\r\n\r\n", 5);
}

/* ---------- helpers for the wire formats ---------- */

void hdr(struct buf *h, const struct group *g, const char *name, const char *fmt, ...)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < g->nhdrs; i++)
		if (!strncasecmp(g->hdrs[i], name, len) && g->hdrs[i][len] == ':')
			return;
	va_list ap;
	va_start(ap, fmt);
	buf_addf(h, "%s: ", name);
	buf_vaddf(h, fmt, ap);
	buf_adds(h, "\r\n");
	va_end(ap);
}

jv str_or_null(const char *s) { return s ? jv_string(s) : jv_null(); }

jv req_string(const struct ctx *c, const char *key, const char *def)
{
	jv v = jget(c->req, key);
	if (jv_get_kind(v) == JV_KIND_STRING)
		return v;
	jv_free(v);
	return def ? jv_string(def) : jv_null();
}

const char *secs(char *dst, long ms)
{
	int n = snprintf(dst, 32, "%ld.%03ld", ms / 1000, ms % 1000);
	while (dst[n - 1] == '0')       /* "0.25", not "0.250"; "30", not "30.000" */
		dst[--n] = 0;
	if (dst[n - 1] == '.')
		dst[--n] = 0;
	return dst;
}

void rfc3339(char *dst, size_t size, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(dst, size, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
}

/* The first entry also answers requests no entry matches. */
static const struct wire *const wires[] = { &openai_wire, &anthropic_wire, &gemini_wire, &images_wire };

/* ---------- reading the request ---------- */

struct req {
	char *method, *path;
	jv headers;             /* lower-cased name -> value */
	struct buf body;
};

struct rd {
	int fd;
	struct buf b;
	size_t pos;
};

static int rd_fill(struct rd *r)
{
	char tmp[65536];
	ssize_t n;
	do
		n = read(r->fd, tmp, sizeof tmp);
	while (n < 0 && errno == EINTR);
	return n <= 0 ? -1 : buf_add(&r->b, tmp, (size_t)n);
}

/* The next line without its CR LF, valid until the next read; NULL at EOF
 * or once more than max bytes are pending without a newline. */
static char *rd_line(struct rd *r, size_t max)
{
	for (;;) {
		char *start = r->b.p + r->pos;
		char *nl = r->b.len > r->pos ? memchr(start, '\n', r->b.len - r->pos) : NULL;
		if (nl) {
			*nl = 0;
			if (nl > start && nl[-1] == '\r')
				nl[-1] = 0;
			r->pos = (size_t)(nl + 1 - r->b.p);
			return start;
		}
		if (r->b.len - r->pos > max || rd_fill(r) < 0)
			return NULL;
	}
}

static int rd_bytes(struct rd *r, size_t n, struct buf *to)
{
	while (r->b.len - r->pos < n)
		if (rd_fill(r) < 0)
			return -1;
	if (buf_add(to, r->b.p + r->pos, n) < 0)
		return 413;
	r->pos += n;
	return 0;
}

/* A header's value, borrowed from the headers object, or NULL. */
static const char *hget(jv h, const char *name)
{
	jv v = jget(h, name);
	const char *s = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;
	jv_free(v);     /* the object still holds the string */
	return s;
}

const char *header_get(jv h, const char *name) { return hget(h, name); }

static int read_chunked(struct rd *r, struct buf *body)
{
	char *line, *end;
	for (;;) {
		if (!(line = rd_line(r, HEAD_MAX)))
			return -1;
		unsigned long long n = strtoull(line, &end, 16);
		if (end == line)
			return 400;
		if (n > (unsigned long long)BODY_MAX)
			return 413;
		if (n == 0)
			break;
		int st = rd_bytes(r, (size_t)n, body);
		if (st || !(line = rd_line(r, HEAD_MAX)))
			return st ? st : -1;
	}
	while ((line = rd_line(r, HEAD_MAX)) && *line)     /* trailers */
		;
	return line ? 0 : -1;
}

static void add_header(jv *h, char *line)
{
	char *colon = strchr(line, ':'), *v = colon + 1, *e;
	for (char *p = line; p < colon; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	while (*v == ' ' || *v == '\t')
		v++;
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	jv name = jv_string_sized(line, (int)(colon - line));
	jv val = jv_string_sized(v, (int)(e - v));
	jv old = jv_object_get(jv_copy(*h), jv_copy(name));
	if (jv_get_kind(old) == JV_KIND_STRING)     /* a repeated header: join them */
		val = jv_string_concat(jv_string_concat(old, jv_string(", ")), val);
	else
		jv_free(old);
	*h = jv_object_set(*h, name, val);
}

/* 0 when a whole request was read, an HTTP status to reply with, or -1
 * when the client went away. With drop >= 0, a Files API upload's body is
 * read only that far and *truncated set. */
static int read_request(int fd, struct req *rq, long drop, int *truncated)
{
	struct rd r = { fd, BUF_INIT(2 * BODY_MAX + HEAD_MAX), 0 };
	char *line, *sp1, *sp2;
	int st = -1;
	rq->headers = jv_object();
	buf_init(&rq->body, BODY_MAX);
	do
		line = rd_line(&r, HEAD_MAX);
	while (line && !*line);
	if (!line) {
		st = r.b.len - r.pos > HEAD_MAX ? 431 : -1;
		goto out;
	}
	sp1 = strchr(line, ' ');
	sp2 = strrchr(line, ' ');
	st = 400;
	if (!sp1 || sp1 == sp2 || sp1 == line || sp1 - line > 15 || strncmp(sp2 + 1, "HTTP/1.", 7))
		goto out;
	rq->method = strndup(line, (size_t)(sp1 - line));
	rq->path = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	while ((line = rd_line(&r, HEAD_MAX)) && *line && r.pos <= HEAD_MAX) {
		if (!strchr(line, ':') || *line == ':')
			goto out;
		add_header(&rq->headers, line);
	}
	st = !line ? (r.b.len - r.pos > HEAD_MAX ? 431 : -1) : *line ? 431 : 0;
	if (st)
		goto out;
	const char *te = hget(rq->headers, "transfer-encoding");
	const char *cl = hget(rq->headers, "content-length");
	const char *ex = hget(rq->headers, "expect");
	char *end;
	long long len = cl ? strtoll(cl, &end, 10) : 0;
	if (cl && (end == cl || *end || len < 0))
		st = 400;
	else if (len > BODY_MAX)
		st = 413;
	if (st)
		goto out;
	if (ex && !strcasecmp(ex, "100-continue"))
		write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	const char *cmd = hget(rq->headers, "x-goog-upload-command");
	if (drop >= 0 && cmd && strstr(cmd, "upload") && !(te && strcasestr(te, "chunked")) && len > drop) {
		len = drop;
		*truncated = 1;
	}
	if (te && strcasestr(te, "chunked"))
		st = read_chunked(&r, &rq->body);
	else
		st = rd_bytes(&r, (size_t)len, &rq->body);
out:
	buf_free(&r.b);
	return st;
}

/* One JSON line per request, in one write() so concurrent children never
 * interleave; written before the reply so a test can read it afterwards. */
static void log_request(const struct req *rq, long n, jv body)
{
	if (log_fd < 0) {
		jv_free(body);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* when it arrived, in unix milliseconds: the witness of a rate limit */
	double ms = (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000);
	jv o = JV_OBJECT(S("n"), jv_number(n), S("ms"), jv_number(ms), S("method"), S(rq->method), S("path"), S(rq->path),
			 S("headers"), jv_copy(rq->headers), S("body"), body);
	/* an upload's bytes are not logged, only how many arrived */
	if (header_get(rq->headers, "x-goog-upload-command"))
		o = jv_object_set(o, S("body_bytes"), jv_number((double)rq->body.len));
	struct buf b = BUF_INIT(GEN_MAX);
	add_json(&b, o, 0);
	buf_adds(&b, "\n");
	full_write(log_fd, b.p, b.len);
	buf_free(&b);
}

/* ---------- replies ---------- */

static const char *reason(int status)
{
	static const struct { int code; const char *text; } r[] = {
		{200, "OK"}, {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"},
		{404, "Not Found"}, {408, "Request Timeout"}, {409, "Conflict"},
		{413, "Payload Too Large"}, {422, "Unprocessable Entity"},
		{429, "Too Many Requests"}, {431, "Request Header Fields Too Large"},
		{500, "Internal Server Error"}, {502, "Bad Gateway"},
		{503, "Service Unavailable"}, {504, "Gateway Timeout"},
	};
	for (size_t i = 0; i < sizeof r / sizeof *r; i++)
		if (r[i].code == status)
			return r[i].text;
	return "Error";
}

/* Status line and headers; clen < 0 means a chunked body. */
static void send_head(int fd, const struct ctx *c, int status, const char *type,
		      long long clen, const char *errkind)
{
	struct buf h = BUF_INIT(GEN_MAX);
	char date[64];
	time_t t = (time_t)c->created;
	struct tm tm;
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&t, &tm));
	buf_addf(&h, "HTTP/1.1 %d %s\r\n", status, reason(status));
	hdr(&h, c->g, "Date", "%s", date);
	hdr(&h, c->g, "Content-Type", "%s", type);
	if (clen < 0)
		hdr(&h, c->g, "Transfer-Encoding", "chunked");
	else
		hdr(&h, c->g, "Content-Length", "%lld", clen);
	hdr(&h, c->g, "Connection", "close");
	c->w->headers(&h, c, errkind);
	for (size_t i = 0; i < c->g->nhdrs; i++) {
		const char *v = strchr(c->g->hdrs[i], ':') + 1;
		if (v[strspn(v, " \t")])    /* 'Name:' with no value only removes Name */
			buf_addf(&h, "%s\r\n", c->g->hdrs[i]);
	}
	buf_adds(&h, "\r\n");
	write_all(fd, h.p, h.len);
	buf_free(&h);
}

void send_reply(int fd, const struct ctx *c, int status, const char *type, int wire, const char *extra,
		const char *body, size_t len)
{
	struct buf h = BUF_INIT(GEN_MAX);
	char date[64];
	time_t t = (time_t)c->created;
	struct tm tm;
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&t, &tm));
	buf_addf(&h, "HTTP/1.1 %d %s\r\n", status, reason(status));
	hdr(&h, c->g, "Date", "%s", date);
	if (type)
		hdr(&h, c->g, "Content-Type", "%s", type);
	hdr(&h, c->g, "Content-Length", "%zu", len);
	hdr(&h, c->g, "Connection", "close");
	if (wire)
		c->w->headers(&h, c, status >= 300 ? "error" : NULL);
	if (extra)
		buf_adds(&h, extra);
	for (size_t i = 0; i < c->g->nhdrs; i++) {
		const char *v = strchr(c->g->hdrs[i], ':') + 1;
		if (v[strspn(v, " \t")])
			buf_addf(&h, "%s\r\n", c->g->hdrs[i]);
	}
	buf_adds(&h, "\r\n");
	buf_add(&h, body, len);
	write_all(fd, h.p, h.len);
	buf_free(&h);
}

/* Headers sent, then silence until the client leaves (or --idle passes). */
static void hang(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char tmp[4096];
	for (long waited = 0; idle_s <= 0 || waited < idle_s; waited++)
		if (poll(&p, 1, 1000) > 0 && read(fd, tmp, sizeof tmp) <= 0)
			break;
	_exit(0);
}

/* A broken transfer: FIN without the final chunk, so curl says error 18. */
static void drop(struct out *o)
{
	out_flush(o);
	close(o->fd);
	_exit(0);
}

static void reply_error(int fd, struct ctx *c, const char *kind, int status)
{
	struct buf body = BUF_INIT(GEN_MAX);
	struct out o;
	int st = c->w->error(&body, c, kind);
	sleep_us(c->g->delay_first * 1000);
	send_head(fd, c, status ? status : st, c->w->err_type, (long long)body.len, kind);
	out_init(&o, fd, 0, c->g);
	out_event(&o, body.p, body.len);
	buf_free(&body);
}

/* The reply text cut into content deltas: --repeat N copies of the text,
 * N nearly equal pieces (whole UTF-8 characters) with --chunks N, else a
 * piece before each space, the way a tokenizer cuts words. */
struct pieces {
	const char *text;
	size_t len, *off;       /* piece i is text[off[i] .. off[i+1]) */
	long n, repeat;
};

/* "echo: " and the text of the request's last message, whatever the wire. */
static void echo_prompt(jv req, struct buf *out)
{
	buf_adds(out, "echo: ");
	jv msgs = jv_object_get(jv_copy(req), jv_string("messages"));
	if (jv_get_kind(msgs) != JV_KIND_ARRAY) {
		jv_free(msgs);
		msgs = jv_object_get(jv_copy(req), jv_string("contents"));
	}
	if (jv_get_kind(msgs) != JV_KIND_ARRAY || !jv_array_length(jv_copy(msgs))) {
		jv_free(msgs);
		return;
	}
	jv last = jv_array_get(jv_copy(msgs), jv_array_length(jv_copy(msgs)) - 1);
	jv_free(msgs);
	jv parts = jv_get_kind(last) == JV_KIND_OBJECT ? jv_object_get(jv_copy(last), jv_string("content")) : jv_invalid();
	if (!jv_is_valid(parts) || jv_get_kind(parts) == JV_KIND_NULL) {
		jv_free(parts);
		parts = jv_get_kind(last) == JV_KIND_OBJECT ? jv_object_get(jv_copy(last), jv_string("parts")) : jv_invalid();
	}
	jv_free(last);
	if (jv_get_kind(parts) == JV_KIND_STRING) {
		buf_adds(out, jv_string_value(parts));
	} else if (jv_get_kind(parts) == JV_KIND_ARRAY) {
		for (int i = 0; i < jv_array_length(jv_copy(parts)); i++) {
			jv p = jv_array_get(jv_copy(parts), i);
			jv t = jv_get_kind(p) == JV_KIND_OBJECT ? jv_object_get(jv_copy(p), jv_string("text")) : jv_invalid();
			if (jv_get_kind(t) == JV_KIND_STRING)
				buf_adds(out, jv_string_value(t));
			jv_free(t);
			jv_free(p);
		}
	}
	jv_free(parts);
}

static void split_text(struct pieces *ps, const struct group *g)
{
	size_t nch = 0, k = 0, ci = 0;
	ps->text = g->text;
	ps->len = g->textlen;
	ps->repeat = g->repeat;
	ps->n = g->repeat;
	ps->off = NULL;
	if (g->repeat)
		return;
	for (size_t i = 0; i < ps->len; i++)
		nch += ((unsigned char)ps->text[i] & 0xC0) != 0x80;
	ps->off = malloc((nch + 2) * sizeof *ps->off);
	if (!ps->off)
		_exit(1);
	for (size_t i = 0; i < ps->len; i++) {
		int cut = k == 0;   /* the first piece starts at 0, whatever the bytes */
		if (((unsigned char)ps->text[i] & 0xC0) != 0x80) {   /* never cut inside a character */
			if (g->chunks > 0)
				cut |= !ci || ci * (size_t)g->chunks / nch != (ci - 1) * (size_t)g->chunks / nch;
			else
				cut |= ps->text[i] == ' ';
			ci++;
		}
		if (cut)
			ps->off[k++] = i;
	}
	ps->n = (long)k;
	ps->off[k] = ps->len;
}

static void piece(const struct pieces *ps, long i, const char **p, size_t *n)
{
	*p = ps->repeat ? ps->text : ps->text + ps->off[i];
	*n = ps->repeat ? ps->len : ps->off[i + 1] - ps->off[i];
}

static void reply_stream(int fd, struct ctx *c, const struct pieces *ps)
{
	const struct group *g = c->g;
	struct buf ev = BUF_INIT(GEN_MAX);
	struct out o;
	const char *p;
	size_t n;
	send_head(fd, c, 200, c->stream_type, -1, NULL);
	if (g->hang)
		hang(fd);
	sleep_us(g->delay_first * 1000);
	out_init(&o, fd, 1, g);
	c->w->start(&o, c);
	if (g->blocked && c->w->blocked) {     /* a refused prompt: no content at all */
		c->w->blocked(&o, c);
		out_end(&o);
		return;
	}
	for (long i = 0;; i++) {
		if (i == g->drop_after)
			drop(&o);
		if (i == g->mid_error) {    /* the stream ends here, no [DONE] or message_stop */
			c->w->mid_error(&o, c);
			out_end(&o);
			return;
		}
		if (i == g->malformed_after)
			c->w->malformed(&o, c);
		if (i == ps->n)
			break;
		if (i > 0 && g->delay_chunk) {
			out_flush(&o);
			sleep_us(g->delay_chunk * 1000);
		}
		/* --gate: the rest waits for the test, which has seen the first part arrive */
		const char *gate = i == 0 ? g->gate_first : i == 1 ? g->gate : NULL;
		if (gate) {
			out_flush(&o);
			for (long w = 0; access(gate, F_OK) != 0 && w < idle_s * 100; w++)
				sleep_us(10000);
		}
		/* --repeat sends one event N times; the last may differ (Gemini's
		 * carries the finish reason) */
		if (!ps->repeat || i == 0 || i == ps->n - 1) {
			buf_reset(&ev);
			piece(ps, i, &p, &n);
			c->w->delta(&ev, c, i, p, n);
		}
		out_event(&o, ev.p, ev.len);
	}
	if (!g->no_finish)
		c->w->finish(&o, c);
	out_end(&o);
	buf_free(&ev);
}

static void reply_full(int fd, struct ctx *c, const struct pieces *ps)
{
	struct buf text = BUF_INIT(GEN_MAX), body = BUF_INIT(GEN_MAX);
	struct out o;
	buf_add(&text, ps->text, ps->len);
	for (long i = 1; i < ps->repeat; i++)
		buf_add(&text, ps->text, ps->len);
	c->w->full(&body, c, buf_str(&text), text.len);
	sleep_us(c->g->delay_first * 1000);
	send_head(fd, c, 200, c->w->json_type, (long long)body.len, NULL);
	if (c->g->hang)
		hang(fd);
	out_init(&o, fd, 0, c->g);
	if (c->g->drop_after >= 0) {
		out_event(&o, body.p, body.len / 2);
		drop(&o);
	}
	out_event(&o, body.p, body.len);
}

/* ---------- Ollama's model list: GET /api/tags ---------- */

/* Ollama (Go, gin) sends only Date, Content-Type and Content-Length. */
static void tags_headers(struct buf *h, const struct ctx *c, const char *errkind)
{
	(void)h;
	(void)c;
	(void)errkind;
}

static const struct wire tags_wire = {
	"ollama", NULL, "application/json; charset=utf-8", "application/json; charset=utf-8",
	NULL, NULL, tags_headers, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

/* Models a fresh install often has, as `ollama pull` leaves them; any
 * other name gets made-up but stable details. */
static const struct tag_model {
	const char *name, *family, *params, *digest;
	long long size;
} tag_known[] = {
	{"llama3.2:latest", "llama", "3.2B",
	 "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72", 2019393189LL},
	{"qwen3:8b", "qwen3", "8.2B",
	 "500a1f067a9f782620b40bee6f7b0c89e17ae61f686b92c24933e4ca4b2b8b41", 5225388164LL},
};

static unsigned long long fnv1a(const char *s, unsigned long long salt)
{
	unsigned long long h = 1469598103934665603ULL ^ salt;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* One entry, with the members of Ollama's ListModelResponse in its order. */
static jv tag_entry(const char *name, long i, long long now)
{
	const struct tag_model *k = NULL;
	char digest[65], family[64] = "", params[32] = "7.6B", when[64];
	long long size;
	for (size_t j = 0; j < sizeof tag_known / sizeof *tag_known; j++)
		if (!strcmp(tag_known[j].name, name))
			k = &tag_known[j];
	if (k) {
		snprintf(digest, sizeof digest, "%s", k->digest);
		snprintf(family, sizeof family, "%s", k->family);
		snprintf(params, sizeof params, "%s", k->params);
		size = k->size;
	} else {
		for (int q = 0; q < 4; q++)
			snprintf(digest + 16 * q, 17, "%016llx", fnv1a(name, (unsigned long long)q));
		size_t f = 0;       /* "mistral:7b" -> family mistral, 7B */
		while (f < sizeof family - 1 && ((name[f] >= 'a' && name[f] <= 'z') || (name[f] >= 'A' && name[f] <= 'Z')))
			family[f] = name[f], f++;
		family[f] = 0;
		if (!f)
			snprintf(family, sizeof family, "llama");
		const char *tag = strchr(name, ':');
		size_t dl = tag ? strspn(tag + 1, "0123456789.") : 0;
		if (dl && (tag[1 + dl] == 'b' || tag[1 + dl] == 'B'))
			snprintf(params, sizeof params, "%.*sB", (int)dl, tag + 1);
		size = 1000000000LL + (long long)(fnv1a(name, 9) % 4000000000ULL);
	}
	/* pulled a day apart, newest first; Go's RFC 3339 with nanoseconds */
	time_t t = (time_t)(now - 86400 * (i + 1) - 3217);
	struct tm tm;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S.639712648Z", gmtime_r(&t, &tm));
	jv details = JV_OBJECT(S("parent_model"), S(""), S("format"), S("gguf"), S("family"), S(family),
			       S("families"), JV_ARRAY(S(family)), S("parameter_size"), S(params),
			       S("quantization_level"), S("Q4_K_M"));
	return JV_OBJECT(S("name"), S(name), S("model"), S(name), S("modified_at"), S(when),
			 S("size"), jv_number((double)size), S("digest"), S(digest), S("details"), details);
}

/* {"models":[...]}, compact as gin writes it; {"error":"..."} for --status. */
static void reply_tags(int fd, struct ctx *c, const char *list)
{
	const struct group *g = c->g;
	struct buf body = BUF_INIT(GEN_MAX);
	struct out o;
	int status = g->status >= 300 ? (int)g->status : 200;
	c->w = &tags_wire;
	if (status != 200) {
		add_json(&body, JV_OBJECT(S("error"), S(reason(status))), 0);
	} else {
		jv models = jv_array();
		char *names = strdup(list ? list : "llama3.2:latest,qwen3:8b"), *save = names, *name;
		long i = 0;
		while (names && (name = strsep(&save, ",")))
			if (*name)
				models = jv_array_append(models, tag_entry(name, i++, c->created));
		free(names);
		add_json(&body, JV_OBJECT(S("models"), models), 0);
	}
	sleep_us(g->delay_first * 1000);
	send_head(fd, c, status, tags_wire.json_type, (long long)body.len, NULL);
	if (g->hang)
		hang(fd);
	out_init(&o, fd, 0, g);
	out_event(&o, body.p, body.len);
	buf_free(&body);
}

static void serve(int fd, long n)
{
	size_t gi = (size_t)n <= ngroups ? (size_t)n - 1 : ngroups - 1;
	const struct group *g = &groups[gi];
	struct req rq = { NULL, NULL, jv_null(), BUF_INIT(0) };
	struct ctx c = { wires[0], g, n, "", "", jv_null(), jv_string("gpt-4o-mini"),
			 "", "", now_unix(), 0, 0, 0, 0, 0, wires[0]->sse_type };
	struct pieces ps;
	snprintf(c.reqid, sizeof c.reqid, "req_fake%028ld", n);
	int truncated = 0;
	int st = read_request(fd, &rq, g->upload_drop, &truncated);
	if (st < 0)
		return;
	if (st) {
		reply_error(fd, &c, st == 431 ? "headers_too_large" : st == 413 ? "too_large" : "bad_http", st);
		return;
	}
	c.method = rq.method;
	c.path = rq.path;
	char *froute = strndup(rq.path, strcspn(rq.path, "?"));
	int bkind = froute && batch_cfg.dir ? batch_match(rq.method, froute) : 0;
	if (bkind) {
		/* the batch APIs (batch.c); a big body is not logged, only its size */
		jv bbody = rq.body.len <= (1 << 20) ? jv_parse_sized(buf_str(&rq.body), (int)rq.body.len) : jv_invalid();
		log_request(&rq, n, jv_is_valid(bbody) ? bbody : (jv_free(bbody), jv_null()));
		free(froute);
		c.w = bkind == 2 ? &anthropic_wire : bkind == 3 ? &gemini_wire : &openai_wire;
		if (g->error)
			reply_error(fd, &c, g->error, (int)g->status);
		else if (g->status >= 300)
			reply_error(fd, &c, g->status == 401 ? "auth" : g->status == 429 ? "rate_limit"
				    : g->status == 503 ? "unavailable" : g->status >= 500 ? "server" : "bad_request",
				    (int)g->status);
		else
			batch_serve(fd, &c, rq.headers, &rq.body);
		return;
	}
	int files = froute && files_cfg.dir ? files_match(rq.method, froute) : 0;
	free(froute);
	if (files) {
		/* media bytes are neither parsed nor logged; a start's JSON is */
		const char *cmd = header_get(rq.headers, "x-goog-upload-command");
		jv fbody = cmd && !strstr(cmd, "start") ? jv_invalid() : jv_parse_sized(buf_str(&rq.body), (int)rq.body.len);
		log_request(&rq, n, jv_is_valid(fbody) ? fbody : (jv_free(fbody), jv_null()));
		c.w = &gemini_wire;
		jv_free(c.model);
		c.model = jv_string("gemini-2.5-flash");
		if (!truncated && g->error)
			reply_error(fd, &c, g->error, (int)g->status);
		else if (!truncated && g->status >= 300)
			reply_error(fd, &c, g->status == 401 ? "auth" : g->status == 429 ? "rate_limit"
				    : g->status == 503 ? "unavailable" : g->status >= 500 ? "server" : "bad_request",
				    (int)g->status);
		else
			files_serve(fd, &c, rq.headers, &rq.body, truncated);
		return;
	}
	jv body = jv_parse_sized(buf_str(&rq.body), (int)rq.body.len);
	if (!jv_is_valid(body)) {
		jv_free(body);
		body = form_parse(rq.headers, &rq.body);    /* an image edit's form, as an object */
	}
	if (!jv_is_valid(body)) {
		jv_free(body);
		body = jv_string_sized(buf_str(&rq.body), (int)rq.body.len);
	}
	log_request(&rq, n, jv_copy(body));
	char *route = strndup(rq.path, strcspn(rq.path, "?"));
	int tags = route && !strcmp(route, "/api/tags") && !strcmp(rq.method, "GET");
	int mlist = route ? modellist_match(rq.method, route, rq.headers) : 0;
	const struct wire *w = NULL;
	for (size_t i = 0; !w && i < sizeof wires / sizeof *wires; i++)
		if (wires[i]->match(route))
			w = wires[i];
	free(route);
	if (tags) {
		reply_tags(fd, &c, tag_lists[gi]);
		return;
	}
	if (mlist) {
		c.w = mlist == 2 ? &anthropic_wire : mlist == 3 ? &gemini_wire : &openai_wire;
		if (g->error)
			reply_error(fd, &c, g->error, (int)g->status);
		else if (g->status >= 300)
			reply_error(fd, &c, g->status == 401 ? "auth" : g->status == 429 ? "rate_limit"
				    : g->status >= 500 ? "server" : "bad_request", (int)g->status);
		else
			modellist_serve(fd, &c, mlist, tag_lists[gi]);
		return;
	}
	if (w)
		c.w = w;
	if (!w || strcmp(rq.method, "POST")) {
		reply_error(fd, &c, "bad_url", 0);
		return;
	}
	c.stream_type = w->sse_type;
	if (g->replay) {
		replay_serve(fd, &c, g->replay, g->replay_split);
		jv_free(body);
		return;
	}
	if (jv_get_kind(body) != JV_KIND_OBJECT) {
		reply_error(fd, &c, "bad_json", 0);
		return;
	}
	c.req = body;
	w->prepare(&c);
	struct group echoed;
	struct buf said = BUF_INIT(1 << 24);
	if (g->echo) {
		/* the reply names the prompt it answers: replies cannot be mixed up unseen */
		echoed = *g;
		echo_prompt(body, &said);
		echoed.text = said.p ? said.p : "echo: ";
		echoed.textlen = said.len;
		g = &echoed;
	}
	split_text(&ps, g);
	c.npieces = ps.n;
	c.completion_tokens = ps.n + g->reasoning;
	const char *refused = w->refuse ? w->refuse(&c) : NULL;
	if (!refused)
		refused = media_fault(&c);
	if (refused)
		reply_error(fd, &c, refused, 0);
	else if (g->error)
		reply_error(fd, &c, g->error, (int)g->status);
	else if (g->status >= 300)
		reply_error(fd, &c, g->status == 401 ? "auth" : g->status == 403 ? "permission"
			    : g->status == 404 ? "not_found" : g->status == 429 ? "rate_limit"
			    : g->status == 503 ? "unavailable"
			    : g->status == 529 && w != &openai_wire ? "overloaded"
			    : g->status >= 500 ? "server" : "bad_request", (int)g->status);
	else if (c.stream)
		reply_stream(fd, &c, &ps);
	else
		reply_full(fd, &c, &ps);
}

/* ---------- command line and the accept loop ---------- */

static char *read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT(BODY_MAX);
	char tmp[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open ", path);
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		if (buf_add(&b, tmp, (size_t)n) < 0)
			die("file too large: ", path);
	if (n < 0)
		die("cannot read ", path);
	close(fd);
	return buf_detach(&b, len);
}

static struct group *new_group(void)
{
	static const struct group def = {
		.finish = "stop", .usage = -1, .retry_ms = 1000,
		.mid_error = -1, .drop_after = -1, .malformed_after = -1, .upload_drop = -1,
	};
	groups = realloc(groups, (ngroups + 1) * sizeof *groups);
	tag_lists = realloc(tag_lists, (ngroups + 1) * sizeof *tag_lists);
	if (!groups || !tag_lists)
		die("out of memory", NULL);
	groups[ngroups] = def;
	tag_lists[ngroups] = NULL;
	return &groups[ngroups++];
}

static long number(const char *s, const char *name)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < 0)
		die("bad number for --", name);
	return v;
}

/* Seconds, maybe with a fraction ("0.25"), as milliseconds. */
static long millis(const char *s, const char *name)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= 0) || v > 1e9)
		die("bad number for --", name);
	return (long)(v * 1000 + 0.5);
}

static void parse_args(int argc, char **argv, const char **port_file, const char **log_path)
{
	struct group *g = new_group();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		char name[32];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			exit(0);
		}
		if (!strcmp(a, "--batch-expire") || !strcmp(a, "--batch-fail")) {
			*(a[8] == 'e' ? &batch_cfg.expire : &batch_cfg.fail) = 1;
			continue;
		}
		if (!strcmp(a, "--upload-failed")) {
			files_cfg.failed = 1;
			continue;
		}
		if (!strcmp(a, "--then")) {
			g = new_group();
			continue;
		}
		eq = strchr(a, '=');
		size_t namelen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (strncmp(a, "--", 2) || namelen >= sizeof name) {
			fputs(usage, stderr);
			die("unknown argument: ", a);
		}
		snprintf(name, sizeof name, "%.*s", (int)namelen, a + 2);
		const struct opt *o = NULL;
		for (size_t k = 0; k < sizeof opts / sizeof *opts; k++)
			if (!strcmp(opts[k].name, name))
				o = &opts[k];
		int global = !strcmp(name, "port-file") || !strcmp(name, "log") || !strcmp(name, "idle") ||
			     !strcmp(name, "upload-dir") || !strcmp(name, "upload-polls") ||
			     !strcmp(name, "batch-dir") || !strcmp(name, "batch-polls") || !strcmp(name, "batch-fail-every") ||
			     !strcmp(name, "upload-granularity");
		if (!o && !global) {
			fputs(usage, stderr);
			die("unknown option: ", a);
		}
		if (global || o->type != T_SET) {
			val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!val)
				die("missing value for ", a);
		}
		char *field = o ? (char *)g + o->off : NULL;
		if (!strcmp(name, "port-file"))
			*port_file = val;
		else if (!strcmp(name, "log"))
			*log_path = val;
		else if (!strcmp(name, "idle"))
			idle_s = number(val, name);
		else if (!strcmp(name, "upload-dir"))
			files_cfg.dir = val;
		else if (!strcmp(name, "upload-polls"))
			files_cfg.polls = number(val, name);
		else if (!strcmp(name, "batch-dir"))
			batch_cfg.dir = val;
		else if (!strcmp(name, "batch-polls"))
			batch_cfg.polls = number(val, name);
		else if (!strcmp(name, "batch-fail-every"))
			batch_cfg.fail_every = number(val, name);
		else if (!strcmp(name, "upload-granularity")) {
			if ((files_cfg.granularity = number(val, name)) <= 0)
				die("bad --upload-granularity: ", val);
		}
		else if (o->type == T_SET)
			*(int *)field = o->val;
		else if (o->type == T_NUM)
			*(long *)field = number(val, name);
		else if (o->type == T_SECS)
			*(long *)field = millis(val, name);
		else if (o->type == T_STR)
			*(const char **)field = val;
		else if (o->type == T_TAGS)
			tag_lists[ngroups - 1] = val;   /* g is the last group */
		if (o && o->type == T_STR && o->off == F(text))
			g->textlen = strlen(val);
		if (o && o->type == T_FILE)
			g->text = read_file(val, &g->textlen);
		if (o && o->type == T_HDR) {
			if (!strchr(val, ':') || *val == ':' || strpbrk(val, "\r\n"))
				die("bad --header (want 'Name: value'): ", val);
			g->hdrs = realloc(g->hdrs, (g->nhdrs + 1) * sizeof *g->hdrs);
			if (!g->hdrs)
				die("out of memory", NULL);
			g->hdrs[g->nhdrs++] = val;
		}
		if (!strcmp(name, "error") && !error_kind_known(val))
			die("unknown --error kind: ", val);
		if (!strcmp(name, "status") && (g->status < 100 || g->status > 599))
			die("bad --status: ", val);
		if (!strcmp(name, "image-garbage") && strcmp(val, "text") && strcmp(val, "truncated"))
			die("bad --image-garbage (want text or truncated): ", val);
	}
	for (size_t k = 0; k < ngroups; k++)
		if (!groups[k].text) {
			groups[k].text = groups[k].repeat ? "x" : "Hello from the fake provider.";
			groups[k].textlen = strlen(groups[k].text);
		}
}

static void write_port(const char *path, int port)
{
	char tmp[4096], line[16];
	int n = snprintf(line, sizeof line, "%d\n", port);
	if (!path) {
		fputs(line, stdout);
		if (fflush(stdout))
			die("cannot write the port to stdout", NULL);
		return;
	}
	/* Write then rename, so a test polling the file never reads half of it. */
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || full_write(fd, line, (size_t)n) < 0 || close(fd) < 0 || rename(tmp, path) < 0)
		die("cannot write ", path);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static long now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

static void child(int fd, long n, pid_t parent)
{
	struct timeval tv = { idle_s > 0 ? idle_s : 300, 0 };
	int one = 1;
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);   /* die with the server */
	if (getppid() != parent)
		_exit(0);
	/* A stuck client must not pin this process forever. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	serve(fd, n);
	/* Close gently: unread request bytes would turn our FIN into a RST
	 * that can destroy the reply before the client reads it. */
	shutdown(fd, SHUT_WR);
	tv.tv_sec = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char tmp[4096];
	while (read(fd, tmp, sizeof tmp) > 0)
		;
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *port_file = NULL, *log_path = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t salen = sizeof sa;
	struct sigaction act = { .sa_handler = on_signal };   /* no SA_RESTART: poll wakes */
	long n = 0, live = 0, last;
	pid_t self = getpid();
	int one = 1;

	parse_args(argc, argv, &port_file, &log_path);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	if (log_path && (log_fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0)
		die("cannot open ", log_path);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 4096) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0)
		die("cannot listen on 127.0.0.1", NULL);
	write_port(port_file, ntohs(sa.sin_port));

	last = now_s();
	while (!stop) {
		struct pollfd p = { lfd, POLLIN, 0 };
		while (waitpid(-1, NULL, WNOHANG) > 0)
			live--;
		/* Idle: no new connection for a while and no reply in progress. */
		if (idle_s > 0 && live <= 0 && now_s() - last >= idle_s)
			break;
		if (poll(&p, 1, 200) <= 0)
			continue;
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		n++;    /* requests are numbered in accept order */
		last = now_s();
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			child(cfd, n, self);
		}
		if (pid > 0)
			live++;
		close(cfd);
	}
	return 0;
}
