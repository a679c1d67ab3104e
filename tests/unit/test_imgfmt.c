/* imgfmt: GIF, WebP and HEIC through image_decode, made here by the
 * libraries' own encoders: pixels where they belong (a red top-left quarter,
 * the rest blue), orientation applied once, GIF transparency and first
 * frames, WebP scaled decoding, the pixel and memory caps, and every
 * truncation of each file refused without a leak or a stray read. HEIC
 * cases are skipped when libheif has no HEVC encoder. */
#include "buf.h"
#include "media/image.h"
#include "tap.h"
#include <gif_lib.h>
#include <libheif/heif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/encode.h>

/* x265, the HEVC encoder libheif uses to make the test files, keeps a few
 * blocks from each encoder it opens: not the decoders' leak, so LeakSanitizer
 * is told to pass over it (this hook is only called under ASan). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libx265.so\n";
}

/* ---- the test picture and its checks ---- */

static void pattern(int w, int h, int x, int y, unsigned char *px)
{
	int red = x < w / 2 && y < h / 2;
	px[0] = red ? 255 : 0;
	px[1] = 0;
	px[2] = red ? 0 : 255;
}

static const unsigned char *at(const struct image *im, int x, int y)
{
	return im->px + ((size_t)y * (size_t)im->w + (size_t)x) * (size_t)im->channels;
}

/* Lossy formats: red or blue within a margin. */
static int is_red(const unsigned char *p) { return p[0] > 200 && p[2] < 60; }
static int is_blue(const unsigned char *p) { return p[2] > 200 && p[0] < 60; }

static int decode(const struct buf *b, const struct image_limits *lim, int target, struct image *im, int *frames,
                  char *why)
{
	return image_decode_frames((const unsigned char *)b->p, b->len, lim, target, im, NULL, NULL, frames, why, 200);
}

/* Every cut of b is refused (-1, nothing owned, a reason given). */
static void truncations(const struct buf *b, const char *name)
{
	size_t bad = 0;
	for (size_t k = 0; k < b->len; k++) {
		struct image im;
		char why[200] = "";
		int r = image_decode((const unsigned char *)b->p, k, NULL, 0, &im, NULL, NULL, why, sizeof why);
		if (r != -1 || im.px || !why[0]) {
			if (!bad)
				printf("#   %zu of %zu bytes: r=%d why=\"%s\"\n", k, b->len, r, why);
			bad++;
			image_free(&im);
		}
	}
	ok(!bad, "%s: all %zu truncations refused", name, b->len);
}

static void caps(const struct buf *b, const char *name)
{
	struct image im;
	char why[200];
	struct image_limits few = { 500, 0, 0, 0 }, small = { 0, 1000, 0, 0 };
	int r = decode(b, &few, 0, &im, NULL, why);
	ok(r == -1 && !im.px && strstr(why, "over the 500 pixel limit"), "%s: over a 500-pixel cap, refused (%s)", name, why);
	r = decode(b, &small, 0, &im, NULL, why);
	ok(r == -1 && !im.px && strstr(why, "memory limit"), "%s: over a 1000-byte memory cap, refused (%s)", name, why);
}

/* ---- GIF ---- */

static int gif_out(GifFileType *g, const GifByteType *p, int n)
{
	buf_add(g->UserData, (const char *)p, (size_t)n);
	return n;
}

/* Colours 0 red, 1 blue, 2 green, 3 black; later frames all green. */
static void make_gif(struct buf *b, int w, int h, int frames, int interlace, int transparent)
{
	int err;
	GifColorType colors[4] = { { 255, 0, 0 }, { 0, 0, 255 }, { 0, 255, 0 }, { 0, 0, 0 } };
	ColorMapObject *map = GifMakeMapObject(4, colors);
	GifFileType *g = EGifOpen(b, gif_out, &err);
	EGifSetGifVersion(g, 1);
	EGifPutScreenDesc(g, w, h, 8, 0, map);
	GifPixelType *line = malloc((size_t)w);
	static const int start[] = { 0, 4, 2, 1 }, step[] = { 8, 8, 4, 2 };
	for (int f = 0; f < frames; f++) {
		unsigned char gce[4] = { transparent ? 1 : 0, 0, 0, 3 };
		EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, 4, gce);
		EGifPutImageDesc(g, 0, 0, w, h, interlace, NULL);
		for (int p = 0; p < (interlace ? 4 : 1); p++)
			for (int y = interlace ? start[p] : 0; y < h; y += interlace ? step[p] : 1) {
				for (int x = 0; x < w; x++) {
					unsigned char px[3];
					pattern(w, h, x, y, px);
					line[x] = f ? 2 : transparent && x >= w / 2 ? 3 : px[0] ? 0 : 1;
				}
				EGifPutLine(g, line, w);
			}
	}
	free(line);
	GifFreeMapObject(map);
	EGifCloseFile(g, &err);
}

