/* quantize: exact colours when there are few, else a median cut. */
#include "term/quantize.h"
#include <stdlib.h>
#include <string.h>

static int opaque(const struct image *im, size_t i)
{
	return im->channels < 4 || im->px[i * 4 + 3] >= 128;
}

static const unsigned char *pixel(const struct image *im, size_t i)
{
	return im->px + i * (size_t)im->channels;
}

/* ---- exact: a small hash of the colours seen, given up at the 257th ---- */

#define SLOTS 1024              /* at most a quarter full */
#define EMPTY 0xffffffffu

/* 1 when the picture has 256 colours or fewer (q filled), 0 when more,
 * -1 when out of memory. */
static int exact(const struct image *im, struct quantized *q)
{
	uint32_t *key = malloc(SLOTS * sizeof *key);
	uint8_t *val = malloc(SLOTS);
	if (!key || !val) {
		free(key);
		free(val);
		return -1;
	}
	memset(key, 0xff, SLOTS * sizeof *key);
	size_t n = (size_t)im->w * (size_t)im->h;
	int fits = 1;
	for (size_t i = 0; i < n; i++) {
		if (!opaque(im, i)) {
			q->idx[i] = QUANT_CLEAR;
			continue;
		}
		const unsigned char *p = pixel(im, i);
		uint32_t c = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		uint32_t s = (c * 2654435761u) >> 22;
		while (key[s] != EMPTY && key[s] != c)
			s = (s + 1) & (SLOTS - 1);
		if (key[s] == EMPTY) {
			if (q->ncolors == 256) {
				fits = 0;
				break;
			}
			key[s] = c;
			val[s] = (uint8_t)q->ncolors;
			memcpy(q->rgb[q->ncolors++], p, 3);
		}
		q->idx[i] = val[s];
	}
	free(key);
	free(val);
	return fits;
}

/* ---- median cut over 32768 bins of 5 bits a channel ---- */

#define BINS 32768

struct hist {
	uint32_t count[BINS];
	uint64_t sum[BINS][3];
	uint16_t cells[BINS], tmp[BINS];    /* the bins in use, sorted box by box */
	uint8_t lut[BINS];                  /* bin -> palette index */
};

struct box {
	int lo, hi;             /* its bins: cells[lo..hi) */
	uint64_t pixels;
	int chan, range;        /* its widest channel and that channel's span */
};

static int chan_of(unsigned bin, int c)
{
	return (int)(bin >> (10 - 5 * c)) & 31;
}

static unsigned bin_of(const unsigned char *p)
{
	return (unsigned)(p[0] >> 3) << 10 | (unsigned)(p[1] >> 3) << 5 | (unsigned)(p[2] >> 3);
}

static void measure(const struct hist *h, struct box *b)
{
	int lo[3] = { 31, 31, 31 }, hi[3] = { 0, 0, 0 };
	b->pixels = 0;
	for (int k = b->lo; k < b->hi; k++) {
		b->pixels += h->count[h->cells[k]];
		for (int c = 0; c < 3; c++) {
			int v = chan_of(h->cells[k], c);
			if (v < lo[c])
				lo[c] = v;
			if (v > hi[c])
				hi[c] = v;
		}
	}
	b->chan = 0;
	for (int c = 1; c < 3; c++)
		if (hi[c] - lo[c] > hi[b->chan] - lo[b->chan])
			b->chan = c;
	b->range = hi[b->chan] - lo[b->chan];
}

/* Cut b at the median pixel along its widest channel into b and nb. */
static void split(struct hist *h, struct box *b, struct box *nb)
{
	int counts[33] = { 0 };
	for (int k = b->lo; k < b->hi; k++)
		counts[chan_of(h->cells[k], b->chan) + 1]++;
	for (int v = 1; v < 33; v++)
		counts[v] += counts[v - 1];
	for (int k = b->lo; k < b->hi; k++)
		h->tmp[b->lo + counts[chan_of(h->cells[k], b->chan)]++] = h->cells[k];
	memcpy(h->cells + b->lo, h->tmp + b->lo, (size_t)(b->hi - b->lo) * sizeof h->cells[0]);
	uint64_t acc = 0;
	int k = b->lo;
	for (; k < b->hi - 2; k++) {
		acc += h->count[h->cells[k]];
		if (acc * 2 >= b->pixels)
			break;
	}
	nb->lo = k + 1;
	nb->hi = b->hi;
	b->hi = k + 1;
	measure(h, b);
	measure(h, nb);
}

static int median_cut(const struct image *im, struct quantized *q)
{
	struct hist *h = calloc(1, sizeof *h);
	if (!h)
		return -1;
	size_t n = (size_t)im->w * (size_t)im->h;
	for (size_t i = 0; i < n; i++) {
		if (!opaque(im, i))
			continue;
		const unsigned char *p = pixel(im, i);
		unsigned b = bin_of(p);
		h->count[b]++;
		for (int c = 0; c < 3; c++)
			h->sum[b][c] += p[c];
	}
	int ncells = 0;
	for (unsigned b = 0; b < BINS; b++)
		if (h->count[b])
			h->cells[ncells++] = (uint16_t)b;
	struct box boxes[256];
	int nboxes = 0;
	if (ncells) {
		boxes[0] = (struct box){ .lo = 0, .hi = ncells };
		measure(h, &boxes[0]);
		nboxes = 1;
	}
	/* Cut the box where a cut matters most: wide and full of pixels. */
	while (nboxes < 256) {
		int best = -1;
		uint64_t score = 0;
		for (int i = 0; i < nboxes; i++) {
			uint64_t s = (uint64_t)boxes[i].range * boxes[i].pixels;
			if (boxes[i].hi - boxes[i].lo > 1 && s > score)
				score = s, best = i;
		}
		if (best < 0)
			break;
		split(h, &boxes[best], &boxes[nboxes++]);
	}
	for (int i = 0; i < nboxes; i++) {
		uint64_t s[3] = { 0, 0, 0 };
		for (int k = boxes[i].lo; k < boxes[i].hi; k++) {
			unsigned b = h->cells[k];
			h->lut[b] = (uint8_t)i;
			for (int c = 0; c < 3; c++)
				s[c] += h->sum[b][c];
		}
		for (int c = 0; c < 3; c++)
			q->rgb[i][c] = (unsigned char)((s[c] + boxes[i].pixels / 2) / boxes[i].pixels);
	}
	q->ncolors = nboxes;
	for (size_t i = 0; i < n; i++)
		q->idx[i] = opaque(im, i) ? h->lut[bin_of(pixel(im, i))] : QUANT_CLEAR;
	free(h);
	return 0;
}

int quantize(const struct image *im, struct quantized *q)
{
	memset(q, 0, sizeof *q);
	size_t n = (size_t)im->w * (size_t)im->h;
	q->idx = malloc((n ? n : 1) * sizeof *q->idx);
	if (!q->idx)
		return -1;
	int r = exact(im, q);
	if (r == 0) {
		q->ncolors = 0;
		r = median_cut(im, q);
	}
	if (r < 0) {
		quantized_free(q);
		return -1;
	}
	return 0;
}

void quantized_free(struct quantized *q)
{
	free(q->idx);
	q->idx = NULL;
	q->ncolors = 0;
}
