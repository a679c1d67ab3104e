/* fuzz_records: libFuzzer target for the NDJSON record loop (the reader behind
 * chat-send -r, chat-stream and chat-history import). The input goes through a
 * memfd, as stdin would, and every call is checked against the lines cut here:
 * one call per non-blank line, in order, with its own line number; a record
 * is what jv makes of that line alone (parsed from an exact-size copy, so a
 * read past the line would show), a bad line is an error with a one-line
 * reason; a line over the cap, and only such a line, is a bad line called
 * "longer than" the cap, and the lines after it go on as usual (bare lr_next
 * still stops there with -2); what a record is written back as is one line of valid UTF-8 that reads
 * back the same. Any difference aborts.
 *
 * Input layout: byte 0 picks the mode (bits 0-1: records_each, the threaded
 * loop, lr_peek + looks_like_record first, or bare lr_next) and the line cap
 * (bits 2-7: 0 = 1 MiB, else 8 * n bytes); byte 1 makes the callback stop the
 * loop at its n-th call (0 = never); the rest is the input.
 *   make tests/fuzz/fuzz_records && tests/fuzz/fuzz_records tests/fuzz/corpus_records */
#include "buf.h"
#include "diag.h"
#include "jsonx.h"
#include "records.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef __has_feature
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#else /* e.g. a ThreadSanitizer build: no leak checker to pause */
#define __lsan_disable() ((void)0)
#define __lsan_enable() ((void)0)
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define STOP_CODE 7

static FILE *report; /* the real stderr: the loop's own warnings go to /dev/null */

static _Noreturn void fail(const char *what, long lineno)
{
	fprintf(report ? report : stderr, "fuzz_records: invariant broken at line %ld: %s\n", lineno, what);
	abort();
}

/* One input line as this file cuts it: up to a LF or the end. */
struct line {
	const char *p;
	size_t len;
	long no;
	int over;           /* longer than the cap */
};

struct want {
	struct line *l;     /* the lines that should reach the callback */
	size_t n;
	int too_long;       /* lr_next mode: the last of them is over the cap, -2 after it */
};

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Cut in[0..n) into lines; keep the non-blank ones (one over the cap is
 * kept, blank or not: it is reported). all, when not NULL, gets every line
 * (blank ones too) up to the first over the cap, for the lr_next mode. */
static void cut(const char *in, size_t n, size_t cap, struct want *w, struct want *all)
{
	memset(w, 0, sizeof *w);
	w->l = malloc((n + 1) * sizeof *w->l);
	if (all) {
		memset(all, 0, sizeof *all);
		all->l = malloc((n + 1) * sizeof *all->l);
	}
	if (!w->l || (all && !all->l))
		fail("out of memory", 0);
	long no = 0;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(in + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (in + i)) : n - i;
		struct line l = { in + i, len, ++no, len > cap };
		i += len + (nl != NULL);
		if (all && !all->too_long) {
			all->l[all->n++] = l;
			all->too_long = len > cap;
		}
		if (len <= cap && blank(l.p, len))
			continue;
		w->l[w->n++] = l;
	}
}

