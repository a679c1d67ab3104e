/* Markdown's blocks rendered a line at a time: no lookahead, so a line goes
 * out the moment its newline arrives. What that costs: a table's columns
 * follow its first row's widths (a wider cell later pushes its row's bars
 * out; buffering the table would hold its rows back until it ended), and a
 * setext heading's text is out before its underline comes, so the
 * underline is drawn as a rule exactly under it. Inline constructs and the
 * making safe of the reply's bytes are in mdinline.c. */
#include "ask/mdrender.h"
#include "ask/mdinline.h"
#include <ctype.h>
#include <string.h>

enum { LINE_MAX_BYTES = 256u << 20, RULE_WIDTH = 40, UNDERLINE_MAX = 200 };

#define RULE "\xe2\x94\x80"          /* ─ */
#define DOUBLE_RULE "\xe2\x95\x90"   /* ═ */
#define BAR "\xe2\x94\x82"           /* │ */
#define BULLET "\xe2\x80\xa2"        /* • */
#define UNCHECKED "\xe2\x98\x90"     /* ☐ */
#define CHECKED "\xe2\x98\x91"       /* ☑ */

void mdrender_init(struct mdrender *r, int colour)
{
	memset(r, 0, sizeof *r);
	r->colour = colour;
	r->prev_blank = 1;
	buf_init(&r->line, LINE_MAX_BYTES);
	buf_init(&r->cell, LINE_MAX_BYTES);
}

void mdrender_free(struct mdrender *r)
{
	buf_free(&r->line);
	buf_free(&r->cell);
}

static void trim(const char **s, size_t *n)
{
	while (*n && md_space(**s))
		(*s)++, (*n)--;
	while (*n && md_space((*s)[*n - 1]))
		(*n)--;
}

static void rule(struct mdrender *r, struct buf *out, const char *glyph, size_t w)
{
	for (size_t i = 0; i < w; i++)
		md_put(r, out, glyph, 3); /* each glyph is 3 bytes of UTF-8 */
}

static void spaces(struct mdrender *r, struct buf *out, size_t n)
{
	static const char sp[] = "                                ";
	for (; n > sizeof sp - 1; n -= sizeof sp - 1)
		md_put(r, out, sp, sizeof sp - 1);
	md_put(r, out, sp, n);
}

/* ---- tables --------------------------------------------------------------- */

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

/* |---| under the first row: a rule, and each column's alignment. */
static void delimiter_row(struct mdrender *r, const char **cell, const size_t *len, size_t ncells, struct buf *out)
{
	md_puts(r, out, "\xe2\x94\x9c"); /* ├ */
	for (size_t c = 0; c < ncells; c++) {
		if (r->ncols > c) {
			int left = len[c] && cell[c][0] == ':', right = len[c] && cell[c][len[c] - 1] == ':';
			r->align[c] = left && right ? 'c' : right ? 'r' : 'l';
		}
		rule(r, out, RULE, (c < r->ncols ? r->width[c] : 1) + 2);
		md_put(r, out, c + 1 < ncells ? "\xe2\x94\xbc" : "\xe2\x94\xa4", 3); /* ┼ ┤ */
	}
}

/* | a | b |: the first row sets the widths; later rows are padded to them
 * as |:-:| aligns, missing cells added empty, extra cells kept. */
static void table_row(struct mdrender *r, const char *s, size_t n, struct buf *out)
{
	const char *cell[MDRENDER_MAX_COLS];
	size_t len[MDRENDER_MAX_COLS], ncells = 0, p = 1;
	while (n && md_space(s[n - 1]))
		n--;
	if (n > 1 && s[n - 1] == '|' && s[n - 2] != '\\')
		n--;
	int delimiter = 1;
	while (p <= n && ncells < MDRENDER_MAX_COLS) {
		size_t q = p;
		while (q < n && !(s[q] == '|' && s[q - 1] != '\\' && ncells + 1 < MDRENDER_MAX_COLS))
			q++; /* the last column there is room for takes the rest */
		cell[ncells] = s + p, len[ncells] = q - p;
		trim(&cell[ncells], &len[ncells]);
		delimiter &= delimiter_cell(cell[ncells], len[ncells]);
		ncells++;
		p = q + 1;
	}
	if (delimiter && r->in_table) {
		delimiter_row(r, cell, len, ncells, out);
		return;
	}
	int first = !r->in_table;
	if (first) {
		r->in_table = 1;
		r->ncols = ncells;
		memset(r->align, 'l', sizeof r->align);
	}
	size_t cols = ncells < r->ncols ? r->ncols : ncells;
	md_puts(r, out, BAR);
	for (size_t c = 0; c < cols; c++) {
		buf_reset(&r->cell);
		if (c < ncells)
			md_inline(r, cell[c], len[c], &r->cell, "");
		size_t w = md_width(r->cell.p, r->cell.len);
		if (first)
			r->width[c] = w;
		size_t pad = c < r->ncols && w < r->width[c] ? r->width[c] - w : 0;
		size_t before = r->align[c] == 'c' ? pad / 2 : r->align[c] == 'r' ? pad : 0;
		spaces(r, out, 1 + before);
		md_put(r, out, r->cell.p, r->cell.len);
		spaces(r, out, pad - before + 1);
		md_puts(r, out, BAR);
	}
}

