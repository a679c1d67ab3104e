/* ptydrive: runs a program on a pseudo-terminal and plays a script against
 * it, so CLI tests can type keys and read the screen.
 *   ptydrive [-t SECONDS] [-s COLSxROWS] [-o TRANSCRIPT] SCRIPT -- COMMAND [ARGS...]
 * The script's commands (one a line; blank lines and # comments skipped):
 *   send TEXT            write TEXT to the terminal
 *   sendfile PATH        write a file's bytes
 *   paste PATH           the same inside bracketed-paste markers ESC[200~ ... ESC[201~
 *   expect TEXT          wait for TEXT in the raw output after the raw mark; the mark moves past it
 *   expect_plain TEXT    the same in the output without escape sequences and CRs (the plain stream)
 *   expect_re REGEX      a POSIX extended regex against the plain stream after its mark
 *   refute TEXT          fail if TEXT is in the plain stream after its mark (what is there now)
 *   answer QUERY REPLY   from now on write REPLY whenever QUERY appears in the raw output
 *   run SHELL-COMMAND    /bin/sh -c it, still reading the program's output; fail unless it exits 0
 *   mark                 both marks to the end of what was read
 *   eof                  the terminal's EOF character
 *   signal NAME          a signal (INT, TERM, HUP, WINCH, ... or a number) to the program's group
 *   resize COLSxROWS     a new window size, and SIGWINCH
 *   wait [STATUS]        wait for the program to exit; its status must be STATUS (128+N: signal N)
 *   dump PATH            write the plain stream so far to PATH
 * Arguments take C escapes (\r \n \t \e \a \b \0 \\ \" \xNN; any other \c stays
 * as the two characters, so regex escapes pass); an argument is "quoted" or
 * runs to the end of the line (trailing blanks dropped); answer's first
 * argument, unquoted, is one word.
 * Every wait is bounded by -t (default 20 s), a safety net rather than a
 * timing assertion. Exit status: 0 the script passed, 1 a step failed (the
 * reason and the end of the output on stderr), 2 bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct bytes {
	char *p;
	size_t len, cap;
};

struct answer {
	struct bytes query, reply;
	size_t scanned; /* raw output before this offset has been searched */
};

/* Escape-sequence stripper states, for the plain stream. */
enum strip_state { ST_TEXT, ST_ESC, ST_ESC_INTER, ST_CSI, ST_STRING, ST_STRING_ESC };

static const char *script_path;
static unsigned script_line;
static double timeout_s = 20;
static pid_t child = -1, run_child = -1;
static int child_status, child_reaped, master = -1, terminal_closed;
static int transcript = -1;
static int sigchld_pipe[2] = { -1, -1 };
static struct bytes raw, plain, pending; /* pending: bytes queued for the terminal */
static size_t pending_off, raw_mark, plain_mark;
static enum strip_state strip = ST_TEXT;
static struct answer *answers;
static size_t n_answers;
static struct bytes cur_arg; /* the current command's argument */

static void grow(struct bytes *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		fprintf(stderr, "ptydrive: out of memory\n");
		exit(1);
	}
	b->p = p, b->cap = cap;
}

