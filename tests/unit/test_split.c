/* Cutting text into parts of at most N tokens (split): where the cuts fall
 * with a counter simple enough to work out by hand, that any counter's
 * parts stay within the limit and join into the input, that feeding the
 * input in pieces changes nothing, bad input, and the real encodings. */
#include "buf.h"
#include "tokens/split.h"
#include "tap.h"
#include "tokens/tokenizer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parts handed out, joined by '|' to compare, and checked as they come. */
struct seen {
	struct buf joined;      /* the parts' texts with '|' between */
	struct buf whole;       /* the parts' texts as they are */
	const struct split_counter *c;
	long max, worst, nparts;
	int bad_offset, bad_count, bad_start, stop_after;
};

static int seen_part(void *ctx, const struct split_part *p, const char *text)
{
	struct seen *s = ctx;
	if (p->offset != s->whole.len)
		s->bad_offset = 1;
	if (p->tokens != s->c->count(s->c->ctx, text, p->len))
		s->bad_count = 1;
	if (p->len == 0 || ((unsigned char)text[0] & 0xC0) == 0x80)
		s->bad_start = 1;
	if (p->tokens > s->worst)
		s->worst = p->tokens;
	if (s->nparts++)
		buf_addc(&s->joined, '|');
	buf_add(&s->joined, text, p->len);
	buf_add(&s->whole, text, p->len);
	return s->stop_after && s->nparts >= s->stop_after;
}

/* Split text with counter c into parts of max tokens, feeding step bytes
 * at a time (0: all at once); the status of the split. */
static enum split_status run(const struct split_counter *c, long max, const char *text, size_t len, size_t step,
			     struct seen *s, long *err_line)
{
	memset(s, 0, sizeof *s);
	buf_init(&s->joined, (size_t)1 << 30);
	buf_init(&s->whole, (size_t)1 << 30);
	s->c = c;
	s->max = max;
	struct splitter sp;
	split_init(&sp, c, max, seen_part, s);
	int r = 0;
	for (size_t at = 0; at < len && !r;) {
		size_t n = step && len - at > step ? step : len - at;
		r = split_feed(&sp, text + at, n);
		at += n;
	}
	if (!r)
		split_end(&sp);
	enum split_status st = sp.status;
	if (err_line)
		*err_line = sp.err_line;
	split_free(&sp);
	return st;
}

static void done(struct seen *s)
{
	buf_free(&s->joined);
	buf_free(&s->whole);
}

/* A token a byte: every count adds up, so the cuts can be worked out. */
static long byte_count(void *ctx, const char *text, size_t len)
{
	return (long)len;
}

static int byte_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	*bytes = len < (size_t)max ? len : (size_t)max;
	return 0;
}

static const struct split_counter per_byte = { byte_count, byte_prefix, NULL };

static void expect(long max, const char *text, const char *want, const char *name)
{
	struct seen s;
	enum split_status st = run(&per_byte, max, text, strlen(text), 0, &s, NULL);
	ok(st == SPLIT_OK, "%s: split", name);
	is_str(s.joined.p ? s.joined.p : "", want, name);
	done(&s);
}

static void cuts(void)
{
	expect(10, "aaa\n\nbbb\n\nccc\n", "aaa\n\nbbb\n\n|ccc\n", "whole paragraphs, as many as fit");
	expect(8, "a\nb\n\nccccc\n", "a\nb\n\n|ccccc\n", "a paragraph break before a later line break");
	expect(10, "aaaa\nbbbb\ncccc\n", "aaaa\nbbbb\n|cccc\n", "a paragraph over the limit: at a line break");
	expect(10, "aaaa\n\nbbbbbbbbbbbbbbbbbbbbbbbbb\n",
	       "aaaa\n\n|bbbbbbbbbb|bbbbbbbbbb|bbbbb\n", "a line over the limit: between tokens, after its line break");
	expect(10, "xxxxxxxxxxxxxxxxxxxxxxxxx", "xxxxxxxxxx|xxxxxxxxxx|xxxxx", "one line, no line end");
	expect(10, "\n\n\nabc\n\n\n", "\n\n\nabc\n\n\n", "blank lines first and last stay with the text");
	expect(16, "abc\n \t\r\n  \ndef\n", "abc\n \t\r\n  \ndef\n", "lines of spaces are blank lines");
	expect(12, "abc\n \t\r\n  \ndef\n", "abc\n \t\r\n  \n|def\n", "... and a part ends after them");
	expect(8, "abc\r\n\r\ndef\r\n", "abc\r\n\r\n|def\r\n", "CRLF line ends");
	/* what is left of a long line is a line of its own */
	expect(4, "abcd\nefgh\n", "abcd|\n|efgh|\n", "the smallest limit");
	expect(10, "", "", "no input, no parts");
	expect(10, "exactly10\n", "exactly10\n", "a text of exactly the limit is one part");
	expect(10, "exactly10\nX", "exactly10\n|X", "... and one byte more is two");
	/* a long run of blank lines is cut like a long line */
	expect(4, "a\n\n\n\n\n\n\n\nb\n", "a\n\n\n|\n\n\n\n|\nb\n", "blank lines beyond the limit");
}

