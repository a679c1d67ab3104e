#include "records.h"
#include "diag.h"
#include "jsonx.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void lr_init(struct line_reader *lr, int fd, size_t max_line)
{
	memset(lr, 0, sizeof *lr);
	lr->fd = fd;
	lr->stop_fd = -1;
	buf_init(&lr->b, max_line + 1); /* a line of max_line bytes and its LF */
}

void lr_free(struct line_reader *lr) { buf_free(&lr->b); }

/* read(2), unless stop_fd becomes readable first (a reader thread being
 * stopped while its input is silent): then -1 with ECANCELED. */
static ssize_t lr_read(struct line_reader *lr, void *to, size_t n)
{
	if (lr->stop_fd >= 0) {
		struct pollfd pf[2] = { { .fd = lr->fd, .events = POLLIN }, { .fd = lr->stop_fd, .events = POLLIN } };
		while (poll(pf, 2, -1) < 0)
			if (errno != EINTR)
				return -1;
		if (pf[1].revents)
			return errno = ECANCELED, -1;
	}
	return read(lr->fd, to, n);
}

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
		ssize_t n = lr_read(lr, tmp, room < sizeof tmp ? room : sizeof tmp);
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
		ssize_t n = lr_read(lr, tmp, lr->b.max < sizeof tmp ? lr->b.max : sizeof tmp);
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

/* Hand one record, or a bad line, to the callback; say: report the bad
 * line first (in order, on the caller's thread). */
static int deliver(record_fn fn, void *ctx, long lineno, jv v, const char *why, int say)
{
	if (!why[0])
		return fn(ctx, lineno, v, NULL);
	if (say)
		warn("line %ld: %s", lineno, why);
	int r = fn(ctx, lineno, jv_invalid(), why);
	jv_free(bad_line_id);
	bad_line_id = jv_invalid();
	return r;
}

/* A bad line's reason, cut to one short line, however it is read. */
#define LOOP_WHY 256

int records_each(struct line_reader *lr, record_fn fn, void *ctx)
{
	char why[LOOP_WHY];
	long lineno = 0;
	jv v;
	int r;
	while ((r = next_record(lr, &v, why, sizeof why, &lineno)) != 0) {
		if (r == -1)
			return error("reading records: %s", strerror(errno));
		int stop = deliver(fn, ctx, lineno, v, why, 1);
		if (stop)
			return stop;
	}
	return 0;
}

/* ---- records read ahead on a thread of their own ---- */

struct record_reader {
	struct line_reader *lr;
	struct record_reader_opts o;
	pthread_t tid;
	int have_thread;
	pthread_mutex_t mu;
	pthread_cond_t room, ready;
	struct record_item *v;   /* a ring of cap items from head */
	size_t cap, head, n;
	size_t bytes;            /* what the items waiting weigh */
	int taker_waits, reader_waits;
	int stop_pipe[2];        /* written to stop a read that waits on silent input */
	int stop, done;
	int read_error, err;     /* the input ended in a read error, errno err */
	int said_error;
};

static void reader_exit(void *arg)
{
	(void)arg;
	jx_forget_keys(); /* this thread's cached keys die with it */
	jv_free(bad_line_id);
	bad_line_id = jv_invalid();
}

static void item_free(struct record_item *it)
{
	jv_free(it->rec);
	jv_free(it->id);
	it->rec = it->id = jv_invalid();
}

/* Read and shape one item, off the lock. 1, 0 at EOF, -1 on a read error. */
static int read_item(struct record_reader *rr, struct record_item *it)
{
	memset(it, 0, sizeof *it);
	it->id = jv_null();
	int r = next_record(rr->lr, &it->rec, it->why, LOOP_WHY, &it->lineno);
	if (r != 1)
		return r;
	if (it->why[0]) {
		it->id = records_bad_line_id();
		jv_free(bad_line_id);
		bad_line_id = jv_invalid();
		it->reported = 1; /* to be said when it is taken */
		return 1;
	}
	it->bytes = rr->o.weigh ? rr->o.weigh(it->rec) : 0;
	if (rr->o.shape) {
		jv out;
		jv_free(it->id);
		if (rr->o.shape(rr->o.ctx, it->rec, &out, &it->id, it->why, sizeof it->why) < 0)
			it->rec = jv_invalid(); /* the caller says why, in its own words */
		else {
			it->rec = out;
			jv_free(it->id);
			it->id = jv_null();
		}
	}
	return 1;
}