static void append(struct bytes *b, const void *p, size_t n)
{
	grow(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0; /* always a string too, for regexec */
}

static void byte(struct bytes *b, char c) { append(b, &c, 1); }

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The program's process group; the program alone if it has not yet made
 * its session (forkpty's child does that just after the fork). */
static int signal_child(int sig)
{
	if (kill(-child, sig) == 0)
		return 0;
	return kill(child, sig);
}

static void kill_all(void)
{
	if (run_child > 0) {
		kill(-run_child, SIGKILL);
		waitpid(run_child, NULL, 0);
		run_child = -1;
	}
	if (child > 0 && !child_reaped) {
		signal_child(SIGKILL);
		waitpid(child, NULL, 0);
		child_reaped = 1;
	}
}

/* The end of the plain stream, control bytes made visible. */
static void show_tail(void)
{
	size_t from = plain.len > 1500 ? plain.len - 1500 : 0;
	fprintf(stderr, "--- the last %zu bytes of the output (escapes and CRs removed) ---\n", plain.len - from);
	for (size_t i = from; i < plain.len; i++) {
		unsigned char c = (unsigned char)plain.p[i];
		if (c == '\n')
			fputs("\\n\n", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputs("\n--- end ---\n", stderr);
}

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ptydrive: %s:%u: ", script_path, script_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	show_tail();
	kill_all();
	exit(1);
}

static void on_sigchld(int sig)
{
	int saved = errno;
	char c = 0;
	if (write(sigchld_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a wake-up is already pending */
	}
	errno = saved;
}

static void reap(void)
{
	int st;
	if (child > 0 && !child_reaped && waitpid(child, &st, WNOHANG) == child) {
		child_reaped = 1;
		child_status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	}
}

/* The plain stream: escape sequences (CSI, OSC, DCS, APC, PM, SOS and two-byte
 * ESC x) and carriage returns dropped, fed a byte at a time so sequences
 * split across reads are still recognised. */
static void strip_byte(unsigned char c)
{
	switch (strip) {
	case ST_TEXT:
		if (c == 0x1b)
			strip = ST_ESC;
		else if (c != '\r' && c != 0)
			byte(&plain, (char)c);
		return;
	case ST_ESC:
		if (c == '[')
			strip = ST_CSI;
		else if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X')
			strip = ST_STRING;
		else if (c >= 0x20 && c <= 0x2f)
			strip = ST_ESC_INTER; /* e.g. ESC ( B */
		else if (c == 0x1b)
			return;
		else if (c < 0x20) {
			strip = ST_TEXT; /* a broken sequence: the control byte still counts */
			strip_byte(c);
		} else
			strip = ST_TEXT;
		return;
	case ST_ESC_INTER:
		if (c >= 0x30 && c <= 0x7e)
			strip = ST_TEXT;
		else if (c < 0x20 || c > 0x7e) {
			strip = ST_TEXT;
			strip_byte(c);
		}
		return;
	case ST_CSI:
		if (c >= 0x40 && c <= 0x7e)
			strip = ST_TEXT;
		else if (c == 0x1b)
			strip = ST_ESC;
		else if (c < 0x20 && c != '\r' && c != 0)
			byte(&plain, (char)c); /* terminals act on controls inside a CSI */
		else if (c > 0x7e)
			strip = ST_TEXT;
		return;
	case ST_STRING:
		if (c == 0x07)
			strip = ST_TEXT;
		else if (c == 0x1b)
			strip = ST_STRING_ESC;
		return;
	case ST_STRING_ESC:
		if (c == '\\')
			strip = ST_TEXT;
		else if (c != 0x1b) {
			strip = ST_ESC; /* ESC not followed by \ ends the string and starts a sequence */
			strip_byte(c);
		}
		return;
	}
}

/* Queue each answer whose query completed in the raw output. */
static void scan_answers(void)
{
	for (size_t i = 0; i < n_answers; i++) {
		struct answer *a = &answers[i];
		for (;;) {
			char *hit = memmem(raw.p + a->scanned, raw.len - a->scanned, a->query.p, a->query.len);
			if (!hit)
				break;
			append(&pending, a->reply.p, a->reply.len);
			a->scanned = (size_t)(hit - raw.p) + a->query.len;
		}
		if (raw.len - a->scanned >= a->query.len)
			a->scanned = raw.len - a->query.len + 1; /* a query split across reads is still found */
	}
}

static void got_output(const char *p, size_t n)
{
	append(&raw, p, n);
	if (transcript >= 0) {
		for (size_t off = 0; off < n;) {
			ssize_t w = write(transcript, p + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				fprintf(stderr, "ptydrive: writing the transcript: %s\n", strerror(errno));
				close(transcript);
				transcript = -1;
				break;
			}
			off += (size_t)w;
		}
	}
	for (size_t i = 0; i < n; i++)
		strip_byte((unsigned char)p[i]);
	scan_answers();
}

/* One round: wait up to timeout_ms for the terminal or a child, read what
 * the program wrote, write what is queued for it. Returns the bytes read. */
static size_t pump(int timeout_ms)
{
	struct pollfd fds[2] = { { .fd = sigchld_pipe[0], .events = POLLIN } };
	nfds_t n = 1;
	if (!terminal_closed) {
		fds[1] = (struct pollfd){ .fd = master, .events = POLLIN };
		if (pending_off < pending.len)
			fds[1].events |= POLLOUT;
		n = 2;
	}
	int r = poll(fds, n, timeout_ms);
	if (r < 0 && errno != EINTR)
		fail("poll: %s", strerror(errno));
	if (r <= 0)
		return 0;
	if (fds[0].revents & POLLIN) {
		char drain[64];
		while (read(sigchld_pipe[0], drain, sizeof drain) > 0)
			;
		reap();
	}
	size_t got = 0;
	if (n == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
		char buf[65536];
		ssize_t k = read(master, buf, sizeof buf);
		if (k > 0) {
			got = (size_t)k;
			got_output(buf, got);
		} else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
			terminal_closed = 1; /* EIO: every holder of the slave side has gone */
		}
	}
	if (!terminal_closed && pending_off < pending.len) {
		ssize_t w = write(master, pending.p + pending_off, pending.len - pending_off);
		if (w > 0)
			pending_off += (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EINTR)
			terminal_closed = 1;
	}
	if (pending_off == pending.len)
		pending.len = pending_off = 0;
	if (terminal_closed)
		pending.len = pending_off = 0;
	return got;
}

/* Read whatever is already there. */
static void drain(void)
{
	while (!terminal_closed && pump(0) > 0)
		;
}

static int ms_left(double deadline)
{
	double left = deadline - now();
	if (left <= 0)
		return 0;
	return left > 1000 ? 1000 : (int)(left * 1000) + 1;
}

static void send_bytes(const char *p, size_t n, const char *what)
{
	if (terminal_closed)
		fail("%s: the program has closed the terminal", what);
	append(&pending, p, n);
	double deadline = now() + timeout_s;
	while (pending_off < pending.len) {
		if (terminal_closed)
			fail("%s: the program closed the terminal before reading it all", what);
		if (now() >= deadline)
			fail("%s: timed out after %gs with %zu bytes unwritten", what, timeout_s, pending.len - pending_off);
		pump(ms_left(deadline));
	}
}

static void send_file(const char *path, int bracketed)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail("%s: %s", path, strerror(errno));
	struct bytes b = { 0 };
	if (bracketed)
		append(&b, "\033[200~", 6);
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		append(&b, chunk, k);
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(b.p);
		fail("%s: read error", path);
	}
	if (bracketed)
		append(&b, "\033[201~", 6);
	send_bytes(b.p ? b.p : "", b.len, bracketed ? "paste" : "sendfile");
	free(b.p);
}

/* Wait until find() succeeds on the stream after its mark; it returns the
 * end of the match relative to the mark, or -1. */
static void expect_in(struct bytes *s, size_t *mark, long (*find)(const char *, size_t, const void *),
		      const void *ctx, const char *what)
{
	double deadline = now() + timeout_s;
	for (;;) {
		long end = find(s->p ? s->p + *mark : "", s->len - *mark, ctx);
		if (end >= 0) {
			*mark += (size_t)end;
			return;
		}
		if (terminal_closed)
			fail("%s: not seen before the program closed the terminal", what);
		if (now() >= deadline)
			fail("%s: not seen within %gs", what, timeout_s);
		pump(ms_left(deadline));
	}
}

static long find_text(const char *hay, size_t n, const void *ctx)
{
	const struct bytes *needle = ctx;
	const char *hit = memmem(hay, n, needle->p, needle->len);
	return hit ? (long)(hit - hay) + (long)needle->len : -1;
}

static long find_regex(const char *hay, size_t n, const void *ctx)
{
	regmatch_t m;
	if (regexec(ctx, hay, 1, &m, 0) != 0)
		return -1;
	return (long)m.rm_eo;
}

/* The visible form of an argument, for messages. */
static const char *shown(const struct bytes *b)
{
	static char out[200];
	size_t o = 0;
	for (size_t i = 0; i < b->len && o < sizeof out - 8; i++) {
		unsigned char c = (unsigned char)b->p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else if (c == '\\')
			out[o++] = '\\', out[o++] = '\\';
		else
			o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
	}
	out[o] = 0;
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One argument at *pp: "quoted", else one word when word is set, else the
 * rest of the line; C escapes decoded into out. */
static int parse_arg(const char **pp, int word, struct bytes *out)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t')
		p++;
	int quoted = *p == '"';
	if (quoted)
		p++;
	const char *end = p + strlen(p);
	if (!quoted) {
		if (word)
			end = p + strcspn(p, " \t");
		else
			while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
	}
	append(out, "", 0);
	for (; p < end; p++) {
		if (quoted && *p == '"')
			break;
		if (*p != '\\' || p + 1 >= end) {
			byte(out, *p);
			continue;
		}
		char c = *++p;
		int h1, h2;
		switch (c) {
		case 'r': byte(out, '\r'); break;
		case 'n': byte(out, '\n'); break;
		case 't': byte(out, '\t'); break;
		case 'e': byte(out, '\033'); break;
		case 'a': byte(out, '\a'); break;
		case 'b': byte(out, '\b'); break;
		case '0': byte(out, '\0'); break;
		case '\\': byte(out, '\\'); break;
		case '"': byte(out, '"'); break;
		case 'x':
			if (p + 2 >= end || (h1 = hexval(p[1])) < 0 || (h2 = hexval(p[2])) < 0)
				return -1;
			byte(out, (char)(h1 * 16 + h2));
			p += 2;
			break;
		default: /* kept as written: regex escapes such as \. and \[ */
			byte(out, '\\');
			byte(out, c);
		}
	}
	if (quoted) {
		if (p >= end || *p != '"')
			return -1; /* no closing quote */
		p++;
	}
	*pp = p;
	return 0;
}

static int parse_size(const char *s, struct winsize *ws)
{
	unsigned cols, rows;
	char x, extra;
	if (sscanf(s, "%u%c%u%c", &cols, &x, &rows, &extra) != 3 || x != 'x' || !cols || !rows || cols > 10000 ||
	    rows > 10000)
		return -1;
	*ws = (struct winsize){ .ws_col = (unsigned short)cols, .ws_row = (unsigned short)rows };
	return 0;
}

static int signal_number(const char *name)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = { { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
		     { "TERM", SIGTERM }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },
		     { "ALRM", SIGALRM }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
		     { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "WINCH", SIGWINCH } };
	if (!strncmp(name, "SIG", 3))
		name += 3;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (!strcmp(name, sigs[i].name))
			return sigs[i].sig;
	char *end;
	long n = strtol(name, &end, 10);
	return *name && !*end && n > 0 && n < 65 ? (int)n : -1;
}

