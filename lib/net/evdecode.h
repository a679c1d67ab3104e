/* evdecode: the events of one network read, parsed and decoded before they
 * are applied to the reply. JSON parsing is nearly all the work of a fast
 * stream, so a large batch is split between this thread and one helper
 * thread, each with its own arena, so nothing allocated on one thread is
 * freed on the other; the reply still sees the events one by one, in
 * order, with no added delay. */
#ifndef CHAT_EVDECODE_H
#define CHAT_EVDECODE_H
#include <pthread.h>
#include "buf.h"
#include "jxparse.h"
#include "providers/provider.h"

struct ev_item {
	size_t type_off, data_off, data_len;
	struct provider_event d;
	int half;             /* which arena holds the decoded text */
};

struct evdecode {
	const struct provider *p;
	struct buf in;        /* event types and data, copied from the parser */
	struct buf out[2];    /* decoded text: [0] this thread's, [1] the helper's */
	struct jx_parser parser[2];  /* each thread's own */
	struct ev_item *items;
	size_t n, cap;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, stop;
	int one_thread;       /* never hand work to the helper (the bench's control) */
	int model_known;      /* the reply has its model: the decoders skip reading it */
	size_t job_from, job_to;   /* the helper's range; job_to == 0: none */
	int job_done;
};

void evdecode_init(struct evdecode *b, const struct provider *p);
void evdecode_free(struct evdecode *b);
/* Copy an event in. 0, or -1 when out of memory. */
int evdecode_add(struct evdecode *b, const struct sse_event *ev);
/* Parse and decode every event. */
void evdecode_decode(struct evdecode *b);
/* The decoded text or model of item i. */
const char *evdecode_text(const struct evdecode *b, size_t i, size_t off);
void evdecode_clear(struct evdecode *b);
/* Replace each lone UTF-16 surrogate escape in the JSON text s[0..n) — a
 * \uD800-\uDBFF not followed by a \uDC00-\uDFFF, or such a low half on
 * its own — with \uFFFD, in place (the same length). jq 1.6 refuses the
 * lone high half that the official SDKs decode as U+FFFD. The count replaced. */
size_t evdecode_fix_surrogates(char *s, size_t n);
#endif
