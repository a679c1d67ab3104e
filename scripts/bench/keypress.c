/* keypress: the time from a key to the reply's first rendered word on a
 * terminal, in an interactive session and for a program started afresh.
 *
 *   keypress session [-n TURNS] MARK -- COMMAND [ARG...]
 *   keypress spawn   [-n RUNS]  MARK -- COMMAND [ARG...]
 *
 * session: COMMAND (chat) runs on a pseudo-terminal; once its prompt "> "
 * is up, each turn writes "hi" and Enter, starting the clock at the Enter,
 * and stops it when MARK (a word of the server's reply) is on the screen;
 * then waits for the next prompt. spawn: the clock starts just before
 * COMMAND is forked on a pseudo-terminal and stops at MARK. Prints one line
 * of key=value pairs in ms: runs= med= p90= min=. */
#define _GNU_SOURCE
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "benchtime.h"

static char seen[1 << 16];
static size_t nseen;

/* Read from fd until want appears in what was read since the last call;
 * 0, or -1 at the end of output or after 30 s. */
static int wait_for(int fd, const char *want)
{
	nseen = 0;
	double until = now_ms() + 30000;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 100) > 0) {
			ssize_t r = read(fd, seen + nseen, sizeof seen - 1 - nseen);
			if (r <= 0)
				return -1;
			nseen += (size_t)r;
			seen[nseen] = '\0';
			if (memmem(seen, nseen, want, strlen(want)))
				return 0;
			if (nseen > sizeof seen / 2) { /* keep the tail, where a match may start */
				size_t keep = strlen(want);
				memmove(seen, seen + nseen - keep, keep);
				nseen = keep;
			}
		}
		if (now_ms() > until)
			return -1;
	}
}

static pid_t start(char **argv, int *fd)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	pid_t pid = forkpty(fd, NULL, NULL, &ws);
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void report(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	printf("runs=%d med=%.2f p90=%.2f min=%.2f\n", n, n ? v[n / 2] : -1, n ? v[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1] : -1,
	       n ? v[0] : -1);
}

int main(int argc, char **argv)
{
	if (argc < 5)
		return fprintf(stderr, "usage: keypress session|spawn [-n N] MARK -- COMMAND...\n"), 2;
	int session = !strcmp(argv[1], "session"), n = 20, i = 2;
	if (!strcmp(argv[i], "-n")) {
		n = atoi(argv[i + 1]);
		i += 2;
	}
	const char *mark = argv[i++];
	if (strcmp(argv[i++], "--") || n < 1 || n > 10000)
		return fprintf(stderr, "keypress: bad arguments\n"), 2;
	double *v = calloc((size_t)n, sizeof *v);
	int got = 0, fd;
	if (session) {
		pid_t pid = start(argv + i, &fd);
		if (wait_for(fd, "> ") < 0)
			return fprintf(stderr, "keypress: no prompt\n"), 1;
		for (int k = 0; k < n; k++) {
			if (write(fd, "hi", 2) != 2)
				break;
			usleep(2000); /* the keys before the Enter, as typed */
			double t0 = now_ms();
			if (write(fd, "\r", 1) != 1 || wait_for(fd, mark) < 0)
				break;
			v[got++] = now_ms() - t0;
			if (!strstr(seen, "> ") && wait_for(fd, "> ") < 0)
				break;
		}
		if (write(fd, "\x04", 1) < 0) {
			/* it is gone already */
		}
		kill(pid, SIGHUP);
		waitpid(pid, NULL, 0);
	} else {
		for (int k = 0; k < n; k++) {
			double t0 = now_ms();
			pid_t pid = start(argv + i, &fd);
			int ok = wait_for(fd, mark) == 0;
			double t = now_ms() - t0;
			while (wait_for(fd, "\x01never") == 0)
				;
			close(fd);
			waitpid(pid, NULL, 0);
			if (ok)
				v[got++] = t;
		}
	}
	report(v, got);
	free(v);
	return got ? 0 : 1;
}
