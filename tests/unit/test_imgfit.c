/* image_decode_fit: a JPEG shrunk while it decodes (at a reduced libjpeg
 * scale, in bands, on a second thread when large) must come out as close to
 * the ideal as the plain path does: the full decode, area-averaged by
 * image_shrink. The pictures are made here: smooth light with fine texture
 * and sharp edges, so both the resampling and the chroma are exercised. */
#include "tap.h"
#include "media/image.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A w x h photo-like picture: gradients, a ripple, hard-edged blocks and a
 * little hashed grain, all deterministic. */
static struct image picture(int w, int h)
{
	struct image im = { w, h, 3, malloc((size_t)w * h * 3) };
	for (int y = 0; y < h && im.px; y++)
		for (int x = 0; x < w; x++) {
			unsigned char *p = im.px + ((size_t)y * w + x) * 3;
			uint32_t hsh = (uint32_t)x * 2654435761u ^ (uint32_t)y * 40503u;
			hsh ^= hsh >> 13;
			int grain = (int)(hsh % 17) - 8;
			double rip = 40 * sin(x * 0.05) * cos(y * 0.033);
			int block = ((x / 97) + (y / 61)) % 2 ? 50 : 0;
			int v[3] = { 60 + 120 * x / w + (int)rip + grain, 40 + 150 * y / h + block + grain,
			             200 - 100 * x / w - block / 2 + (int)(rip / 2) };
			for (int c = 0; c < 3; c++)
				p[c] = (unsigned char)(v[c] < 0 ? 0 : v[c] > 255 ? 255 : v[c]);
		}
	return im;
}