/* Is the next line there to parse without a read that may wait? */
static int line_ready(const struct line_reader *lr)
{
	return lr->eof || (lr->b.p && memchr(lr->b.p + lr->pos, '\n', lr->b.len - lr->pos));
}

static int full(const struct record_reader *rr, size_t bytes)
{
	return rr->n == rr->cap || (rr->n && rr->o.max_bytes && rr->bytes + bytes > rr->o.max_bytes);
}

static void *read_ahead(void *arg)
{
	struct record_reader *rr = arg;
	for (;;) {
		pthread_mutex_lock(&rr->mu);
		int stop = rr->stop;
		pthread_mutex_unlock(&rr->mu);
		if (stop)
			break;
		struct record_item it;
		int r = read_item(rr, &it);
		int err = errno;
		pthread_mutex_lock(&rr->mu);
		if (r == 1) {
			while (full(rr, it.bytes) && !rr->stop) {
				if (rr->taker_waits)
					pthread_cond_signal(&rr->ready); /* what is held, before waiting for room */
				rr->reader_waits = 1;
				pthread_cond_wait(&rr->room, &rr->mu);
			}
			rr->reader_waits = 0;
		}
		if (rr->stop || r != 1) {
			rr->done = 1;
			rr->read_error = r == -1 && !rr->stop;
			rr->err = err;
			if (r == 1)
				item_free(&it);
		} else {
			rr->v[(rr->head + rr->n++) % rr->cap] = it;
			rr->bytes += it.bytes;
		}
		int done = rr->done;
		/* a waiting taker is woken for a batch, not for each record: the
		 * switch between threads costs more than parsing a line */
		if (rr->taker_waits && (done || rr->n >= rr->cap / 2 || !line_ready(rr->lr)))
			pthread_cond_signal(&rr->ready);
		pthread_mutex_unlock(&rr->mu);
		if (rr->o.wake)
			rr->o.wake(rr->o.ctx);
		if (done)
			break;
	}
	reader_exit(NULL);
	return NULL;
}

struct record_reader *record_reader_start(struct line_reader *lr, const struct record_reader_opts *o)
{
	struct record_reader *rr = calloc(1, sizeof *rr);
	if (!rr)
		return NULL;
	rr->lr = lr;
	rr->o = *o;
	rr->cap = o->max_items ? o->max_items : 1024;
	rr->v = calloc(rr->cap, sizeof *rr->v);
	pthread_mutex_init(&rr->mu, NULL);
	pthread_cond_init(&rr->room, NULL);
	pthread_cond_init(&rr->ready, NULL);
	rr->stop_pipe[0] = rr->stop_pipe[1] = -1;
	if (!rr->v || pipe2(rr->stop_pipe, O_CLOEXEC) < 0) {
		record_reader_stop(rr);
		return NULL;
	}
	lr->stop_fd = rr->stop_pipe[0];
	if (pthread_create(&rr->tid, NULL, read_ahead, rr) != 0) {
		rr->have_thread = 0;
		record_reader_stop(rr);
		return NULL;
	}
	rr->have_thread = 1;
	return rr;
}

/* Under the lock: 1 with the first item, or 0 when none is waiting. */
static int take_locked(struct record_reader *rr, struct record_item *out)
{
	if (!rr->n)
		return 0;
	*out = rr->v[rr->head];
	rr->head = (rr->head + 1) % rr->cap;
	rr->n--;
	rr->bytes -= out->bytes;
	/* the reader too goes on when there is room for a batch */
	if (rr->reader_waits && rr->n <= rr->cap / 2)
		pthread_cond_signal(&rr->room);
	return 1;
}

/* Off the lock: a bad line the record loop found is said as it is taken,
 * and a read error once, when the records before it are all taken. */
