/* mdrender: the bench's driver for lib/ask/mdrender — render a Markdown
 * file fed in pieces the way a reply streams in.
 *
 *   mdrender [-c] [-k PIECE] [-n RUNS] [-o] FILE
 *
 * -c renders with colour; -k is the piece size in bytes (default 16, about
 * a few tokens); -o writes the rendered text to stdout (else it is dropped
 * after each piece, as chat-stream writes it). Prints one line of key=value
 * figures on stderr: the median of RUNS renders of the whole file (ms,
 * MB/s of input) and the rendered size. Built by scripts/bench/render.sh
 * against lib/libchat.a. */
#include "buf.h"
#include "fdio.h"
#include "ask/mdrender.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "benchtime.h"

/* One render of in; the output's size, or -1 when memory ran out. */
static long long render(const struct buf *in, int colour, size_t piece, int print)
{
	struct mdrender r;
	struct buf out = BUF_INIT((size_t)1 << 30);
	long long total = 0;
	int bad = 0;
	mdrender_init(&r, colour);
	for (size_t at = 0; at < in->len && !bad; at += piece) {
		size_t n = in->len - at < piece ? in->len - at : piece;
		bad = mdrender_feed(&r, in->p + at, n, &out) < 0;
		total += (long long)out.len;
		if (print && out.len && write_all(1, out.p, out.len) < 0)
			bad = 1;
		buf_reset(&out);
	}
	bad |= mdrender_end(&r, &out) < 0;
	total += (long long)out.len;
	if (print && out.len && write_all(1, out.p, out.len) < 0)
		bad = 1;
	mdrender_free(&r);
	buf_free(&out);
	return bad ? -1 : total;
}

int main(int argc, char **argv)
{
	int colour = 0, print = 0, runs = 1, c;
	size_t piece = 16;
	while ((c = getopt(argc, argv, "ck:n:o")) != -1) {
		switch (c) {
		case 'c': colour = 1; break;
		case 'k': piece = atoi(optarg) > 0 ? (size_t)atoi(optarg) : 1; break;
		case 'n': runs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'o': print = 1; break;
		default:
			fprintf(stderr, "usage: mdrender [-c] [-k PIECE] [-n RUNS] [-o] FILE\n");
			return 64;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mdrender: no input FILE\n");
		return 64;
	}
	struct buf in = BUF_INIT((size_t)1 << 32);
	int fd = strcmp(argv[optind], "-") ? open(argv[optind], O_RDONLY) : 0;
	if (fd < 0 || read_all(fd, &in) < 0) {
		perror(argv[optind]);
		return 66;
	}
	if (fd)
		close(fd);
	double *ms = calloc((size_t)runs, sizeof *ms);
	long long outlen = 0;
	if (!ms) {
		fprintf(stderr, "mdrender: out of memory\n");
		return 70;
	}
	for (int i = 0; i < runs; i++) {
		double a = now_ms();
		outlen = render(&in, colour, piece, print && i == 0);
		ms[i] = now_ms() - a;
		if (outlen < 0) {
			fprintf(stderr, "mdrender: out of memory or cannot write\n");
			return 70;
		}
	}
	qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
	double med = ms[runs / 2];
	fprintf(stderr, "bytes=%zu out_bytes=%lld piece=%zu colour=%d render_ms=%.3f mb_s=%.1f\n", in.len, outlen,
		piece, colour, med, med > 0 ? in.len / 1e6 / (med / 1e3) : 0);
	free(ms);
	buf_free(&in);
	return close_stdout() < 0 ? 73 : 0;
}