static void test_gif(void)
{
	for (int il = 0; il < 2; il++) {
		struct buf b = BUF_INIT(1 << 20);
		make_gif(&b, 40, 20, 1, il, 0);
		struct image im;
		char why[200];
		int frames = 0;
		int r = decode(&b, NULL, 0, &im, &frames, why);
		ok(r == 0 && im.w == 40 && im.h == 20 && im.channels == 4 && frames == 1, "GIF%s 40x20 decodes to RGBA",
		   il ? " (interlaced)" : "");
		int exact = r == 0;
		for (int y = 0; exact && y < 20; y++)
			for (int x = 0; x < 40; x++) {
				unsigned char want[3];
				pattern(40, 20, x, y, want);
				if (memcmp(at(&im, x, y), want, 3) || at(&im, x, y)[3] != 255)
					exact = 0;
			}
		ok(exact, "... every pixel exact and opaque");
		image_free(&im);
		truncations(&b, il ? "interlaced GIF" : "GIF");
		if (!il)
			caps(&b, "GIF");
		buf_free(&b);
	}
	struct buf b = BUF_INIT(1 << 20);
	make_gif(&b, 40, 20, 3, 0, 1);
	struct image im;
	char why[200];
	int frames = 0;
	int r = decode(&b, NULL, 0, &im, &frames, why);
	ok(r == 0 && frames == 3 && is_red(at(&im, 5, 5)) && at(&im, 5, 5)[3] == 255 && at(&im, 30, 5)[3] == 0,
	   "an animated GIF: 3 frames counted, the first decoded, its transparent colour transparent");
	image_free(&im);
	truncations(&b, "animated GIF");
	buf_free(&b);
}

/* ---- WebP ---- */

static void put32le(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A simple lossy WebP wrapped in an extended (VP8X) container with an EXIF
 * chunk of orientation o. */
static void make_webp_exif(struct buf *b, const struct buf *simple, int w, int h, int o)
{
	static const unsigned char exif_mm[] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
	                                         0, 0, 0, 0, 0, 0, 0, 0 };
	unsigned char head[30] = "RIFF\0\0\0\0WEBPVP8X";
	size_t vp8 = simple->len - 12;       /* the "VP8 " chunk, header and all */
	put32le(head + 16, 10);
	head[20] = 0x08;                      /* the EXIF flag */
	head[24] = (unsigned char)(w - 1), head[25] = (unsigned char)((w - 1) >> 8);
	head[27] = (unsigned char)(h - 1), head[28] = (unsigned char)((h - 1) >> 8);
	put32le(head + 4, (uint32_t)(4 + 18 + vp8 + 8 + sizeof exif_mm));
	buf_add(b, (const char *)head, sizeof head);
	buf_add(b, simple->p + 12, vp8);
	unsigned char ch[8] = "EXIF";
	put32le(ch + 4, sizeof exif_mm);
	buf_add(b, (const char *)ch, 8);
	unsigned char e[sizeof exif_mm];
	memcpy(e, exif_mm, sizeof e);
	e[19] = (unsigned char)o;
	buf_add(b, (const char *)e, sizeof e);
}

static void test_webp(void)
{
	int w = 40, h = 20;
	unsigned char *px = malloc((size_t)w * h * 3), *enc = NULL;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			pattern(w, h, x, y, px + ((size_t)y * w + x) * 3);
	size_t n = WebPEncodeRGB(px, w, h, w * 3, 95, &enc);
	free(px);
	struct buf b = BUF_INIT(1 << 20);
	buf_add(&b, (const char *)enc, n);
	WebPFree(enc);
	struct image im;
	char why[200];
	int frames = 0;
	int r = decode(&b, NULL, 0, &im, &frames, why);
	ok(r == 0 && im.w == 40 && im.h == 20 && im.channels == 3 && frames == 1 && is_red(at(&im, 5, 5)) &&
	   is_blue(at(&im, 30, 15)) && is_blue(at(&im, 5, 15)), "WebP 40x20: red top-left quarter, blue elsewhere");
	image_free(&im);
	r = decode(&b, NULL, 10, &im, NULL, why);
	ok(r == 0 && im.w == 10 && im.h == 5, "a target side of 10: libwebp scales it to 10x5 (%dx%d)", im.w, im.h);
	image_free(&im);
	truncations(&b, "WebP");
	caps(&b, "WebP");

	struct buf x = BUF_INIT(1 << 20);
	make_webp_exif(&x, &b, w, h, 6);
	int ow = 0, oh = 0;
	r = image_decode((const unsigned char *)x.p, x.len, NULL, 0, &im, &ow, &oh, why, sizeof why);
	ok(r == 0 && im.w == 20 && im.h == 40 && ow == 20 && oh == 40 && is_red(at(&im, 15, 5)) && is_blue(at(&im, 5, 5)),
	   "WebP with EXIF orientation 6: turned a quarter clockwise, red top-right (%s)", r ? why : "ok");
	image_free(&im);
	truncations(&x, "WebP with EXIF");
	buf_free(&x);
	buf_free(&b);
}

