/* Inline Markdown, one line at a time. Styles nest by resetting and then
 * restoring the enclosing style (SGR 0, then the outer codes), which every
 * terminal understands. Links use OSC 8 on a colour terminal: the text
 * shows and the URL is what a click opens.
 *
 * Every search ahead stays inside the line, and the ones that could make a
 * hostile line quadratic are bounded: a link's text and destination are
 * looked for within SCAN_MAX bytes, brackets nest at most DEPTH_MAX deep
 * and a destination's parentheses 32, styles nest at most DEPTH_MAX, and a
 * search for an emphasis closer or a backtick run that found none is not
 * repeated over the same stretch. */
#include "ask/mdinline.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { DEPTH_MAX = 8, SCAN_MAX = 4096, TICKS_MAX = 64 };

#define ESC "\033["
#define REPLACEMENT "\xef\xbf\xbd"   /* U+FFFD */
#define OSC8 "\033]8;;"
#define ST "\033\\"

void md_put_slow(struct mdrender *r, struct buf *out, const char *s, size_t n)
{
	if (n && buf_add(out, s, n) < 0)
		r->oom = 1;
}

static void put_str(struct mdrender *r, struct buf *out, const char *s)
{
	md_put(r, out, s, strlen(s));
}

/* The length of the valid UTF-8 sequence at s (n bytes there), its code
 * point in *cp; 0 when the bytes are no such sequence. */
static size_t utf8_at(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t len;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, min = 0x80, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, min = 0x800, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

void md_text(struct mdrender *r, struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t j = i, len = 0;
		unsigned cp = 0;
		while (j < n) { /* a run that goes out as it is */
			if (u[j] >= 0x20 && u[j] < 0x7f)
				j++;
			else if (u[j] >= 0x80 && (len = utf8_at(u + j, n - j, &cp)) && cp >= 0xA0)
				j += len;
			else
				break;
		}
		md_put(r, out, s + i, j - i);
		if (j == n)
			return;
		if (u[j] == '\t') {
			md_put(r, out, "\t", 1);
			i = j + 1;
		} else if (u[j] < 0x80) {
			char caret[2] = { '^', (char)(u[j] ^ 0x40) }; /* ESC is ^[, DEL ^? */
			md_put(r, out, caret, 2);
			i = j + 1;
		} else {
			md_puts(r, out, REPLACEMENT); /* a C1 control or a bad byte */
			len = utf8_at(u + j, n - j, &cp);
			i = j + (len ? len : 1);
		}
	}
}

void md_style_on(struct mdrender *r, struct buf *out, const char *add)
{
	if (!r->colour)
		return;
	md_puts(r, out, ESC);
	put_str(r, out, add);
	md_puts(r, out, "m");
}

void md_style_off(struct mdrender *r, struct buf *out, const char *base)
{
	if (!r->colour)
		return;
	md_puts(r, out, ESC "0m");
	if (*base)
		md_style_on(r, out, base);
}

