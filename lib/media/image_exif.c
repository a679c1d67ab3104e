/* image_exif: read the EXIF orientation tag with every offset bounds-checked,
 * and turn decoded pixels upright for each of the eight orientations. */
#include "media/image.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned get16(const unsigned char *p, int be)
{
	return be ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t get32(const unsigned char *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	          : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int image_exif_orientation(const unsigned char *p, size_t n)
{
	if (!p)
		return 1;
	if (n >= 6 && !memcmp(p, "Exif\0\0", 6)) {
		p += 6;
		n -= 6;
	}
	if (n < 8)
		return 1;
	int be;
	if (p[0] == 'I' && p[1] == 'I')
		be = 0;
	else if (p[0] == 'M' && p[1] == 'M')
		be = 1;
	else
		return 1;
	if (get16(p + 2, be) != 42)
		return 1;
	uint32_t ifd = get32(p + 4, be);
	if (ifd < 8 || ifd > n || n - ifd < 2)
		return 1;
	unsigned count = get16(p + ifd, be);
	size_t at = (size_t)ifd + 2;
	for (unsigned i = 0; i < count; i++, at += 12) {
		if (n - at < 12)        /* at <= n holds: it grows by 12 only after this check */
			return 1;
		const unsigned char *e = p + at;
		if (get16(e, be) != 0x0112)
			continue;
		unsigned type = get16(e + 2, be);
		uint32_t num = get32(e + 4, be);
		unsigned v;
		if (type == 3 && num >= 1)              /* SHORT, stored in the entry */
			v = get16(e + 8, be);
		else if (type == 4 && num >= 1)         /* LONG, seen from some writers */
			v = (unsigned)get32(e + 8, be);
		else
			return 1;
		return v >= 1 && v <= 8 ? (int)v : 1;
	}
	return 1;
}

/* For upright pixel (dx, dy), where it sits in the stored image (w x h). */
static void source_of(int o, int w, int h, int dx, int dy, int *sx, int *sy)
{
	switch (o) {
	case 2: *sx = w - 1 - dx; *sy = dy; break;                 /* mirrored */
	case 3: *sx = w - 1 - dx; *sy = h - 1 - dy; break;         /* 180 */
	case 4: *sx = dx; *sy = h - 1 - dy; break;                 /* flipped */
	case 5: *sx = dy; *sy = dx; break;                         /* transposed */
	case 6: *sx = dy; *sy = h - 1 - dx; break;                 /* turn 90 cw */
	case 7: *sx = w - 1 - dy; *sy = h - 1 - dx; break;         /* transversed */
	case 8: *sx = w - 1 - dy; *sy = dx; break;                 /* turn 90 ccw */
	default: *sx = dx; *sy = dy; break;
	}
}

int image_orient(struct image *im, int o)
{
	if (o < 2 || o > 8 || !im->px)
		return 0;
	int w = im->w, h = im->h, ch = im->channels;
	int ow = o >= 5 ? h : w, oh = o >= 5 ? w : h;
	size_t row = (size_t)w * ch;
	unsigned char *dst = malloc((size_t)ow * oh * ch);
	if (!dst)
		return -1;
	for (int dy = 0; dy < oh; dy++) {
		unsigned char *d = dst + (size_t)dy * ow * ch;
		int sx, sy, sx1, sy1;
		/* Along an output row the source moves by a fixed step: find it once. */
		source_of(o, w, h, 0, dy, &sx, &sy);
		source_of(o, w, h, ow > 1 ? 1 : 0, dy, &sx1, &sy1);
		ptrdiff_t step = ((ptrdiff_t)(sy1 - sy) * (ptrdiff_t)row) + (ptrdiff_t)(sx1 - sx) * ch;
		ptrdiff_t at = (ptrdiff_t)sy * (ptrdiff_t)row + (ptrdiff_t)sx * ch;
		for (int dx = 0; dx < ow; dx++, at += step, d += ch)
			memcpy(d, im->px + at, (size_t)ch);
	}
	free(im->px);
	im->px = dst;
	im->w = ow;
	im->h = oh;
	return 0;
}
