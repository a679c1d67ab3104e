#include "evbatch.h"
#include <stdlib.h>
#include <string.h>

/* Below this many events the hand-off costs more than it saves. */
#define PARALLEL_MIN 16

void evbatch_init(struct evbatch *b)
{
	memset(b, 0, sizeof *b);
	buf_init(&b->arena, (size_t)1 << 31);
}

static void parse_range(struct evbatch *b, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct ev_item *it = &b->items[i];
		it->json = jv_parse_sized(b->arena.p + it->data_off, (int)it->data_len);
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
		parse_range(b, from, to);
		pthread_mutex_lock(&b->mu);
		b->job_to = 0;
		b->job_done = 1;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
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
	evbatch_clear(b);
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
	buf_free(&b->arena);
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
	it->type_off = b->arena.len;
	if (buf_add(&b->arena, ev->type, strlen(ev->type) + 1) < 0)
		return -1;
	it->data_off = b->arena.len;
	it->data_len = ev->data_len;
	if (buf_add(&b->arena, ev->data, ev->data_len) < 0 || buf_addc(&b->arena, 0) < 0)
		return -1;
	it->json = jv_invalid();
	b->n++;
	return 0;
}

void evbatch_parse(struct evbatch *b)
{
	if (b->n < PARALLEL_MIN || !start_helper(b)) {
		parse_range(b, 0, b->n);
		return;
	}
	/* the helper takes the second half while this thread parses the first */
	size_t half = b->n / 2;
	pthread_mutex_lock(&b->mu);
	b->job_from = half;
	b->job_to = b->n;
	b->job_done = 0;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	parse_range(b, 0, half);
	pthread_mutex_lock(&b->mu);
	while (!b->job_done)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

struct sse_event evbatch_event(const struct evbatch *b, size_t i)
{
	const struct ev_item *it = &b->items[i];
	struct sse_event ev = { .type = b->arena.p + it->type_off, .data = b->arena.p + it->data_off,
				.data_len = it->data_len, .id = "" };
	return ev;
}

void evbatch_clear(struct evbatch *b)
{
	for (size_t i = 0; i < b->n; i++)
		jv_free(b->items[i].json);
	b->n = 0;
	buf_reset(&b->arena);
}
