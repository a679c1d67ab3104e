/* upload's image path as a dall-e-2 edit asks for it: padded to a square
 * and kept PNG, shrunk by quarters until it fits a byte limit, and refused
 * with a reason when even the smallest useful size does not fit. */
#include "buf.h"
#include "media/image.h"
#include "jsonx.h"
#include "tap.h"
#include "media/upload.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A PNG of w x h noise (it does not compress) written to a new file; its path. */
static char *noise_png(int w, int h)
{
	static char path[64];
	struct image im = { w, h, 3, malloc((size_t)w * h * 3) };
	unsigned x = 2463534242u;
	for (size_t i = 0; i < (size_t)w * h * 3; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		im.px[i] = (unsigned char)x;
	}
	struct buf b = BUF_INIT((size_t)64 << 20);
	char why[200];
	snprintf(path, sizeof path, "/tmp/test_upload-%d.png", (int)getpid());
	FILE *f = fopen(path, "wb");
	int bad = image_encode_png(&im, &b, why, sizeof why) < 0 || !f || fwrite(b.p, 1, b.len, f) != b.len;
	if (f)
		fclose(f);
	ok(!bad, "a %dx%d noise PNG to upload", w, h);
	image_free(&im);
	buf_free(&b);
	return path;
}

int main(void)
{
	char *path = noise_png(300, 200), why[300] = "";
	struct upload_opts o;
	upload_defaults(&o);
	o.max_side = 1024;
	o.square = 1;
	o.max_out = 30000;
	jv rec = jv_invalid();
	struct buf bytes = BUF_INIT((size_t)64 << 20);
	int st = upload_file(path, &o, &rec, &bytes, why, sizeof why);
	ok(st == 0, "square, under 30000 bytes: made (%s)", st ? why : "ok");
	long w = (long)jx_num(rec, "width", 0), h = (long)jx_num(rec, "height", 0);
	char mime[32] = "";
	jx_str(rec, "mime", mime, sizeof mime);
	is_str(mime, "image/png", "... a PNG");
	ok(w == h && w > 0 && w < 300, "... square, shrunk to fit (%ldx%ld)", w, h);
	ok(bytes.len > 0 && bytes.len < 30000, "... under the limit (%zu bytes)", bytes.len);
	struct image im = { 0 };
	ok(image_decode((const unsigned char *)bytes.p, bytes.len, NULL, 0, &im, NULL, NULL, why, sizeof why) == 0 &&
	   im.channels == 4 && image_has_alpha(&im), "... RGBA, with the transparent borders");
	image_free(&im);
	jv_free(rec);
	buf_free(&bytes);

	o.max_out = 200;
	rec = jv_invalid();
	st = upload_file(path, &o, &rec, NULL, why, sizeof why);
	ok(st == 65, "under 200 bytes: refused, bad data (%d)", st);
	ok(strstr(why, "does not fit in 200 bytes even at") != NULL, "... saying why: %s", why);
	jv_free(rec);

	o.square = 0;
	o.max_out = 0;
	rec = jv_invalid();
	st = upload_file(path, &o, &rec, NULL, why, sizeof why);
	jx_str(rec, "mime", mime, sizeof mime);
	ok(st == 0 && !strcmp(mime, "image/jpeg") && jx_num(rec, "height", 0) == 200,
	   "without square: an opaque image stays its shape, as JPEG");
	jv_free(rec);
	unlink(path);
	return tap_done();
}
