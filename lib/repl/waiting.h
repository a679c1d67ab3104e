/* waiting: the small indicator an interactive session shows on stderr
 * while the model has not yet said anything — drawn by a thread of its
 * own, and gone, its line cleared, before the reply's first byte. */
#ifndef CHAT_WAITING_H
#define CHAT_WAITING_H
#include <pthread.h>

struct waiting {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int running, stop, fd;
	int utf8;                /* braille dots, else |/-\ */
};

/* Start drawing on fd (a terminal). */
void waiting_start(struct waiting *w, int fd);
/* Stop and clear the line; returns when the line is clear. Safe to call
 * when not started or already stopped. */
void waiting_stop(struct waiting *w);
/* waiting_stop, shaped as ask's before_output hook. */
void waiting_stop_hook(void *w);
#endif