/* ---- HEIC ---- */

static struct heif_error heif_out(struct heif_context *ctx, const void *data, size_t size, void *userdata)
{
	(void)ctx;
	buf_add(userdata, data, size);
	struct heif_error ok_ = { heif_error_Ok, heif_suberror_Unspecified, "" };
	return ok_;
}

/* orientation 6: stored as drawn, with an irot box that turns it a quarter
 * clockwise and an EXIF block saying orientation 6 as well (as cameras do). */
static int make_heic(struct buf *b, int w, int h, int orientation)
{
	struct heif_context *ctx = heif_context_alloc();
	struct heif_encoder *enc = NULL;
	struct heif_image *img = NULL;
	struct heif_image_handle *hd = NULL;
	struct heif_encoding_options *o = heif_encoding_options_alloc();
	int stride, r = -1;
	if (!heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc).code &&
	    !heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img).code &&
	    !heif_image_add_plane(img, heif_channel_interleaved, w, h, 8).code) {
		uint8_t *px = heif_image_get_plane(img, heif_channel_interleaved, &stride);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				pattern(w, h, x, y, px + (size_t)y * stride + (size_t)x * 3);
		heif_encoder_set_lossy_quality(enc, 95);
		o->image_orientation = (enum heif_orientation)orientation;
		unsigned char e[] = { 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3,
		                      0, 0, 0, 1, 0, (unsigned char)orientation, 0, 0, 0, 0, 0, 0 };
		struct heif_writer wr = { 1, heif_out };
		if (!heif_context_encode_image(ctx, img, enc, o, &hd).code &&
		    (orientation == 1 || !heif_context_add_exif_metadata(ctx, hd, e, (int)sizeof e).code) &&
		    !heif_context_write(ctx, &wr, b).code)
			r = 0;
	}
	heif_image_handle_release(hd);
	heif_image_release(img);
	if (enc)
		heif_encoder_release(enc);
	heif_encoding_options_free(o);
	heif_context_free(ctx);
	return r;
}

static void test_heic(void)
{
	if (!heif_have_encoder_for_format(heif_compression_HEVC)) {
		for (int i = 0; i < 7; i++)
			skip("libheif has no HEVC encoder to make HEIC files with");
		return;
	}
	struct buf b = BUF_INIT(1 << 20);
	struct image im;
	char why[200];
	ok(make_heic(&b, 40, 20, 1) == 0, "a 40x20 HEIC made");
	int r = decode(&b, NULL, 0, &im, NULL, why);
	ok(r == 0 && im.w == 40 && im.h == 20 && im.channels == 3 && is_red(at(&im, 5, 5)) && is_blue(at(&im, 30, 15)),
	   "HEIC 40x20: red top-left quarter, blue elsewhere (%s)", r ? why : "ok");
	image_free(&im);
	truncations(&b, "HEIC");
	caps(&b, "HEIC");
	buf_reset(&b);
	ok(make_heic(&b, 40, 20, 6) == 0, "a HEIC with irot and EXIF orientation 6 made");
	int ow = 0, oh = 0;
	r = image_decode((const unsigned char *)b.p, b.len, NULL, 0, &im, &ow, &oh, why, sizeof why);
	ok(r == 0 && im.w == 20 && im.h == 40 && ow == 20 && oh == 40 && is_red(at(&im, 15, 5)) && is_blue(at(&im, 5, 5)),
	   "turned a quarter clockwise once (irot), not again by EXIF: red top-right (%s)", r ? why : "ok");
	image_free(&im);
	buf_free(&b);
}

int main(void)
{
	test_gif();
	test_webp();
	test_heic();
	return tap_done();
}