/* Characters are never cut: a token a byte puts the limit inside them. */
static void characters(void)
{
	const char *text = "\xc3\xa9\xc3\xa9\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\xf0\x9f\x98\x80";
	for (long max = 4; max <= 9; max++) {
		struct seen s;
		run(&per_byte, max, text, strlen(text), 0, &s, NULL);
		ok(!s.bad_start && s.worst <= max && s.whole.len == strlen(text) && !memcmp(s.whole.p, text, s.whole.len),
		   "max %ld: %ld parts, none starting inside a character", max, s.nparts);
		done(&s);
	}
	expect(5, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80|\xf0\x9f\x98\x80",
	       "four-byte characters under a limit of five bytes");
}

/* Counters whose counts do not add up, as a tokenizer's may not at a cut:
 * one that gives more for a whole than for its pieces (the sums of units
 * fall short, so a cut must be found again), and one that gives less
 * (the sums are cautious). */
static long more_count(void *ctx, const char *text, size_t len)
{
	return (long)(len + len / 8);
}

static int more_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	*bytes = len < (size_t)max ? len : (size_t)max;
	return 0;
}

static long less_count(void *ctx, const char *text, size_t len)
{
	return len ? (long)(len + 4) / 2 : 0;
}

static int less_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	size_t n = (size_t)(2 * max);
	*bytes = len < n ? len : n;
	return 0;
}

static char *sample(size_t len, unsigned seed)
{
	static const char *words[] = { "alpha ", "be ", "\xc3\xa9t\xc3\xa9 ", "\xe6\x97\xa5\xe6\x9c\xac ", "\n", "\n\n",
				       "  indented ", "\xf0\x9f\x98\x80", "\t", "\r\n", "longerwordhere " };
	char *s = malloc(len + 1);
	size_t n = 0;
	srand(seed);
	while (n < len) {
		const char *w = words[rand() % (sizeof words / sizeof *words)];
		size_t k = strlen(w);
		if (n + k > len)
			break;
		memcpy(s + n, w, k);
		n += k;
	}
	s[n] = 0;
	return s;
}

static void any_counter(void)
{
	static const struct split_counter more = { more_count, more_prefix, NULL }, less = { less_count, less_prefix, NULL };
	static const struct { const struct split_counter *c; const char *name; } counters[] = {
		{ &per_byte, "a token a byte" }, { &more, "more for a whole" }, { &less, "less for a whole" },
	};
	char *text = sample(20000, 7);
	size_t len = strlen(text);
	for (size_t k = 0; k < 3; k++)
		for (long max = 4; max <= 400; max = max * 3 + 1) {
			struct seen s;
			enum split_status st = run(counters[k].c, max, text, len, 0, &s, NULL);
			ok(st == SPLIT_OK && s.worst <= max && !s.bad_offset && !s.bad_count && !s.bad_start &&
			   s.whole.len == len && !memcmp(s.whole.p, text, len),
			   "%s, max %ld: %ld parts within the limit, joining into the input", counters[k].name, max,
			   s.nparts);
			done(&s);
		}
	free(text);
}

/* The same parts whether the input comes at once, a byte at a time, or
 * in pieces that cut lines and characters. */
static void pieces(void)
{
	char *text = sample(200000, 11);
	size_t len = strlen(text);
	struct seen all;
	run(&per_byte, 500, text, len, 0, &all, NULL);
	static const size_t steps[] = { 1, 3, 4096, 65535, 65537 };
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		struct seen s;
		run(&per_byte, 500, text, len, steps[i], &s, NULL);
		ok(s.joined.len == all.joined.len && !memcmp(s.joined.p, all.joined.p, s.joined.len),
		   "fed %zu bytes at a time: the same %ld parts", steps[i], all.nparts);
		done(&s);
	}
	done(&all);
	free(text);

	/* a line of 300 KB arrives in slices and is cut as it comes */
	size_t big = 300000;
	char *line = malloc(big + 1);
	memset(line, 'z', big);
	line[big] = 0;
	struct seen s;
	run(&per_byte, 1000, line, big, 4096, &s, NULL);
	ok(s.nparts == 300 && s.worst == 1000 && s.whole.len == big, "a 300 KB line: 300 parts of 1000");
	done(&s);
	free(line);
}