/* The picture as a quality-95 JPEG, with an EXIF orientation when o > 1. */
static void jpeg_of(const struct image *im, int o, struct buf *b)
{
	struct buf raw = BUF_INIT(1 << 30);
	char why[200];
	if (image_encode_jpeg(im, 95, &raw, why, sizeof why) < 0 || raw.len < 2) {
		printf("# encode: %s\n", why);
		buf_free(&raw);
		return;
	}
	buf_add(b, raw.p, 2);   /* SOI, then APP1 Exif: one IFD0 entry, 0x0112 = o */
	if (o > 1) {
		static unsigned char app1[] = { 0xff, 0xe1, 0, 34, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,
		                                1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		app1[28] = (unsigned char)o;
		buf_add(b, app1, sizeof app1);
	}
	buf_add(b, raw.p + 2, raw.len - 2);
	buf_free(&raw);
}

static double psnr(const struct image *a, const struct image *b)
{
	if (!a->px || !b->px || a->w != b->w || a->h != b->h || a->channels != b->channels)
		return 0;
	double se = 0;
	size_t n = (size_t)a->w * a->h * a->channels;
	for (size_t i = 0; i < n; i++) {
		double d = (double)a->px[i] - b->px[i];
		se += d * d;
	}
	return se ? 10 * log10(255.0 * 255 * n / se) : 99;
}

/* The plain path: decode at full size, then image_shrink. */
static int reference(const struct buf *b, int side, struct image *im)
{
	char why[200];
	if (image_decode((const unsigned char *)b->p, b->len, NULL, 0, im, NULL, NULL, why, sizeof why) < 0)
		return printf("# reference: %s\n", why), -1;
	return image_shrink(im, side);
}

static void check(int w, int h, int side, int o, const char *what)
{
	struct image src = picture(w, h), fit = { 0 }, ref = { 0 };
	struct buf b = BUF_INIT(1 << 30);
	jpeg_of(&src, o, &b);
	char why[200] = "";
	int ow = 0, oh = 0, frames = 0;
	int r = image_decode_fit((const unsigned char *)b.p, b.len, NULL, side, &fit, &ow, &oh, &frames, NULL, why,
	                         sizeof why);
	int upright_w = o >= 5 ? h : w, upright_h = o >= 5 ? w : h;
	int rr = reference(&b, side, &ref);
	double db = psnr(&fit, &ref);
	if (!ok(r == 0 && rr == 0 && fit.w == ref.w && fit.h == ref.h && ow == upright_w && oh == upright_h &&
	        frames == 1 && db >= 40, "%s: %dx%d to %d px is within 40 dB of the full decode's shrink", what, w,
	        h, side))
		printf("#   r=%d %s fit %dx%d ref %dx%d orig %dx%d psnr %.2f\n", r, why, fit.w, fit.h, ref.w, ref.h,
		       ow, oh, db);
	image_free(&src);
	image_free(&fit);
	image_free(&ref);
	buf_free(&b);
}

/* With an EXIF orientation the shrink happens before the turn: the result is
 * the upright one's, exactly. */
static void check_orientation(int o)
{
	struct image src = picture(1800, 1000), plain = { 0 }, turned = { 0 };
	struct buf a = BUF_INIT(1 << 30), b = BUF_INIT(1 << 30);
	jpeg_of(&src, 1, &a);
	jpeg_of(&src, o, &b);
	char why[200];
	int r = image_decode_fit((const unsigned char *)a.p, a.len, NULL, 700, &plain, NULL, NULL, NULL, NULL, why, sizeof why);
	r |= image_orient(&plain, o);
	r |= image_decode_fit((const unsigned char *)b.p, b.len, NULL, 700, &turned, NULL, NULL, NULL, NULL, why, sizeof why);
	ok(r == 0 && plain.w == turned.w && plain.h == turned.h && plain.w == (o >= 5 ? 389 : 700) &&
	   !memcmp(plain.px, turned.px, (size_t)plain.w * plain.h * 3),
	   "EXIF orientation %d is applied after the shrink: %dx%d", o, turned.w, turned.h);
	image_free(&src);
	image_free(&plain);
	image_free(&turned);
	buf_free(&a);
	buf_free(&b);
}

/* The full-size picture never exists: a memory cap that the plain path's
 * buffer (1500x1000 at scale 1/2, 4.5 MB) breaks, the banded one keeps. */
static void check_memory(void)
{
	struct image src = picture(3000, 2000), im = { 0 };
	struct buf b = BUF_INIT(1 << 30);
	jpeg_of(&src, 1, &b);
	struct image_limits lim = { 100000000, 3u << 20, 200, 0 };
	char why[200] = "";
	int r = image_decode_fit((const unsigned char *)b.p, b.len, &lim, 1024, &im, NULL, NULL, NULL, NULL, why, sizeof why);
	if (!ok(r == 0 && im.w == 1024 && im.h == 683, "a 3000x2000 JPEG to 1024 px decodes under a 3 MB memory cap"))
		printf("#   r=%d %s\n", r, why);
	image_free(&im);
	r = image_decode((const unsigned char *)b.p, b.len, &lim, 1024, &im, NULL, NULL, why, sizeof why);
	ok(r == -1 && strstr(why, "memory limit"), "while the whole picture at scale 1/2 does not (%s)", why);
	image_free(&im);
	image_free(&src);
	buf_free(&b);
}

/* Rows taken while decoding and encoded meanwhile make the very bytes the
 * whole-image encoder makes of the result; rows that will still be turned
 * (an EXIF orientation) are declined. */
struct taker {
	struct image_jpeg_stream *s;
	struct buf out;
	int orient, rows;
};

static int take_begin(void *arg, int w, int h, int orient)
{
	struct taker *t = arg;
	t->orient = orient;
	if (orient != 1)
		return 0;
	t->s = image_jpeg_stream_begin(w, h, 80, &t->out, NULL, 0);
	return t->s != NULL;
}

static void take_row(void *arg, const unsigned char *rgb)
{
	struct taker *t = arg;
	t->rows++;
	image_jpeg_stream_row(t->s, rgb);
}

static void check_rows(int w, int h, int side, int o)
{
	struct image src = picture(w, h), im = { 0 };
	struct buf b = BUF_INIT(1 << 30), whole = BUF_INIT(1 << 30);
	jpeg_of(&src, o, &b);
	struct taker t = { NULL, BUF_INIT(1 << 30), 0, 0 };
	struct image_rows rows = { take_begin, take_row, &t };
	char why[200] = "";
	int r = image_decode_fit((const unsigned char *)b.p, b.len, NULL, side, &im, NULL, NULL, NULL, &rows, why,
	                         sizeof why);
	int e = t.s ? image_jpeg_stream_end(t.s, r == 0, why, sizeof why) : -1;
	if (r == 0 && o == 1)
		image_encode_jpeg(&im, 80, &whole, why, sizeof why);
	if (o == 1)
		ok(r == 0 && e == 0 && t.rows == im.h && t.out.len > 0 && t.out.len == whole.len &&
		   !memcmp(t.out.p, whole.p, whole.len),
		   "%dx%d to %d: the rows encoded as they come are the whole image's JPEG, byte for byte", w, h, side);
	else
		ok(r == 0 && !t.s && t.rows == 0 && t.orient == o, "rows stored turned (orientation %d) are declined", o);
	image_free(&src);
	image_free(&im);
	buf_free(&b);
	buf_free(&whole);
	buf_free(&t.out);
}

/* A stream given too few rows, or abandoned, leaves the buffer as it was. */
static void check_stream_short(void)
{
	struct buf out = BUF_INIT(1 << 20);
	buf_add(&out, "kept", 4);
	char why[200] = "";
	unsigned char row[30 * 3] = { 0 };
	struct image_jpeg_stream *s = image_jpeg_stream_begin(30, 20, 80, &out, why, sizeof why);
	for (int y = 0; y < 5; y++)
		image_jpeg_stream_row(s, row);
	int r = image_jpeg_stream_end(s, 1, why, sizeof why);
	ok(s && r == -1 && strstr(why, "5 of its 20 rows") && out.len == 4, "a JPEG stream short of rows fails (%s)",
	   why);
	s = image_jpeg_stream_begin(30, 20, 80, &out, why, sizeof why);
	r = image_jpeg_stream_end(s, 0, why, sizeof why);
	ok(s && r == -1 && out.len == 4 && !memcmp(out.p, "kept", 4), "an abandoned one leaves the buffer as it was");
	ok(!image_jpeg_stream_begin(30, 20, 0, &out, why, sizeof why) && strstr(why, "quality"),
	   "a stream at quality 0 is refused (%s)", why);
	buf_free(&out);
}

/* A JPEG read from a file mapping whose pages are given back as they are
 * read decodes to the same pixels, a truncated one is still refused. */
static void check_release(void)
{
	struct image src = picture(2400, 1600), a = { 0 }, c = { 0 };
	struct buf b = BUF_INIT(1 << 30);
	jpeg_of(&src, 1, &b);
	char path[] = "/tmp/test_imgfit.XXXXXX", why[200] = "";
	int fd = mkstemp(path);
	int wrote = fd >= 0 && write(fd, b.p, b.len) == (ssize_t)b.len;
	void *map = wrote ? mmap(NULL, b.len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	struct image_limits lim = IMAGE_LIMITS_DEFAULT;
	int r1 = image_decode_fit((const unsigned char *)b.p, b.len, NULL, 1000, &a, NULL, NULL, NULL, NULL, why,
	                          sizeof why);
	lim.release_input = 1;
	int r2 = map == MAP_FAILED ? -1 : image_decode_fit(map, b.len, &lim, 1000, &c, NULL, NULL, NULL, NULL, why,
	                                                 sizeof why);
	ok(r1 == 0 && r2 == 0 && a.w == c.w && a.h == c.h && !memcmp(a.px, c.px, (size_t)a.w * a.h * 3),
	   "a JPEG whose mapped pages are given back as read decodes the same");
	image_free(&c);
	r2 = map == MAP_FAILED ? 0 : image_decode_fit(map, b.len / 2, &lim, 1000, &c, NULL, NULL, NULL, NULL, why,
	                                            sizeof why);
	ok(r2 == -1 && !strcmp(why, "truncated JPEG"), "and one cut short is still truncated (%s)", why);
	if (map != MAP_FAILED)
		munmap(map, b.len);
	if (fd >= 0)
		close(fd), unlink(path);
	image_free(&src);
	image_free(&a);
	image_free(&c);
	buf_free(&b);
}

int main(void)
{
	check(3000, 2000, 1024, 1, "scale 1/2, one thread");
	check(2000, 3000, 700, 1, "scale 1/4, portrait");
	check(4600, 3000, 2048, 1, "scale 1/2, two threads");
	check(2600, 1700, 2000, 1, "full scale, two threads");
	check(1200, 800, 2048, 1, "no shrink");
	check(3000, 2000, 1024, 6, "orientation 6");
	check_orientation(3);
	check_orientation(6);
	check_orientation(8);
	check_memory();
	check_rows(3000, 2000, 1024, 1);
	check_rows(4600, 3000, 2048, 1);
	check_rows(3000, 2000, 1024, 6);
	check_stream_short();
	check_release();
	return tap_done();
}
