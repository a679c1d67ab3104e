#include "thread.h"
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

/* How many threads started here are running on each CPU (where each first
 * ran): a new one is not started behind another's work. */
#define CPUS_KEPT 64
static atomic_int helpers_on[CPUS_KEPT];
static _Thread_local int my_cpu = -1;   /* a helper's entry in helpers_on */

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
	if (cpu >= 0 && cpu < CPUS_KEPT) {
		my_cpu = cpu;
		atomic_fetch_add(&helpers_on[cpu], 1);
	}
	void *r = s.fn(s.arg);
	if (my_cpu >= 0)
		atomic_fetch_sub(&helpers_on[my_cpu], 1);
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

/* Settled helpers. Once its own work is done, a helper takes the jobs
 * handed over (thread_job_start) one at a time: the history's writer,
 * wanted a moment after libcurl's global init began, then needs no thread
 * of its own, whose making cost the main thread 0.17 ms on this project's
 * VM (the stack's mapping, the clone, and the new thread taking the CPU).
 * It never ends: the thread that ran libcurl's init holds OpenSSL's state
 * for it, and a thread ending while exit cleans OpenSSL up (a wait for
 * jobs that timed out then) left that state behind (LeakSanitizer saw
 * it, a run of a quarter of a second ending just as the wait did). Idle,
 * it sleeps until the process exits. */
#define SETTLED_MAX 4
static pthread_mutex_t settled_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t settled_cv = PTHREAD_COND_INITIALIZER; /* busy, handed or a job's done changed */
static int settled_busy;                 /* helpers still in their own work */
static int helpers_taking;               /* helpers that will take a handed job (not running one) */
static struct thread_job *handed;        /* handed over, not yet taken */
static _Thread_local int settled_self;   /* this thread is a busy settled helper */

struct settled_start {
	void *(*fn)(void *);
	void *arg;
};

static void job_run(struct thread_job *j)
{
	pthread_sigmask(SIG_SETMASK, &j->mask, NULL);
	void *r = j->fn(j->arg);
	pthread_mutex_lock(&settled_mu);
	j->ret = r;
	j->done = 1;
	pthread_cond_broadcast(&settled_cv);
	pthread_mutex_unlock(&settled_mu);
}

static void *settled_main(void *p)
{
	struct settled_start s = *(struct settled_start *)p;
	free(p);
	settled_self = 1;
	s.fn(s.arg);
	settled_self = 0;
	sigset_t own;
	pthread_sigmask(SIG_SETMASK, NULL, &own);
	/* idle while it waits: not a helper busy on its CPU */
	if (my_cpu >= 0)
		atomic_fetch_sub(&helpers_on[my_cpu], 1);
	pthread_mutex_lock(&settled_mu);
	settled_busy--;
	pthread_cond_broadcast(&settled_cv);
	for (;;) {
		while (!handed)
			pthread_cond_wait(&settled_cv, &settled_mu);
		struct thread_job *j = handed;
		handed = NULL;
		helpers_taking--;
		pthread_mutex_unlock(&settled_mu);
		if (my_cpu >= 0)
			atomic_fetch_add(&helpers_on[my_cpu], 1);
		job_run(j);
		pthread_sigmask(SIG_SETMASK, &own, NULL);
		if (my_cpu >= 0)
			atomic_fetch_sub(&helpers_on[my_cpu], 1);
		pthread_mutex_lock(&settled_mu);
		helpers_taking++;
	}
	return NULL; /* not reached */
}

int thread_start_settled(void *(*fn)(void *), void *arg)
{
	struct settled_start *s = malloc(sizeof *s);
	if (!s)
		return ENOMEM;
	s->fn = fn;
	s->arg = arg;
	pthread_t t;
	pthread_mutex_lock(&settled_mu);
	int r = settled_busy < SETTLED_MAX ? thread_start_beside(&t, settled_main, s) : EAGAIN;
	if (!r) {
		pthread_detach(t); /* thread_settle waits for its work, not for the thread */
		settled_busy++;
		helpers_taking++;
	}
	pthread_mutex_unlock(&settled_mu);
	if (r)
		free(s);
	return r;
}

void thread_settle(void)
{
	pthread_mutex_lock(&settled_mu);
	while (settled_busy > settled_self)
		pthread_cond_wait(&settled_cv, &settled_mu);
	pthread_mutex_unlock(&settled_mu);
}

int thread_job_start(struct thread_job *j, void *(*fn)(void *), void *arg)
{
	j->fn = fn;
	j->arg = arg;
	j->done = 0;
	j->ret = NULL;
	pthread_sigmask(SIG_SETMASK, NULL, &j->mask);
	pthread_mutex_lock(&settled_mu);
	j->own = !(helpers_taking > 0 && !handed);
	if (!j->own) {
		handed = j;
		pthread_cond_broadcast(&settled_cv);
	}
	pthread_mutex_unlock(&settled_mu);
	return j->own ? thread_start_beside(&j->t, fn, arg) : 0;
}

void *thread_job_join(struct thread_job *j)
{
	void *r = NULL;
	if (j->own) {
		pthread_join(j->t, &r);
		return r;
	}
	pthread_mutex_lock(&settled_mu);
	while (!j->done)
		pthread_cond_wait(&settled_cv, &settled_mu);
	r = j->ret;
	pthread_mutex_unlock(&settled_mu);
	return r;
}
