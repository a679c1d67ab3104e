#include "tokens/split.h"
#include "tokens/tokenizer.h"
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Input is taken this much at a time, and text with no line end is counted
 * in slices of about this size, so a line far longer than a part is cut
 * while it is read rather than held whole. */
#define SLICE 65536

/* The tokens are counted unit by unit, a unit being a line with text and
 * the blank lines after it, and those counts are summed: est.  The sum is
 * the exact count wherever the tokenizer's pieces do not run across a line
 * start (a line that starts with text), and only a guide elsewhere, so a
 * part is always counted whole before it is handed out.  The candidate cuts
 * are the ends of units. */

static int fail(struct splitter *s, enum split_status st)
{
	if (s->status == SPLIT_OK)
		s->status = st;
	return -1;
}

static long count(struct splitter *s, size_t from, size_t to)
{
	return s->c.count(s->c.ctx, s->b.p + from, to - from);
}

static int is_blank_byte(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Drop the first n held bytes, which have gone out as a part; delta moves
 * the estimates of what is left (they were counted from the old start). */
static void drop(struct splitter *s, size_t n, long delta)
{
	buf_consume(&s->b, n);
	s->off += n;
	s->scan -= n;
	s->counted -= n;
	s->line_start = s->line_start > n ? s->line_start - n : 0;
	s->est += delta;
	size_t k = 0;
	for (size_t i = 0; i < s->ncand; i++) {
		if (s->cand[i].pos <= n)
			continue;
		s->cand[k] = s->cand[i];
		s->cand[k].pos -= n;
		s->cand[k].est += delta;
		s->cand[k].exact = -1;   /* the part before it now starts elsewhere */
		k++;
	}
	s->ncand = k;
}

/* Hand out the first n held bytes, of tokens tokens, as a part. */
static int hand_out(struct splitter *s, size_t n, long tokens, long delta)
{
	struct split_part p = { s->off, n, tokens };
	if (s->emit(s->ctx, &p, s->b.p))
		return fail(s, SPLIT_STOPPED);
	drop(s, n, delta);
	return 0;
}

/* The candidate to cut at: the last paragraph break that fits, else the
 * last line break that does; -1 when none does.  A candidate fits by its
 * exact count once it has one, else by its estimate corrected by bias. */
static long choose(const struct splitter *s, long bias)
{
	long line = -1;
	for (size_t i = s->ncand; i-- > 0;) {
		const struct split_cand *c = &s->cand[i];
		if ((c->exact >= 0 ? c->exact : c->est + bias) > s->max)
			continue;
		if (c->para)
			return (long)i;
		if (line < 0)
			line = (long)i;
	}
	return line;
}

/* The length of the first character of the held bytes. */
static size_t first_char(const struct splitter *s)
{
	size_t n = 1;
	while (n < s->b.len && ((unsigned char)s->b.p[n] & 0xC0) == 0x80)
		n++;
	return n;
}

/* Where the character at or before pos starts. */
static size_t char_start(const struct splitter *s, size_t pos)
{
	while (pos > 0 && ((unsigned char)s->b.p[pos] & 0xC0) == 0x80)
		pos--;
	return pos;
}

/* How many of the first lim held bytes (estimated at est tokens) should
 * hold max tokens: twice the average, so that the end of the window does
 * not change the tokens before the cut, and whole characters, which the
 * tokenizer would otherwise mend. */
static size_t window(const struct splitter *s, size_t lim, long est)
{
	if (est <= s->max)
		return lim;
	double w = (double)lim / (double)est * (double)s->max * 2 + 256;
	return w < (double)lim ? char_start(s, (size_t)w) : lim;
}

/* No line break fits: the first unit alone is over the limit.  Cut it at
 * the end of its first max tokens, moved back to a character boundary, and
 * counted again on its own (the tokens of a prefix need not be a prefix of
 * the tokens); each miss asks for fewer tokens.  Only a window a little
 * larger than a part is tokenized, so a long line costs time in proportion
 * to its length, and what is left is estimated, not counted again. */
static int token_cut(struct splitter *s)
{
	size_t lim = s->ncand ? s->cand[0].pos : s->counted;
	long elim = s->ncand ? s->cand[0].est : s->est;
	size_t win = window(s, lim, elim), n = 0;
	long got = 0;
	for (long want = s->max; want > 0;) {
		if (s->c.prefix(s->c.ctx, s->b.p, win, want, &n) < 0)
			return fail(s, SPLIT_NOMEM);
		if (n >= win && win < lim) {   /* the window holds too few tokens */
			win = win > lim / 2 ? lim : char_start(s, 2 * win);
			continue;
		}
		if (n >= lim) {   /* the estimate was high: all of it may fit */
			long all = count(s, 0, lim);
			if (all < 0)
				return fail(s, SPLIT_NOMEM);
			if (all <= s->max && s->ncand)
				return hand_out(s, lim, all, -elim);
			if (all <= s->max) {
				s->est = all;   /* all that is counted fits: read on */
				return 0;
			}
			want -= all - s->max;
			continue;
		}
		if ((n = char_start(s, n)) == 0)   /* the tokens end inside the first character */
			break;
		if ((got = count(s, 0, n)) < 0)
			return fail(s, SPLIT_NOMEM);
		if (got <= s->max)
			break;
		want -= got - s->max;
	}
	if (n == 0 || got > s->max) {
		/* a character takes at most 4 tokens, and max is at least 4 */
		n = first_char(s);
		if ((got = count(s, 0, n)) < 0)
			return fail(s, SPLIT_NOMEM);
	}
	long rest = elim > got ? elim - got : 0;
	return hand_out(s, n, got, rest - elim);
}

/* One cut, at the best candidate that is truly within the limit.  Where
 * the estimates are off, the error measured at one candidate is taken for
 * the others' too, so the next guess lands near the limit rather than
 * one line back at a time (each guess costs a count of the whole part). */
static int cut(struct splitter *s)
{
	long bias = 0;   /* the exact count less the estimate, where last counted */
	for (;;) {
		long k = choose(s, bias);
		if (k < 0)
			return token_cut(s);
		struct split_cand *c = &s->cand[k];
		if (c->exact >= 0)   /* counted, and within the limit */
			return hand_out(s, c->pos, c->exact, -c->est);
		if ((c->exact = count(s, 0, c->pos)) < 0)
			return fail(s, SPLIT_NOMEM);
		bias = c->exact - c->est;
	}
}

/* Cut while what is held is estimated to be over the limit. */
static int settle(struct splitter *s)
{
	while (s->status == SPLIT_OK && s->est > s->max)
		if (cut(s) < 0)
			return -1;
	return s->status == SPLIT_OK ? 0 : -1;
}

/* Count the held bytes up to end (a character boundary) into est. */
static int count_to(struct splitter *s, size_t end)
{
	if (end <= s->counted)
		return 0;
	long n = count(s, s->counted, end);
	if (n < 0)
		return fail(s, SPLIT_NOMEM);
	s->est += n;
	s->counted = end;
	return 0;
}

/* A unit ends at end: count it and make its end a candidate cut. */
static int close_unit(struct splitter *s, size_t end)
{
	if (count_to(s, end) < 0)
		return -1;
	if (s->ncand == s->capcand) {
		size_t cap = s->capcand ? 2 * s->capcand : 64;
		struct split_cand *v = realloc(s->cand, cap * sizeof *v);
		if (!v)
			return fail(s, SPLIT_NOMEM);
		s->cand = v;
		s->capcand = cap;
	}
	s->cand[s->ncand++] = (struct split_cand){ end, s->est, s->unit_para, -1 };
	s->unit_para = 0;
	return settle(s);
}

/* One byte of a UTF-8 sequence (RFC 3629: no overlongs, surrogates or
 * code points past U+10FFFF); 0, or -1 when it cannot be one. */
static int utf8_step(struct splitter *s, unsigned char c)
{
	if (s->u8need) {
		if (c < s->u8lo || c > s->u8hi)
			return -1;
		s->u8lo = 0x80;
		s->u8hi = 0xBF;
		s->u8need--;
		return 0;
	}
	if (c < 0x80)
		return 0;
	s->u8lo = 0x80;
	s->u8hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		s->u8need = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		s->u8need = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		s->u8need = 3;
	else
		return -1;
	if (c == 0xE0)
		s->u8lo = 0xA0;
	else if (c == 0xED)
		s->u8hi = 0x9F;
	else if (c == 0xF0)
		s->u8lo = 0x90;
	else if (c == 0xF4)
		s->u8hi = 0x8F;
	return 0;
}

/* Where the last whole character read ends. */
static size_t whole_chars(const struct splitter *s)
{
	size_t end = s->scan;
	if (s->u8need)
		while (end > s->counted && ((unsigned char)s->b.p[--end] & 0xC0) == 0x80)
			;
	return end;
}

/* Check the bytes not yet scanned and find their lines; a line that starts
 * with text ends the unit before it. */
static int scan(struct splitter *s)
{
	while (s->scan < s->b.len) {
		unsigned char c = (unsigned char)s->b.p[s->scan];
		if (c == 0 || utf8_step(s, c) < 0) {
			s->err_line = s->line;
			return fail(s, c ? SPLIT_NOT_UTF8 : SPLIT_NUL);
		}
		s->scan++;
		if (c == '\n') {
			if (s->blank && s->unit_text)
				s->unit_para = 1;
			s->line++;
			s->line_start = s->scan;
			s->blank = 1;
		} else if (s->blank && !is_blank_byte(c)) {
			s->blank = 0;
			/* the text of a new line: the unit before it is done (a cut
			 * at the very start would be an empty part) */
			if (s->unit_text && s->line_start > 0 && close_unit(s, s->line_start) < 0)
				return -1;
			s->unit_text = 1;
		}
	}
	if (s->scan - s->counted >= SLICE && (count_to(s, whole_chars(s)) < 0 || settle(s) < 0))
		return -1;
	return 0;
}

void split_init(struct splitter *s, const struct split_counter *c, long max, split_fn emit, void *ctx)
{
	memset(s, 0, sizeof *s);
	s->c = *c;
	s->max = max < 4 ? 4 : max;
	s->emit = emit;
	s->ctx = ctx;
	buf_init(&s->b, SIZE_MAX / 2);
	s->blank = 1;
	s->line = 1;
}

int split_feed(struct splitter *s, const char *p, size_t n)
{
	if (s->status != SPLIT_OK)
		return -1;
	/* a slice at a time, so what is held stays near one part */
	while (n) {
		size_t k = n < SLICE ? n : SLICE;
		if (buf_add(&s->b, p, k) < 0)
			return fail(s, SPLIT_NOMEM);
		if (scan(s) < 0)
			return -1;
		p += k;
		n -= k;
	}
	return 0;
}

int split_end(struct splitter *s)
{
	if (s->status != SPLIT_OK)
		return -1;
	if (s->u8need) {   /* the input ends inside a character */
		s->err_line = s->line;
		return fail(s, SPLIT_NOT_UTF8);
	}
	if (!s->b.len)
		return 0;
	if (close_unit(s, s->b.len) < 0)
		return -1;
	/* what is left is estimated to fit; hand it out once it is counted so */
	while (s->b.len) {
		long n = count(s, 0, s->b.len);
		if (n < 0)
			return fail(s, SPLIT_NOMEM);
		if (n <= s->max)
			return hand_out(s, s->b.len, n, -s->est);
		s->cand[s->ncand - 1].exact = n;   /* the last candidate ends the input */
		if (cut(s) < 0)
			return -1;
	}
	return 0;
}

void split_free(struct splitter *s)
{
	buf_free(&s->b);
	free(s->cand);
	s->cand = NULL;
	s->ncand = s->capcand = 0;
}

static long tok_count(void *ctx, const char *text, size_t len)
{
	size_t n = tokenizer_count(ctx, text, len);
	return n == SIZE_MAX || n > LONG_MAX ? -1 : (long)n;
}

int split_tokenizer_prefix(struct tokenizer *t, const char *text, size_t len, long max, size_t *bytes)
{
	uint32_t *ids = NULL;
	size_t n = 0;
	if (tokenizer_encode(t, text, len, 0, &ids, &n) < 0) {
		free(ids);
		return -1;
	}
	int rc = 0;
	*bytes = len;
	if (n > (size_t)max) {
		/* the ids' bytes are the text's own, as the text is whole UTF-8 */
		struct buf out = BUF_INIT(len + 1);
		rc = tokenizer_decode(t, ids, (size_t)max, &out);
		*bytes = out.len;
		buf_free(&out);
	}
	free(ids);
	return rc;
}

static int tok_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	return split_tokenizer_prefix(ctx, text, len, max, bytes);
}

void split_tokenizer(struct split_counter *c, struct tokenizer *t)
{
	c->count = tok_count;
	c->prefix = tok_prefix;
	c->ctx = t;
}