static int utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
		if (k == 9 || i + k >= n + (k == 0))
			return k == 0;
		unsigned cp = k == 0 ? c : k == 1 ? c & 0x1F : k == 2 ? c & 0x0F : c & 0x07;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		static const unsigned min[] = { 0, 0x80, 0x800, 0x10000 };
		if (cp < min[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* What jv makes of the line alone, from a copy with no byte after it. */
static jv parse_alone(const struct line *l)
{
	char *copy = malloc(l->len ? l->len : 1);
	if (!copy)
		fail("out of memory", l->no);
	memcpy(copy, l->p, l->len);
	jv v = jv_parse_sized(copy, (int)l->len);
	free(copy);
	return v;
}

/* A record as written: one line of valid UTF-8 that reads back the same. */
static void check_written(jv rec, long no)
{
	struct buf out = BUF_INIT((size_t)16 << 20);
	if (jx_dump_line(jv_copy(rec), &out) < 0)
		fail("record could not be written", no);
	if (!out.len || out.p[out.len - 1] != '\n' || memchr(out.p, '\n', out.len - 1) || memchr(out.p, 0, out.len))
		fail("a written record is not exactly one line", no);
	if (!utf8_valid((const unsigned char *)out.p, out.len))
		fail("a written record is not valid UTF-8", no);
	jv back = jv_parse_sized(out.p, (int)out.len - 1);
	if (!jv_is_valid(back) || jv_get_kind(back) != JV_KIND_OBJECT)
		fail("a written record does not read back as an object", no);
	struct buf again = BUF_INIT((size_t)16 << 20);
	jx_dump_line(back, &again);
	if (again.len != out.len || memcmp(again.p, out.p, out.len))
		fail("a written record reads back differently", no);
	buf_free(&again);
	buf_free(&out);
}

struct seen {
	const struct want *w;
	size_t calls;
	long last;
	unsigned stop_at;
};

static int on_record(void *ctx, long lineno, jv rec, const char *why)
{
	struct seen *s = ctx;
	if (s->calls >= s->w->n)
		fail("a call for no line", lineno);
	const struct line *l = &s->w->l[s->calls++];
	if (lineno != l->no)
		fail("wrong line number", lineno);
	if (lineno <= s->last)
		fail("line numbers do not increase", lineno);
	s->last = lineno;
	int last_too_long = l->over;
	if (why) {
		if (jv_is_valid(rec))
			fail("a bad line came with a record", lineno);
		if (!why[0] || strlen(why) >= 256 || strchr(why, '\n'))
			fail("the reason is not one short line", lineno);
		if (last_too_long && !strstr(why, "longer than"))
			fail("a line over the cap is not called longer than the cap", lineno);
		if (!last_too_long && utf8_bad_at(l->p, l->len) < l->len) {
			if (!strstr(why, "not UTF-8"))
				fail("a line that is not UTF-8 is not called so", lineno);
		} else if (!last_too_long) {
			/* the line alone must really be bad */
			jv v = parse_alone(l);
			jv t = jx_get(v, "type");
			if (jv_is_valid(v) && jv_get_kind(v) == JV_KIND_OBJECT && jv_get_kind(t) == JV_KIND_STRING)
				fail("a good line was reported bad", lineno);
			jv_free(t);
			jv_free(v);
		}
	} else {
		if (last_too_long)
			fail("a line over the cap came as a record", lineno);
		if (utf8_bad_at(l->p, l->len) < l->len)
			fail("a line that is not UTF-8 came as a record", lineno);
		jv t = jx_get(rec, "type");
		if (jv_get_kind(rec) != JV_KIND_OBJECT || jv_get_kind(t) != JV_KIND_STRING)
			fail("a record is not an object with a string type", lineno);
		jv_free(t);
		jv v = parse_alone(l);
		if (!jv_is_valid(v))
			fail("a bad line came as a record", lineno);
		/* jv_equal fails on NaN: compare the written forms */
		jv a = jv_dump_string(jv_copy(rec), JV_PRINT_SORTED), b = jv_dump_string(v, JV_PRINT_SORTED);
		if (strcmp(jv_string_value(a), jv_string_value(b)))
			fail("a record is not what its line says", lineno);
		jv_free(a);
		jv_free(b);
		check_written(rec, lineno);
	}
	jv_free(rec);
	return s->calls == s->stop_at ? STOP_CODE : 0;
}

/* jq 1.6's parser leaks the second of two values with no separator between
 * them inside an array or object ("Expected separator between values": jq
 * 1.7 frees it). No caller can avoid that, and LeakSanitizer would stop on it
 * at once, so such a line has its first byte turned into '#', which jq
 * refuses before reading a value: still a bad line of the same length. */
static void defuse_jq_leak(char *in, size_t n)
{
	for (size_t i = 0; i < n;) {
		char *nl = memchr(in + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (in + i)) : n - i;
		if (len) {
			__lsan_disable();
			jv v = jv_parse_sized(in + i, (int)len);
			jv msg = jv_is_valid(v) ? (jv_free(v), jv_null()) : jv_invalid_get_msg(v);
			if (jv_get_kind(msg) == JV_KIND_STRING && strstr(jv_string_value(msg), "Expected separator between values"))
				in[i] = '#';
			jv_free(msg);
			__lsan_enable();
		}
		i += len + (nl != NULL);
	}
}

static int memfd_of(const char *in, size_t n)
{
	int fd = memfd_create("fuzz_records", 0);
	if (fd < 0)
		fail("memfd_create", 0);
	for (size_t off = 0; off < n;) {
		ssize_t k = write(fd, in + off, n - off);
		if (k <= 0)
			fail("write to memfd", 0);
		off += (size_t)k;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The bare line reader: every line, blank ones too, byte for byte. */
static void check_lines(struct line_reader *lr, const struct want *all)
{
	const char *line;
	size_t len;
	int r;
	size_t i = 0;
	while ((r = lr_next(lr, &line, &len)) == 1) {
		if (i >= all->n || (all->too_long && i == all->n - 1))
			fail("lr_next gave a line that is not there", lr->lineno);
		const struct line *l = &all->l[i++];
		if (len != l->len || memcmp(line, l->p, len) || lr->lineno != l->no)
			fail("lr_next gave a different line", lr->lineno);
	}
	if (r != (all->too_long ? -2 : 0))
		fail("lr_next ended wrongly", lr->lineno);
	if (i != all->n - (size_t)all->too_long)
		fail("lr_next missed lines", lr->lineno);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	diag_init("fuzz_records");
	/* The loop warns about every bad line on stderr. Point our stderr stream
	 * at /dev/null (FUZZ_RECORDS_VERBOSE=1 keeps it); libFuzzer and the
	 * sanitizers keep writing to descriptor 2, so crash reports still show. */
	report = stderr;
	FILE *null = getenv("FUZZ_RECORDS_VERBOSE") ? NULL : fopen("/dev/null", "w");
	if (null)
		stderr = null;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int mode = data[0] & 3;
	size_t cap = data[0] >> 2 ? (size_t)(data[0] >> 2) * 8 : (size_t)1 << 20;
	size_t n = size - 2;
	char *in = malloc(n ? n : 1);
	if (!in)
		fail("out of memory", 0);
	memcpy(in, data + 2, n);
	defuse_jq_leak(in, n);
	struct want w, all;
	cut(in, n, cap, &w, mode == 3 ? &all : NULL);
	int fd = memfd_of(in, n);
	struct line_reader lr;
	lr_init(&lr, fd, cap);
	if (mode == 3) {
		check_lines(&lr, &all);
		free(all.l);
	} else {
		if (mode == 2) {
			/* how chat-send tells records from text: peek, do not consume */
			const char *line, *again;
			size_t len, alen;
			int r = lr_peek(&lr, &line, &len);
			int want_r = !n ? 0 : w.n && w.l[0].no == 1 && w.l[0].over ? -2 : 1;
			if (r != want_r)
				fail("lr_peek result", 1);
			if (r == 1) {
				const char *nl = memchr(in, '\n', n);
				size_t flen = nl ? (size_t)(nl - in) : n;
				if (len != flen || memcmp(line, in, len))
					fail("lr_peek gave a different first line", 1);
				if (looks_like_record(line, len)) {
					struct line l0 = { in, flen, 1 };
					jv v = parse_alone(&l0);
					char t[32];
					if (!jv_is_valid(v) || jx_str(v, "type", t, sizeof t) < 0)
						fail("looks_like_record took a line that is no record", 1);
					jv_free(v);
				}
				if (lr_peek(&lr, &again, &alen) != 1 || alen != len || memcmp(again, in, len))
					fail("a second lr_peek differs", 1);
			}
		}
		struct seen s = { &w, 0, 0, data[1] };
		int r = mode == 1 ? records_each_threaded(&lr, on_record, &s) : records_each(&lr, on_record, &s);
		int stopped = s.stop_at && s.stop_at <= w.n;
		int want_r = stopped ? STOP_CODE : 0;
		if (r != want_r)
			fail("records_each returned the wrong value", s.last);
		if (s.calls != (stopped ? s.stop_at : w.n))
			fail("records_each made the wrong number of calls", s.last);
	}
	lr_free(&lr);
	close(fd);
	free(w.l);
	free(in);
	return 0;
}
