/* fuzz_sse: libFuzzer target for the SSE parser. Each input is parsed three
 * ways -- in one read, in reads of fuzzer-chosen sizes, and byte by byte --
 * and every event (type, data, id, retry), the return value, the overflow
 * flag, the stray-JSON buffer and sse_finish's verdict must equal what a
 * plain whole-buffer reading of the WHATWG rules in this file gives. Any
 * difference aborts.
 *
 * Input layout: byte 0 is a control byte, then k = (byte 0 & 7) chunk sizes
 * (a size of 0 feeds an empty read; k = 0 cuts the stream in two halves),
 * then the stream. Bit 3 of byte 0 picks a small cap (4 + 8 * (byte 0 >> 4)
 * bytes) so the overflow paths run too.
 *   make tests/fuzz/fuzz_sse && tests/fuzz/fuzz_sse tests/fuzz/corpus_sse */
#include "buf.h"
#include "sse.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BIG_CAP ((size_t)1 << 20)
#define STRAY_CAP 65536 /* what sse_init gives the stray buffer */

/* ---- the reference: the spec read straight off a whole buffer ---- */

struct ref_event {
	size_t type, type_len;   /* offsets into the arena */
	size_t data, data_len;
	size_t id;               /* NUL-terminated in the arena */
	long retry;
};

struct ref {
	struct buf arena;        /* every string the events point into */
	struct ref_event *ev;
	size_t n, cap;
	struct buf stray;
	long retry;
	int overflow, discarded;
};

static _Noreturn void fail(const char *what)
{
	fprintf(stderr, "fuzz_sse: invariant broken: %s\n", what);
	abort();
}

static size_t arena_put(struct ref *r, const char *s, size_t n)
{
	size_t off = r->arena.len;
	if (buf_add(&r->arena, s, n) < 0 || buf_addc(&r->arena, 0) < 0)
		fail("reference arena full");
	return off;
}

/* Whole-buffer parse of in[0..n) with the given cap on lines and on one
 * event's data (the data buffer holds a LF after every data line). */
static void ref_parse(struct ref *r, const char *in, size_t n, size_t cap)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->arena, (size_t)64 << 20);
	buf_init(&r->stray, STRAY_CAP);
	r->retry = -1;
	struct buf data = BUF_INIT((size_t)64 << 20);
	size_t type = 0, type_len = 0, id = arena_put(r, "", 0);
	int has_data = 0;
	size_t i = n >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3) ? 3 : 0;
	while (i < n) {
		size_t e = i;
		while (e < n && in[e] != '\r' && in[e] != '\n')
			e++;
		size_t len = e - i;
		if (len > cap) {
			r->overflow = 1;
			break;
		}
		if (e == n) {
			r->discarded = len > 0;
			break;
		}
		const char *line = in + i;
		i = e + 1;
		if (in[e] == '\r' && i < n && in[i] == '\n')
			i++;
		if (len == 0) {
			if (has_data) {
				if (r->n == r->cap) {
					r->cap = r->cap ? 2 * r->cap : 16;
					r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
					if (!r->ev)
						fail("out of memory");
				}
				size_t dlen = data.len - 1;
				r->ev[r->n++] = (struct ref_event){
					type, type_len, arena_put(r, data.p, dlen), dlen, id, r->retry };
			}
			buf_reset(&data);
			type_len = 0;
			has_data = 0;
			continue;
		}
		if (line[0] == ':')
			continue;
		size_t nlen = 0;
		while (nlen < len && line[nlen] != ':')
			nlen++;
		const char *val = nlen < len ? line + nlen + 1 : line + len;
		size_t vlen = nlen < len ? len - nlen - 1 : 0;
		if (vlen && *val == ' ')
			val++, vlen--;
		if (nlen == 4 && !memcmp(line, "data", 4)) {
			if (data.len + vlen + 1 > cap) {
				r->overflow = 1;
				break;
			}
			buf_add(&data, val, vlen);
			buf_addc(&data, '\n');
			has_data = 1;
		} else if (nlen == 5 && !memcmp(line, "event", 5)) {
			type = arena_put(r, val, vlen);
			type_len = vlen;
		} else if (nlen == 2 && !memcmp(line, "id", 2)) {
			if (!memchr(val, 0, vlen))
				id = arena_put(r, val, vlen);
		} else if (nlen == 5 && !memcmp(line, "retry", 5)) {
			long ms = 0;
			size_t k = 0;
			while (k < vlen && k < 18 && val[k] >= '0' && val[k] <= '9')
				ms = ms * 10 + (val[k++] - '0'); /* 18 digits cannot overflow */
			if (vlen && vlen < 18 && k == vlen)
				r->retry = ms;
		} else if (line[0] == '{' || r->stray.len) {
			if (r->stray.len + len <= STRAY_CAP) {
				buf_add(&r->stray, line, len);
				if (r->stray.len < STRAY_CAP)
					buf_addc(&r->stray, '\n');
			}
		}
	}
	if (!r->overflow && has_data)
		r->discarded = 1;
	buf_free(&data);
}

