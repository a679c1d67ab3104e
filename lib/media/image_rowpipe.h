/* image_rowpipe: decoded rows handed to a shrinker in bands, on a second
 * thread when asked, so decoding the next band overlaps shrinking the last. */
#ifndef CHAT_IMAGE_ROWPIPE_H
#define CHAT_IMAGE_ROWPIPE_H
#include "media/image_shrinker.h"
#include <pthread.h>

#define ROWPIPE_SLOTS 4

struct rowpipe {
	struct shrinker *s;
	size_t stride;                  /* bytes in a row */
	int band;                       /* rows in a slot */
	unsigned char *mem;             /* ROWPIPE_SLOTS slots (one when not threaded) */
	int rows[ROWPIPE_SLOTS];        /* rows filled in each slot */
	int head, tail, filled;         /* the slot being filled, the next to shrink, how many wait */
	int threaded, done, stop;
	pthread_t worker;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Bytes rowpipe_start allocates. */
size_t rowpipe_bytes(size_t stride, int band, int threaded);
/* 0, or -1 when out of memory. Without a thread (threaded 0, or none could
 * be started) each band is shrunk as it is pushed. */
int rowpipe_start(struct rowpipe *p, struct shrinker *s, size_t stride, int band, int threaded);
/* The slot to fill next, band rows of stride bytes (waits for one to be free). */
unsigned char *rowpipe_slot(struct rowpipe *p);
/* The slot from rowpipe_slot now holds rows rows, to be shrunk in order. */
void rowpipe_push(struct rowpipe *p, int rows);
/* Wait until every pushed row is shrunk (abandon 0), or stop at once
 * (abandon 1: the decode failed); then free. Safe on a pipe never started. */
void rowpipe_end(struct rowpipe *p, int abandon);
#endif