/* ---- the other blocks ----------------------------------------------------- */

static int thematic_break(const char *s, size_t n)
{
	char c = 0;
	size_t marks = 0;
	for (size_t i = 0; i < n; i++) {
		if (md_space(s[i]))
			continue;
		if ((s[i] != '-' && s[i] != '*' && s[i] != '_') || (c && s[i] != c))
			return 0;
		c = s[i];
		marks++;
	}
	return marks >= 3;
}

/* A setext heading's underline: = or - repeated, then only spaces. */
static const char *setext_underline(const char *s, size_t n)
{
	size_t i = md_run_of(s, 0, n, ' ');
	if (i > 3 || i == n || (s[i] != '=' && s[i] != '-'))
		return NULL;
	size_t j = i + md_run_of(s, i, n, s[i]);
	while (j < n && md_space(s[j]))
		j++;
	return j < n ? NULL : s[i] == '=' ? DOUBLE_RULE : RULE;
}

static void heading(struct mdrender *r, const char *s, size_t n, struct buf *out)
{
	trim(&s, &n);
	size_t end = n;
	while (end && s[end - 1] == '#')
		end--;
	if (!end || md_space(s[end - 1])) /* a closing run of #s goes too */
		n = end;
	trim(&s, &n);
	md_style_on(r, out, "1;4");
	md_inline(r, s, n, out, "1;4");
	md_style_off(r, out, "");
}

/* A list item's text: [ ] and [x] first become boxes. */
static void item_text(struct mdrender *r, const char *s, size_t n, struct buf *out)
{
	if (n >= 3 && s[0] == '[' && (s[1] == ' ' || s[1] == 'x' || s[1] == 'X') && s[2] == ']' && (n == 3 || md_space(s[3]))) {
		md_put(r, out, s[1] == ' ' ? UNCHECKED : CHECKED, 3);
		if (n == 3)
			return;
		md_puts(r, out, " ");
		s += 4, n -= 4;
	}
	md_inline(r, s, n, out, "");
}

/* One line outside code, not blank, without its line ending or the block
 * quote markers before it (top: there were none). */
static void render_block(struct mdrender *r, const char *s, size_t n, struct buf *out, int top)
{
	size_t ind = md_run_of(s, 0, n, ' ');
	size_t above = r->para_width; /* the paragraph line just before, if any */
	r->para_width = 0;
	if (ind <= 3 && s[ind] == '|') {
		table_row(r, s + ind, n - ind, out);
		return;
	}
	r->in_table = 0;
	if (ind <= 3) {
		size_t h = md_run_of(s, ind, n, '#');
		if (h >= 1 && h <= 6 && (ind + h == n || md_space(s[ind + h]))) {
			heading(r, s + ind + h, n - ind - h, out);
			return;
		}
		const char *underline = above ? setext_underline(s, n) : NULL;
		if (underline) {
			md_style_on(r, out, "1");
			rule(r, out, underline, above < UNDERLINE_MAX ? above : UNDERLINE_MAX);
			md_style_off(r, out, "");
			return;
		}
		if (thematic_break(s, n)) {
			md_style_on(r, out, "2");
			rule(r, out, RULE, RULE_WIDTH);
			md_style_off(r, out, "");
			return;
		}
	}
	if ((s[ind] == '-' || s[ind] == '*' || s[ind] == '+') && (ind + 1 == n || md_space(s[ind + 1]))) {
		md_put(r, out, s, ind);
		md_puts(r, out, BULLET);
		r->list_indent = ind + 2;
		if (ind + 1 < n) {
			md_puts(r, out, " ");
			item_text(r, s + ind + 2, n - ind - 2, out);
		}
		return;
	}
	size_t d = ind;
	while (d < n && d - ind < 9 && isdigit((unsigned char)s[d]))
		d++;
	if (d > ind && d < n && (s[d] == '.' || s[d] == ')') && (d + 1 == n || md_space(s[d + 1]))) {
		size_t keep = d + 1 < n ? d + 2 : d + 1;
		md_put(r, out, s, keep); /* the number as written */
		r->list_indent = keep;
		item_text(r, s + keep, n - keep, out);
		return;
	}
	size_t start = out->len;
	md_inline(r, s, n, out, "");
	if (top && !r->list_indent && out->len > start)
		r->para_width = md_width(out->p + start, out->len - start);
}

