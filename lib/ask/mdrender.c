/* Markdown rendered a line at a time: no lookahead, so a line goes out the
 * moment its newline arrives. The cost is that a table's columns follow
 * its first row's widths only, and a setext heading stays a paragraph.
 * Styles nest by resetting and restoring the enclosing style (SGR 0, then
 * the outer codes), which every terminal understands. */
#include "ask/mdrender.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { LINE_MAX_BYTES = 256u << 20 };

#define RULE "\xe2\x94\x80"          /* ─ */
#define BAR "\xe2\x94\x82"           /* │ */
#define BULLET "\xe2\x80\xa2"        /* • */
#define ESC "\033["

void mdrender_init(struct mdrender *r, int colour)
{
	memset(r, 0, sizeof *r);
	r->colour = colour;
	buf_init(&r->line, LINE_MAX_BYTES);
}

void mdrender_free(struct mdrender *r)
{
	buf_free(&r->line);
}

static void put(struct mdrender *r, struct buf *out, const char *s, size_t n)
{
	if (n && buf_add(out, s, n) < 0)
		r->oom = 1;
}

static void puts_(struct mdrender *r, struct buf *out, const char *s)
{
	put(r, out, s, strlen(s));
}

/* Start style add inside base; style_off returns to base. */
static void style_on(struct mdrender *r, struct buf *out, const char *add)
{
	if (!r->colour)
		return;
	puts_(r, out, ESC);
	puts_(r, out, add);
	puts_(r, out, "m");
}

static void style_off(struct mdrender *r, struct buf *out, const char *base)
{
	if (!r->colour)
		return;
	puts_(r, out, ESC "0m");
	if (*base)
		style_on(r, out, base);
}

static void nested(char *to, size_t cap, const char *base, const char *add)
{
	snprintf(to, cap, "%s%s%s", base, *base ? ";" : "", add);
}

static size_t run_of(const char *s, size_t i, size_t n, char c)
{
	size_t j = i;
	while (j < n && s[j] == c)
		j++;
	return j - i;
}

/* Where a run of exactly k backticks starts at or after i, or n. */
static size_t backticks_at(const char *s, size_t i, size_t n, size_t k)
{
	while (i < n) {
		size_t len = run_of(s, i, n, '`');
		if (len == k)
			return i;
		i += len ? len : 1;
	}
	return n;
}

static int space(char c)
{
	return c == ' ' || c == '\t';
}

/* The closer of a d-long run of c opened before i: a run of exactly d, not
 * after a space (and for _, not inside a word). n when there is none. */
static size_t emphasis_closer(const char *s, size_t i, size_t n, char c, size_t d)
{
	for (size_t j = i; j < n; j++) {
		if (s[j] == '`') {
			size_t k = run_of(s, j, n, '`');
			size_t end = backticks_at(s, j + k, n, k);
			j = (end < n ? end + k : j + k) - 1; /* a code span hides its markers */
			continue;
		}
		if (s[j] != c)
			continue;
		size_t len = run_of(s, j, n, c);
		if (len == d && !space(s[j - 1]) && (c == '*' || j + d == n || !isalnum((unsigned char)s[j + d])))
			return j;
		j += len - 1;
	}
	return n;
}

static void inline_md(struct mdrender *r, const char *s, size_t n, struct buf *out, const char *base)
{
	char inner[64];
	size_t i = 0;
	while (i < n) {
		char c = s[i];
		if (c == '\\' && i + 1 < n && ispunct((unsigned char)s[i + 1])) {
			put(r, out, s + i + 1, 1);
			i += 2;
		} else if (c == '`') {
			size_t k = run_of(s, i, n, '`');
			size_t end = backticks_at(s, i + k, n, k);
			if (end == n) {
				put(r, out, s + i, k);
				i += k;
				continue;
			}
			if (r->colour) {
				style_on(r, out, "36");
				put(r, out, s + i + k, end - i - k);
				style_off(r, out, base);
			} else {
				put(r, out, s + i, end + k - i); /* the backticks mark it */
			}
			i = end + k;
		} else if (c == '*' || c == '_') {
			size_t k = run_of(s, i, n, c), d = k >= 2 ? 2 : 1;
			size_t end = n;
			if (k <= 2 && i + d < n && !space(s[i + d]) && (c == '*' || !i || !isalnum((unsigned char)s[i - 1])))
				end = emphasis_closer(s, i + d + 1, n, c, d);
			if (end == n) {
				put(r, out, s + i, k);
				i += k;
				continue;
			}
			const char *add = d == 2 ? "1" : "3";
			nested(inner, sizeof inner, base, add);
			style_on(r, out, add);
			inline_md(r, s + i + d, end - i - d, out, inner);
			style_off(r, out, base);
			i = end + d;
		} else if (c == '[') {
			const char *close = memchr(s + i, ']', n - i);
			size_t b = close ? (size_t)(close - s) : n;
			const char *paren = b + 1 < n && s[b + 1] == '(' ? memchr(s + b + 2, ')', n - b - 2) : NULL;
			if (!paren) {
				put(r, out, s + i, 1);
				i++;
				continue;
			}
			size_t e = (size_t)(paren - s);
			nested(inner, sizeof inner, base, "4");
			style_on(r, out, "4");
			inline_md(r, s + i + 1, b - i - 1, out, inner);
			style_off(r, out, base);
			puts_(r, out, " (");
			style_on(r, out, "2");
			put(r, out, s + b + 2, e - b - 2);
			style_off(r, out, base);
			puts_(r, out, ")");
			i = e + 1;
		} else {
			put(r, out, s + i, 1);
			i++;
		}
	}
}

