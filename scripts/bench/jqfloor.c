/* jqfloor: the bench's measure of the stream decode against its floor, on a
 * reply body captured from the fake provider (no network).
 *
 *   jqfloor [-p PROVIDER] [-n RUNS] [-r READ] [-o ONLY] FILE
 *
 * The body is split into its events once by lib/sse (untimed); then
 *   floor:   jv_parse_sized on each event's data and nothing else, one thread
 *            (this thread's CPU time, as the one-thread decode)
 *   kept:    the same with one libjq parser kept from event to event
 *            (lib/jxparse, as the decode parses), the parse alone
 *   decode:  the body fed READ bytes at a time (default 16384, curl's largest
 *            write) through exchange_stream_feed, the path a network read
 *            takes: SSE parser, the provider's decoder, the reply's text
 *            handed to emit and one write per read to /dev/null; on one
 *            thread (CPU time), and as shipped (a large read decoded on
 *            two threads; wall time)
 * -o floor, -o kept, -o decode1 or -o decode runs that one alone (for a profiler).
 * Prints one line of key=value figures: events, and the median events/s of
 * RUNS runs of each.  Built by scripts/bench.sh against lib/libchat.a. */
#include "buf.h"
#include "fdio.h"
#include "jxparse.h"
#include "net/exchange.h"
#include "providers/provider.h"
#include "sse.h"
#include <fcntl.h>
#include <jv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "benchtime.h"

/* The floor and the one-thread decode are timed in this thread's CPU time:
 * on a machine shared with other work, wall time says more about the
 * other work than about the code. The two-thread decode needs wall time. */
static double cpu_ms(void) { return clock_ms(CLOCK_THREAD_CPUTIME_ID); }

/* The events' data, copied end to end, and where each one starts. */
struct split {
	struct buf data;
	size_t *off, *len, n, cap;
};

static int on_split(void *ctx, const struct sse_event *ev)
{
	struct split *s = ctx;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->off = realloc(s->off, s->cap * sizeof *s->off);
		s->len = realloc(s->len, s->cap * sizeof *s->len);
		if (!s->off || !s->len)
			return -1;
	}
	s->off[s->n] = s->data.len;
	s->len[s->n++] = ev->data_len;
	return buf_add(&s->data, ev->data, ev->data_len) < 0 || buf_addc(&s->data, 0) < 0 ? -1 : 0;
}

/* The reply's text, written once per read as chat-stream does. */
struct sink {
	struct buf out;
	int fd;
	size_t total;
};

static int emit(void *ctx, const char *t, size_t n)
{
	struct sink *k = ctx;
	k->total += n;
	return buf_add(&k->out, t, n);
}

static int flush(void *ctx)
{
	struct sink *k = ctx;
	int r = k->out.len ? write_all(k->fd, k->out.p, k->out.len) : 0;
	buf_reset(&k->out);
	return r;
}

/* One pass of the body through the decode path: ms, or -1. */
static double decode_pass(const struct provider *p, const struct buf *body, size_t step, int one_thread,
			  size_t *text)
{
	struct chat_reply reply;
	memset(&reply, 0, sizeof reply);
	reply.tool_calls = jv_invalid();
	struct sink k = { .out = BUF_INIT((size_t)1 << 30), .fd = open("/dev/null", O_WRONLY) };
	struct exchange_stream r = { .p = p, .reply = &reply, .emit = emit, .flush = flush, .ctx = &k,
				     .max_reply = (size_t)1 << 40 };
	evdecode_init(&r.batch, p);
	r.batch.one_thread = one_thread;
	exchange_stream_open(&r);
	double (*clock)(void) = one_thread ? cpu_ms : now_ms;
	double a = clock();
	int rc = 0;
	for (size_t at = 0; at < body->len && !rc; at += step)
		rc = exchange_stream_feed(&r, body->p + at, body->len - at < step ? body->len - at : step);
	double ms = clock() - a;
	if (rc)
		fprintf(stderr, "jqfloor: decode stopped: %s\n", reply.err.message);
	sse_finish(&r.sse);
	sse_free(&r.sse);
	evdecode_free(&r.batch);
	chat_reply_free(&reply);
	buf_free(&k.out);
	close(k.fd);
	*text = k.total;
	return rc ? -1 : ms;
}

