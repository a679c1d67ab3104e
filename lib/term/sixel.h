/* sixel: pixels as DEC sixel graphics. The picture is reduced to at most
 * 256 colours (quantize.h), then written band by band, six rows a band,
 * one pass per colour used in the band, with runs of four or more equal
 * columns compressed ("!n"). */
#ifndef CHAT_SIXEL_H
#define CHAT_SIXEL_H
#include "buf.h"
#include "media/image.h"

/* Append DCS P1=0;P2=1 q, raster attributes "1;1;W;H (square pixels), the
 * colour registers (#i;2;R;G;B in percent), the bands, then ST. Pixels
 * with alpha below 128 are left undrawn (P2=1 keeps what is behind them).
 * 0, or -1 when memory or out's cap ran out (out as it was). */
int sixel_encode(const struct image *im, struct buf *out);
#endif