/* A tokenizer whose first tokens end inside the first character: the
 * part is that character alone. */
static int short_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	*bytes = len < 1 ? len : 1;
	return 0;
}

/* 'a' costs a token for every 8, anything else a token a byte: a line
 * whose cheap start is far longer than its average says. */
static long mixed_count(void *ctx, const char *text, size_t len)
{
	long a = 0, other = 0;
	for (size_t i = 0; i < len; i++)
		text[i] == 'a' ? a++ : other++;
	return a / 8 + other;
}

static int mixed_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	long a = 0, other = 0;
	size_t n = 0;
	for (; n < len; n++) {
		text[n] == 'a' ? a++ : other++;
		if (a / 8 + other > max)
			break;
	}
	*bytes = n;
	return 0;
}

/* Each text costs 100 tokens more than half its bytes: counted in slices,
 * a long line looks larger than it is. */
static long dear_count(void *ctx, const char *text, size_t len)
{
	return len ? (long)len / 2 + 100 : 0;
}

static int dear_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	size_t n = max > 100 ? (size_t)(2 * (max - 100)) + 1 : 0;
	*bytes = len < n ? len : n;
	return 0;
}

static void long_lines(void)
{
	static const struct split_counter shorts = { byte_count, short_prefix, NULL },
					  mixed = { mixed_count, mixed_prefix, NULL },
					  dear = { dear_count, dear_prefix, NULL };
	struct seen s;
	run(&shorts, 4, "\xc3\xa9\xc3\xa9\xc3\xa9" "ab", 8, 0, &s, NULL);
	is_str(s.joined.p, "\xc3\xa9|\xc3\xa9|\xc3\xa9" "ab", "tokens that end inside a character: a character a part");
	done(&s);

	size_t len = 68000;
	char *line = malloc(len + 1);
	memset(line, 'a', 8000);
	memset(line + 8000, 'b', len - 8000);
	line[len] = 0;
	run(&mixed, 1000, line, len, 4096, &s, NULL);
	ok(s.worst <= 1000 && s.whole.len == len && !memcmp(s.whole.p, line, len) && !strncmp(s.joined.p, line, 8000) &&
	   s.joined.p[8000] == '|', "a line cheap at first: the first part holds its whole cheap start (%ld parts)",
	   s.nparts);
	done(&s);

	free(line);
	len = 200000;
	line = malloc(len + 1);
	memset(line, 'x', len);
	line[len] = 0;
	run(&dear, 65700, line, len, 4096, &s, NULL);
	ok(s.worst <= 65700 && s.nparts == 2 && s.whole.len == len && !memcmp(s.whole.p, line, len),
	   "a line that looks larger in slices than whole: %ld parts, at most %ld tokens", s.nparts, s.worst);
	done(&s);
	free(line);

	/* slices of a long line never end inside a character */
	len = 200000;
	line = malloc(len + 1);
	for (size_t i = 0; i < len; i += 2)
		memcpy(line + i, "\xc3\xa9", 2);
	line[len] = 0;
	run(&per_byte, 1001, line, len, 4095, &s, NULL);
	ok(!s.bad_start && s.worst == 1000 && s.whole.len == len && !memcmp(s.whole.p, line, len),
	   "a long line of two-byte characters fed in odd pieces: %ld parts of 1000 bytes", s.nparts);
	done(&s);
	free(line);
}

/* Counters that run out of memory after a number of calls: the split
 * stops and says so, at whatever point it was. */
static long budget;

static long poor_count(void *ctx, const char *text, size_t len)
{
	return budget-- > 0 ? (long)len : -1;
}

static int poor_prefix(void *ctx, const char *text, size_t len, long max, size_t *bytes)
{
	*bytes = len < (size_t)max ? len : (size_t)max;
	return budget-- > 0 ? 0 : -1;
}

static void no_memory(void)
{
	static const struct split_counter poor = { poor_count, poor_prefix, NULL };
	char *text = sample(80000, 5);
	size_t len = strlen(text);
	memset(text + 2000, 'q', 70000);   /* and a long line */
	int all = 1, ended = 0;
	for (long calls = 0; !ended; calls++) {
		struct seen s;
		budget = calls;
		enum split_status st = run(&poor, 300, text, len, 4096, &s, NULL);
		ended = st == SPLIT_OK;
		if (st != SPLIT_NOMEM && st != SPLIT_OK)
			all = 0;
		done(&s);
	}
	ok(all && ended, "out of memory at a count or a cut: the split stops with SPLIT_NOMEM");
	free(text);
}

