#include "records.h"
#include "diag.h"
#include "jsonx.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void lr_init(struct line_reader *lr, int fd, size_t max_line)
{
	memset(lr, 0, sizeof *lr);
	lr->fd = fd;
	buf_init(&lr->b, max_line + 1); /* a line of max_line bytes and its LF */
}

void lr_free(struct line_reader *lr) { buf_free(&lr->b); }

/* Make sure a whole line (or the rest of the input) is buffered from pos. */
static int fill_line(struct line_reader *lr, const char **nl)
{
	for (;;) {
		*nl = memchr(lr->b.p + lr->pos, '\n', lr->b.len - lr->pos);
		if (*nl || lr->eof)
			return 0;
		if (lr->pos) {
			buf_consume(&lr->b, lr->pos);
			lr->pos = 0;
		}
		/* read no more than the cap leaves room for, so the lines after
		 * this one never count against it */
		char tmp[65536];
		size_t room = lr->b.max - lr->b.len;
		if (!room)
			return -2;
		ssize_t n = read(lr->fd, tmp, room < sizeof tmp ? room : sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			lr->eof = 1;
		else if (buf_add(&lr->b, tmp, (size_t)n) < 0)
			return -2;
		if (!lr->b.p)
			buf_adds(&lr->b, "");
	}
}

int lr_peek(struct line_reader *lr, const char **line, size_t *len)
{
	const char *nl;
	if (!lr->b.p)
		buf_adds(&lr->b, "");
	int r = fill_line(lr, &nl);
	if (r < 0)
		return r;
	size_t end = nl ? (size_t)(nl - lr->b.p) : lr->b.len;
	if (end == lr->pos && !nl)
		return 0;
	*line = lr->b.p + lr->pos;
	*len = end - lr->pos;
	return 1;
}

/* Above this the buffer is given back once its line has been used, so a
 * record of 60 MB is not held twice (line and parsed value) for the rest
 * of the run. */
#define LR_KEEP ((size_t)1 << 20)

void lr_release(struct line_reader *lr)
{
	if (lr->b.cap <= LR_KEEP)
		return;
	/* the unread rest is at most one read (64 KiB): move it to a small buffer */
	struct buf rest = BUF_INIT(lr->b.max);
	if (buf_add(&rest, lr->b.p + lr->pos, lr->b.len - lr->pos) < 0)
		return;
	buf_free(&lr->b);
	lr->b = rest;
	lr->pos = 0;
}

int lr_skip_line(struct line_reader *lr)
{
	buf_reset(&lr->b);
	lr->pos = 0;
	for (;;) {
		/* no more than the cap at a time, so what follows the LF fits */
		char tmp[65536];
		ssize_t n = read(lr->fd, tmp, lr->b.max < sizeof tmp ? lr->b.max : sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			lr->eof = 1;
			break;
		}
		const char *nl = memchr(tmp, '\n', (size_t)n);
		if (nl) {
			buf_add(&lr->b, nl + 1, (size_t)(tmp + n - nl - 1));
			break;
		}
	}
	lr_release(lr);
	lr->lineno++;
	return 0;
}

int lr_next(struct line_reader *lr, const char **line, size_t *len)
{
	int r = lr_peek(lr, line, len);
	if (r == 1) {
		lr->pos += *len + (lr->pos + *len < lr->b.len ? 1 : 0);
		lr->lineno++;
	}
	return r;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* "64 MiB", or the bytes when the cap is no whole number of MiB. */
static void size_words(char *out, size_t cap, size_t bytes)
{
	if (bytes && !(bytes & ((1u << 20) - 1)))
		snprintf(out, cap, "%zu MiB", bytes >> 20);
	else
		snprintf(out, cap, "%zu bytes", bytes);
}

/* The id of the bad line being delivered, when it had one to read. */
static __thread jv bad_line_id;

jv records_bad_line_id(void)
{
	return jv_get_kind(bad_line_id) == JV_KIND_INVALID ? jv_null() : jv_copy(bad_line_id);
}

/* The next non-blank line as a record: 1 with *v set, or with *v invalid
 * and why filled for a bad line (one over the cap is skipped to its end,
 * so the records after it still go on); 0 at EOF; -1 on a read error. */
static int next_record(struct line_reader *lr, jv *v, char *why, size_t cap, long *lineno)
{
	const char *line;
	size_t len;
	int r;
	why[0] = 0;
	*v = jv_invalid();
	do {
		r = lr_next(lr, &line, &len);
		if (r == 0 || r == -1)
			return r;
		if (r == -2) {
			char limit[32];
			size_words(limit, sizeof limit, lr->b.max - 1);
			if (lr_skip_line(lr) < 0)
				return -1;
			*lineno = lr->lineno;
			snprintf(why, cap, "longer than %s", limit);
			return 1;
		}
	} while (blank(line, len));
	*lineno = lr->lineno;
	/* jq would mend bad bytes into U+FFFD unseen: refuse them, as stdin and
	 * argv are, but keep the line's id for its error record */
	size_t bad = utf8_bad_at(line, len);
	if (bad < len) {
		jv mended = jv_parse_sized(line, (int)len);
		jv_free(bad_line_id);
		bad_line_id = jv_get_kind(mended) == JV_KIND_OBJECT ? jx_get(mended, "id") : jv_null();
		if (!jv_is_valid(bad_line_id))
			bad_line_id = jv_null();
		jv_free(mended);
		lr_release(lr);
		snprintf(why, cap, "not UTF-8 (byte offset %zu)", bad);
		return 1;
	}
	jv p = jv_parse_sized(line, (int)len);
	lr_release(lr);
	if (!jv_is_valid(p)) {
		jv msg = jv_invalid_get_msg(p);
		snprintf(why, cap, "invalid JSON: %s", jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "not JSON");
		jv_free(msg);
		return 1;
	}
	jv t = jx_get(p, "type");
	if (lr->any_json)
		; /* whatever it is, the jq programs decide */
	else if (jv_get_kind(p) != JV_KIND_OBJECT)
		snprintf(why, cap, "a record must be a JSON object");
	else if (jv_get_kind(t) != JV_KIND_STRING)
		snprintf(why, cap, "a record needs a string \"type\"");
	jv_free(t);
	if (why[0])
		jv_free(p);
	else
		*v = p;
	return 1;
}

/* Hand one record (or a bad line, reported here, in order) to the callback. */
static int deliver(record_fn fn, void *ctx, long lineno, jv v, const char *why)
{
	if (!why[0])
		return fn(ctx, lineno, v, NULL);
	warn("line %ld: %s", lineno, why);
	int r = fn(ctx, lineno, jv_invalid(), why);
	jv_free(bad_line_id);
	bad_line_id = jv_invalid();
	return r;
}

int records_each(struct line_reader *lr, record_fn fn, void *ctx)
{
	char why[256];
	long lineno = 0;
	jv v;
	int r;
	while ((r = next_record(lr, &v, why, sizeof why, &lineno)) != 0) {
		if (r == -1)
			return error("reading records: %s", strerror(errno));
		int stop = deliver(fn, ctx, lineno, v, why);
		if (stop)
			return stop;
	}
	return 0;
}

/* ---- the same loop with reading and parsing on a helper thread ---- */

#define BATCH 256
#define QUEUE 4

struct rec_chunk {
	jv v[BATCH];
	long lineno[BATCH];
	char *why[BATCH];     /* NULL for a good record */
	int n, end;           /* end: 0 more to come, 1 EOF, -1 read error */
	int err;              /* errno of a read error */
};

struct rec_queue {
	struct line_reader *lr;
	struct rec_chunk *slot[QUEUE];
	int head, count, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void batch_free(struct rec_chunk *b)
{
	for (int i = 0; i < b->n; i++) {
		jv_free(b->v[i]);
		free(b->why[i]);
	}
	free(b);
}

static void *producer(void *arg)
{
	struct rec_queue *q = arg;
	for (int end = 0; !end;) {
		struct rec_chunk *b = calloc(1, sizeof *b);
		if (!b)
			break;
		while (b->n < BATCH) {
			char why[256];
			int r = next_record(q->lr, &b->v[b->n], why, sizeof why, &b->lineno[b->n]);
			/* a bad line's id is for records_each's callbacks alone */
			jv_free(bad_line_id);
			bad_line_id = jv_invalid();
			if (r == 0 || r == -1) {
				b->end = r == 0 ? 1 : -1;
				b->err = errno;
				break;
			}
			b->why[b->n] = why[0] ? strdup(why) : NULL;
			b->n++;
		}
		end = b->end;
		pthread_mutex_lock(&q->mu);
		while (q->count == QUEUE && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop) {
			pthread_mutex_unlock(&q->mu);
			batch_free(b);
			break;
		}
		q->slot[(q->head + q->count++) % QUEUE] = b;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
	jx_forget_keys(); /* this thread's cached keys die with it */
	return NULL;
}

int records_each_threaded(struct line_reader *lr, record_fn fn, void *ctx)
{
	struct rec_queue q = { .lr = lr };
	pthread_t t;
	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.cv, NULL);
	if (pthread_create(&t, NULL, producer, &q) != 0) {
		pthread_mutex_destroy(&q.mu);
		pthread_cond_destroy(&q.cv);
		return records_each(lr, fn, ctx);
	}
	int rc = 0;
	for (int end = 0; !end && !rc;) {
		pthread_mutex_lock(&q.mu);
		while (!q.count)
			pthread_cond_wait(&q.cv, &q.mu);
		struct rec_chunk *b = q.slot[q.head];
		q.head = (q.head + 1) % QUEUE;
		q.count--;
		pthread_cond_broadcast(&q.cv);
		pthread_mutex_unlock(&q.mu);
		for (int i = 0; i < b->n && !rc; i++) {
			rc = deliver(fn, ctx, b->lineno[i], b->v[i], b->why[i] ? b->why[i] : "");
			b->v[i] = jv_invalid();
		}
		end = b->end;
		if (!rc && end == -1)
			rc = error("reading records: %s", strerror(b->err));
		batch_free(b);
	}
	/* stop the reader and drop whatever it had ready */
	pthread_mutex_lock(&q.mu);
	q.stop = 1;
	pthread_cond_broadcast(&q.cv);
	pthread_mutex_unlock(&q.mu);
	pthread_join(t, NULL);
	for (int i = 0; i < q.count; i++)
		batch_free(q.slot[(q.head + i) % QUEUE]);
	pthread_mutex_destroy(&q.mu);
	pthread_cond_destroy(&q.cv);
	return rc;
}

int looks_like_record(const char *line, size_t len)
{
	static const char *types[] = { "prompt", "attachment", "delta", "response", "error",
		"image", "conversation", "message", "cost", "job", NULL };
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] != '{')
		return 0;
	jv v = jv_parse_sized(line, (int)len);
	char t[32];
	int ok = jv_is_valid(v) && jx_str(v, "type", t, sizeof t) == 0;
	jv_free(v);
	if (!ok)
		return 0;
	for (const char **p = types; *p; p++)
		if (!strcmp(*p, t))
			return 1;
	return 0;
}
