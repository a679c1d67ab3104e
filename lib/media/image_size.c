/* image_size: a PNG's or JPEG's width and height read from its header,
 * without decoding it: enough to count an image's tokens when it is sent
 * again from the history. */
#include "media/image.h"

static unsigned be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static int png_size(const unsigned char *p, size_t n, int *w, int *h)
{
	/* signature, then the IHDR chunk: length, "IHDR", width, height */
	if (n < 24 || p[0] != 0x89 || p[1] != 'P' || p[12] != 'I' || p[13] != 'H' || p[14] != 'D' || p[15] != 'R')
		return -1;
	unsigned pw = be32(p + 16), ph = be32(p + 20);
	if (!pw || !ph || pw > 0x7fffffffu || ph > 0x7fffffffu)
		return -1;
	*w = (int)pw;
	*h = (int)ph;
	return 0;
}

/* The first start-of-frame marker (C0-CF but C4, C8 and CC) holds the size. */
static int jpeg_size(const unsigned char *p, size_t n, int *w, int *h)
{
	size_t i = 2;
	if (n < 4 || p[0] != 0xFF || p[1] != 0xD8)
		return -1;
	while (i + 4 <= n) {
		if (p[i] != 0xFF) {
			i++;
			continue;
		}
		unsigned char m = p[i + 1];
		if (m == 0xFF || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
			i += m == 0xFF ? 1 : 2;   /* fill byte, or a marker with no length */
			continue;
		}
		size_t len = (size_t)p[i + 2] << 8 | p[i + 3];
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (i + 9 > n || len < 7)
				return -1;
			*h = p[i + 5] << 8 | p[i + 6];
			*w = p[i + 7] << 8 | p[i + 8];
			return *w && *h ? 0 : -1;
		}
		if (len < 2)
			return -1;
		i += 2 + len;
	}
	return -1;
}

int image_size(const unsigned char *p, size_t n, int *w, int *h)
{
	*w = *h = 0;
	return png_size(p, n, w, h) == 0 || jpeg_size(p, n, w, h) == 0 ? 0 : -1;
}
