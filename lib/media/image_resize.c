/* image_resize: pixel operations on decoded images — the alpha test, flattening
 * over a background and padding to a square (shrinking is image_shrinker.c). */
#include "media/image.h"
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
