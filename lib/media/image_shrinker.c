/* image_shrinker: area averaging with exact integer footprints, streamed. On
 * each axis source pixel j covers [j*dst, (j+1)*dst) and output pixel i covers
 * [i*src, (i+1)*src), in units of 1/dst source pixels, so the overlaps are
 * exact integers. A source row is resampled across once and then added to the
 * (at most two, as dst <= src) output rows it overlaps; an output row is
 * written out as soon as the last source row under it is in. */
#include "media/image_shrinker.h"
#include "media/image.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void image_fit(int sw, int sh, int max_side, int *dw, int *dh)
{
	*dw = sw;
	*dh = sh;
	if (max_side < 1 || (sw <= max_side && sh <= max_side))
		return;
	if (sw >= sh) {
		*dw = max_side;
		*dh = (int)(((int64_t)sh * max_side + sw / 2) / sw);
	} else {
		*dh = max_side;
		*dw = (int)(((int64_t)sw * max_side + sh / 2) / sh);
	}
	if (*dw < 1)
		*dw = 1;
	if (*dh < 1)
		*dh = 1;
}

size_t shrinker_bytes(int sw, int dw, int dh, int ch)
{
	return (sizeof(int) * 2 + sizeof(size_t)) * (size_t)dw + sizeof(float) * ((size_t)sw + dw) +
	       sizeof(float) * 3 * (size_t)dw * ch + (size_t)dw * dh * ch;
}

void shrinker_free(struct shrinker *s)
{
	free(s->first);
	free(s->count);
	free(s->wt);
	free(s->at);
	free(s->row);
	free(s->acc[0]);
	free(s->acc[1]);
	free(s->px);
	memset(s, 0, sizeof *s);
}

int shrinker_init(struct shrinker *s, int sw, int sh, int ch, int dw, int dh)
{
	memset(s, 0, sizeof *s);
	if (dw < 1 || dh < 1 || dw > sw || dh > sh || (ch != 3 && ch != 4))
		return -1;
	size_t n = (size_t)dw * ch;
	s->sw = sw, s->sh = sh, s->dw = dw, s->dh = dh, s->ch = ch;
	s->first = malloc(sizeof(int) * (size_t)dw);
	s->count = malloc(sizeof(int) * (size_t)dw);
	s->at = malloc(sizeof(size_t) * (size_t)dw);
	s->wt = malloc(sizeof(float) * ((size_t)sw + (size_t)dw));
	s->row = malloc(sizeof(float) * n);
	s->acc[0] = calloc(n, sizeof(float));
	s->acc[1] = calloc(n, sizeof(float));
	s->px = malloc((size_t)dw * dh * ch);
	if (!s->first || !s->count || !s->at || !s->wt || !s->row || !s->acc[0] || !s->acc[1] || !s->px) {
		shrinker_free(s);
		return -1;
	}
	size_t k = 0;
	float inv = 1.0f / (float)sw;
	for (int i = 0; i < dw; i++) {
		int64_t lo = (int64_t)i * sw, hi = lo + sw;
		int j = (int)(lo / dw), last = (int)((hi - 1) / dw);
		s->first[i] = j;
		s->count[i] = last - j + 1;
		s->at[i] = k;
		for (; j <= last; j++) {
			int64_t a = (int64_t)j * dw, e = a + dw;
			s->wt[k++] = (float)((e < hi ? e : hi) - (a > lo ? a : lo)) * inv;
		}
	}
	return 0;
}

/* One source row resampled across: premultiplied by alpha when ch == 4. */
static void across(const struct shrinker *s, const unsigned char *src)
{
	float *o = s->row;
	if (s->ch == 3) {
		for (int x = 0; x < s->dw; x++, o += 3) {
			const float *wt = s->wt + s->at[x];
			const unsigned char *p = src + (size_t)s->first[x] * 3;
			float r = 0, g = 0, b = 0;
			for (int k = 0; k < s->count[x]; k++, p += 3) {
				r += wt[k] * p[0];
				g += wt[k] * p[1];
				b += wt[k] * p[2];
			}
			o[0] = r, o[1] = g, o[2] = b;
		}
		return;
	}
	for (int x = 0; x < s->dw; x++, o += 4) {
		const float *wt = s->wt + s->at[x];
		const unsigned char *p = src + (size_t)s->first[x] * 4;
		float r = 0, g = 0, b = 0, a = 0;
		for (int k = 0; k < s->count[x]; k++, p += 4) {
			float wa = wt[k] * p[3];
			r += wa * p[0];
			g += wa * p[1];
			b += wa * p[2];
			a += wa;
		}
		o[0] = r, o[1] = g, o[2] = b, o[3] = a;
	}
}

static unsigned char clamp8(float v)
{
	return v <= 0 ? 0 : v >= 255 ? 255 : (unsigned char)(v + 0.5f);
}

/* Output row y is complete: write it out and start the one after next. */
static void emit(struct shrinker *s)
{
	const float *a = s->acc[0];
	unsigned char *o = s->px + (size_t)s->y * s->dw * s->ch;
	size_t n = (size_t)s->dw * s->ch;
	if (s->ch == 3) {
		for (size_t i = 0; i < n; i++)
			o[i] = clamp8(a[i]);
	} else {
		for (size_t i = 0; i < n; i += 4) {
			if (a[i + 3] <= 0) {
				o[i] = o[i + 1] = o[i + 2] = o[i + 3] = 0;
				continue;
			}
			for (int c = 0; c < 3; c++)
				o[i + c] = clamp8(a[i + c] / a[i + 3]);
			o[i + 3] = clamp8(a[i + 3]);
		}
	}
	if (s->sink)
		s->sink(s->sink_arg, o);
	float *t = s->acc[0];
	s->acc[0] = s->acc[1];
	s->acc[1] = t;
	memset(t, 0, n * sizeof(float));
	s->y++;
}

void shrinker_row(struct shrinker *s, const unsigned char *row)
{
	if (s->sy >= s->sh)
		return;
	across(s, row);
	int64_t S = s->sh, D = s->dh, lo = (int64_t)s->sy * D, hi = lo + D;
	size_t n = (size_t)s->dw * s->ch;
	for (int k = 0; k < 2; k++) {
		int64_t olo = (int64_t)(s->y + k) * S, ohi = olo + S;
		if (s->y + k >= s->dh || olo >= hi)
			break;
		float w = (float)((ohi < hi ? ohi : hi) - (olo > lo ? olo : lo)) / (float)S;
		float *acc = s->acc[k];
		const float *r = s->row;
		for (size_t i = 0; i < n; i++)
			acc[i] += w * r[i];
	}
	s->sy++;
	if (hi >= (int64_t)(s->y + 1) * S)
		emit(s);
}

unsigned char *shrinker_take(struct shrinker *s)
{
	unsigned char *p = s->px;
	s->px = NULL;
	return p;
}

int image_shrink(struct image *im, int max_side)
{
	if (!im || !im->px || max_side < 1 || (im->channels != 3 && im->channels != 4))
		return -1;
	int dw, dh;
	image_fit(im->w, im->h, max_side, &dw, &dh);
	if (dw == im->w && dh == im->h)
		return 0;
	struct shrinker s;
	if (shrinker_init(&s, im->w, im->h, im->channels, dw, dh) < 0)
		return -1;
	size_t stride = (size_t)im->w * im->channels;
	for (int y = 0; y < im->h; y++)
		shrinker_row(&s, im->px + (size_t)y * stride);
	free(im->px);
	im->px = shrinker_take(&s);
	im->w = dw;
	im->h = dh;
	shrinker_free(&s);
	return 0;
}
