/* termimg_iterm2: iTerm2's inline images (also WezTerm's): OSC 1337
 * File=inline=1 with the payload's size, fitted to cols x rows cells with
 * its aspect ratio kept, the file base64 after the colon, BEL. The file
 * goes as it is when its pixels need no change; otherwise a JPEG becomes a
 * JPEG again (a photo stays small) and anything else a PNG. */
#include "term/termimg_enc.h"
#include "base64.h"
#include <stdio.h>

int termimg_iterm2(const struct termimg_pic *pic, struct buf *out, char *why, size_t cap)
{
	struct buf enc = BUF_INIT((size_t)1 << 30);
	const unsigned char *p = pic->file;
	size_t n = pic->nfile;
	int rc = -1;
	if (!p) {
		int e = pic->format == IMG_JPEG && pic->im->channels == 3
		        ? image_encode_jpeg(pic->im, 90, &enc, why, cap)
		        : image_encode_png(pic->im, &enc, why, cap);
		if (e < 0)
			goto out;
		p = (const unsigned char *)enc.p;
		n = enc.len;
	}
	if (buf_addf(out, "\033]1337;File=inline=1;size=%zu;width=%d;height=%d;preserveAspectRatio=1:",
	             n, pic->cols, pic->rows) < 0
	    || base64_encode(p, n, out) < 0 || buf_addc(out, '\a') < 0) {
		snprintf(why, cap, "out of memory");
		goto out;
	}
	rc = 0;
out:
	buf_free(&enc);
	return rc;
}
