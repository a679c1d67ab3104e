/* image_rowpipe: a ring of ROWPIPE_SLOTS bands between the decoding thread,
 * which fills them, and a worker, which shrinks them in order. One mutex and
 * one condition variable serve both directions: the ring is short and the
 * waits are rare. The shrinker is touched by the worker alone until the end. */
#include "media/image_rowpipe.h"
#include "thread.h"
#include <stdlib.h>
#include <string.h>

size_t rowpipe_bytes(size_t stride, int band, int threaded)
{
	return stride * (size_t)band * (threaded ? ROWPIPE_SLOTS : 1);
}

static unsigned char *slot_at(const struct rowpipe *p, int i)
{
	return p->mem + (size_t)i * p->band * p->stride;
}

static void shrink_slot(struct rowpipe *p, int i)
{
	unsigned char *r = slot_at(p, i);
	for (int k = 0; k < p->rows[i]; k++, r += p->stride)
		shrinker_row(p->s, r);
}

static void *work(void *arg)
{
	struct rowpipe *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->filled && !p->done && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || !p->filled)
			break;
		int i = p->tail;
		pthread_mutex_unlock(&p->mu);
		shrink_slot(p, i);
		pthread_mutex_lock(&p->mu);
		p->tail = (p->tail + 1) % ROWPIPE_SLOTS;
		p->filled--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int rowpipe_start(struct rowpipe *p, struct shrinker *s, size_t stride, int band, int threaded)
{
	memset(p, 0, sizeof *p);
	p->s = s;
	p->stride = stride;
	p->band = band;
	p->mem = malloc(rowpipe_bytes(stride, band, threaded));
	if (!p->mem)
		return -1;
	if (threaded && !pthread_mutex_init(&p->mu, NULL)) {
		if (!pthread_cond_init(&p->cv, NULL)) {
			if (!thread_start_beside(&p->worker, work, p)) {
				p->threaded = 1;
				return 0;
			}
			pthread_cond_destroy(&p->cv);
		}
		pthread_mutex_destroy(&p->mu);
	}
	return 0;       /* shrink inline, in the first slot */
}

unsigned char *rowpipe_slot(struct rowpipe *p)
{
	if (!p->threaded)
		return p->mem;
	pthread_mutex_lock(&p->mu);
	while (p->filled == ROWPIPE_SLOTS)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return slot_at(p, p->head);
}

void rowpipe_push(struct rowpipe *p, int rows)
{
	if (!p->threaded) {
		p->rows[0] = rows;
		shrink_slot(p, 0);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->rows[p->head] = rows;
	p->head = (p->head + 1) % ROWPIPE_SLOTS;
	p->filled++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void rowpipe_end(struct rowpipe *p, int abandon)
{
	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		if (abandon)
			p->stop = 1;
		else
			p->done = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->worker, NULL);
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
	}
	free(p->mem);
	memset(p, 0, sizeof *p);
}