static void bad_input(void)
{
	static const struct { const char *text; size_t len; enum split_status want; long line; const char *name; } bad[] = {
		{ "ok\n\xff\n", 4, SPLIT_NOT_UTF8, 2, "0xff" },
		{ "a\nb\nc\xc0\x80", 7, SPLIT_NOT_UTF8, 3, "an overlong NUL" },
		{ "\xe0\x80\xaf", 3, SPLIT_NOT_UTF8, 1, "an overlong slash" },
		{ "\xed\xa0\x80", 3, SPLIT_NOT_UTF8, 1, "a surrogate" },
		{ "\xf4\x90\x80\x80", 4, SPLIT_NOT_UTF8, 1, "past U+10FFFF" },
		{ "\xf5\x80\x80\x80", 4, SPLIT_NOT_UTF8, 1, "0xf5" },
		{ "x\x80y", 3, SPLIT_NOT_UTF8, 1, "a lone continuation byte" },
		{ "\n\n\xe6\x97\n", 5, SPLIT_NOT_UTF8, 3, "a line end inside a character" },
		{ "abc\xe6\x97", 5, SPLIT_NOT_UTF8, 1, "the input ends inside a character" },
		{ "one\ntwo\x00three", 13, SPLIT_NUL, 2, "a NUL byte" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct seen s;
		long line = 0;
		enum split_status st = run(&per_byte, 100, bad[i].text, bad[i].len, 1, &s, &line);
		ok(st == bad[i].want && line == bad[i].line && s.nparts == 0, "%s: refused at line %ld (got %d, line %ld)",
		   bad[i].name, bad[i].line, (int)st, line);
		done(&s);
	}
	/* a byte order mark is a character like any other */
	expect(10, "\xef\xbb\xbfhi\n", "\xef\xbb\xbfhi\n", "a byte order mark is kept");

	struct seen s;
	s.stop_after = 0;
	struct splitter sp;
	memset(&s, 0, sizeof s);
	buf_init(&s.joined, 1 << 20);
	buf_init(&s.whole, 1 << 20);
	s.c = &per_byte;
	s.stop_after = 2;
	split_init(&sp, &per_byte, 4, seen_part, &s);
	int r = split_feed(&sp, "aaaa\nbbbb\ncccc\ndddd\n", 20);
	if (!r)
		r = split_end(&sp);
	ok(r < 0 && sp.status == SPLIT_STOPPED && s.nparts == 2, "the callback stops the split");
	ok(split_feed(&sp, "x", 1) < 0 && split_end(&sp) < 0, "and it stays stopped");
	split_free(&sp);
	done(&s);
}

/* The real encodings: every part within the limit by the encoding's own
 * count, joining into the input, cut at paragraph breaks when the text
 * has them. */
static void encodings(void)
{
	static const char *names[] = { "o200k_base", "cl100k_base" };
	char *text = sample(300000, 3);
	size_t len = strlen(text);
	for (int e = 0; e < 2; e++) {
		char why[512];
		struct tokenizer *t = tokenizer_open(names[e], why, sizeof why);
		if (!ok(t != NULL, "open %s%s%s", names[e], t ? "" : ": ", t ? "" : why))
			continue;
		struct split_counter c;
		split_tokenizer(&c, t);
		for (long max = 16; max <= 20000; max *= 5) {
			struct seen s;
			enum split_status st = run(&c, max, text, len, 65536, &s, NULL);
			ok(st == SPLIT_OK && s.worst <= max && !s.bad_count && !s.bad_start && !s.bad_offset &&
			   s.whole.len == len && !memcmp(s.whole.p, text, len),
			   "%s, max %ld: %ld parts, at most %ld tokens each, joining into the input", names[e], max,
			   s.nparts, s.worst);
			done(&s);
		}
		/* paragraphs of a few lines: every part ends at a blank line */
		struct buf para = BUF_INIT(1 << 24);
		for (int i = 0; i < 400; i++)
			buf_addf(&para, "Paragraph %d, first line.\nIts second line, a bit longer than the first.\n\n", i);
		struct seen s;
		run(&c, 300, para.p, para.len, 0, &s, NULL);
		int at_breaks = 1;
		for (size_t i = 1; i + 1 < s.joined.len; i++)
			if (s.joined.p[i + 1] == '|' && (s.joined.p[i] != '\n' || s.joined.p[i - 1] != '\n'))
				at_breaks = 0;
		ok(at_breaks && s.nparts > 10 && s.worst <= 300, "%s: %ld parts, each ending at a paragraph break", names[e],
		   s.nparts);
		done(&s);
		buf_free(&para);
		tokenizer_close(t);
	}
	free(text);
}

int main(void)
{
	setenv("CHAT_DATA", "share/chat", 0);
	cuts();
	characters();
	any_counter();
	pieces();
	long_lines();
	no_memory();
	bad_input();
	encodings();
	return tap_done();
}
