#include "thread.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

struct start {
	void *(*fn)(void *);
	void *arg;
	cpu_set_t all;        /* the creator's CPUs, given back once running */
	int narrowed;
};

static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;
	free(p);
	if (s.narrowed)
		pthread_setaffinity_np(pthread_self(), sizeof s.all, &s.all);
	return s.fn(s.arg);
}

int thread_start_beside(pthread_t *t, void *(*fn)(void *), void *arg)
{
	struct start *s = malloc(sizeof *s);
	if (!s)
		return pthread_create(t, NULL, fn, arg);
	s->fn = fn;
	s->arg = arg;
	s->narrowed = 0;
	pthread_attr_t a;
	int attr = pthread_attr_init(&a) == 0, cpu = sched_getcpu();
	if (attr && cpu >= 0 && sched_getaffinity(0, sizeof s->all, &s->all) == 0 && CPU_COUNT(&s->all) > 1 &&
	    CPU_ISSET(cpu, &s->all)) {
		cpu_set_t others = s->all;
		CPU_CLR(cpu, &others);
		s->narrowed = pthread_attr_setaffinity_np(&a, sizeof others, &others) == 0;
	}
	int r = pthread_create(t, attr ? &a : NULL, trampoline, s);
	if (r && s->narrowed) {
		/* the narrower set refused (the allowed CPUs changed meanwhile) */
		s->narrowed = 0;
		r = pthread_create(t, NULL, trampoline, s);
	}
	if (attr)
		pthread_attr_destroy(&a);
	if (r)
		free(s);
	return r;
}

#define SETTLED_MAX 4
static pthread_mutex_t settled_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t settled[SETTLED_MAX];
static int nsettled;

int thread_start_settled(void *(*fn)(void *), void *arg)
{
	pthread_mutex_lock(&settled_mu);
	int r = nsettled < SETTLED_MAX ? thread_start_beside(&settled[nsettled], fn, arg) : EAGAIN;
	if (!r)
		nsettled++;
	pthread_mutex_unlock(&settled_mu);
	return r;
}

void thread_settle(void)
{
	pthread_mutex_lock(&settled_mu);
	pthread_t self = pthread_self();
	for (int i = 0; i < nsettled; i++)
		if (!pthread_equal(settled[i], self))
			pthread_join(settled[i], NULL);
	nsettled = 0;
	pthread_mutex_unlock(&settled_mu);
}
