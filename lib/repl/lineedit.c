#include "repl/lineedit.h"
#include "diag.h"
#include "fdio.h"
#include "sig.h"
#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#define PASTE_START "\033[200~"
#define PASTE_END "\033[201~"
#define BLOCK_MARK "\"\"\""
#define HISTORY_SIZE 1000
/* a paste longer than this, or with a newline, waits as a placeholder */
#define PASTE_INLINE_MAX 200

struct lineedit {
	EditLine *el;
	History *hist;
	char *history_path;
	const char *prompt;
	complete_fn complete;
	void *ctx;
	struct buf *pastes;      /* the pastes waiting in the line, by number from 1 */
	size_t npastes;
	int bracketed;           /* the terminal is asked to mark pastes */
	int cancelled;           /* ^C: the line being read is dropped */
	int tty;                 /* stdin is a terminal; orig holds its modes */
	struct termios orig;
};

static volatile sig_atomic_t resized;

static void on_winch(int signo)
{
	(void)signo;
	resized = 1;
}

int completions_add(struct completions *c, const char *s)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char **v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	if (!(c->v[c->n] = strdup(s)))
		return -1;
	c->n++;
	return 0;
}

static void completions_free(struct completions *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
}

static struct lineedit *self(EditLine *el)
{
	void *le = NULL;
	el_get(el, EL_CLIENTDATA, &le);
	return le;
}

static const char *prompt_of(EditLine *el)
{
	return self(el)->prompt;
}

/* characters, not bytes, in s[0..n): libedit deletes by character */
static int utf8_chars(const char *s, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static int terminal_width(void)
{
	struct winsize ws;
	return ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
}

/* The candidates in columns under the line, as a shell lists them. */
static void list_candidates(const struct completions *c)
{
	size_t widest = 1;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->v[i]) > widest)
			widest = strlen(c->v[i]);
	size_t cols = (size_t)terminal_width() / (widest + 2);
	if (!cols)
		cols = 1;
	size_t rows = (c->n + cols - 1) / cols;
	fputc('\n', stdout);
	for (size_t r = 0; r < rows; r++) {
		for (size_t k = 0; k < cols; k++) {
			size_t i = k * rows + r;
			if (i < c->n)
				fprintf(stdout, "%-*s", (int)(k + 1 < cols ? widest + 2 : 0), c->v[i]);
		}
		fputc('\n', stdout);
	}
	fflush(stdout);
}

static unsigned char on_tab(EditLine *el, int ch)
{
	(void)ch;
	struct lineedit *le = self(el);
	const LineInfo *li = el_line(el);
	size_t n = (size_t)(li->cursor - li->buffer);
	char *line = strndup(li->buffer, n);
	if (!line || !le->complete) {
		free(line);
		return CC_REFRESH_BEEP;
	}
	struct completions c = { 0 };
	le->complete(le->ctx, line, &c);
	unsigned char ret = CC_REFRESH_BEEP;
	if (c.n && c.start <= n) {
		size_t wl = n - c.start, common = strlen(c.v[0]);
		for (size_t i = 1; i < c.n; i++) {
			size_t k = 0;
			while (k < common && c.v[i][k] == c.v[0][k])
				k++;
			common = k;
		}
		while (common && common < strlen(c.v[0]) && ((unsigned char)c.v[0][common] & 0xC0) == 0x80)
			common--; /* never half a character */
		if (c.n == 1 || common > wl) {
			char *ins = strndup(c.v[0], common);
			if (ins) {
				el_deletestr(el, utf8_chars(line + c.start, wl));
				el_insertstr(el, ins);
				if (c.n == 1 && !c.no_space)
					el_insertstr(el, " ");
				free(ins);
				ret = CC_REFRESH;
			}
		} else {
			list_candidates(&c);
			ret = CC_REDISPLAY;
		}
	}
	completions_free(&c);
	free(line);
	return ret;
}

/* A paste's text: everything up to the end marker, read straight from the
 * terminal; what came after the marker is typed input again. Newlines as
 * the terminal sends them (CR) become LF. 0, or -1 when a signal or the
 * end of input cut it short. */
