/* termimg_detect: the terminal asked which image protocol it speaks. The
 * questions go out together and DA1 goes last: terminals answer in order
 * and every one answers DA1, so its reply says all answers are in and the
 * usual case costs one round trip, not a timeout. */
#include "term/termimg.h"
#include "term/termreply.h"
#include "fdio.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* kitty's query: a 1x1 RGB image sent directly (three zero bytes, "AAAA"),
 * checked and answered but never stored or shown. */
#define STR_(x) #x
#define STR(x) STR_(x)
static const char queries[] =
	"\033_Gi=" STR(TERMIMG_QUERY_ID) ",s=1,v=1,a=q,t=d,f=24;AAAA\033\\"
	"\033[>0q"      /* XTVERSION */
	"\033[c";       /* DA1 */

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* Read replies into r until DA1's comes, the time runs out or the
 * terminal goes away. */
static void read_replies(int fd, int timeout_ms, struct termreply *r)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long left = timeout_ms - ms_since(&t0);
		if (left <= 0)
			return;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int k = poll(&pfd, 1, (int)left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		char b[512];
		ssize_t n = read(fd, b, sizeof b);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;
		if (termreply_feed(r, b, (size_t)n) != 0)
			return;
	}
}

enum termimg_proto termimg_detect(int fd, int timeout_ms, char **typeahead, size_t *ntypeahead)
{
	*typeahead = NULL;
	*ntypeahead = 0;
	struct termios saved, raw;
	/* Not a terminal, or one this process does not own the foreground of
	 * (changing its modes would stop us with SIGTTOU): nothing to ask. */
	if (tcgetattr(fd, &saved) < 0 || tcgetpgrp(fd) != getpgrp())
		return TERMIMG_NONE;
	/* Raw and silent, so replies are neither echoed nor held for a whole
	 * line. ISIG too: a ^C typed meanwhile is a byte of type-ahead like
	 * any other, not a death with the terminal left raw. TCSANOW, not
	 * TCSAFLUSH, so keys typed before are kept. */
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN | ISIG);
	raw.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON | ISTRIP);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return TERMIMG_NONE;
	struct termreply r;
	termreply_init(&r);
	if (write_all(fd, queries, sizeof queries - 1) == 0)
		read_replies(fd, timeout_ms, &r);
	int e = errno;
	tcsetattr(fd, TCSANOW, &saved);
	termreply_finish(&r);
	enum termimg_proto p = termreply_proto(&r);
	if (r.typeahead.len)
		*typeahead = buf_detach(&r.typeahead, ntypeahead);
	termreply_free(&r);
	errno = e;
	return p;
}
