#include "net/evdecode.h"
#include <jv.h>
#include "jsonx.h"
#include "jxparse.h"
#include "thread.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Below this many events the hand-off costs more than it saves. */
#define PARALLEL_MIN 16

void evdecode_init(struct evdecode *b, const struct provider *p)
{
	memset(b, 0, sizeof *b);
	b->p = p;
	buf_init(&b->in, (size_t)1 << 31);
	buf_init(&b->out[0], (size_t)1 << 31);
	buf_init(&b->out[1], (size_t)1 << 31);
}

/* The value of four hex digits at p, or -1. */
static long hex4(const char *p)
{
	long v = 0;
	for (int k = 0; k < 4; k++) {
		char c = p[k];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

size_t evdecode_fix_surrogates(char *s, size_t n)
{
	size_t fixed = 0;
	/* backslashes only occur inside strings in JSON, so reading escape
	 * by escape (\\ is one) keeps every \u we test a real one */
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		long u = s[i + 1] == 'u' && i + 6 <= n ? hex4(s + i + 2) : -1;
		if (u < 0xD800 || u > 0xDFFF) {
			i += u < 0 ? 1 : 5; /* another escape, or a \u that is no surrogate */
			continue;
		}
		long lo = u <= 0xDBFF && i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u' ? hex4(s + i + 8) : -1;
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			i += 11; /* a whole pair */
			continue;
		}
		memcpy(s + i, "\\uFFFD", 6);
		fixed++;
		i += 5;
	}
	return fixed;
}

/* An event's JSON, with lone surrogates read as U+FFFD the way the SDKs
 * read them; the bytes are this batch's own copy, so they may be fixed
 * in place, and only when jq refused them (the usual case costs nothing). */
static jv parse_event(struct jx_parser *jp, char *data, size_t len)
{
	jv v = jx_parse(jp, data, len);
	if (!jv_is_valid(v) && evdecode_fix_surrogates(data, len)) {
		jv_free(v);
		v = jx_parse(jp, data, len);
	}
	return v;
}

/* The usage object item i's decoder left unread, read into it (and
 * freed): on the thread that parsed it. */
static void read_later(struct evdecode *b, size_t i)
{
	struct provider_event *d = &b->items[i].d;
	b->p->read_usage(d->usage_later, &d->usage, &d->usage_mask);
	d->usage_later = jv_invalid();
}

static void decode_range(struct evdecode *b, size_t from, size_t to, int half)
{
	/* the item whose usage object is unread: only the last one before
	 * the range ends or an error stops the reply is read; an earlier one
	 * would be overwritten by it when applied */
	size_t unread = SIZE_MAX;
	for (size_t i = from; i < to; i++) {
		struct ev_item *it = &b->items[i];
		struct sse_event ev = { .type = b->in.p + it->type_off, .data = b->in.p + it->data_off,
					.data_len = it->data_len, .id = "" };
		jv data = parse_event(&b->parser[half], b->in.p + it->data_off, ev.data_len);
		/* all but the error's message, which is written whole when set */
		memset(&it->d, 0, offsetof(struct provider_event, err.message));
		it->d.err.message[0] = 0;
		it->d.model_known = b->model_known;
		it->half = half;
		it->d.usage_later = jv_invalid();
		b->p->decode(&ev, data, &it->d, &b->out[half]);
		if (jv_is_valid(it->d.usage_later)) {
			if (unread != SIZE_MAX) {
				jv_free(b->items[unread].d.usage_later);
				b->items[unread].d.usage_later = jv_invalid();
			}
			unread = i;
		}
		if (it->d.err.code && unread != SIZE_MAX) {
			read_later(b, unread);
			unread = SIZE_MAX;
		}
	}
	if (unread != SIZE_MAX)
		read_later(b, unread);
}

static void *helper(void *arg)
{
	struct evdecode *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && !b->job_to)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->stop)
			break;
		size_t from = b->job_from, to = b->job_to;
		pthread_mutex_unlock(&b->mu);
		decode_range(b, from, to, 1);
		pthread_mutex_lock(&b->mu);
		b->job_to = 0;
		b->job_done = 1;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	jx_parser_free(&b->parser[1]);
	jx_forget_keys();
	return NULL;
}

static int start_helper(struct evdecode *b)
{
	if (b->started)
		return b->started > 0;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	b->started = thread_start_beside(&b->thread, helper, b) == 0 ? 1 : -1;
	return b->started > 0;
}

void evdecode_free(struct evdecode *b)
{
	if (b->started > 0) {
		pthread_mutex_lock(&b->mu);
		b->stop = 1;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->thread, NULL);
	}
	if (b->started) {
		pthread_mutex_destroy(&b->mu);
		pthread_cond_destroy(&b->cv);
	}
	jx_parser_free(&b->parser[0]);
	jx_parser_free(&b->parser[1]);
	free(b->items);
	buf_free(&b->in);
	buf_free(&b->out[0]);
	buf_free(&b->out[1]);
}

int evdecode_add(struct evdecode *b, const struct sse_event *ev)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct ev_item *p = realloc(b->items, cap * sizeof *p);
		if (!p)
			return -1;
		b->items = p;
		b->cap = cap;
	}
	if (ev->data_len > 0x7fffffff)
		return -1;
	struct ev_item *it = &b->items[b->n];
	it->type_off = b->in.len;
	if (buf_add(&b->in, ev->type, strlen(ev->type) + 1) < 0)
		return -1;
	it->data_off = b->in.len;
	it->data_len = ev->data_len;
	if (buf_add(&b->in, ev->data, ev->data_len) < 0 || buf_addc(&b->in, 0) < 0)
		return -1;
	b->n++;
	return 0;
}

void evdecode_decode(struct evdecode *b)
{
	if (b->n < PARALLEL_MIN || b->one_thread || !start_helper(b)) {
		decode_range(b, 0, b->n, 0);
		return;
	}
	/* the helper takes the second half while this thread does the first */
	size_t half = b->n / 2;
	pthread_mutex_lock(&b->mu);
	b->job_from = half;
	b->job_to = b->n;
	b->job_done = 0;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	decode_range(b, 0, half, 0);
	pthread_mutex_lock(&b->mu);
	while (!b->job_done)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

const char *evdecode_text(const struct evdecode *b, size_t i, size_t off)
{
	return b->out[b->items[i].half].p + off;
}

void evdecode_clear(struct evdecode *b)
{
	b->n = 0;
	buf_reset(&b->in);
	buf_reset(&b->out[0]);
	buf_reset(&b->out[1]);
}