static int read_paste(EditLine *el, struct buf *text)
{
	char chunk[4096];
	size_t endlen = strlen(PASTE_END);
	for (;;) {
		ssize_t r = read(0, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR && !sig_caught)
			continue;
		if (r <= 0)
			return -1;
		if (buf_add(text, chunk, (size_t)r) < 0)
			return -1;
		size_t from = text->len > (size_t)r + endlen ? text->len - (size_t)r - endlen : 0;
		char *end = memmem(text->p + from, text->len - from, PASTE_END, endlen);
		if (end) {
			size_t at = (size_t)(end - text->p), rest = text->len - at - endlen;
			if (rest) {
				char *after = strndup(end + endlen, rest);
				if (after)
					el_push(el, after);
				free(after);
			}
			text->len = at;
			break;
		}
	}
	/* CR LF and CR alike end a line */
	size_t w = 0;
	for (size_t i = 0; i < text->len; i++) {
		char c = text->p[i];
		if (c == '\r') {
			if (i + 1 < text->len && text->p[i + 1] == '\n')
				continue;
			c = '\n';
		}
		text->p[w++] = c;
	}
	text->len = w;
	buf_addc(text, '\0');
	text->len--;
	return 0;
}

static void placeholder(size_t number, const struct buf *text, char *out, size_t cap)
{
	size_t lines = 1;
	for (size_t i = 0; i < text->len; i++)
		lines += text->p[i] == '\n' && i + 1 < text->len;
	snprintf(out, cap, "[paste #%zu: %zu line%s, %zu bytes]", number, lines, lines == 1 ? "" : "s", text->len);
}

static unsigned char on_paste(EditLine *el, int ch)
{
	(void)ch;
	struct lineedit *le = self(el);
	struct buf text = BUF_INIT(1u << 30);
	if (read_paste(el, &text) < 0) {
		buf_free(&text);
		return CC_REFRESH;
	}
	if (!memchr(text.p ? text.p : "", '\n', text.len) && text.len <= PASTE_INLINE_MAX &&
	    !memchr(text.p ? text.p : "", '\0', text.len)) {
		if (text.len)
			el_insertstr(el, text.p);
		buf_free(&text);
		return CC_REFRESH;
	}
	struct buf *v = realloc(le->pastes, (le->npastes + 1) * sizeof *v);
	if (!v) {
		buf_free(&text);
		return CC_REFRESH_BEEP;
	}
	le->pastes = v;
	le->pastes[le->npastes++] = text;
	char ph[96];
	placeholder(le->npastes, &text, ph, sizeof ph);
	el_insertstr(el, ph);
	return CC_REFRESH;
}

/* ^C is a key while a line is read (the terminal's ISIG is off then), so
 * it clears the line whenever it comes, never racing the read as a signal
 * would. */
static unsigned char on_ctrl_c(EditLine *el, int ch)
{
	(void)ch;
	self(el)->cancelled = 1;
	return CC_NEWLINE;
}

/* ^Z at the prompt: the terminal as it was while stopped, then back */
static unsigned char on_ctrl_z(EditLine *el, int ch)
{
	(void)ch;
	struct lineedit *le = self(el);
	el_set(el, EL_PREP_TERM, 0);
	if (le->tty)
		tcsetattr(0, TCSANOW, &le->orig);
	raise(SIGTSTP);
	el_set(el, EL_PREP_TERM, 1);
	return CC_REDISPLAY;
}

/* The terminal's modes outside the line editor: keys typed wait, unechoed,
 * for the next prompt; with isig ^C is still the signal that stops a reply,
 * without it ^C and ^D are keys like any other (so one typed just before
 * the prompt is not lost to the terminal's canonical mode). */
static void set_modes(struct lineedit *le, int isig)
{
	if (!le->tty)
		return;
	struct termios t = le->orig;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHOCTL);
	if (!isig)
		t.c_lflag &= ~(tcflag_t)ISIG;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
}