static int taken(struct record_reader *rr, int got, int ended, struct record_item *it)
{
	if (got) {
		if (it->reported)
			warn("line %ld: %s", it->lineno, it->why);
		return 1;
	}
	if (ended && rr->read_error && !rr->said_error++)
		error("reading records: %s", strerror(rr->err));
	return 0;
}

int record_reader_take(struct record_reader *rr, struct record_item *it)
{
	pthread_mutex_lock(&rr->mu);
	while (!rr->n && !rr->done) {
		rr->taker_waits = 1;
		pthread_cond_wait(&rr->ready, &rr->mu);
	}
	rr->taker_waits = 0;
	int got = take_locked(rr, it);
	int ended = !got && rr->done;
	pthread_mutex_unlock(&rr->mu);
	if (taken(rr, got, ended, it))
		return 1;
	return rr->read_error ? -1 : 0;
}

int record_reader_try_take(struct record_reader *rr, struct record_item *it)
{
	pthread_mutex_lock(&rr->mu);
	int got = take_locked(rr, it);
	int ended = !got && rr->done;
	pthread_mutex_unlock(&rr->mu);
	if (taken(rr, got, ended, it))
		return 1;
	return ended ? -1 : 0;
}

int record_reader_stop(struct record_reader *rr)
{
	if (!rr)
		return 0;
	if (rr->have_thread) {
		pthread_mutex_lock(&rr->mu);
		rr->stop = 1;
		pthread_cond_broadcast(&rr->room);
		pthread_mutex_unlock(&rr->mu);
		/* a read waiting on input that is no longer wanted gives up */
		if (write(rr->stop_pipe[1], "", 1) < 0)
			warn("stopping the record reader: %s", strerror(errno));
		pthread_join(rr->tid, NULL);
	}
	if (rr->stop_pipe[0] >= 0) {
		rr->lr->stop_fd = -1;
		close(rr->stop_pipe[0]);
		close(rr->stop_pipe[1]);
	}
	int read_error = rr->read_error;
	if (read_error && !rr->said_error)
		error("reading records: %s", strerror(rr->err)); /* before the records it ended were all taken */
	for (size_t i = 0; i < rr->n; i++)
		item_free(&rr->v[(rr->head + i) % rr->cap]);
	pthread_mutex_destroy(&rr->mu);
	pthread_cond_destroy(&rr->room);
	pthread_cond_destroy(&rr->ready);
	free(rr->v);
	free(rr);
	return read_error;
}

void record_item_free(struct record_item *it) { item_free(it); }

/* Without a thread to read on, the shaping comes before the callback. */
struct shaped_inline {
	record_shape_fn shape;
	record_fn fn;
	void *ctx;
};

static int shape_then_call(void *arg, long lineno, jv rec, const char *why)
{
	struct shaped_inline *si = arg;
	if (why)
		return si->fn(si->ctx, lineno, rec, why);
	jv out, id = jv_null();
	char no[LOOP_WHY];
	si->shape(NULL, rec, &out, &id, no, sizeof no);
	jv_free(id);
	return si->fn(si->ctx, lineno, out, NULL);
}

int records_each_shaped(struct line_reader *lr, record_shape_fn shape, record_fn fn, void *ctx)
{
	struct record_reader_opts o = { .max_items = 1024, .shape = shape };
	struct record_reader *rr = record_reader_start(lr, &o);
	if (!rr) {
		struct shaped_inline si = { shape, fn, ctx };
		return shape ? records_each(lr, shape_then_call, &si) : records_each(lr, fn, ctx);
	}
	struct record_item it;
	int rc = 0, r;
	while (!rc && (r = record_reader_take(rr, &it)) == 1) {
		/* a callback may ask for the bad line's id, as records_each's can */
		if (it.why[0])
			bad_line_id = jv_copy(it.id);
		rc = deliver(fn, ctx, it.lineno, it.rec, it.why, 0);
		it.rec = jv_invalid();
		record_item_free(&it);
	}
	if (!rc && r == -1)
		rc = -1;
	record_reader_stop(rr);
	return rc;
}

int records_each_threaded(struct line_reader *lr, record_fn fn, void *ctx)
{
	return records_each_shaped(lr, NULL, fn, ctx);
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
