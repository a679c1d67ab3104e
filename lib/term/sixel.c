/* sixel: the encoder. Each band's columns are sorted into one row of
 * six-bit values per colour in a single pass over its pixels, then each
 * colour's row is written with its runs compressed and its trailing empty
 * columns left out. */
#include "term/sixel.h"
#include "term/quantize.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *put_uint(char *s, unsigned v)
{
	char d[12];
	int k = 0;
	do
		d[k++] = (char)('0' + v % 10);
	while (v /= 10);
	while (k)
		*s++ = d[--k];
	return s;
}

/* One colour's row of a band: "#c" then the columns up to the last one
 * the colour draws in, runs of four or more as "!n" and the character. */
static char *put_row(char *s, int c, const uint8_t *bits, int w)
{
	int end = w;
	while (end > 0 && !bits[end - 1])
		end--;
	*s++ = '#';
	s = put_uint(s, (unsigned)c);
	for (int x = 0; x < end;) {
		int run = 1;
		while (x + run < end && bits[x + run] == bits[x])
			run++;
		char ch = (char)('?' + bits[x]);
		if (run > 3) {
			*s++ = '!';
			s = put_uint(s, (unsigned)run);
			*s++ = ch;
		} else {
			for (int k = 0; k < run; k++)
				*s++ = ch;
		}
		x += run;
	}
	return s;
}

static int header(const struct image *im, const struct quantized *q, struct buf *out)
{
	if (buf_addf(out, "\033P0;1q\"1;1;%d;%d", im->w, im->h) < 0)
		return -1;
	for (int i = 0; i < q->ncolors; i++) {
		int pc[3];
		for (int c = 0; c < 3; c++)
			pc[c] = (q->rgb[i][c] * 100 + 127) / 255;
		if (buf_addf(out, "#%d;2;%d;%d;%d", i, pc[0], pc[1], pc[2]) < 0)
			return -1;
	}
	return 0;
}

static int bands(const struct image *im, const struct quantized *q, struct buf *out)
{
	int w = im->w, h = im->h, rc = -1;
	int n = q->ncolors ? q->ncolors : 1;
	uint8_t *bits = calloc((size_t)n * (size_t)w, 1);   /* per colour, per column */
	char *line = malloc((size_t)w + 32);
	if (!bits || !line)
		goto out;
	uint8_t used[256];
	for (int y0 = 0; y0 < h; y0 += 6) {
		memset(used, 0, sizeof used);
		for (int r = 0; r < 6 && y0 + r < h; r++) {
			const uint16_t *row = q->idx + (size_t)(y0 + r) * (size_t)w;
			for (int x = 0; x < w; x++) {
				if (row[x] == QUANT_CLEAR)
					continue;
				used[row[x]] = 1;
				bits[(size_t)row[x] * (size_t)w + (size_t)x] |= (uint8_t)(1u << r);
			}
		}
		int first = 1;
		for (int c = 0; c < q->ncolors; c++) {
			if (!used[c])
				continue;
			uint8_t *cb = bits + (size_t)c * (size_t)w;
			char *s = line;
			if (!first)
				*s++ = '$';         /* back to the band's start for the next colour */
			first = 0;
			s = put_row(s, c, cb, w);
			if (buf_add(out, line, (size_t)(s - line)) < 0)
				goto out;
			memset(cb, 0, (size_t)w);
		}
		if (y0 + 6 < h && buf_addc(out, '-') < 0) /* the next band */
			goto out;
	}
	rc = 0;
out:
	free(bits);
	free(line);
	return rc;
}

int sixel_encode(const struct image *im, struct buf *out)
{
	if (!im || !im->px || im->w < 1 || im->h < 1)
		return -1;
	struct quantized q;
	if (quantize(im, &q) < 0)
		return -1;
	size_t mark = out->len;
	int rc = header(im, &q, out) < 0 || bands(im, &q, out) < 0 || buf_add(out, "\033\\", 2) < 0 ? -1 : 0;
	if (rc < 0) {
		out->len = mark;
		if (out->p)
			out->p[mark] = 0;
	}
	quantized_free(&q);
	return rc;
}
