/* image_path.h: the whole image path the fuzz targets drive, with small caps:
 * decode (the last input byte picks a plain, a scaled or a shrinking decode), then shrink,
 * flatten and re-encode whatever decodes. want is the one format a target
 * feeds on (IMG_UNKNOWN: every format), so each decoder gets its own run. */
#include "buf.h"
#include "media/image.h"
#include <stddef.h>
#include <stdint.h>

static int image_path(const uint8_t *data, size_t size, enum image_format want)
{
	static const struct image_limits lim = { 4000000, (size_t)64 << 20, 50, 0 };
	if (want != IMG_UNKNOWN && image_sniff(data, size) != want)
		return -1;      /* not this target's format: not kept in its corpus */
	struct image im;
	char why[200];
	int target = size && (data[size - 1] & 1) ? 64 : 0;
	int fit = size && (data[size - 1] & 2);     /* shrunk while decoding, as chat-upload does */
	int w0, h0;
	if (fit ? image_decode_fit(data, size, &lim, 64, &im, &w0, &h0, NULL, NULL, why, sizeof why) < 0
	        : image_decode(data, size, &lim, target, &im, &w0, &h0, why, sizeof why) < 0)
		return 0;
	/* touch every pixel so MSan/valgrind would see uninitialised output */
	unsigned sum = 0;
	for (size_t i = 0; i < (size_t)im.w * im.h * im.channels; i++)
		sum += im.px[i];
	struct buf out = BUF_INIT((size_t)1 << 20);
	if (image_shrink(&im, 32) == 0) {
		if (image_has_alpha(&im))
			image_encode_png(&im, &out, why, sizeof why);
		image_flatten(&im, 255, 255, 255);
		image_encode_jpeg(&im, 1 + (int)(sum % 100), &out, why, sizeof why);
	}
	buf_free(&out);
	image_free(&im);
	return 0;
}
