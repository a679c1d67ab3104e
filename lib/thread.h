/* thread: a thread meant to run beside its creator, started on another CPU.
 * Linux queues a new thread on its creator's CPU and moves it only at the
 * next load balancing: on this project's 2-CPU machines a thread made by a
 * busy creator waited 2 to 3 ms before its first instruction, against
 * 0.08 ms when started elsewhere. So the history's commit beside the
 * request, the second half of a stream's decode and the JPEG encoder beside
 * the decoder would wait for their creator to block. The thread starts
 * restricted to the creator's other allowed CPUs and lifts the restriction
 * as soon as it runs; with one CPU allowed it is a plain pthread_create. */
#ifndef CHAT_THREAD_H
#define CHAT_THREAD_H
#include <pthread.h>
#include <signal.h>

/* pthread_create(t, NULL, fn, arg), started beside the caller: 0 or an
 * error number. */
int thread_start_beside(pthread_t *t, void *(*fn)(void *), void *arg);

/* A thread started beside the caller whose work must be over before the
 * process exits: thread_settle, called on every way out (die, die_usage,
 * cli_exit), waits for it. (libcurl's global init registers OpenSSL's
 * clean-up with atexit while it runs: an exit under way meanwhile would
 * clean up what the thread is still setting up.) 0 or an error number;
 * at most 4 at a time. Its work done, the thread takes the jobs
 * thread_job_start hands over, one at a time, and never ends. */
int thread_start_settled(void *(*fn)(void *), void *arg);
void thread_settle(void);

/* Work run beside the caller: on a settled thread not running another job
 * (once its own work is done), else on a thread of its own
 * (thread_start_beside).
 * It runs with the signal mask the caller had at thread_job_start. */
struct thread_job {
	void *(*fn)(void *);
	void *arg;
	sigset_t mask;
	int own;          /* on a thread of its own: t */
	pthread_t t;
	int done;         /* on a settled thread: finished, ret its result */
	void *ret;
};
/* 0 or an error number (then nothing runs). */
int thread_job_start(struct thread_job *j, void *(*fn)(void *), void *arg);
/* Wait for the job; its result. */
void *thread_job_join(struct thread_job *j);
#endif
