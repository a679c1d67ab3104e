/* image_resize: pixel operations on decoded images — the alpha test, flattening
 * over a background, padding to a square, and shrinking by area averaging with
 * exact integer footprints (each output pixel is the mean of the source area
 * it covers). */
#include "media/image.h"
#include <stdint.h>
#include <stdlib.h>

int image_has_alpha(const struct image *im)
{
	if (!im || im->channels != 4 || !im->px)
		return 0;
	size_t n = (size_t)im->w * im->h;
	for (size_t i = 0; i < n; i++)
		if (im->px[i * 4 + 3] != 255)
			return 1;
	return 0;
}

void image_flatten(struct image *im, unsigned char r, unsigned char g, unsigned char b)
{
	if (!im || im->channels != 4 || !im->px)
		return;
	size_t n = (size_t)im->w * im->h;
	unsigned char *p = im->px;
	const unsigned bg[3] = { r, g, b };
	for (size_t i = 0; i < n; i++) {
		const unsigned char *s = p + i * 4;
		unsigned a = s[3];
		unsigned char v[3];
		for (int c = 0; c < 3; c++)
			v[c] = (unsigned char)((s[c] * a + bg[c] * (255 - a) + 127) / 255);
		/* Writing behind the read position: i*3 <= i*4. */
		p[i * 3] = v[0];
		p[i * 3 + 1] = v[1];
		p[i * 3 + 2] = v[2];
	}
	im->channels = 3;
	unsigned char *q = realloc(p, n ? n * 3 : 1);
	if (q)
		im->px = q;
}

/* One axis of the box filter. Source pixel j covers [j*dst, (j+1)*dst) and
 * output pixel i covers [i*src, (i+1)*src), in units of 1/dst source pixels,
 * so the overlaps are exact integers and each output's weights sum to src. */
struct axis {
	int *first, *count;     /* per output pixel */
	uint32_t *wt;           /* the weights, output after output */
	size_t *at;             /* where each output's weights start in wt */
};

static void axis_free(struct axis *a)
{
	free(a->first);
	free(a->count);
	free(a->wt);
	free(a->at);
}

static int axis_init(struct axis *a, int src, int dst)
{
	a->first = malloc(sizeof(int) * (size_t)dst);
	a->count = malloc(sizeof(int) * (size_t)dst);
	a->at = malloc(sizeof(size_t) * (size_t)dst);
	a->wt = malloc(sizeof(uint32_t) * ((size_t)src + (size_t)dst));
	if (!a->first || !a->count || !a->at || !a->wt)
		return -1;
	size_t k = 0;
	for (int i = 0; i < dst; i++) {
		int64_t lo = (int64_t)i * src, hi = lo + src;
		int j = (int)(lo / dst), last = (int)((hi - 1) / dst);
		a->first[i] = j;
		a->count[i] = last - j + 1;
		a->at[i] = k;
		for (; j <= last; j++) {
			int64_t s = (int64_t)j * dst, e = s + dst;
			a->wt[k++] = (uint32_t)((e < hi ? e : hi) - (s > lo ? s : lo));
		}
	}
	return 0;
}

/* One source row resampled across: premultiplied by alpha when ch == 4, and
 * divided by the footprint width so values stay in 0..255. */
static void shrink_row(const unsigned char *s, int ch, const struct axis *ax, int dw, int sw, float *out)
{
	float inv = 1.0f / (float)sw;
	for (int x = 0; x < dw; x++) {
		const uint32_t *wt = ax->wt + ax->at[x];
		const unsigned char *p = s + (size_t)ax->first[x] * ch;
		float acc[4] = { 0, 0, 0, 0 };
		for (int k = 0; k < ax->count[x]; k++, p += ch) {
			float w = (float)wt[k];
			if (ch == 4) {
				float wa = w * p[3];
				acc[0] += wa * p[0];
				acc[1] += wa * p[1];
				acc[2] += wa * p[2];
				acc[3] += wa;
			} else {
				acc[0] += w * p[0];
				acc[1] += w * p[1];
				acc[2] += w * p[2];
			}
		}
		float *o = out + (size_t)x * ch;
		for (int c = 0; c < ch; c++)
			o[c] = acc[c] * inv;
	}
}

