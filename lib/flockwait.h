/* flockwait: take an exclusive flock with a deadline by blocking in the
 * kernel, not by polling: a waiter sleeps until the holder lets go, so a
 * crowd of processes does not spin against each other and the lock passes
 * on as soon as it is free. */
#ifndef CHAT_FLOCKWAIT_H
#define CHAT_FLOCKWAIT_H

/* 0 with the lock held; -1 with errno ETIMEDOUT (not had within
 * timeout_ms), EINTR (a signal the program acts on arrived: sig_caught is
 * set) or flock's own error. */
int flock_wait(int fd, long timeout_ms);
#endif