int main(int argc, char **argv)
{
	const char *pname = "openai", *only = "";
	int runs = 3, c;
	size_t step = 16384;
	while ((c = getopt(argc, argv, "p:n:r:o:")) != -1) {
		switch (c) {
		case 'p': pname = optarg; break;
		case 'n': runs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'o': only = optarg; break;
		case 'r': step = atoi(optarg) > 0 ? (size_t)atoi(optarg) : 16384; break;
		default:
			fprintf(stderr, "usage: jqfloor [-p PROVIDER] [-n RUNS] [-r READ] [-o ONLY] FILE\n");
			return 64;
		}
	}
	const struct provider *p = provider_find(pname);
	if (!p || optind >= argc) {
		fprintf(stderr, p ? "jqfloor: no FILE\n" : "jqfloor: unknown provider\n");
		return 64;
	}
	struct buf body = BUF_INIT((size_t)1 << 34);
	int fd = open(argv[optind], O_RDONLY);
	if (fd < 0 || read_all(fd, &body) < 0) {
		perror(argv[optind]);
		return 66;
	}
	close(fd);

	struct split s = { .data = BUF_INIT((size_t)1 << 34) };
	struct sse_parser sp;
	sse_init(&sp, (size_t)64 << 20, on_split, &s);
	if (sse_feed(&sp, body.p, body.len) || sse_flush(&sp)) {
		fprintf(stderr, "jqfloor: cannot split the body into events\n");
		return 65;
	}
	sse_finish(&sp);
	sse_free(&sp);

	double *floor_ms = calloc((size_t)runs, sizeof *floor_ms), *two = calloc((size_t)runs, sizeof *two),
	       *one = calloc((size_t)runs, sizeof *one), *kept = calloc((size_t)runs, sizeof *kept);
	size_t valid = 0, text = 0;
	for (int i = 0; i < runs; i++) {
		/* the floor: the parser alone, each event's data once */
		valid = 0;
		double a = cpu_ms();
		for (size_t e = 0; e < s.n && (!*only || !strcmp(only, "floor")); e++) {
			jv v = jv_parse_sized(s.data.p + s.off[e], (int)s.len[e]);
			valid += jv_is_valid(v);
			jv_free(v);
		}
		floor_ms[i] = cpu_ms() - a;
		struct jx_parser jp = { 0 };
		a = cpu_ms();
		for (size_t e = 0; e < s.n && (!*only || !strcmp(only, "kept")); e++)
			jv_free(jx_parse(&jp, s.data.p + s.off[e], s.len[e]));
		kept[i] = cpu_ms() - a;
		jx_parser_free(&jp);
		two[i] = !*only || !strcmp(only, "decode") ? decode_pass(p, &body, step, 0, &text) : 1;
		one[i] = !*only || !strcmp(only, "decode1") ? decode_pass(p, &body, step, 1, &text) : 1;
		if (two[i] < 0 || one[i] < 0)
			return 65;
	}
	qsort(floor_ms, (size_t)runs, sizeof(double), cmp_double);
	qsort(two, (size_t)runs, sizeof(double), cmp_double);
	qsort(one, (size_t)runs, sizeof(double), cmp_double);
	qsort(kept, (size_t)runs, sizeof(double), cmp_double);
	double f = s.n / (floor_ms[runs / 2] / 1e3), d2 = s.n / (two[runs / 2] / 1e3), d1 = s.n / (one[runs / 2] / 1e3);
	double k = s.n / (kept[runs / 2] / 1e3);
	printf("events=%zu json=%zu text=%zu floor_eps=%.0f kept_eps=%.0f decode_eps=%.0f decode1_eps=%.0f "
	       "ratio1=%.3f ratio=%.3f ratio1_kept=%.3f\n", s.n, valid, text, f, k, d2, d1, d1 / f, d2 / f, d1 / k);
	free(floor_ms);
	free(kept);
	free(two);
	free(one);
	free(s.off);
	free(s.len);
	buf_free(&s.data);
	buf_free(&body);
	return 0;
}