/* Columns a rendered cell takes: UTF-8 characters, escapes left out. */
static size_t display_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\033') {
			while (i < n && s[i] != 'm')
				i++;
			continue;
		}
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	}
	return w;
}

static int delimiter_cell(const char *s, size_t n)
{
	size_t dashes = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			dashes++;
		else if (s[i] != ':' || (i && i + 1 < n))
			return 0;
	}
	return dashes > 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && space(**s))
		(*s)++, (*n)--;
	while (*n && space((*s)[*n - 1]))
		(*n)--;
}

static void rule(struct mdrender *r, struct buf *out, size_t w)
{
	for (size_t i = 0; i < w; i++)
		puts_(r, out, RULE);
}

/* | a | b |: cells padded to the table's first row; |---| a rule. */
static void table_row(struct mdrender *r, const char *s, size_t n, struct buf *out)
{
	const char *cell[MDRENDER_MAX_COLS];
	size_t len[MDRENDER_MAX_COLS], ncells = 0;
	size_t p = 1;
	while (n && space(s[n - 1]))
		n--;
	if (n > 1 && s[n - 1] == '|' && s[n - 2] != '\\')
		n--;
	int delimiter = 1;
	while (p <= n && ncells < MDRENDER_MAX_COLS) {
		size_t q = p;
		while (q < n && !(s[q] == '|' && s[q - 1] != '\\'))
			q++;
		cell[ncells] = s + p, len[ncells] = q - p;
		trim(&cell[ncells], &len[ncells]);
		delimiter &= delimiter_cell(cell[ncells], len[ncells]);
		ncells++;
		p = q + 1;
	}
	if (delimiter && r->in_table) {
		puts_(r, out, "\xe2\x94\x9c"); /* ├ */
		for (size_t c = 0; c < ncells; c++) {
			rule(r, out, (c < r->ncols ? r->width[c] : 1) + 2);
			puts_(r, out, c + 1 < ncells ? "\xe2\x94\xbc" : "\xe2\x94\xa4"); /* ┼ ┤ */
		}
		return;
	}
	int first = !r->in_table;
	if (first) {
		r->in_table = 1;
		r->ncols = ncells;
	}
	struct buf text = BUF_INIT(LINE_MAX_BYTES);
	puts_(r, out, BAR);
	for (size_t c = 0; c < ncells; c++) {
		buf_reset(&text);
		inline_md(r, cell[c], len[c], &text, "");
		size_t w = display_width(text.p ? text.p : "", text.len);
		if (first)
			r->width[c] = w;
		puts_(r, out, " ");
		put(r, out, text.p, text.len);
		for (size_t pad = w; c < r->ncols && pad < r->width[c]; pad++)
			puts_(r, out, " ");
		puts_(r, out, " " BAR);
	}
	buf_free(&text);
}

static int thematic_break(const char *s, size_t n)
{
	char c = 0;
	size_t marks = 0;
	for (size_t i = 0; i < n; i++) {
		if (space(s[i]))
			continue;
		if ((s[i] != '-' && s[i] != '*' && s[i] != '_') || (c && s[i] != c))
			return 0;
		c = s[i];
		marks++;
	}
	return marks >= 3;
}

