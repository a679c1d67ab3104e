/* thread_start_beside: the function runs with its argument and its result
 * comes back through pthread_join; once running, the thread may use every
 * CPU its creator may (the start on another CPU is lifted); and it starts
 * on another CPU than its creator's when there is one, while the creator
 * keeps its CPU busy (a plain pthread_create mostly queues it behind the
 * creator: 5 in a row elsewhere is then most unlikely). */
#include "tap.h"
#include "thread.h"
#include <stdatomic.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* A thread of ours busy on some CPU until told to stop; where it is now. */
struct spinner {
	atomic_int started, stop, cpu;
};

static void *spin(void *p)
{
	struct spinner *a = p;
	a->cpu = sched_getcpu();
	a->started = 1;
	while (!a->stop)
		a->cpu = sched_getcpu();
	return NULL;
}

struct seen {
	int arg;
	cpu_set_t cpus;      /* the thread's own, as it runs */
	int cpu;             /* where it first ran */
	atomic_int started;
	struct spinner *beside;  /* another thread's, if any */
	int beside_cpu;          /* where that one was when this one first ran */
};

static void *look(void *p)
{
	struct seen *s = p;
	s->cpu = sched_getcpu();
	if (s->beside)
		s->beside_cpu = s->beside->cpu;
	sched_getaffinity(0, sizeof s->cpus, &s->cpus);
	s->started = 1;
	return (void *)(intptr_t)(s->arg * 2);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A settled thread's work is over once thread_settle returns. */
static atomic_int finished;
static void *slow(void *arg)
{
	(void)arg;
	double t0 = now_ms();
	while (now_ms() - t0 < 50)
		;
	finished = 1;
	return NULL;
}

static void test_settle(void)
{
	finished = 0;
	int r = thread_start_settled(slow, NULL);
	thread_settle();
	ok(r == 0 && finished, "thread_settle returns once a settled thread's 50 ms of work is done");
	thread_settle();
	ok(1, "a second thread_settle, with nothing to wait for, returns");
	int started = 0;
	for (int i = 0; i < 6; i++)
		started += thread_start_settled(slow, NULL) == 0;
	thread_settle();
	ok(started == 4, "at most 4 settled threads at a time (%d of 6 started)", started);
}


/* Jobs: handed to a settled thread once its own work is done, with the
 * caller's signal mask; else on a thread of their own. */
struct jobseen {
	pthread_t self;
	int after_settled;          /* the settled work was over when it began */
	int usr1_blocked, usr2_blocked;
	atomic_int hold;            /* spin until cleared */
};

static void *job_look(void *p)
{
	struct jobseen *j = p;
	j->self = pthread_self();
	j->after_settled = finished;
	sigset_t m;
	pthread_sigmask(SIG_SETMASK, NULL, &m);
	j->usr1_blocked = sigismember(&m, SIGUSR1);
	j->usr2_blocked = sigismember(&m, SIGUSR2);
	while (j->hold)
		;
	return (void *)(intptr_t)7;
}

/* a settled helper's own work, with every signal blocked as libcurl's is */
static void *slow_masked(void *arg)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	return slow(arg);
}

