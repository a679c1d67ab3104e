/* imgfmt: GIF, WebP and HEIC through image_decode, made here by the
 * libraries' own encoders: pixels where they belong (a red top-left quarter,
 * the rest blue), orientation applied once, GIF transparency and first
 * frames, WebP scaled decoding, the pixel and memory caps, and every
 * truncation of each file refused without a leak or a stray read. HEIC
 * cases are skipped when libheif has no HEVC encoder. */
#include "buf.h"
#include "media/image.h"
#include "media/image_decoders.h"
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


/* Where a box of this type starts in b (its size field), or -1. Good enough
 * for the files libheif writes, where each type named here occurs once. */
static long box_at(const struct buf *b, const char *type)
{
	for (size_t i = 4; i + 4 <= b->len; i++)
		if (!memcmp(b->p + i, type, 4))
			return (long)i - 4;
	return -1;
}

static uint32_t be32(const struct buf *b, long at)
{
	const unsigned char *q = (const unsigned char *)b->p + at;
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static void put32(struct buf *b, long at, uint32_t v)
{
	unsigned char *q = (unsigned char *)b->p + at;
	q[0] = (unsigned char)(v >> 24), q[1] = (unsigned char)(v >> 16), q[2] = (unsigned char)(v >> 8);
	q[3] = (unsigned char)v;
}

/* The ispe box made to claim w x h, whatever the HEVC stream inside says. */
static void claim_size(struct buf *b, uint32_t w, uint32_t h)
{
	long at = box_at(b, "ispe");
	put32(b, at + 12, w);
	put32(b, at + 16, h);
}

/* libheif's one-item layout (a side a multiple of 8): iloc version 0 with
 * 4-byte base offsets, offsets and lengths, one item of one extent (offset
 * 0 from the base); mdat last. Its image data twice over: a second picture. */
#define ILOC_BASE 20
#define ILOC_EXTENTS 24
#define ILOC_LENGTH 30
#define ILOC_END 34
static void second_picture(struct buf *b)
{
	long iloc = box_at(b, "iloc"), mdat = box_at(b, "mdat");
	uint32_t len = be32(b, iloc + ILOC_LENGTH), base = be32(b, iloc + ILOC_BASE);
	char *copy = malloc(len);
	memcpy(copy, b->p + base, len);
	buf_add(b, copy, len);
	free(copy);
	put32(b, iloc + ILOC_LENGTH, len * 2);
	put32(b, mdat, be32(b, mdat) + len);
}

/* The same layout with the item's one extent listed n times: data adding up
 * to n times its length, from a file not much longer. */
static void repeated_extent(struct buf *b, unsigned n)
{
	long iloc = box_at(b, "iloc"), meta = box_at(b, "meta");
	uint32_t grow = 8 * (n - 1), len = be32(b, iloc + ILOC_LENGTH);
	struct buf out = BUF_INIT(b->len + grow);
	buf_add(&out, b->p, (size_t)iloc + ILOC_END);
	for (unsigned i = 1; i < n; i++) {
		unsigned char e[8] = { 0 };
		buf_add(&out, (char *)e, 8);
		put32(&out, (long)out.len - 4, len);
	}
	buf_add(&out, b->p + iloc + ILOC_END, b->len - (size_t)iloc - ILOC_END);
	put32(&out, iloc + ILOC_BASE, be32(b, iloc + ILOC_BASE) + grow);
	out.p[iloc + ILOC_EXTENTS] = (char)(n >> 8), out.p[iloc + ILOC_EXTENTS + 1] = (char)n;
	put32(&out, iloc, be32(b, iloc) + grow);
	put32(&out, meta, be32(b, meta) + grow);
	buf_free(b);
	*b = out;
}

/* libde265 sizes its frames by the HEVC stream, not by ispe: a 600x600
 * picture in a file that says 40x20 is held to the caps before decoding.
 * With the old check only the ispe size was seen and the decode went ahead. */
static void test_heic_stream(void)
{
	struct buf b = BUF_INIT(1 << 16);
	struct image im;
	char why[200];
	struct image_limits small = { 0, 1 << 20, 0, 0 };
	ok(make_heic(&b, 600, 600, 1) == 0, "a 600x600 HEIC made");
	claim_size(&b, 40, 20);
	int r = decode(&b, NULL, 0, &im, NULL, why);
	ok(r == 0 && im.w == 600 && im.h == 600, "libheif decodes the stream's 600x600 though ispe says 40x20 (%s)",
	   r ? why : "ok");
	image_free(&im);
	r = decode(&b, &small, 0, &im, NULL, why);
	ok(r == -1 && !im.px && strstr(why, "memory limit"),
	   "a stream bigger than its ispe, over a 1 MiB memory cap: refused before decoding (%s)", why);
	struct image_limits few = { 100000, 0, 0, 0 };
	r = decode(&b, &few, 0, &im, NULL, why);
	ok(r == -1 && strstr(why, "600x600, over the"), "the same over a 100,000-pixel cap: the stream's size named (%s)",
	   why);
	buf_reset(&b);

	/* a side that is not a multiple of 8 makes libheif write a grid */
	ok(make_heic(&b, 64, 64, 1) == 0, "a 64x64 HEIC made");
	struct buf two = BUF_INIT(1 << 16), many = BUF_INIT(1 << 16);
	buf_add(&two, b.p, b.len);
	buf_add(&many, b.p, b.len);
	second_picture(&two);
	r = decode(&two, NULL, 0, &im, NULL, why);
	ok(r == -1 && !im.px && strstr(why, "more than one picture"), "an image item of two pictures: refused (%s)",
	   r ? why : "decoded");
	image_free(&im);
	repeated_extent(&many, 64);
	r = decode(&many, NULL, 0, &im, NULL, why);
	ok(r == -1 && !im.px && strstr(why, "adds up to more than the file"),
	   "an item whose extents repeat 64 times: refused (%s)", r ? why : "decoded");
	image_free(&im);
	repeated_extent(&b, 1);
	r = decode(&b, NULL, 0, &im, NULL, why);
	ok(r == 0 && im.w == 64, "the same file rewritten with its one extent still decodes (%s)", r ? why : "ok");
	image_free(&im);
	buf_free(&two);
	buf_free(&many);
	buf_free(&b);
}

/* ---- HEIF boxes made by hand, for the work the pre-decode checks do ---- */

static void be(struct buf *b, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		char c = (char)(v >> 8 * i);
		buf_add(b, &c, 1);
	}
}

