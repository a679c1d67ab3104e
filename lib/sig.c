#include "sig.h"
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t sig_caught;

static void on_signal(int signo)
{
	if (sig_caught && signo != SIGPIPE) {
		/* a second ^C means now */
		signal(signo, SIG_DFL);
		raise(signo);
	}
	sig_caught = signo;
}

void sig_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a closed terminal or ssh session: save what arrived, as for SIGTERM */
	sigaction(SIGHUP, &sa, NULL);
	/* libcurl runs with CURLOPT_NOSIGNAL, so SIGPIPE is ours to handle: EPIPE instead */
	signal(SIGPIPE, SIG_IGN);
}

void sig_note_pipe(void)
{
	if (!sig_caught)
		sig_caught = SIGPIPE;
}

void sig_reraise(void)
{
	int s = sig_caught;
	if (!s)
		return;
	signal(s, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, s);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(s);
	_exit(128 + s);
}

int sig_status(void)
{
	int s = sig_caught;
	return 128 + (s ? s : SIGINT);
}
