/* sig: SIGINT, SIGTERM, SIGHUP (and EPIPE on stdout, reported as SIGPIPE)
 * only set a flag; the program stops its transfer, saves what arrived, then
 * dies by the same signal so the calling shell sees the true cause (130,
 * 143, 129, 141). */
#ifndef CHAT_SIG_H
#define CHAT_SIG_H
#include <signal.h>

extern volatile sig_atomic_t sig_caught;
void sig_install(void);
/* Record that stdout's reader went away; sig_caught becomes SIGPIPE. */
void sig_note_pipe(void);
/* If a signal was caught, restore its default action and raise it. */
void sig_reraise(void);
/* The exit status of a run a signal stopped: 128 + the signal, or SIGINT's
 * (130) when a transfer reported the stop before the flag was seen. */
int sig_status(void);
#endif
