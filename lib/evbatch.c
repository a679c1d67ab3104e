#include "evbatch.h"
#include <jv.h>
#include "jsonx.h"
#include <stdlib.h>
#include <string.h>

/* Below this many events the hand-off costs more than it saves. */
#define PARALLEL_MIN 16

void evbatch_init(struct evbatch *b, const struct provider *p)
{
	memset(b, 0, sizeof *b);
	b->p = p;
	buf_init(&b->in, (size_t)1 << 31);
	buf_init(&b->out[0], (size_t)1 << 31);
	buf_init(&b->out[1], (size_t)1 << 31);
}

static void decode_range(struct evbatch *b, size_t from, size_t to, int half)
{
	for (size_t i = from; i < to; i++) {
		struct ev_item *it = &b->items[i];
		struct sse_event ev = { .type = b->in.p + it->type_off, .data = b->in.p + it->data_off,
					.data_len = it->data_len, .id = "" };
		jv data = jv_parse_sized(ev.data, (int)ev.data_len);
		memset(&it->d, 0, sizeof it->d);
		it->half = half;
		b->p->decode(&ev, data, &it->d, &b->out[half]);
	}
}

static void *helper(void *arg)
{
	struct evbatch *b = arg;
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
	jx_forget_keys();
	return NULL;
}

static int start_helper(struct evbatch *b)
{
	if (b->started)
		return b->started > 0;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	b->started = pthread_create(&b->thread, NULL, helper, b) == 0 ? 1 : -1;
	return b->started > 0;
}

void evbatch_free(struct evbatch *b)
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
	free(b->items);
	buf_free(&b->in);
	buf_free(&b->out[0]);
	buf_free(&b->out[1]);
}

int evbatch_add(struct evbatch *b, const struct sse_event *ev)
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

void evbatch_decode(struct evbatch *b)
{
	if (b->n < PARALLEL_MIN || !start_helper(b)) {
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

const char *evbatch_text(const struct evbatch *b, size_t i, size_t off)
{
	return b->out[b->items[i].half].p + off;
}

void evbatch_clear(struct evbatch *b)
{
	b->n = 0;
	buf_reset(&b->in);
	buf_reset(&b->out[0]);
	buf_reset(&b->out[1]);
}