/* Ends the box whose size field is at `at`. */
static void box_end(struct buf *b, size_t at)
{
	put32(b, (long)at, (uint32_t)(b->len - at));
}

static size_t box_start(struct buf *b, const char *type)
{
	size_t at = b->len;
	be(b, 0, 4);
	buf_add(b, type, 4);
	return at;
}

/* A file of `boxes` hvc1 item boxes (the iinf count says `declared`) and
 * `items` iloc entries, listed last item first, each of one extent: item i
 * at mdat offset data_at(i) of data_len bytes. The mdat holds `nals` NAL
 * units of 2 bytes (SEI, no picture), each after its 4-byte length. */
static void hand_heif(struct buf *b, unsigned declared, unsigned boxes, unsigned items, int shared, unsigned nals)
{
	size_t meta = box_start(b, "meta");
	be(b, 0, 4);
	size_t iinf = box_start(b, "iinf");
	be(b, 0, 4);
	be(b, declared, 2);
	for (unsigned i = 1; i <= boxes; i++) {
		size_t infe = box_start(b, "infe");
		be(b, 2 << 24, 4);
		be(b, i, 2);
		be(b, 0, 2);
		buf_add(b, "hvc1", 5);
		box_end(b, infe);
	}
	box_end(b, iinf);
	size_t iloc = box_start(b, "iloc");
	be(b, 0, 4);
	be(b, 0x4400, 2);               /* 4-byte offsets and lengths, no base */
	be(b, items, 2);
	size_t first_offset = b->len + 6;
	for (unsigned i = items; i >= 1; i--) {
		be(b, i, 2);
		be(b, 0, 2);
		be(b, 1, 2);
		be(b, 0, 4);            /* the offset, set below */
		be(b, shared ? 6 * nals : 6, 4);
	}
	box_end(b, iloc);
	box_end(b, meta);
	size_t mdat = box_start(b, "mdat");
	size_t data = b->len;
	for (unsigned k = 0; k < nals; k++) {
		be(b, 2, 4);
		be(b, 39 << 9 | 1, 2);
	}
	box_end(b, mdat);
	for (unsigned i = items; i >= 1; i--)
		put32(b, (long)(first_offset + (size_t)(items - i) * 14), (uint32_t)(data + (shared ? 0 : 6 * (i - 1))));
}

