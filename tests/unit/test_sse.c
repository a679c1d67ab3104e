/* The SSE parser against the WHATWG rules, the web-platform-tests vectors,
 * and every split of each input into two reads and into single bytes. */
#include "base64.h"
#include "buf.h"
#include "jsonx.h"
#include "sse.h"
#include "tap.h"
#include <jv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trace {
	struct buf out;     /* "type|id|retry|data" per event, each ended by 0x1e */
	struct sse_parser *p;
};

static int record(void *ctx, const struct sse_event *ev)
{
	struct trace *t = ctx;
	buf_addf(&t->out, "%s|%s|%ld|", ev->type, ev->id, t->p->retry);
	buf_add(&t->out, ev->data, ev->data_len);
	buf_addc(&t->out, 0x1e);
	return 0;
}

/* Parse in reads of the given sizes: split=0 whole, split<0 byte by byte,
 * else two reads cut at split. Returns what was dispatched. */
static char *parse(const char *in, size_t len, long split, size_t *outlen, int *discarded)
{
	struct sse_parser p;
	struct trace t;
	buf_init(&t.out, 1 << 20);
	t.p = &p;
	sse_init(&p, 1 << 20, record, &t);
	if (split < 0) {
		for (size_t i = 0; i < len; i++)
			sse_feed(&p, in + i, 1);
	} else if (split == 0) {
		sse_feed(&p, in, len);
	} else {
		sse_feed(&p, in, (size_t)split);
		sse_feed(&p, in + split, len - (size_t)split);
	}
	int d = sse_finish(&p);
	if (discarded)
		*discarded = d;
	sse_free(&p);
	if (!t.out.p)
		buf_adds(&t.out, "");
	return buf_detach(&t.out, outlen);
}

/* Check one input every way it can be split; all must give want. */
static void check(const char *name, const char *in, size_t len, const char *want, size_t wlen)
{
	size_t n;
	char *got = parse(in, len, 0, &n, NULL);
	is_mem(got, n, want, wlen, name);
	free(got);
	int same = 1;
	for (long s = -1; s < (long)len && same; s++) {
		if (s == 0)
			continue;
		got = parse(in, len, s, &n, NULL);
		if (n != wlen || memcmp(got, want, n)) {
			same = 0;
			printf("# %s: differs when split at %ld\n", name, s);
		}
		free(got);
	}
	ok(same, "%s: the same for every split and byte by byte", name);
}

#define CHECK(name, in, want) check(name, in, sizeof(in) - 1, want, sizeof(want) - 1)
#define E(type, id, data) type "|" id "|-1|" data "\x1e"

static void rules(void)
{
	CHECK("LF line ends", "data: a\n\ndata: b\n\n", E("message", "", "a") E("message", "", "b"));
	CHECK("CR line ends", "data: a\r\rdata: b\r\r", E("message", "", "a") E("message", "", "b"));
	CHECK("CRLF line ends", "data: a\r\n\r\ndata: b\r\n\r\n", E("message", "", "a") E("message", "", "b"));
	CHECK("mixed line ends", "data: a\r\ndata: b\rdata: c\n\r\n", E("message", "", "a\nb\nc"));
	CHECK("comments ignored", ": keep-alive\ndata: x\n: mid\n\n", E("message", "", "x"));
	CHECK("data lines joined with LF", "data: 1\ndata: 2\ndata:3\n\n", E("message", "", "1\n2\n3"));
	CHECK("one leading space stripped", "data:  two\ndata:\tt\n\n", E("message", "", " two\n\tt"));
	CHECK("BOM at the start ignored", "\xEF\xBB\xBF" "data: a\n\n", E("message", "", "a"));
	CHECK("second BOM is content", "\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\ndata: b\n\n", E("message", "", "b"));
	CHECK("partial BOM is content", "\xEF\xBB" "data: a\n\ndata: b\n\n", E("message", "", "b"));
	CHECK("event field", "event: ping\ndata: {}\n\ndata: m\n\n", E("ping", "", "{}") E("message", "", "m"));
	CHECK("empty event means message", "event:\ndata: x\n\n", E("message", "", "x"));
	CHECK("id persists", "id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
	      E("message", "7", "a") E("message", "7", "b") E("message", "", "c"));
	CHECK("id with NUL ignored", "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n", E("message", "1", "a") E("message", "1", "b"));
	CHECK("retry digits only", "retry: 2000\ndata: a\n\nretry: 3x\ndata: b\n\n",
	      "message||2000|a\x1emessage||2000|b\x1e");
	CHECK("no data, no event", "event: x\n\nid: 3\n\n: c\n\n", "");
	CHECK("bare data line is empty", "data\ndata\n\n", E("message", "", "\n"));
	CHECK("empty data dispatches", "data:\n\n", E("message", "", ""));
	CHECK("field names are case-sensitive", "Data: no\ndata: yes\n\n", E("message", "", "yes"));
	CHECK("unknown fields ignored", "foo: bar\nerror: {}\ndata: a\n\n", E("message", "", "a"));
	CHECK("NUL passes through data", "data: a\0b\n\n", E("message", "", "a\0b"));
	CHECK("blank lines alone fire nothing", "\n\n\r\n\r", "");
	CHECK("multi-byte UTF-8", "data: \xF0\x9F\x98\x80 \xE6\x97\xA5\n\n", E("message", "", "\xF0\x9F\x98\x80 \xE6\x97\xA5"));

	size_t n;
	int discarded;
	char *got = parse("data: a\n\ndata: b\n", 17, 0, &n, &discarded);
	is_mem(got, n, E("message", "", "a"), sizeof(E("message", "", "a")) - 1, "an unterminated event at EOF is not dispatched");
	ok(discarded, "and sse_finish says something was discarded");
	free(got);
	got = parse("data: a\n\n", 9, 0, &n, &discarded);
	ok(!discarded, "a complete stream discards nothing");
	free(got);
}

