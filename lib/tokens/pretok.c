#include "tokens/pretok.h"
#include "tokens/unicode.h"
#include <stdint.h>

/* Each matcher below is one alternative of the pattern, tried in the
 * pattern's order at the piece's start; it returns the end of its match or 0
 * (a match is never empty, and every character starts some alternative, so
 * the pieces tile the text as tiktoken's find_iter does). */

struct text {
	const unsigned char *s;
	size_t len;
	const uint8_t *flat;
};

#define BIT(k) (1u << (k))
/* \p{L} */
#define L_SET (BIT(UC_LU) | BIT(UC_LL) | BIT(UC_LT) | BIT(UC_LM) | BIT(UC_LO))
/* o200k_base's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
#define U_SET (BIT(UC_LU) | BIT(UC_LT) | BIT(UC_LM) | BIT(UC_LO) | BIT(UC_M))
#define W_SET (BIT(UC_LL) | BIT(UC_LM) | BIT(UC_LO) | BIT(UC_M))
/* [^\s\p{L}\p{N}] */
#define Q_SET (BIT(UC_OTHER) | BIT(UC_M))

static inline int in(unsigned k, unsigned set) { return (set >> k) & 1; }

/* The class of the character at i (< len); its code point in *cp and where
 * the next one starts in *end.  A byte that cannot start a sequence inside
 * the text stands alone as U+FFFD. */
static inline unsigned at(const struct text *t, size_t i, size_t *end, uint32_t *cp)
{
	unsigned c = t->s[i];
	if (c < 0x80) {
		*cp = c;
		*end = i + 1;
		return t->flat[c];
	}
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
	if (!n || n > t->len - i) {
		*cp = 0xFFFD;
		*end = i + 1;
		return UC_OTHER;
	}
	uint32_t v = c & (0x7Fu >> n);
	for (size_t k = 1; k < n; k++)
		v = v << 6 | (t->s[i + k] & 0x3Fu);
	*cp = v;
	*end = i + n;
	return v < UNICODE_FLAT ? t->flat[v] : unicode_class(v);
}

/* The end of the run of characters in set that starts at i. */
static size_t run(const struct text *t, size_t i, unsigned set)
{
	size_t e;
	uint32_t cp;
	while (i < t->len && in(at(t, i, &e, &cp), set))
		i = e;
	return i;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d) at i.  Under Unicode simple case folding
 * U+017F (long s) is an s too; no other non-ASCII letter folds into these. */
static size_t contraction(const struct text *t, size_t i)
{
	const unsigned char *s = t->s;
	if (i + 1 >= t->len || s[i] != '\'')
		return 0;
	unsigned a = s[i + 1] | 0x20u;
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return i + 2;
	if (i + 2 >= t->len)
		return 0;
	if (s[i + 1] == 0xC5 && s[i + 2] == 0xBF)
		return i + 3;
	unsigned b = s[i + 2] | 0x20u;
	if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
		return i + 3;
	return 0;
}

static size_t maybe_contraction(const struct text *t, size_t i)
{
	size_t e = contraction(t, i);
	return e ? e : i;
}

/* \p{N}{1,3}, the first one ending at i */
static size_t digits(const struct text *t, size_t i)
{
	size_t e;
	uint32_t cp;
	for (int k = 1; k < 3 && i < t->len && at(t, i, &e, &cp) == UC_N; k++)
		i = e;
	return i;
}

/* o200k_base: U* W+ C? from i.  U* first takes its longest run; W+ must
 * then start at the character after it (only an Ll can, as the run stopped)
 * or, backtracking, at the last U character that is also W (Lm, Lo, M) —
 * after which W+ stops at once, the rest of the run being Lu or Lt. */
static size_t upper_lower(const struct text *t, size_t i)
{
	size_t lastw = 0, e;
	uint32_t cp;
	while (i < t->len) {
		unsigned k = at(t, i, &e, &cp);
		if (!in(k, U_SET)) {
			if (k == UC_LL)
				return maybe_contraction(t, run(t, e, W_SET));
			break;
		}
		if (in(k, W_SET))
			lastw = e;
		i = e;
	}
	return lastw ? maybe_contraction(t, lastw) : 0;
}

/* o200k_base: U+ W* C? from i. */
static size_t upper_run(const struct text *t, size_t i)
{
	size_t e = run(t, i, U_SET);
	return e == i ? 0 : maybe_contraction(t, run(t, e, W_SET));
}

/* " ?[^\s\p{L}\p{N}]+" and then [\r\n]* (cl100k_base) or [\r\n/]* (o200k_base) */
static size_t punct(const struct text *t, size_t p, uint32_t c, unsigned k, size_t q, int slash)
{
	size_t e;
	uint32_t cp;
	if (c == ' ') {
		if (q >= t->len || !in(at(t, q, &e, &cp), Q_SET))
			return 0;
	} else if (!in(k, Q_SET))
		return 0;
	e = run(t, q, Q_SET);
	while (e < t->len && (t->s[e] == '\r' || t->s[e] == '\n' || (slash && t->s[e] == '/')))
		e++;
	return e;
}

/* \s*[\r\n]+ | \s+(?!\S) | \s+ at the whitespace run from p: up to the run's
 * last line break if it has one; else all of it at the end of the text; else
 * all but its last character (which goes with what follows) if it has two or
 * more; else its one character. */
static size_t spaces(const struct text *t, size_t p)
{
	size_t i = p, last = p, nl = 0, e, n = 0;
	uint32_t c;
	while (i < t->len && at(t, i, &e, &c) == UC_WS) {
		if (c == '\r' || c == '\n')
			nl = e;
		last = i;
		i = e;
		n++;
	}
	if (nl)
		return nl;
	if (n == 0)     /* not reached: every other character matched before */
		return p + 1;
	return i == t->len || n < 2 ? i : last;
}

static size_t next_cl100k(const struct text *t, size_t p)
{
	size_t q, q2, e;
	uint32_t c, c2;
	unsigned k = at(t, p, &q, &c);
	if (c == '\'' && (e = contraction(t, p)))
		return e;
	/* [^\r\n\p{L}\p{N}]?\p{L}+ */
	if (in(k, L_SET))
		return run(t, q, L_SET);
	if (c != '\r' && c != '\n' && k != UC_N && q < t->len && in(at(t, q, &q2, &c2), L_SET))
		return run(t, q2, L_SET);
	if (k == UC_N)
		return digits(t, q);
	if ((e = punct(t, p, c, k, q, 0)))
		return e;
	return spaces(t, p);
}

static size_t next_o200k(const struct text *t, size_t p)
{
	size_t q, e;
	uint32_t c;
	unsigned k = at(t, p, &q, &c);
	/* [^\r\n\p{L}\p{N}]? taken, then left out */
	int pre = c != '\r' && c != '\n' && !in(k, L_SET) && k != UC_N && q < t->len;
	if (pre && (e = upper_lower(t, q)))
		return e;
	if (in(k, U_SET | W_SET) && (e = upper_lower(t, p)))
		return e;
	if (pre && (e = upper_run(t, q)))
		return e;
	if (in(k, U_SET) && (e = upper_run(t, p)))
		return e;
	if (k == UC_N)
		return digits(t, q);
	if ((e = punct(t, p, c, k, q, 1)))
		return e;
	return spaces(t, p);
}

size_t pretok_next(enum pretok_pattern pat, const unsigned char *s, size_t len, size_t pos)
{
	struct text t = { s, len, unicode_flat() };
	return pat == PRETOK_O200K ? next_o200k(&t, pos) : next_cl100k(&t, pos);
}