/* A hostile file costs the checks work in proportion to its size. The
 * iloc entries were found by scanning the whole box for each item: 3,000
 * items made 4.5 million entry reads. Items pointing at the same stream
 * had it walked once for each. */
static void test_heic_work(void)
{
	struct buf b = BUF_INIT(1 << 20);
	char why[200] = "";
	unsigned n = 3000;
	hand_heif(&b, n, n, n, 0, n);
	int r = image_heif_items_fit((const unsigned char *)b.p, b.len, NULL, why, sizeof why);
	unsigned long work = image_heif_items_work();
	ok(r == 0 && work <= 3 * (unsigned long)n, "3,000 items and 3,000 locations, each item's own: read in %lu steps (%s)",
	   work, r ? why : "fits");
	buf_reset(&b);
	hand_heif(&b, 2, 2, 2, 1, 20000);
	r = image_heif_items_fit((const unsigned char *)b.p, b.len, NULL, why, sizeof why);
	work = image_heif_items_work();
	ok(r == -1 && strstr(why, "items' data adds up to more than the file") && work <= 20010,
	   "two items sharing one stream of 20,000 NAL units: refused after one walk, %lu steps (%s)", work, why);
	buf_reset(&b);
	hand_heif(&b, 1, 5000, 1, 0, 1);
	r = image_heif_items_fit((const unsigned char *)b.p, b.len, NULL, why, sizeof why);
	ok(r == -1 && strstr(why, "more than the 4096 items"), "5,000 item boxes under a count of 1: refused (%s)",
	   r ? why : "fits");
	buf_reset(&b);
	hand_heif(&b, 3, 3, 3, 0, 3);
	r = image_heif_items_fit((const unsigned char *)b.p, b.len, NULL, why, sizeof why);
	ok(r == 0 && image_heif_items_work() == 3 + 3 + 3, "3 items of one NAL unit each: 9 steps, fits (%s)",
	   r ? why : "fits");
	buf_free(&b);
}

/* Three of the fuzz target's seeds, each once an out-of-memory or a stray
 * read: refused for what they are. Read from the repository, so run
 * from its top. */
static void heic_seed(const char *name, struct image_limits lim, const char *want)
{
	char path[200], why[200] = "";
	snprintf(path, sizeof path, "tests/fuzz/corpus_heif/%s", name);
	struct buf b = BUF_INIT(1 << 12);
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;
	while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (f)
		fclose(f);
	struct image im;
	int r = b.len ? decode(&b, &lim, 0, &im, NULL, why) : 0;
	ok(b.len && r == -1 && !im.px && strstr(why, want), "%s: refused before decoding (%s)", name, why);
	buf_free(&b);
}

static void test_heic(void)
{
	/* a grid whose idat range runs past the box: libheif 1.15 asked for 401 MB */
	struct image_limits fuzz_caps = { 4000000, (size_t)64 << 20, 50, 0 }, mem_only = { 0, (size_t)16 << 20, 0, 0 };
	heic_seed("idat-outside.heic", fuzz_caps, "item 2's data is outside the file");
	/* an iloc whose entries run past its box: read out of bounds (ASan) while
	 * skipping the other items' extents */
	heic_seed("iloc-skip.heic", fuzz_caps, "corrupt HEIC");
	/* a 2112x2112 stream in a file whose ispe says 40x20: its 35 MB found
	 * over a 16 MiB cap (decoded, it would have been let through) */
	heic_seed("stream-bomb.heic", mem_only, "over the 16 MB memory limit");
	test_heic_work();
	if (!heif_have_encoder_for_format(heif_compression_HEVC)) {
		for (int i = 0; i < 7 + 8; i++)
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
	test_heic_stream();
}

int main(void)
{
	test_gif();
	test_webp();
	test_heic();
	return tap_done();
}