static int stop_after_one(void *ctx, const struct sse_event *ev)
{
	(*(int *)ctx)++;
	return 42;
}

static void stray(void)
{
	/* Gemini can append a bare JSON error after the events, without data: */
	static const char in[] = "data: {\"a\":1}\r\n\r\n{\n  \"error\": {\n    \"code\": 500\n  }\n}\n";
	struct sse_parser p;
	struct trace t;
	buf_init(&t.out, 1 << 16);
	t.p = &p;
	sse_init(&p, 1 << 16, record, &t);
	sse_feed(&p, in, sizeof in - 1);
	sse_finish(&p);
	is_str(buf_str(&p.stray), "{\n  \"error\": {\n    \"code\": 500\n  }\n}\n", "a bare JSON object after the events is kept aside");
	is_str(buf_str(&t.out), E("message", "", "{\"a\":1}"), "... and the events before it are dispatched as usual");
	sse_free(&p);
	buf_free(&t.out);
}

static void limits(void)
{
	struct sse_parser p;
	int calls = 0;
	sse_init(&p, 16, stop_after_one, &calls);
	int r = sse_feed(&p, "data: 0123456789abcdefghij\n\n", 28);
	ok(r == -1 && p.overflow && calls == 0, "a line over the cap is refused");
	sse_free(&p);
	sse_init(&p, 1024, stop_after_one, &calls);
	r = sse_feed(&p, "data: a\n\ndata: b\n\n", 18);
	ok(r == 42 && calls == 1, "a callback's nonzero return stops the feed");
	sse_free(&p);
	/* found by tests/fuzz/fuzz_sse: a comment longer than the cap passed
	 * when it came in one read and overflowed when it came in two */
	static const char longc[] = ": 0123456789abcdefghij\ndata: a\n\n";
	int same = 1;
	for (size_t cut = 0; cut < sizeof longc - 1; cut++) {
		calls = 0;
		sse_init(&p, 16, stop_after_one, &calls);
		r = sse_feed(&p, longc, cut);
		if (r == 0)
			r = sse_feed(&p, longc + cut, sizeof longc - 1 - cut);
		same &= r == -1 && p.overflow && calls == 0;
		sse_free(&p);
	}
	ok(same, "a line over the cap is refused however the reads cut it");
}