static void test_jobs(void)
{
	finished = 0;
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	int r = thread_start_settled(slow_masked, NULL);
	struct jobseen a = { .hold = 0 }, b = { .hold = 0 };
	struct thread_job ja, jb;
	int ra = thread_job_start(&ja, job_look, &a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	int rb = thread_job_start(&jb, job_look, &b);
	void *ret_a = ra ? NULL : thread_job_join(&ja), *ret_b = rb ? NULL : thread_job_join(&jb);
	ok(r == 0 && ra == 0 && !ja.own && (intptr_t)ret_a == 7 && a.after_settled,
	   "a job handed to a settled thread runs once its 50 ms of work is done, and join gives its result");
	ok(!pthread_equal(a.self, pthread_self()) && a.usr1_blocked && !a.usr2_blocked,
	   "it runs on that thread with the caller's signal mask, not the thread's own (SIGUSR1 blocked: %d, SIGUSR2: %d)",
	   a.usr1_blocked, a.usr2_blocked);
	ok(rb == 0 && jb.own && (intptr_t)ret_b == 7 && !b.usr1_blocked,
	   "a second job, with the settled thread taken, runs on a thread of its own");

	/* thread_settle waits for a settled thread's own work, not its job */
	finished = 0;
	struct jobseen c = { .hold = 1 };
	struct thread_job jc;
	r = thread_start_settled(slow, NULL);
	int rc = thread_job_start(&jc, job_look, &c);
	thread_settle();
	int settled_first = finished && c.hold;
	c.hold = 0;
	if (rc == 0)
		thread_job_join(&jc);
	ok(r == 0 && rc == 0 && !jc.own && settled_first,
	   "thread_settle returns after the settled work while the job it took still runs");
}


/* A settled thread never ends, idle or after a job: the thread that ran
 * libcurl's init, ending while exit cleaned OpenSSL up, left OpenSSL's
 * state for it behind. A key's destructor would mark its end. */
static pthread_key_t end_key;
static atomic_int helper_ended;
static void mark_end(void *p)
{
	(void)p;
	helper_ended = 1;
}

static void *keyed(void *arg)
{
	pthread_setspecific(end_key, &helper_ended);
	return arg;
}

static void test_never_ends(void)
{
	helper_ended = 0;
	pthread_key_create(&end_key, mark_end);
	int r = thread_start_settled(keyed, NULL);
	thread_settle();
	struct jobseen a = { .hold = 0 };
	struct thread_job ja;
	int ra = thread_job_start(&ja, job_look, &a);
	if (ra == 0)
		thread_job_join(&ja);
	/* the old helper waited 250 ms for a job, then ended: look for 400 */
	double t0 = now_ms();
	while (!helper_ended && now_ms() - t0 < 400)
		;
	ok(r == 0 && ra == 0 && !ja.own && !helper_ended,
	   "a settled thread, its work done and a job handed over meanwhile, has not ended 400 ms on");
}

int main(void)
{
	test_jobs();
	test_settle();
	test_never_ends();
	cpu_set_t mine;
	sched_getaffinity(0, sizeof mine, &mine);
	struct seen s = { .arg = 21 };
	pthread_t t;
	int r = thread_start_beside(&t, look, &s);
	void *ret = NULL;
	if (r == 0)
		pthread_join(t, &ret);
	ok(r == 0 && (intptr_t)ret == 42, "the thread ran fn(arg) and pthread_join gives its result");
	ok(r == 0 && CPU_EQUAL(&s.cpus, &mine), "running, it may use all %d of its creator's CPUs",
	   CPU_COUNT(&mine));

	if (CPU_COUNT(&mine) < 2) {
		skip("one CPU: there is no other to start on");
	} else {
		/* a busy creator: each of 5 threads must first run on another
		 * CPU than the one it was created on (a trial in which the
		 * creator itself moved is made again) */
		int elsewhere = 0, trials = 0;
		while (elsewhere < 5 && trials < 50) {
			struct seen b = { .arg = 1 };
			int before = sched_getcpu();
			r = thread_start_beside(&t, look, &b);
			int after = sched_getcpu();
			double t0 = now_ms();
			while (!b.started && now_ms() - t0 < 2000)
				;       /* busy, as a creator building a request is */
			if (r == 0)
				pthread_join(t, NULL);
			trials++;
			if (r || before != after)
				continue;
			if (b.cpu == before)
				break;
			elsewhere++;
		}
		ok(elsewhere == 5, "5 threads of a busy creator each started on another CPU (%d trials)", trials);
	}

	if (CPU_COUNT(&mine) != 2) {
		skip("not 2 CPUs: the case of every other CPU taken by a thread of ours");
	} else {
		/* with the other CPU running a thread of ours, the next starts on
		 * its creator's, which then waits: not queued behind the first */
		int apart = 0, trials = 0;
		while (apart < 5 && trials < 50) {
			struct spinner a = { 0 };
			pthread_t ta;
			trials++;
			if (thread_start_beside(&ta, spin, &a))
				break;
			while (!a.started)
				;
			struct seen b = { .arg = 1, .beside = &a, .beside_cpu = -1 };
			int before = sched_getcpu();
			r = thread_start_beside(&t, look, &b);
			if (r == 0)
				pthread_join(t, NULL);
			a.stop = 1;
			pthread_join(ta, NULL);
			if (r || before == a.cpu)
				continue;       /* the first one moved to this CPU meanwhile */
			if (b.cpu == b.beside_cpu)
				break;
			apart++;
		}
		ok(apart == 5, "5 times, a thread started while another of ours ran on the other CPU ran beside it, "
		   "not behind it (%d trials)", trials);
	}
	return tap_done();
}