static void heading(struct mdrender *r, const char *s, size_t n, struct buf *out)
{
	trim(&s, &n);
	size_t end = n;
	while (end && s[end - 1] == '#')
		end--;
	if (!end || space(s[end - 1])) /* a closing run of #s goes too */
		n = end;
	trim(&s, &n);
	style_on(r, out, "1;4");
	inline_md(r, s, n, out, "1;4");
	style_off(r, out, "");
}

/* One line outside code, without its line ending. */
static void render_line(struct mdrender *r, const char *s, size_t n, struct buf *out)
{
	size_t ind = 0;
	while (ind < n && s[ind] == ' ')
		ind++;
	if (ind <= 3 && ind < n && s[ind] == '|') {
		table_row(r, s + ind, n - ind, out);
		return;
	}
	r->in_table = 0;
	if (ind == n)
		return;
	if (ind <= 3) {
		size_t h = run_of(s, ind, n, '#');
		if (h >= 1 && h <= 6 && (ind + h == n || space(s[ind + h]))) {
			heading(r, s + ind + h, n - ind - h, out);
			return;
		}
		if (thematic_break(s, n)) {
			style_on(r, out, "2");
			rule(r, out, 40);
			style_off(r, out, "");
			return;
		}
		if (s[ind] == '>') {
			size_t rest = ind + 1 + (ind + 1 < n && space(s[ind + 1]));
			style_on(r, out, "2");
			puts_(r, out, BAR);
			style_off(r, out, "");
			puts_(r, out, " ");
			render_line(r, s + rest, n - rest, out);
			return;
		}
	}
	if ((s[ind] == '-' || s[ind] == '*' || s[ind] == '+') && (ind + 1 == n || space(s[ind + 1]))) {
		put(r, out, s, ind);
		puts_(r, out, BULLET);
		if (ind + 1 < n) {
			puts_(r, out, " ");
			inline_md(r, s + ind + 2, n - ind - 2, out, "");
		}
		return;
	}
	size_t d = ind;
	while (d < n && d - ind < 9 && isdigit((unsigned char)s[d]))
		d++;
	if (d > ind && d < n && (s[d] == '.' || s[d] == ')') && (d + 1 == n || space(s[d + 1]))) {
		size_t keep = d + 1 < n ? d + 2 : d + 1;
		put(r, out, s, keep); /* the number as written */
		inline_md(r, s + keep, n - keep, out, "");
		return;
	}
	inline_md(r, s, n, out, "");
}

/* The fence's line: the language, if any, on a rule. */
static void fence_line(struct mdrender *r, const char *info, size_t n, struct buf *out)
{
	trim(&info, &n);
	size_t w = 0;
	while (w < n && !space(info[w]))
		w++;
	style_on(r, out, "2");
	rule(r, out, 3);
	if (w) {
		puts_(r, out, " ");
		put(r, out, info, w);
	}
	style_off(r, out, "");
}

/* One line, with its ending if it has one (not at the reply's end). */
static void take_line(struct mdrender *r, const char *s, size_t n, struct buf *out)
{
	size_t bare = fence_without_eol(s, n);
	int eol = bare < n;
	if (r->in_code && !fence_closes(&r->fence, s, bare)) {
		put(r, out, s, n); /* code goes out exactly as it came */
		return;
	}
	size_t info;
	if (r->in_code) {
		r->in_code = 0;
		fence_line(r, "", 0, out);
	} else if (fence_opens(s, bare, &r->fence, &info)) {
		r->in_code = 1;
		r->in_table = 0;
		fence_line(r, s + info, bare - info, out);
	} else {
		render_line(r, s, bare, out);
	}
	if (eol)
		puts_(r, out, "\n");
}

int mdrender_feed(struct mdrender *r, const char *p, size_t n, struct buf *out)
{
	while (n && !r->oom) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) + 1 : n;
		if (!nl || r->line.len) {
			if (buf_add(&r->line, p, take) < 0)
				return -1;
			if (nl) {
				take_line(r, r->line.p, r->line.len, out);
				buf_reset(&r->line);
			}
		} else {
			take_line(r, p, take, out);
		}
		p += take;
		n -= take;
	}
	return r->oom ? -1 : 0;
}

int mdrender_end(struct mdrender *r, struct buf *out)
{
	if (r->line.len)
		take_line(r, r->line.p, r->line.len, out);
	buf_reset(&r->line);
	r->in_code = 0;
	r->in_table = 0;
	return r->oom ? -1 : 0;
}
