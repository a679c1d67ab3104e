/* quantize: a picture in at most 256 colours, for sixel. A picture with
 * 256 colours or fewer keeps them exactly; any other gets a median cut over
 * a 15-bit histogram (5 bits a channel), each colour the mean of the pixels
 * it stands for. No dithering: a median cut's palette is close enough for a
 * preview, and a pixel's colour depends on nothing but its own value, which
 * keeps the whole thing to two passes over the pixels. */
#ifndef CHAT_QUANTIZE_H
#define CHAT_QUANTIZE_H
#include "media/image.h"
#include <stdint.h>

#define QUANT_CLEAR 0xffff      /* a pixel not drawn: alpha below 128 */

struct quantized {
	int ncolors;                    /* 0 when every pixel is clear */
	unsigned char rgb[256][3];
	uint16_t *idx;                  /* w*h palette indices or QUANT_CLEAR */
};

/* Exact colours are numbered in order of first appearance (rows top to
 * bottom). 0, or -1 when out of memory (q owns nothing). */
int quantize(const struct image *im, struct quantized *q);
void quantized_free(struct quantized *q);
#endif
