/* tokcount: the bench's driver for lib/tokenizer — count the tokens of a file
 * (or of the words given with -p), or print their ids.
 *
 *   tokcount [-e ENCODING] [-i] [-s] [-n RUNS] [-t] FILE | -p TEXT
 *
 * Prints the token count (with -i, the ids on one line; -s recognises
 * special tokens).  -t adds a line of key=value figures on stderr: the
 * load time and the median of RUNS counts of the whole text (ms, MB/s).
 * Built by scripts/bench/tokens.sh against lib/libchat.a. */
#include "buf.h"
#include "fdio.h"
#include "tokens/tokenizer.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "benchtime.h"

int main(int argc, char **argv)
{
	const char *enc = "o200k_base", *text = NULL;
	int ids = 0, special = 0, timing = 0, runs = 1, c;
	while ((c = getopt(argc, argv, "e:isn:tp:")) != -1) {
		switch (c) {
		case 'e': enc = optarg; break;
		case 'i': ids = 1; break;
		case 's': special = 1; break;
		case 'n': runs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 't': timing = 1; break;
		case 'p': text = optarg; break;
		default:
			fprintf(stderr, "usage: tokcount [-e ENCODING] [-i] [-s] [-n RUNS] [-t] FILE | -p TEXT\n");
			return 64;
		}
	}
	struct buf in = BUF_INIT((size_t)1 << 32);
	if (text)
		buf_adds(&in, text);
	else if (optind < argc) {
		int fd = strcmp(argv[optind], "-") ? open(argv[optind], O_RDONLY) : 0;
		if (fd < 0 || read_all(fd, &in) < 0) {
			perror(argv[optind]);
			return 66;
		}
		if (fd)
			close(fd);
	} else {
		fprintf(stderr, "tokcount: no input (FILE or -p TEXT)\n");
		return 64;
	}
	double t0 = now_ms();
	char why[512];
	struct tokenizer *t = tokenizer_open(enc, why, sizeof why);
	double t1 = now_ms();
	if (!t) {
		fprintf(stderr, "tokcount: %s\n", why);
		return 78;
	}
	if (ids) {
		uint32_t *v = NULL;
		size_t n = 0;
		if (tokenizer_encode(t, in.p, in.len, special, &v, &n) < 0) {
			fprintf(stderr, "tokcount: out of memory\n");
			return 70;
		}
		for (size_t i = 0; i < n; i++)
			printf("%s%u", i ? " " : "", v[i]);
		printf("\n");
		free(v);
	} else {
		double *ms = calloc((size_t)runs, sizeof *ms);
		size_t n = 0;
		for (int r = 0; r < runs; r++) {
			double a = now_ms();
			n = tokenizer_count(t, in.p, in.len);
			ms[r] = now_ms() - a;
		}
		printf("%zu\n", n);
		qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
		if (timing)
			fprintf(stderr, "tokens=%zu bytes=%zu open_ms=%.3f count_ms=%.3f mb_s=%.2f\n", n, in.len, t1 - t0,
				ms[runs / 2], ms[runs / 2] > 0 ? in.len / 1e6 / (ms[runs / 2] / 1e3) : 0);
		free(ms);
	}
	tokenizer_close(t);
	buf_free(&in);
	return close_stdout() < 0 ? 73 : 0;
}