void lineedit_busy(struct lineedit *le)
{
	set_modes(le, 1);
}

void lineedit_idle(struct lineedit *le)
{
	set_modes(le, 0);
}

static void drop_pastes(struct lineedit *le)
{
	for (size_t i = 0; i < le->npastes; i++)
		buf_free(&le->pastes[i]);
	free(le->pastes);
	le->pastes = NULL;
	le->npastes = 0;
}

/* line with each paste's placeholder replaced by the paste, added to out */
static int expand_pastes(struct lineedit *le, const char *line, size_t n, struct buf *out)
{
	size_t i = 0;
	while (i < n) {
		size_t best = n, which = 0, phlen = 0;
		char ph[96];
		for (size_t k = 0; k < le->npastes; k++) {
			placeholder(k + 1, &le->pastes[k], ph, sizeof ph);
			char *at = memmem(line + i, n - i, ph, strlen(ph));
			if (at && (size_t)(at - line) < best) {
				best = (size_t)(at - line);
				which = k + 1;
				phlen = strlen(ph);
			}
		}
		if (buf_add(out, line + i, best - i) < 0)
			return -1;
		if (!which)
			break;
		const struct buf *p = &le->pastes[which - 1];
		if (buf_add(out, p->p, p->len) < 0)
			return -1;
		i = best + phlen;
	}
	return 0;
}

int lineedit_history_path(char *out, size_t cap)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;
	if (state && *state == '/')
		n = snprintf(out, cap, "%s/chat/input_history", state);
	else if (home && *home)
		n = snprintf(out, cap, "%s/.local/state/chat/input_history", home);
	else
		return -1;
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