static void wait_child(const char *arg)
{
	char *end;
	long want = strtol(arg, &end, 10);
	int any = !*arg;
	if (!any && (*end || want < 0 || want > 255))
		fail("wait: the status must be a number 0-255, not '%s'", arg);
	double deadline = now() + timeout_s;
	reap();
	while (!child_reaped) {
		if (now() >= deadline)
			fail("wait: the program was still running after %gs", timeout_s);
		pump(ms_left(deadline));
		reap();
	}
	/* its last output may still be on the way through the terminal: read
	 * to the end (EIO), or a moment if something it started keeps it open */
	double grace = now() + (timeout_s < 1 ? timeout_s : 1);
	while (!terminal_closed && now() < grace)
		pump(ms_left(grace));
	if (!any && child_status != want)
		fail("wait: the program's status was %d, not %ld", child_status, want);
}

static void run_command(const char *cmd)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		fail("run: fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0); /* its own group, so a timeout can stop it all */
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close(master); /* only the program under test holds the terminal */
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	run_child = pid;
	double deadline = now() + timeout_s;
	int st;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			fail("run: waitpid: %s", strerror(errno));
		if (now() >= deadline)
			fail("run: '%s' still running after %gs", cmd, timeout_s);
		pump(ms_left(deadline) < 50 ? ms_left(deadline) : 50);
	}
	run_child = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail("run: '%s' failed with status %d", cmd,
		     WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
}