static void wpt(void)
{
	const char *dir = shared_dir();
	if (!dir) {
		skip("../shared/corpus not present: WPT vectors not run");
		return;
	}
	char path[512];
	snprintf(path, sizeof path, "%s/corpus/sse/wpt-vectors.json", dir);
	jv all = jv_load_file(path, 1);
	jv vecs = jv_is_valid(all) ? jx_get(all, "vectors") : jv_invalid();
	if (jv_get_kind(vecs) != JV_KIND_ARRAY) {
		/* jv_load_file with raw=1 gives a string: parse it */
		jv s = all;
		all = jv_parse(jv_string_value(s));
		jv_free(s);
		jv_free(vecs);
		vecs = jx_get(all, "vectors");
	}
	ok(jv_get_kind(vecs) == JV_KIND_ARRAY, "WPT vectors loaded");
	int nv = jv_get_kind(vecs) == JV_KIND_ARRAY ? jv_array_length(jv_copy(vecs)) : 0;
	for (int i = 0; i < nv; i++) {
		jv v = jv_array_get(jv_copy(vecs), i);
		char name[128] = "", b64[8192] = "";
		jx_str(v, "name", name, sizeof name);
		jx_str(v, "input_base64", b64, sizeof b64);
		struct buf in = BUF_INIT(1 << 20), want = BUF_INIT(1 << 20);
		base64_decode(b64, strlen(b64), &in);
		jv evs = jx_get(v, "expected_events");
		/* the vectors give type, lastEventId and retry only where they matter:
		 * compare with a trace that fills in what each event carries */
		struct sse_parser p;
		struct trace t;
		buf_init(&t.out, 1 << 20);
		t.p = &p;
		int ne = jv_array_length(jv_copy(evs));
		for (int k = 0; k < ne; k++) {
			jv e = jv_array_get(jv_copy(evs), k);
			jv d = jx_get(e, "data");
			buf_add(&want, jv_string_value(d), (size_t)jv_string_length_bytes(jv_copy(d)));
			buf_addc(&want, 0x1e);
			jv_free(d);
			jv_free(e);
		}
		/* data-only trace, every split */
		int same = 1;
		for (long s = -1; s < (long)in.len && same; s++) {
			sse_init(&p, 1 << 20, record, &t);
			buf_reset(&t.out);
			if (s < 0) {
				for (size_t j = 0; j < in.len; j++)
					sse_feed(&p, in.p + j, 1);
			} else {
				sse_feed(&p, in.p, (size_t)s);
				sse_feed(&p, in.p + s, in.len - (size_t)s);
			}
			sse_finish(&p);
			/* strip the type|id|retry| prefixes, keep the data */
			struct buf d = BUF_INIT(1 << 20);
			const char *q = buf_str(&t.out), *end = q + t.out.len;
			while (q < end) {
				for (int bars = 0; bars < 3; q++)
					if (*q == '|')
						bars++;
				const char *rs = memchr(q, 0x1e, (size_t)(end - q));
				buf_add(&d, q, (size_t)(rs - q) + 1);
				q = rs + 1;
			}
			if (d.len != want.len || memcmp(buf_str(&d), buf_str(&want), d.len))
				same = 0;
			if (s == 0 && !same)
				is_mem(buf_str(&d), d.len, buf_str(&want), want.len, name);
			buf_free(&d);
			sse_free(&p);
		}
		ok(same, "WPT %s: events match, whole and at every split", name);
		/* the event types, ids and retry values the vector names */
		sse_init(&p, 1 << 20, record, &t);
		buf_reset(&t.out);
		sse_feed(&p, in.p, in.len);
		sse_finish(&p);
		const char *q = buf_str(&t.out);
		int fields_ok = 1;
		for (int k = 0; k < ne && fields_ok; k++) {
			jv e = jv_array_get(jv_copy(evs), k);
			char type[64], id[256];
			const char *b1 = strchr(q, '|'), *b2 = b1 ? strchr(b1 + 1, '|') : NULL;
			long retry = b2 ? strtol(b2 + 1, NULL, 10) : -2;
			if (!b1 || !b2) {
				fields_ok = 0;
			} else {
				if (jx_str(e, "type", type, sizeof type) == 0)
					fields_ok &= (size_t)(b1 - q) == strlen(type) && !memcmp(q, type, strlen(type));
				if (jx_str(e, "lastEventId", id, sizeof id) == 0)
					fields_ok &= (size_t)(b2 - b1 - 1) == strlen(id) && !memcmp(b1 + 1, id, strlen(id));
				double rv = jx_num(e, "retry", -1);
				if (rv >= 0)
					fields_ok &= retry == (long)rv;
				const char *rs = strchr(q, 0x1e);
				q = rs ? rs + 1 : q + strlen(q);
			}
			jv_free(e);
		}
		ok(fields_ok, "WPT %s: event type, id and retry", name);
		sse_free(&p);
		buf_free(&t.out);
		buf_free(&in);
		buf_free(&want);
		jv_free(evs);
		jv_free(v);
	}
	jv_free(vecs);
	jv_free(all);
}

int main(void)
{
	rules();
	stray();
	limits();
	wpt();
	return tap_done();
}
