#include "keyinput.h"
#include "config.h"
#include "diag.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* The signals during which the terminal must not stay silent: those that
 * end the program, and those that stop it. */
static const int watched[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
#define NWATCHED (sizeof watched / sizeof watched[0])

static volatile sig_atomic_t caught[NSIG];

static void on_signal(int signo)
{
	caught[signo] = 1;
}

/* Read one line from fd into out (up to cap - 1 bytes, the rest of a long
 * line is counted in *len and left): -1 on a read error or a signal. */
static int read_line(int fd, char *out, size_t cap, size_t *len)
{
	*len = 0;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0)
			return -1;
		if (n == 0 || c == '\n')
			break;
		if (*len + 1 < cap)
			out[*len] = c;
		(*len)++;
	}
	out[*len < cap ? *len : cap - 1] = 0;
	return 0;
}

/* One try at the terminal: echo off, prompt, read, echo back on, then the
 * signals that came meanwhile are delivered. 1 when a stop signal came
 * (ask again), 0, or -1 with errno. */
static int tty_try(int fd, int prompt_fd, const char *prompt, char *out, size_t cap, size_t *len)
{
	struct termios saved, quiet;
	struct sigaction sa, old[NWATCHED];
	if (tcgetattr(fd, &saved) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: the read returns */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NWATCHED; i++) {
		caught[watched[i]] = 0;
		sigaction(watched[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN) /* one ignored from the start stays so */
			sigaction(watched[i], &sa, NULL);
	}
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL | ICANON;
	int r = tcsetattr(fd, TCSAFLUSH, &quiet);
	if (r == 0) {
		if (prompt && *prompt)
			(void)!write(prompt_fd, prompt, strlen(prompt));
		r = read_line(fd, out, cap, len);
	}
	int e = errno;
	/* put the terminal back before anything else can happen */
	while (tcsetattr(fd, TCSAFLUSH, &saved) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < NWATCHED; i++)
		sigaction(watched[i], &old[i], NULL);
	int again = 0;
	for (size_t i = 0; i < NWATCHED; i++) {
		int s = watched[i];
		if (!caught[s])
			continue;
		explicit_bzero(out, cap);
		kill(getpid(), s); /* the program's own handling of it, now the terminal is back */
		if (s == SIGTSTP || s == SIGTTIN || s == SIGTTOU)
			again = 1;
		else if (r < 0)
			e = EINTR;
	}
	errno = e;
	return again ? 1 : r;
}

int key_input_read(int fd, int prompt_fd, const char *prompt, char *out, size_t cap)
{
	size_t len = 0;
	int r;
	if (isatty(fd)) {
		while ((r = tty_try(fd, prompt_fd, prompt, out, cap, &len)) == 1)
			;
	} else {
		r = read_line(fd, out, cap, &len);
	}
	if (r < 0) {
		explicit_bzero(out, cap);
		return KEYIN_IO;
	}
	if (len >= cap) {
		explicit_bzero(out, cap);
		return KEYIN_BAD;
	}
	secret_add(out);
	size_t i = strspn(out, " \t\r");
	if (!out[i])
		return KEYIN_EMPTY;
	if (key_clean(out) < 0) {
		explicit_bzero(out, cap);
		return KEYIN_BAD;
	}
	secret_add(out);
	return KEYIN_OK;
}