/* The fence's line: the language, if any, on a rule. */
static void fence_line(struct mdrender *r, const char *info, size_t n, struct buf *out)
{
	trim(&info, &n);
	size_t w = 0;
	while (w < n && !md_space(info[w]))
		w++;
	md_style_on(r, out, "2");
	rule(r, out, RULE, 3);
	if (w) {
		md_puts(r, out, " ");
		md_text(r, out, info, w);
	}
	md_style_off(r, out, "");
}

/* The block quote markers (>) at the start of s, at most max: how many,
 * with *at where the rest starts. */
static size_t quotes_of(const char *s, size_t n, size_t max, size_t *at)
{
	size_t q = 0, i = 0;
	while (q < max) {
		size_t j = i + md_run_of(s, i, n, ' ');
		if (j - i > 3 || j >= n || s[j] != '>')
			break;
		i = j + 1 + (j + 1 < n && md_space(s[j + 1]));
		q++;
	}
	*at = i;
	return q;
}

static void bars(struct mdrender *r, struct buf *out, size_t quotes)
{
	for (size_t i = 0; i < quotes; i++) {
		md_style_on(r, out, "2");
		md_puts(r, out, BAR);
		md_style_off(r, out, "");
		md_puts(r, out, " ");
	}
}

/* A line of an open fenced block: 1 when it was (its quotes still open). */
static int code_line(struct mdrender *r, const char *s, size_t bare, size_t n, struct buf *out)
{
	size_t at, strip = 0;
	if (quotes_of(s, bare, r->code_quotes, &at) < r->code_quotes) {
		r->in_code = 0; /* its block quote ended, and the block with it */
		return 0;
	}
	while (strip < r->code_indent && at + strip < bare && s[at + strip] == ' ')
		strip++;
	bars(r, out, r->code_quotes);
	if (fence_closes(&r->fence, s + at + strip, bare - at - strip)) {
		r->in_code = 0;
		spaces(r, out, r->code_indent); /* the rule lines up with the list item */
		fence_line(r, "", 0, out);
		if (bare < n)
			md_puts(r, out, "\n");
	} else {
		md_text(r, out, s + at, bare - at); /* as it came, bar ESC and the like */
		md_put(r, out, s + bare, n - bare); /* its own line ending */
	}
	return 1;
}

/* One line, with its ending if it has one (not at the reply's end). */
static void take_line(struct mdrender *r, const char *s, size_t n, struct buf *out)
{
	size_t bare = fence_without_eol(s, n), at, info;
	if (r->in_code && code_line(r, s, bare, n, out))
		return;
	size_t quotes = quotes_of(s, bare, (size_t)-1, &at);
	const char *t = s + at;
	size_t tn = bare - at, ind = md_run_of(t, 0, tn, ' ');
	size_t blank = ind;
	while (blank < tn && md_space(t[blank]))
		blank++;
	bars(r, out, quotes);
	if (blank == tn) {
		r->prev_blank = 1;
		r->in_table = 0;
		r->para_width = 0;
	} else {
		int after_blank = r->prev_blank;
		r->prev_blank = 0;
		if (after_blank && ind < r->list_indent)
			r->list_indent = 0; /* the list has ended */
		size_t strip = ind < r->list_indent ? ind : r->list_indent;
		if (ind >= r->list_indent + 4 && (after_blank || r->in_indented) && !r->in_table) {
			r->in_indented = 1; /* indented code: as it came, like fenced code */
			r->para_width = 0;
			md_text(r, out, t, tn);
			md_put(r, out, s + bare, n - bare);
			return;
		}
		r->in_indented = 0;
		if (fence_opens(t + strip, tn - strip, &r->fence, &info)) {
			r->in_code = 1;
			r->code_quotes = quotes;
			r->code_indent = strip;
			r->in_table = 0;
			r->para_width = 0;
			spaces(r, out, strip);
			fence_line(r, t + strip + info, tn - strip - info, out);
		} else {
			render_block(r, t, tn, out, !quotes);
		}
	}
	if (bare < n)
		md_puts(r, out, "\n");
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

/* Everything back to the start, so the next reply begins afresh. */
int mdrender_end(struct mdrender *r, struct buf *out)
{
	if (r->line.len)
		take_line(r, r->line.p, r->line.len, out);
	buf_reset(&r->line);
	r->in_code = r->in_indented = r->in_table = 0;
	r->prev_blank = 1;
	r->list_indent = r->para_width = 0;
	return r->oom ? -1 : 0;
}
