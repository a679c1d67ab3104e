/* imgpsnr: how close shrunk pictures are to the ideal shrink of their source.
 *   imgpsnr SOURCE OUT...
 * SOURCE is decoded at full size (upright) and area-averaged to each OUT's
 * size by lib/media's shrinker (every output pixel the exact mean of the
 * source area it covers); each OUT is decoded and compared over RGB. Prints
 * one line per OUT: "NAME WxH psnr_db". Built by scripts/bench/jpeg.sh
 * against lib/libchat.a. Exit 0, or 1 on any error. */
#include "media/image.h"
#include "media/image_shrinker.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load(const char *path, struct image *im)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fprintf(stderr, "imgpsnr: %s: cannot open\n", path), -1;
	struct buf b = BUF_INIT((size_t)1 << 30);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(&b, chunk, n) < 0)
			break;
	fclose(f);
	char why[256];
	struct image_limits lim = { 0, 0, 0, 0 };
	int r = image_decode((unsigned char *)b.p, b.len, &lim, 0, im, NULL, NULL, why, sizeof why);
	buf_free(&b);
	if (r < 0)
		fprintf(stderr, "imgpsnr: %s: %s\n", path, why);
	else
		image_flatten(im, 255, 255, 255);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return fprintf(stderr, "usage: imgpsnr SOURCE OUT...\n"), 1;
	struct image src;
	if (load(argv[1], &src) < 0)
		return 1;
	int bad = 0;
	for (int i = 2; i < argc; i++) {
		struct image out;
		struct shrinker s;
		if (load(argv[i], &out) < 0) {
			bad = 1;
			continue;
		}
		if (out.w > src.w || out.h > src.h || shrinker_init(&s, src.w, src.h, 3, out.w, out.h) < 0) {
			fprintf(stderr, "imgpsnr: %s: %dx%d cannot be a shrink of %dx%d\n", argv[i], out.w,
			        out.h, src.w, src.h);
			image_free(&out);
			bad = 1;
			continue;
		}
		for (int y = 0; y < src.h; y++)
			shrinker_row(&s, src.px + (size_t)y * src.w * 3);
		double se = 0;
		size_t n = (size_t)out.w * out.h * 3;
		for (size_t k = 0; k < n; k++) {
			double d = (double)out.px[k] - s.px[k];
			se += d * d;
		}
		double mse = se / (double)n;
		printf("%s %dx%d %.2f\n", argv[i], out.w, out.h, mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99.0);
		shrinker_free(&s);
		image_free(&out);
	}
	image_free(&src);
	return bad;
}