static int cp_width(unsigned c)
{
	if ((c >= 0x300 && c <= 0x36F) || (c >= 0x200B && c <= 0x200F) || (c >= 0x20D0 && c <= 0x20FF) ||
	    (c >= 0xFE00 && c <= 0xFE0F))
		return 0;
	if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
	    (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
	    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
	    (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
	    (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
		return 2;
	return 1;
}

size_t md_width(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t w = 0, i = 0;
	while (i < n) {
		if (u[i] == 0x1b && i + 1 < n && u[i + 1] == '[') { /* SGR: up to its final byte */
			for (i += 2; i < n && !(u[i] >= 0x40 && u[i] <= 0x7e); i++)
				;
			i++;
		} else if (u[i] == 0x1b && i + 1 < n && u[i + 1] == ']') { /* OSC 8: up to ESC \ */
			for (i += 2; i < n && u[i] != 0x1b; i++)
				;
			i += 2;
		} else {
			unsigned cp;
			size_t len = u[i] < 0x80 ? 1 : utf8_at(u + i, n - i, &cp);
			w += len > 1 ? (size_t)cp_width(cp) : 1;
			i += len ? len : 1;
		}
	}
	return w;
}

/* ---- the inline pass ---------------------------------------------------- */

struct line {
	struct mdrender *r;
	struct buf *out;
	int depth;
	/* stretches [from, to) known to hold no closer, per marker and run
	 * length, and no run of k backticks; set where the bit in *_known is */
	unsigned no_known;
	unsigned long long tick_known;
	const char *no_from[3][4], *no_to[3][4];
	const char *tick_from[TICKS_MAX], *tick_to[TICKS_MAX];
};

static const unsigned char special[256] = {
	['\\'] = 1, ['`'] = 1, ['*'] = 1, ['_'] = 1, ['~'] = 1, ['['] = 1, ['!'] = 1, ['<'] = 1,
};

static int known_absent(int known, const char *from, const char *to, const char *s, size_t i, size_t n)
{
	return known && s + i >= from && s + n <= to;
}

/* Where a run of exactly k backticks starts at or after i, or n. */
static size_t backticks_at(struct line *l, const char *s, size_t i, size_t n, size_t k)
{
	if (known_absent(l->tick_known >> k & 1, l->tick_from[k], l->tick_to[k], s, i, n))
		return n;
	for (size_t j = i; j < n;) {
		const char *t = memchr(s + j, '`', n - j);
		if (!t)
			break;
		j = (size_t)(t - s);
		size_t len = md_run_of(s, j, n, '`');
		if (len == k)
			return j;
		j += len;
	}
	l->tick_from[k] = s + i, l->tick_to[k] = s + n;
	l->tick_known |= 1ull << k;
	return n;
}

/* The closer of a d-long run of c opened before i: a run of exactly d, not
 * after a space (and for _, not inside a word), outside code spans. */
static size_t closer(struct line *l, const char *s, size_t i, size_t n, char c, size_t d)
{
	int kind = c == '*' ? 0 : c == '_' ? 1 : 2;
	if (known_absent(l->no_known >> (kind * 4 + d) & 1, l->no_from[kind][d], l->no_to[kind][d], s, i, n))
		return n;
	for (size_t j = i; j < n; j++) {
		if (s[j] == '\\') {
			j++;
		} else if (s[j] == '`') {
			size_t k = md_run_of(s, j, n, '`');
			size_t end = k < TICKS_MAX ? backticks_at(l, s, j + k, n, k) : n;
			j = (end < n ? end + k : j + k) - 1; /* a code span hides its markers */
		} else if (s[j] == c) {
			size_t len = md_run_of(s, j, n, c);
			if (len == d && !md_space(s[j - 1]) && (c != '_' || j + d == n || !isalnum((unsigned char)s[j + d])))
				return j;
			j += len - 1;
		}
	}
	l->no_from[kind][d] = s + i, l->no_to[kind][d] = s + n;
	l->no_known |= 1u << (kind * 4 + d);
	return n;
}

struct link {
	size_t close;            /* the ] */
	size_t url, url_len;     /* the destination */
	size_t end;              /* after the ) */
};

static size_t skip_spaces(const char *s, size_t p, size_t lim)
{
	while (p < lim && md_space(s[p]))
		p++;
	return p;
}

/* [text](url "title") with s[i] the [: 1 and k filled in, or 0. */
static int link_at(const char *s, size_t i, size_t n, struct link *k)
{
	size_t lim = n - i > SCAN_MAX ? i + SCAN_MAX : n, b;
	int depth = 0;
	for (b = i; b < lim; b++) {
		if (s[b] == '\\')
			b++;
		else if (s[b] == '[' && ++depth > DEPTH_MAX)
			return 0; /* so a run of [s is not scanned again and again */
		else if (s[b] == ']' && --depth == 0)
			break;
	}
	if (b + 1 >= lim || s[b + 1] != '(')
		return 0;
	size_t p = skip_spaces(s, b + 2, lim), u = p;
	if (p < lim && s[p] == '<') { /* <a destination with spaces> */
		u = ++p;
		while (p < lim && s[p] != '>' && s[p] != '<')
			p++;
		if (p >= lim || s[p] != '>')
			return 0;
		k->url_len = p++ - u;
	} else {
		int parens = 0;
		while (p < lim && (unsigned char)s[p] > ' ') {
			if (s[p] == '\\' && p + 1 < lim)
				p++;
			else if (s[p] == '(' && ++parens > 32)
				return 0; /* CommonMark's limit, which keeps this linear */
			else if (s[p] == ')' && parens-- == 0)
				break;
			p++;
		}
		k->url_len = p - u;
	}
	size_t t = skip_spaces(s, p, lim);
	if (t > p && t < lim && (s[t] == '"' || s[t] == '\'' || s[t] == '(')) { /* a title, not shown */
		const char *e = memchr(s + t + 1, s[t] == '(' ? ')' : s[t], lim - t - 1);
		if (!e)
			return 0;
		t = skip_spaces(s, (size_t)(e - s) + 1, lim);
	}
	if (t >= lim || s[t] != ')')
		return 0;
	k->close = b, k->url = u, k->end = t + 1;
	return 1;
}

/* Is c one of set's characters (NUL never is)? */
static int one_of(char c, const char *set)
{
	return c && strchr(set, c);
}

/* <scheme:...> or <user@host>, with s[i] the <: where the > is, or 0. */
static size_t autolink_at(const char *s, size_t i, size_t n, int *email)
{
	size_t lim = n - i > SCAN_MAX ? i + SCAN_MAX : n, p = i + 1;
	while (p < lim && (isalnum((unsigned char)s[p]) || one_of(s[p], "+.-")))
		p++;
	if (p < lim && s[p] == ':' && p - i - 1 >= 2 && p - i - 1 <= 32 && isalpha((unsigned char)s[i + 1])) {
		for (p++; p < lim && (unsigned char)s[p] > ' ' && s[p] != '<' && s[p] != '>'; p++)
			;
		*email = 0;
		return p < lim && s[p] == '>' ? p : 0;
	}
	for (p = i + 1; p < lim && (isalnum((unsigned char)s[p]) || one_of(s[p], ".!#$%&'*+/=?^_`{|}~-")); p++)
		;
	if (p == i + 1 || p >= lim || s[p] != '@')
		return 0;
	size_t host = ++p;
	while (p < lim && (isalnum((unsigned char)s[p]) || s[p] == '-' || s[p] == '.'))
		p++;
	*email = 1;
	return p > host && p < lim && s[p] == '>' ? p : 0;
}

/* OSC 8's URL: printable ASCII as it is, every other byte %-encoded, so no
 * control character can end the sequence early. */
static void osc8_open(struct mdrender *r, struct buf *out, const char *scheme, const char *u, size_t n)
{
	md_puts(r, out, OSC8);
	put_str(r, out, scheme);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];
		char hex[4];
		if (c > 0x20 && c < 0x7f) {
			md_put(r, out, u + i, 1);
		} else {
			snprintf(hex, sizeof hex, "%%%02X", c);
			md_put(r, out, hex, 3);
		}
	}
	md_puts(r, out, ST);
}

/* base;add into to (cap bytes), which DEPTH_MAX keeps short. */
static void nested(char *to, size_t cap, const char *base, const char *add)
{
	size_t b = strlen(base), a = strlen(add);
	if (b + a + 2 > cap)
		b = 0; /* cannot happen within DEPTH_MAX; the outer style is lost then */
	memcpy(to, base, b);
	if (b)
		to[b++] = ';';
	memcpy(to + b, add, a + 1);
}

static void inline_run(struct line *l, const char *s, size_t n, const char *base);

/* A link or image: on a colour terminal its text, underlined, as an OSC 8
 * hyperlink; without colour the text then the URL in parentheses (once,
 * when the text is the URL). */
static void link_out(struct line *l, const char *s, const struct link *k, size_t text, const char *base, int image)
{
	struct mdrender *r = l->r;
	struct buf *out = l->out;
	const char *url = s + k->url;
	size_t tn = k->close - text;
	char inner[64];
	if (r->colour && k->url_len)
		osc8_open(r, out, "", url, k->url_len);
	md_style_on(r, out, "4");
	if (image)
		put_str(r, out, tn ? "[image: " : "[image");
	nested(inner, sizeof inner, base, "4");
	l->depth++;
	inline_run(l, s + text, tn, inner);
	l->depth--;
	if (image)
		md_puts(r, out, "]");
	md_style_off(r, out, base);
	if (r->colour && k->url_len)
		md_puts(r, out, OSC8 ST);
	if (!r->colour && k->url_len && (image || tn != k->url_len || memcmp(s + text, url, tn))) {
		md_puts(r, out, " (");
		md_text(r, out, url, k->url_len);
		md_puts(r, out, ")");
	}
}

static void inline_run(struct line *l, const char *s, size_t n, const char *base)
{
	struct mdrender *r = l->r;
	struct buf *out = l->out;
	char inner[64];
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && !special[(unsigned char)s[j]])
			j++;
		md_text(r, out, s + i, j - i);
		if ((i = j) == n)
			break;
		char c = s[i];
		size_t k = c == '`' || c == '*' || c == '_' || c == '~' ? md_run_of(s, i, n, c) : 1, end;
		struct link lk;
		int email;
		if (c == '\\') {
			int esc = i + 1 < n && ispunct((unsigned char)s[i + 1]);
			md_text(r, out, s + i + esc, 1);
			i += 1 + esc;
		} else if (c == '`') {
			end = k < TICKS_MAX ? backticks_at(l, s, i + k, n, k) : n;
			if (end == n) {
				md_text(r, out, s + i, k);
				i += k;
			} else if (r->colour) {
				size_t a = i + k, b = end;
				if (b - a >= 2 && s[a] == ' ' && s[b - 1] == ' ' && md_run_of(s, a, b, ' ') < b - a)
					a++, b--; /* one space each side is padding */
				md_style_on(r, out, "36");
				md_text(r, out, s + a, b - a);
				md_style_off(r, out, base);
				i = end + k;
			} else {
				md_text(r, out, s + i, end + k - i); /* the backticks mark it */
				i = end + k;
			}
		} else if (c == '*' || c == '_' || c == '~') {
			int opens = (c == '~' ? k == 2 : k <= 3) && l->depth < DEPTH_MAX && i + k < n && !md_space(s[i + k]) &&
				    (c != '_' || !i || !isalnum((unsigned char)s[i - 1]));
			end = opens ? closer(l, s, i + k + 1, n, c, k) : n;
			if (end == n) {
				md_text(r, out, s + i, k);
				i += k;
				continue;
			}
			const char *add = c == '~' ? "9" : k == 1 ? "3" : k == 2 ? "1" : "1;3";
			int marks = c == '~' && !r->colour; /* strike needs colour; else ~~ stays */
			nested(inner, sizeof inner, base, add);
			md_style_on(r, out, add);
			if (marks)
				md_puts(r, out, "~~");
			l->depth++;
			inline_run(l, s + i + k, end - i - k, inner);
			l->depth--;
			if (marks)
				md_puts(r, out, "~~");
			md_style_off(r, out, base);
			i = end + k;
		} else if ((c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '[')) && l->depth < DEPTH_MAX &&
			   link_at(s, i + (c == '!'), n, &lk)) {
			link_out(l, s, &lk, i + (c == '!') + 1, base, c == '!');
			i = lk.end;
		} else if (c == '<' && (end = autolink_at(s, i, n, &email))) {
			if (r->colour)
				osc8_open(r, out, email ? "mailto:" : "", s + i + 1, end - i - 1);
			md_style_on(r, out, "4");
			md_text(r, out, s + i + 1, end - i - 1);
			md_style_off(r, out, base);
			if (r->colour)
				md_puts(r, out, OSC8 ST);
			i = end + 1;
		} else {
			md_text(r, out, s + i, 1);
			i++;
		}
	}
}

void md_inline(struct mdrender *r, const char *s, size_t n, struct buf *out, const char *base)
{
	struct line l;
	l.r = r, l.out = out, l.depth = 0;
	l.no_known = 0, l.tick_known = 0; /* the memos are read only where known */
	inline_run(&l, s, n, base);
}