static void dump(const char *path)
{
	drain();
	FILE *f = fopen(path, "wb");
	if (!f)
		fail("dump: %s: %s", path, strerror(errno));
	size_t w = plain.len ? fwrite(plain.p, 1, plain.len, f) : 0;
	if (fclose(f) != 0 || w != plain.len)
		fail("dump: %s: write error", path);
}

static void one_arg(const char **p, const char *cmd, struct bytes *arg)
{
	arg->len = 0;
	if (parse_arg(p, 0, arg) < 0 || **p)
		fail("%s: a bad argument (an unclosed quote, a bad \\x escape or text after the quote)", cmd);
}

static void step(const char *line)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '#')
		return;
	size_t n = strcspn(p, " \t");
	char cmd[32];
	if (n >= sizeof cmd)
		fail("unknown command '%.*s'", (int)n, p);
	memcpy(cmd, p, n);
	cmd[n] = 0;
	p += n;

	if (!strcmp(cmd, "mark")) {
		drain();
		raw_mark = raw.len, plain_mark = plain.len;
	} else if (!strcmp(cmd, "eof")) {
		struct termios t;
		if (tcgetattr(master, &t) < 0)
			fail("eof: tcgetattr: %s", strerror(errno));
		char c = (char)t.c_cc[VEOF];
		send_bytes(&c, 1, "eof");
	} else if (!strcmp(cmd, "send")) {
		one_arg(&p, cmd, &cur_arg);
		send_bytes(cur_arg.p, cur_arg.len, "send");
	} else if (!strcmp(cmd, "sendfile") || !strcmp(cmd, "paste")) {
		one_arg(&p, cmd, &cur_arg);
		send_file(cur_arg.p, cmd[0] == 'p');
	} else if (!strcmp(cmd, "expect") || !strcmp(cmd, "expect_plain")) {
		one_arg(&p, cmd, &cur_arg);
		if (!cur_arg.len)
			fail("%s: nothing to wait for", cmd);
		char what[300];
		snprintf(what, sizeof what, "%s \"%s\"", cmd, shown(&cur_arg));
		if (cmd[6])
			expect_in(&plain, &plain_mark, find_text, &cur_arg, what);
		else
			expect_in(&raw, &raw_mark, find_text, &cur_arg, what);
	} else if (!strcmp(cmd, "expect_re")) {
		one_arg(&p, cmd, &cur_arg);
		regex_t re;
		int rc = regcomp(&re, cur_arg.p, REG_EXTENDED | REG_NEWLINE);
		if (rc != 0) {
			char msg[200];
			regerror(rc, &re, msg, sizeof msg);
			fail("expect_re: %s", msg);
		}
		char what[300];
		snprintf(what, sizeof what, "expect_re \"%s\"", shown(&cur_arg));
		expect_in(&plain, &plain_mark, find_regex, &re, what);
		regfree(&re);
	} else if (!strcmp(cmd, "refute")) {
		one_arg(&p, cmd, &cur_arg);
		drain();
		if (cur_arg.len && find_text(plain.p ? plain.p + plain_mark : "", plain.len - plain_mark, &cur_arg) >= 0)
			fail("refute \"%s\": it is there", shown(&cur_arg));
	} else if (!strcmp(cmd, "answer")) {
		struct answer a = { .scanned = raw.len };
		if (parse_arg(&p, 1, &a.query) < 0 || parse_arg(&p, 0, &a.reply) < 0 || *p || !a.query.len) {
			free(a.query.p), free(a.reply.p);
			fail("answer: QUERY REPLY expected");
		}
		struct answer *grown = realloc(answers, (n_answers + 1) * sizeof *answers);
		if (!grown)
			fail("out of memory");
		answers = grown;
		answers[n_answers++] = a;
	} else if (!strcmp(cmd, "run")) {
		one_arg(&p, cmd, &cur_arg);
		run_command(cur_arg.p);
	} else if (!strcmp(cmd, "signal")) {
		one_arg(&p, cmd, &cur_arg);
		int sig = signal_number(cur_arg.p);
		if (sig < 0)
			fail("signal: unknown signal '%s'", cur_arg.p);
		if (!child_reaped && signal_child(sig) < 0)
			fail("signal: %s", strerror(errno));
	} else if (!strcmp(cmd, "resize")) {
		one_arg(&p, cmd, &cur_arg);
		struct winsize ws;
		if (parse_size(cur_arg.p, &ws) < 0)
			fail("resize: COLSxROWS expected, not '%s'", cur_arg.p);
		struct winsize was;
		int same = ioctl(master, TIOCGWINSZ, &was) == 0 && was.ws_col == ws.ws_col && was.ws_row == ws.ws_row;
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			fail("resize: %s", strerror(errno));
		/* the kernel signals the foreground group of a change; a resize to
		 * the same size still gets its SIGWINCH */
		if (same && !child_reaped)
			signal_child(SIGWINCH);
	} else if (!strcmp(cmd, "wait")) {
		one_arg(&p, cmd, &cur_arg);
		wait_child(cur_arg.p);
	} else if (!strcmp(cmd, "dump")) {
		one_arg(&p, cmd, &cur_arg);
		dump(cur_arg.p);
	} else {
		fail("unknown command '%s'", cmd);
	}
}

