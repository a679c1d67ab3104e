#include "thread.h"
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

/* How many threads started here are running on each CPU (where each first
 * ran): a new one is not started behind another's work. */
#define CPUS_KEPT 64
static atomic_int helpers_on[CPUS_KEPT];

struct start {
	void *(*fn)(void *);
	void *arg;
	cpu_set_t all;        /* the creator's CPUs, given back once running */
	int narrowed;
	int batch;            /* started as SCHED_BATCH, made SCHED_OTHER once running */
};

static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;
	free(p);
	if (s.narrowed)
		pthread_setaffinity_np(pthread_self(), sizeof s.all, &s.all);
	if (s.batch) {
		struct sched_param none = { 0 };
		pthread_setschedparam(pthread_self(), SCHED_OTHER, &none);
	}
	int cpu = sched_getcpu();
	if (cpu >= 0 && cpu < CPUS_KEPT)
		atomic_fetch_add(&helpers_on[cpu], 1);
	void *r = s.fn(s.arg);
	if (cpu >= 0 && cpu < CPUS_KEPT)
		atomic_fetch_sub(&helpers_on[cpu], 1);
	return r;
}

/* The CPUs of set with no thread of ours started there still running. */
static cpu_set_t without_helpers(cpu_set_t set)
{
	for (int c = 0; c < CPUS_KEPT; c++)
		if (atomic_load(&helpers_on[c]) > 0)
			CPU_CLR(c, &set);
	return set;
}

int thread_start_beside(pthread_t *t, void *(*fn)(void *), void *arg)
{
	struct start *s = malloc(sizeof *s);
	if (!s)
		return pthread_create(t, NULL, fn, arg);
	s->fn = fn;
	s->arg = arg;
	s->narrowed = s->batch = 0;
	pthread_attr_t a;
	int attr = pthread_attr_init(&a) == 0, cpu = sched_getcpu();
	if (attr && cpu >= 0 && sched_getaffinity(0, sizeof s->all, &s->all) == 0 && CPU_COUNT(&s->all) > 1 &&
	    CPU_ISSET(cpu, &s->all)) {
		/* another CPU, else the creator's own (it is about to wait on
		 * the network or on this thread) rather than behind another of
		 * ours on a 2-CPU machine */
		cpu_set_t free_cpus = without_helpers(s->all), others = free_cpus;
		CPU_CLR(cpu, &others);
		if (!CPU_COUNT(&others) && CPU_ISSET(cpu, &free_cpus)) {
			/* on the creator's CPU: not before the creator waits */
			struct sched_param none = { 0 };
			others = free_cpus;
			s->batch = pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED) == 0 &&
				   pthread_attr_setschedpolicy(&a, SCHED_BATCH) == 0 &&
				   pthread_attr_setschedparam(&a, &none) == 0;
		}
		if (CPU_COUNT(&others))
			s->narrowed = pthread_attr_setaffinity_np(&a, sizeof others, &others) == 0;
	}
	int r = pthread_create(t, attr ? &a : NULL, trampoline, s);
	if (r && (s->narrowed || s->batch)) {
		/* the narrower set refused (the allowed CPUs changed meanwhile) */
		s->narrowed = s->batch = 0;
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
