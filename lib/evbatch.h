/* evbatch: the events of one network read, parsed as JSON before the
 * provider sees them. JSON parsing is nearly all the work of a fast stream,
 * so a large batch is split between this thread and one helper thread; the
 * provider still gets the events one by one, in order, with no added delay. */
#ifndef CHAT_EVBATCH_H
#define CHAT_EVBATCH_H
#include <jv.h>
#include <pthread.h>
#include "buf.h"
#include "sse.h"

struct ev_item {
	size_t type_off, data_off, data_len;
	jv json;            /* the parsed data, or jv_invalid() with a message */
};

struct evbatch {
	struct buf arena;   /* event types and data, copied */
	struct ev_item *items;
	size_t n, cap;
	/* the helper thread */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, stop;
	size_t job_from, job_to;   /* a range for the helper; job_to == 0: none */
	int job_done;
};

void evbatch_init(struct evbatch *b);
void evbatch_free(struct evbatch *b);
/* Copy an event in. 0, or -1 when out of memory. */
int evbatch_add(struct evbatch *b, const struct sse_event *ev);
/* Parse every event's data. */
void evbatch_parse(struct evbatch *b);
/* The event at i as the parser gave it (type and data point into the arena). */
struct sse_event evbatch_event(const struct evbatch *b, size_t i);
/* Free what the provider did not take and empty the batch. */
void evbatch_clear(struct evbatch *b);
#endif
