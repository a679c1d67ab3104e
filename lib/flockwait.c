#include "flockwait.h"
#include "clock.h"
#include "sig.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The deadline interrupts the blocked flock with a signal of its own, sent
 * to this thread alone, whose handler does nothing: it only makes the call
 * return EINTR. */
static void on_deadline(int signo)
{
	(void)signo;
}

static int deadline_signal(void)
{
	return SIGRTMIN + 3;
}

int flock_wait(int fd, long timeout_ms)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -1;
	if (timeout_ms <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	int signo = deadline_signal();
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_deadline;   /* no SA_RESTART: flock must return */
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, &old) < 0)
		return -1;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = signo;
	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	timer_t timer;
	int have_timer = timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0;
	if (have_timer) {
		/* then every 50 ms, should a wake-up be lost to a race */
		struct itimerspec its = { { 0, 50000000L }, { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L } };
		timer_settime(timer, 0, &its, NULL);
	}
	long start = now_ms();
	int rc, err = 0;
	for (;;) {
		rc = have_timer ? flock(fd, LOCK_EX) : flock(fd, LOCK_EX | LOCK_NB);
		if (rc == 0)
			break;
		err = errno;
		if (err != EINTR && err != EWOULDBLOCK)
			break;
		if (sig_caught) {
			err = EINTR;
			break;
		}
		if (now_ms() - start >= timeout_ms) {
			err = ETIMEDOUT;
			break;
		}
		if (!have_timer) {
			/* no timer to wake us: a short sleep between tries */
			struct timespec ts = { 0, 2000000L };
			nanosleep(&ts, NULL);
		}
		/* another signal, or the timer a moment early: wait on */
	}
	if (have_timer)
		timer_delete(timer);
	sigaction(signo, &old, NULL);
	errno = err;
	return rc;
}
