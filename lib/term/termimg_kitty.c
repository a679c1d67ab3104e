/* termimg_kitty: kitty's graphics protocol. The picture goes as a PNG
 * (f=100) to be shown at once (a=T) over cols x rows cells (c=, r=),
 * base64 in escape codes of at most 4096 bytes each, m=1 on all but the
 * last. q=2 keeps kitty from answering, since an answer would arrive as
 * input in the middle of whatever the user types next. */
#include "term/termimg_enc.h"
#include "base64.h"
#include <stdio.h>

#define CHUNK 4096      /* the protocol's limit; a multiple of 4, as it must be */

int termimg_kitty(const struct termimg_pic *pic, struct buf *out, char *why, size_t cap)
{
	struct buf png = BUF_INIT((size_t)1 << 30);
	struct buf b64 = BUF_INIT((size_t)1 << 31);
	const unsigned char *p = pic->file;
	size_t n = pic->nfile;
	int rc = -1;
	if (!p || pic->format != IMG_PNG) {
		if (image_encode_png(pic->im, &png, why, cap) < 0)
			goto out;
		p = (const unsigned char *)png.p;
		n = png.len;
	}
	if (base64_encode(p, n, &b64) < 0) {
		snprintf(why, cap, "out of memory");
		goto out;
	}
	for (size_t at = 0; at < b64.len || at == 0; at += CHUNK) {
		size_t len = b64.len - at < CHUNK ? b64.len - at : CHUNK;
		int more = at + len < b64.len;
		int e = at == 0 ? buf_addf(out, "\033_Ga=T,f=100,q=2,c=%d,r=%d,m=%d;", pic->cols, pic->rows, more)
		                : buf_addf(out, "\033_Gm=%d;", more);
		if (e < 0 || buf_add(out, b64.p + at, len) < 0 || buf_add(out, "\033\\", 2) < 0) {
			snprintf(why, cap, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&png);
	buf_free(&b64);
	return rc;
}