struct lineedit *lineedit_open(const char *prog, const char *history_path, complete_fn complete, void *ctx)
{
	struct lineedit *le = calloc(1, sizeof *le);
	if (!le)
		return NULL;
	le->complete = complete;
	le->ctx = ctx;
	le->prompt = "> ";
	le->el = el_init(prog, stdin, stdout, stderr);
	le->hist = history_init();
	if (!le->el || !le->hist) {
		lineedit_close(le);
		return NULL;
	}
	HistEvent ev;
	history(le->hist, &ev, H_SETSIZE, HISTORY_SIZE);
	history(le->hist, &ev, H_SETUNIQUE, 1);
	if (history_path && (le->history_path = strdup(history_path)) && mkdirs_for(history_path, 0700) == 0) {
		/* prompts may be private: the file is the user's alone */
		int fd = open(history_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		history(le->hist, &ev, H_LOAD, history_path);
	}
	el_set(le->el, EL_CLIENTDATA, le);
	el_set(le->el, EL_EDITOR, "emacs");
	el_set(le->el, EL_SIGNAL, 0); /* the program's own handlers stay in charge */
	el_set(le->el, EL_HIST, history, le->hist);
	el_set(le->el, EL_PROMPT_ESC, prompt_of, '\1'); /* \1 brackets the escapes in a prompt */
	el_source(le->el, NULL); /* ~/.editrc, as every libedit program reads it */
	/* the session's own keys after it, so "bind -v" there keeps them (the
	 * wide call, whose names libedit keeps rather than copies and leaks) */
	el_wset(le->el, EL_ADDFN, L"chat-complete", L"complete a command, model, conversation or file", on_tab);
	el_set(le->el, EL_BIND, "^I", "chat-complete", NULL);
	el_wset(le->el, EL_ADDFN, L"chat-paste", L"take a bracketed paste whole", on_paste);
	el_set(le->el, EL_BIND, PASTE_START, "chat-paste", NULL);
	el_wset(le->el, EL_ADDFN, L"chat-cancel", L"drop the line", on_ctrl_c);
	el_set(le->el, EL_BIND, "^C", "chat-cancel", NULL);
	el_wset(le->el, EL_ADDFN, L"chat-suspend", L"stop the program (fg resumes)", on_ctrl_z);
	el_set(le->el, EL_BIND, "^Z", "chat-suspend", NULL);
	el_set(le->el, EL_SETTY, "-d", "-isig", NULL);
	le->tty = tcgetattr(0, &le->orig) == 0;
	/* When a line is read libedit puts the terminal back in its "execute"
	 * mode; made the idle mode here, a key typed just after the line
	 * (^D, ^C) is never caught by the terminal's canonical mode. libedit
	 * derives that mode from the terminal as it finds it, cooked, on
	 * entering raw mode once. */
	el_set(le->el, EL_SETTY, "-x", "-icanon", "-echo", "-echoctl", "-isig", NULL);
	if (le->tty) {
		el_set(le->el, EL_PREP_TERM, 1);
		el_set(le->el, EL_PREP_TERM, 0);
	}
	lineedit_idle(le);
	le->bracketed = !term_dumb();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_winch;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	return le;
}

void lineedit_push(struct lineedit *le, const char *p, size_t n)
{
	char *s = n ? strndup(p, n) : NULL;
	if (s && *s)
		el_push(le->el, s);
	free(s);
}

/* One line from libedit, without its newline: its length, or -1 at the
 * end of input, -2 when a signal stopped it. */
static long one_line(struct lineedit *le, const char *prompt, const char **line)
{
	le->prompt = prompt;
	if (resized) {
		resized = 0;
		el_resize(le->el);
	}
	if (le->bracketed)
		write_all(1, "\033[?2004h", 8);
	int n = 0;
	errno = 0;
	le->cancelled = 0;
	const char *l = el_gets(le->el, &n);
	int e = errno;
	if (le->bracketed)
		write_all(1, "\033[?2004l", 8);
	if (le->cancelled) {
		el_reset(le->el);
		write_all(1, "\n", 1);
		return -2;
	}
	if (!l || n <= 0) {
		if (n < 0 && (e == EINTR || sig_caught)) {
			write_all(1, "\n", 1);
			return -2;
		}
		return -1;
	}
	*line = l;
	return l[n - 1] == '\n' ? n - 1 : n;
}

static void remember(struct lineedit *le, const char *line, size_t n)
{
	HistEvent ev;
	/* a line starting with a space stays out of the history, as in a shell */
	if (!n || line[0] == ' ' || le->npastes)
		return;
	char *s = strndup(line, n);
	if (!s)
		return;
	history(le->hist, &ev, H_ENTER, s);
	free(s);
	if (le->history_path)
		history(le->hist, &ev, H_SAVE, le->history_path);
}

int lineedit_read(struct lineedit *le, const char *prompt, struct buf *out)
{
	buf_reset(out);
	drop_pastes(le);
	const char *line;
	long n = one_line(le, prompt, &line);
	if (n < 0)
		return n == -2 ? -1 : 0;
	if ((size_t)n != strlen(BLOCK_MARK) || memcmp(line, BLOCK_MARK, (size_t)n)) {
		int r = expand_pastes(le, line, (size_t)n, out);
		remember(le, line, (size_t)n);
		drop_pastes(le);
		return r < 0 ? -1 : 1;
	}
	/* a block: lines up to the closing """ (or the end of input) */
	for (int first = 1;; first = 0) {
		n = one_line(le, "... ", &line);
		if (n == -2) {
			drop_pastes(le);
			buf_reset(out);
			return -1;
		}
		if (n == -1 || ((size_t)n == strlen(BLOCK_MARK) && !memcmp(line, BLOCK_MARK, (size_t)n)))
			break;
		if ((!first && buf_addc(out, '\n') < 0) || expand_pastes(le, line, (size_t)n, out) < 0)
			return -1;
		drop_pastes(le);
	}
	drop_pastes(le);
	buf_addc(out, '\0');
	out->len--;
	return 1;
}

void lineedit_close(struct lineedit *le)
{
	if (!le)
		return;
	drop_pastes(le);
	if (le->el)
		el_end(le->el);
	if (le->tty)
		tcsetattr(0, TCSANOW, &le->orig);
	if (le->hist)
		history_end(le->hist);
	free(le->history_path);
	free(le);
}
