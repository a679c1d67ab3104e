#include "history/pgquery.h"
#include <ctype.h>
#include <string.h>

/* A recursive descent over FTS5's query syntax, each part written out as
 * a parenthesised tsquery; any part it does not know fails the whole, and
 * the caller falls back to reading the words as typed. */
struct parser {
	const char *p;
	struct buf *out;
	int depth;
};

static void skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

/* FTS5's barewords: letters, digits, '_' and every non-ASCII byte */
static int bare_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static size_t bare_len(const char *p)
{
	size_t n = 0;
	while (bare_char((unsigned char)p[n]))
		n++;
	return n;
}

/* A keyword (AND, OR, NOT, NEAR) as a whole bareword at p. */
static int keyword(const char *p, const char *kw)
{
	size_t n = strlen(kw);
	return !strncmp(p, kw, n) && bare_len(p) == n;
}

/* One word as a quoted lexeme: ' and \ escaped; prefix adds :* */
static void lexeme(struct buf *out, const char *w, size_t n, int prefix)
{
	buf_addc(out, '\'');
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '\'' || w[i] == '\\')
			buf_addc(out, w[i]);
		buf_addc(out, w[i]);
	}
	buf_addc(out, '\'');
	if (prefix)
		buf_adds(out, ":*");
}

/* "a b c" (with "" for a quote), then an optional *: a <-> b <-> c */
static int phrase(struct parser *ps, const char *join)
{
	ps->p++; /* the opening quote */
	char word[512];
	size_t wn = 0, words = 0;
	size_t start = ps->out->len;
	buf_addc(ps->out, '(');
	for (;;) {
		char c = *ps->p;
		if (!c)
			return -1;
		if (c == '"' && ps->p[1] == '"') {
			c = '"';
			ps->p++;
		} else if (c == '"') {
			ps->p++;
			break;
		}
		ps->p++;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (wn) {
				if (words++)
					buf_adds(ps->out, join);
				lexeme(ps->out, word, wn, 0);
				wn = 0;
			}
			continue;
		}
		if (wn == sizeof word)
			return -1;
		word[wn++] = c;
	}
	int prefix = *ps->p == '*';
	if (prefix)
		ps->p++;
	if (wn) {
		if (words++)
			buf_adds(ps->out, join);
		lexeme(ps->out, word, wn, prefix);
	}
	if (!words) {
		ps->out->len = start;
		return -1; /* an empty phrase matches nothing FTS5 would */
	}
	buf_addc(ps->out, ')');
	return 0;
}

static int expr_or(struct parser *ps);

/* NEAR(phrase phrase ..., N): every phrase, anywhere (PostgreSQL has no
 * "within N words" for more than a phrase) */
static int near(struct parser *ps)
{
	ps->p += 4;
	skip_space(ps);
	if (*ps->p != '(')
		return -1;
	ps->p++;
	buf_addc(ps->out, '(');
	int n = 0;
	for (;;) {
		skip_space(ps);
		if (*ps->p == ')') {
			ps->p++;
			break;
		}
		if (*ps->p == ',') { /* the distance: read and dropped */
			ps->p++;
			skip_space(ps);
			while (isdigit((unsigned char)*ps->p))
				ps->p++;
			skip_space(ps);
			if (*ps->p != ')')
				return -1;
			continue;
		}
		if (n++)
			buf_adds(ps->out, " & ");
		if (*ps->p == '"') {
			if (phrase(ps, " <-> ") < 0)
				return -1;
		} else {
			size_t len = bare_len(ps->p);
			if (!len)
				return -1;
			int prefix = ps->p[len] == '*';
			lexeme(ps->out, ps->p, len, prefix);
			ps->p += len + prefix;
		}
	}
	if (!n)
		return -1;
	buf_addc(ps->out, ')');
	return 0;
}

static int primary(struct parser *ps)
{
	skip_space(ps);
	const char *p = ps->p;
	if (*p == '(') {
		if (++ps->depth > 64)
			return -1;
		ps->p++;
		buf_addc(ps->out, '(');
		if (expr_or(ps) < 0)
			return -1;
		skip_space(ps);
		if (*ps->p != ')')
			return -1;
		ps->p++;
		ps->depth--;
		buf_addc(ps->out, ')');
		return 0;
	}
	if (*p == '"')
		return phrase(ps, " <-> ");
	if (keyword(p, "NEAR") && (p[4] == '(' || p[4] == ' '))
		return near(ps);
	size_t n = bare_len(p);
	if (!n || keyword(p, "AND") || keyword(p, "OR") || keyword(p, "NOT"))
		return -1;
	/* a column filter: the history indexes one column, text */
	if (p[n] == ':') {
		if (n != 4 || strncmp(p, "text", 4))
			return -1;
		ps->p += n + 1;
		return primary(ps);
	}
	int prefix = p[n] == '*';
	lexeme(ps->out, p, n, prefix);
	ps->p += n + prefix;
	return 0;
}

/* a NOT b NOT c: a & !b & !c */
static int expr_not(struct parser *ps)
{
	buf_addc(ps->out, '(');
	if (primary(ps) < 0)
		return -1;
	for (;;) {
		skip_space(ps);
		if (!keyword(ps->p, "NOT"))
			break;
		ps->p += 3;
		buf_adds(ps->out, " & !");
		if (primary(ps) < 0)
			return -1;
	}
	buf_addc(ps->out, ')');
	return 0;
}

/* a AND b, or a b: a & b */
static int expr_and(struct parser *ps)
{
	if (expr_not(ps) < 0)
		return -1;
	for (;;) {
		skip_space(ps);
		const char *p = ps->p;
		if (!*p || *p == ')' || keyword(p, "OR"))
			return 0;
		if (keyword(p, "AND"))
			ps->p += 3;
		buf_adds(ps->out, " & ");
		if (expr_not(ps) < 0)
			return -1;
	}
}

static int expr_or(struct parser *ps)
{
	if (expr_and(ps) < 0)
		return -1;
	for (;;) {
		skip_space(ps);
		if (!keyword(ps->p, "OR"))
			return 0;
		ps->p += 2;
		buf_adds(ps->out, " | ");
		if (expr_and(ps) < 0)
			return -1;
	}
}

int pgquery_from_fts(const char *query, struct buf *out)
{
	struct parser ps = { .p = query, .out = out };
	size_t start = out->len;
	skip_space(&ps);
	if (!*ps.p || expr_or(&ps) < 0 || (skip_space(&ps), *ps.p)) {
		out->len = start;
		if (out->p)
			out->p[start] = 0;
		return -1;
	}
	return 0;
}