static unsigned char clamp8(float v)
{
	return v <= 0 ? 0 : v >= 255 ? 255 : (unsigned char)(v + 0.5f);
}

int image_shrink(struct image *im, int max_side)
{
	if (!im || !im->px || max_side < 1 || (im->channels != 3 && im->channels != 4))
		return -1;
	int sw = im->w, sh = im->h, ch = im->channels;
	if (sw <= max_side && sh <= max_side)
		return 0;
	int dw, dh;
	if (sw >= sh) {
		dw = max_side;
		dh = (int)(((int64_t)sh * max_side + sw / 2) / sw);
	} else {
		dh = max_side;
		dw = (int)(((int64_t)sw * max_side + sh / 2) / sh);
	}
	if (dw < 1)
		dw = 1;
	if (dh < 1)
		dh = 1;

	struct axis ax = { 0 }, ay = { 0 };
	float *row = malloc(sizeof(float) * (size_t)dw * ch);
	float *acc = malloc(sizeof(float) * (size_t)dw * ch);
	unsigned char *dst = malloc((size_t)dw * dh * ch);
	int r = -1;
	if (!row || !acc || !dst || axis_init(&ax, sw, dw) < 0 || axis_init(&ay, sh, dh) < 0)
		goto out;
	size_t sstride = (size_t)sw * ch;
	int cached = -1;        /* the source row now in row[] (edge rows serve two outputs) */
	float inv = 1.0f / (float)sh;
	for (int y = 0; y < dh; y++) {
		for (size_t i = 0; i < (size_t)dw * ch; i++)
			acc[i] = 0;
		const uint32_t *wt = ay.wt + ay.at[y];
		for (int k = 0; k < ay.count[y]; k++) {
			int sy = ay.first[y] + k;
			if (sy != cached) {
				shrink_row(im->px + (size_t)sy * sstride, ch, &ax, dw, sw, row);
				cached = sy;
			}
			float w = (float)wt[k];
			for (size_t i = 0; i < (size_t)dw * ch; i++)
				acc[i] += w * row[i];
		}
		unsigned char *d = dst + (size_t)y * dw * ch;
		for (int x = 0; x < dw; x++) {
			const float *a = acc + (size_t)x * ch;
			unsigned char *o = d + (size_t)x * ch;
			if (ch == 3) {
				for (int c = 0; c < 3; c++)
					o[c] = clamp8(a[c] * inv);
			} else if (a[3] <= 0) {
				o[0] = o[1] = o[2] = o[3] = 0;
			} else {
				for (int c = 0; c < 3; c++)
					o[c] = clamp8(a[c] / a[3]);
				o[3] = clamp8(a[3] * inv);
			}
		}
	}
	free(im->px);
	im->px = dst;
	dst = NULL;
	im->w = dw;
	im->h = dh;
	r = 0;
out:
	axis_free(&ax);
	axis_free(&ay);
	free(row);
	free(acc);
	free(dst);
	return r;
}

int image_square(struct image *im)
{
	if (!im || !im->px || im->w < 1 || im->h < 1)
		return -1;
	int side = im->w > im->h ? im->w : im->h;
	if (im->w == im->h && im->channels == 4)
		return 0;
	/* calloc: the new pixels start fully transparent (alpha 0) */
	unsigned char *q = calloc((size_t)side * (size_t)side, 4);
	if (!q)
		return -1;
	int x0 = (side - im->w) / 2, y0 = (side - im->h) / 2;
	for (int y = 0; y < im->h; y++) {
		const unsigned char *s = im->px + (size_t)y * (size_t)im->w * (size_t)im->channels;
		unsigned char *d = q + ((size_t)(y + y0) * (size_t)side + (size_t)x0) * 4;
		for (int x = 0; x < im->w; x++, s += im->channels, d += 4) {
			d[0] = s[0];
			d[1] = s[1];
			d[2] = s[2];
			d[3] = im->channels == 4 ? s[3] : 255;
		}
	}
	free(im->px);
	im->px = q;
	im->w = im->h = side;
	im->channels = 4;
	return 0;
}
