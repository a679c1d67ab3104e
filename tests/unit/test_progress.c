/* The progress line's bytes on a terminal (a pseudo-terminal here): a text
 * line is drawn over the last with "\r\033[K" and wiped the same way, a bar
 * is padded to the width and wiped with spaces; nothing at all reaches a
 * stderr that is not a terminal; a text line is redrawn only when due. */
#define _XOPEN_SOURCE 700
#include "progress.h"
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int saved_stderr = -1;

/* stderr onto fd until restore() */
static void redirect(int fd)
{
	saved_stderr = dup(2);
	dup2(fd, 2);
}

static void restore(void)
{
	dup2(saved_stderr, 2);
	close(saved_stderr);
}

/* What is waiting to be read from fd, up to cap - 1 bytes, NUL-ended. */
static size_t drain(int fd, char *out, size_t cap)
{
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (n + 1 < cap && poll(&p, 1, 100) > 0) {
		ssize_t r = read(fd, out + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = 0;
	return n;
}

int main(void)
{
	char got[4096];
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		skip("no pseudo-terminal");
		return tap_done();
	}
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	struct termios t;
	if (slave < 0 || tcgetattr(slave, &t) < 0) {
		skip("no pseudo-terminal");
		return tap_done();
	}
	cfmakeraw(&t);          /* the bytes as written, no output processing */
	tcsetattr(slave, TCSANOW, &t);

	struct progress p;
	redirect(slave);
	progress_start_line(&p, 1, 0);
	progress_line(&p, "chat-send: %d done, %d failed", 3, 1);
	progress_line(&p, "chat-send: %d done", 4);
	progress_end(&p);
	progress_line(&p, "after the end");
	restore();
	drain(master, got, sizeof got);
	is_str(got, "\r\033[Kchat-send: 3 done, 1 failed\r\033[Kchat-send: 4 done\r\033[K",
	       "a text line: each drawn over the last, wiped at the end, silent after it");

	redirect(slave);
	progress_start_line(&p, 0, 0);
	progress_line(&p, "not wanted");
	progress_end(&p);
	restore();
	ok(drain(master, got, sizeof got) == 0, "not wanted (-q): nothing drawn");

	redirect(slave);
	progress_start_line(&p, 1, 0);
	progress_end(&p);
	restore();
	ok(drain(master, got, sizeof got) == 0, "a line never drawn is not wiped");

	redirect(slave);
	progress_start_line(&p, 1, 60000);
	int early = progress_due(&p);
	progress_start_line(&p, 1, 0);
	int due = progress_due(&p);
	restore();
	ok(!early, "not due before its interval has passed");
	ok(due, "due when it has");

	redirect(slave);
	progress_start(&p, "video.mp4", 1000, 1);
	progress_update(&p, 1000);
	progress_end(&p);
	restore();
	drain(master, got, sizeof got);
	ok(!strncmp(got, "\r", 1) && strstr(got, "video.mp4 [####################] 100% 1.0 kB of 1.0 kB") &&
	   !strstr(got, "\033"), "a bar: drawn whole, wiped with spaces, no escapes");

	int pipefd[2];
	if (pipe(pipefd) == 0) {
		redirect(pipefd[1]);
		progress_start_line(&p, 1, 0);
		progress_line(&p, "to a pipe");
		progress_end(&p);
		progress_start(&p, "file", 10, 1);
		progress_update(&p, 10);
		progress_end(&p);
		restore();
		close(pipefd[1]);
		ok(drain(pipefd[0], got, sizeof got) == 0, "stderr not a terminal: nothing, bar or line");
		close(pipefd[0]);
	}
	close(slave);
	close(master);
	return tap_done();
}