static void ref_free(struct ref *r)
{
	buf_free(&r->arena);
	buf_free(&r->stray);
	free(r->ev);
}

/* ---- the parser under test, checked event by event ---- */

struct exchange_stream {
	const struct ref *want;
	struct sse_parser *p;
	size_t seen;
};

static int on_event(void *ctx, const struct sse_event *ev)
{
	struct exchange_stream *run = ctx;
	if (run->seen >= run->want->n)
		fail("more events than the reference");
	const struct ref_event *w = &run->want->ev[run->seen++];
	const char *a = run->want->arena.p;
	const char *wtype = w->type_len ? a + w->type : "message";
	if (!ev->type || strcmp(ev->type, wtype))
		fail("event type differs");
	if (ev->data_len != w->data_len || memcmp(ev->data, a + w->data, w->data_len))
		fail("event data differs");
	if (ev->data[ev->data_len] != 0)
		fail("event data not NUL-terminated");
	if (!ev->id || strcmp(ev->id, a + w->id))
		fail("event id differs");
	if (run->p->retry != w->retry)
		fail("retry differs at an event");
	return 0;
}

/* Feed in[0..n) in reads whose sizes cycle through sizes[0..k) (k = 0: one
 * read), then check the outcome against the reference. */
static void run_parser(const struct ref *want, const char *in, size_t n, size_t cap,
		       const size_t *sizes, size_t k)
{
	struct sse_parser p;
	struct exchange_stream run = { want, &p, 0 };
	sse_init(&p, cap, on_event, &run);
	int r = 0;
	size_t i = 0, idle = 0;
	if (!k) {
		r = sse_feed(&p, in, n);
		i = n;
	}
	for (size_t c = 0; i < n && !r; c++) {
		size_t len = sizes[c % k];
		if (len > n - i)
			len = n - i;
		if (!len && ++idle >= k)
			len = n - i; /* only empty reads left: finish in one */
		if (len)
			idle = 0;
		r = sse_feed(&p, in + i, len);
		i += len;
	}
	if (r != (want->overflow ? -1 : 0))
		fail("sse_feed return value differs");
	if (p.overflow != want->overflow)
		fail("overflow flag differs");
	if (run.seen != want->n)
		fail("fewer events than the reference");
	if (!want->overflow) {
		if (p.retry != want->retry)
			fail("final retry differs");
		if (p.stray.len != want->stray.len || memcmp(buf_str(&p.stray), buf_str(&want->stray), p.stray.len))
			fail("stray JSON lines differ");
		if (sse_finish(&p) != want->discarded)
			fail("sse_finish verdict differs");
		/* after sse_finish the parser is empty: a blank line fires nothing */
		run.want = &(struct ref){ 0 };
		run.seen = 0;
		if (sse_feed(&p, "\n\n", 2) != 0)
			fail("feed after sse_finish failed");
	} else {
		sse_finish(&p);
	}
	sse_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	size_t k = ctl & 7;
	if (size < 1 + k)
		return 0;
	const char *in = (const char *)data + 1 + k;
	size_t n = size - 1 - k;
	size_t cap = ctl & 8 ? 4 + 8 * (size_t)(ctl >> 4) : BIG_CAP;
	size_t sizes[7], one = 1;
	for (size_t i = 0; i < k; i++)
		sizes[i] = data[1 + i];
	if (!k) {
		sizes[0] = n / 2;
		sizes[1] = n - n / 2;
	}

	struct ref want;
	ref_parse(&want, in, n, cap);
	run_parser(&want, in, n, cap, NULL, 0);
	run_parser(&want, in, n, cap, sizes, k ? k : 2);
	run_parser(&want, in, n, cap, &one, 1);
	ref_free(&want);
	return 0;
}