/* The script ran to its end: hang up, give the program a moment, then kill it. */
static void finish(void)
{
	drain();
	if (!child_reaped) {
		signal_child(SIGHUP);
		close(master);
		master = -1;
		terminal_closed = 1;
		double deadline = now() + (timeout_s < 2 ? timeout_s : 2);
		reap();
		while (!child_reaped && now() < deadline) {
			pump(ms_left(deadline));
			reap();
		}
		kill_all();
	}
	kill(-child, SIGKILL); /* anything it left behind in its group */
}

static void usage(void)
{
	fprintf(stderr, "usage: ptydrive [-t SECONDS] [-s COLSxROWS] [-o TRANSCRIPT] SCRIPT -- COMMAND [ARGS...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_col = 80, .ws_row = 24 };
	const char *transcript_path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "+t:s:o:")) != -1) {
		char *end;
		switch (opt) {
		case 't':
			timeout_s = strtod(optarg, &end);
			if (*end || !(timeout_s > 0) || timeout_s > 86400)
				usage();
			break;
		case 's':
			if (parse_size(optarg, &ws) < 0)
				usage();
			break;
		case 'o': transcript_path = optarg; break;
		default: usage();
		}
	}
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--"))
		usage();
	script_path = argv[optind];
	char **command = argv + optind + 2;

	FILE *script = fopen(script_path, "r");
	if (!script) {
		fprintf(stderr, "ptydrive: %s: %s\n", script_path, strerror(errno));
		return 2;
	}
	if (transcript_path) {
		transcript = open(transcript_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (transcript < 0) {
			fprintf(stderr, "ptydrive: %s: %s\n", transcript_path, strerror(errno));
			return 2;
		}
	}
	if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		fprintf(stderr, "ptydrive: pipe: %s\n", strerror(errno));
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fflush(NULL);
	child = forkpty(&master, NULL, NULL, &ws);
	if (child < 0) {
		fprintf(stderr, "ptydrive: forkpty: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		/* a program started in the background inherits ignored SIGINT and
		 * SIGQUIT: give this one a terminal's defaults, so ^C works */
		static const int reset[] = { SIGCHLD, SIGPIPE, SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU };
		for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
			signal(reset[i], SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (!getenv("TERM"))
			setenv("TERM", "xterm-256color", 1);
		fclose(script);
		execvp(command[0], command);
		fprintf(stderr, "ptydrive: %s: %s\n", command[0], strerror(errno));
		_exit(127);
	}
	fcntl(master, F_SETFD, FD_CLOEXEC);
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, script)) >= 0) {
		script_line++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		step(line);
	}
	free(line);
	fclose(script);
	finish();
	for (size_t i = 0; i < n_answers; i++)
		free(answers[i].query.p), free(answers[i].reply.p);
	free(answers);
	free(raw.p), free(plain.p), free(pending.p), free(cur_arg.p);
	if (transcript >= 0)
		close(transcript);
	if (master >= 0)
		close(master);
	return 0;
}
