/* image: every PNG colour type x bit depth x interlace decoded to exact pixels;
 * JPEG baseline, progressive, arithmetic, grayscale, CMYK and YCCK; the eight
 * EXIF orientations (JPEG APP1 and PNG eXIf); caps, bombs, truncated and
 * bit-flipped files, other formats; shrink, flatten, metadata-free output;
 * and the conformance corpus under ../shared when it is present. */
#include "buf.h"
#include "media/image.h"
#include "tap.h"
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <png.h>

#define MB ((size_t)1 << 20)

/* ---- helpers ---- */

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static void put32be(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void put16(unsigned char *p, unsigned v, int be)
{
	p[be ? 0 : 1] = (unsigned char)(v >> 8);
	p[be ? 1 : 0] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v, int be)
{
	for (int i = 0; i < 4; i++)
		p[be ? i : 3 - i] = (unsigned char)(v >> (24 - 8 * i));
}

static uint32_t rnd_state = 12345;
static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static int decode(const struct buf *b, const struct image_limits *lim, int target,
                  struct image *im, char *why)
{
	return image_decode((const unsigned char *)b->p, b->len, lim, target, im, NULL, NULL, why, 200);
}

/* Mean and largest absolute difference of two images of one size and kind. */
static double mean_diff(const struct image *a, const struct image *b, int *maxd)
{
	size_t n = (size_t)a->w * a->h * a->channels;
	double sum = 0;
	int mx = 0;
	for (size_t i = 0; i < n; i++) {
		int d = abs((int)a->px[i] - (int)b->px[i]);
		sum += d;
		if (d > mx)
			mx = d;
	}
	if (maxd)
		*maxd = mx;
	return n ? sum / (double)n : 0;
}

static int same_shape(const struct image *a, const struct image *b)
{
	return a->w == b->w && a->h == b->h && a->channels == b->channels;
}

static int has_bytes(const struct buf *b, const char *s)
{
	return memmem(b->p, b->len, s, strlen(s)) != NULL;
}

/* ---- PNG writer ---- */

struct pngspec {
	int w, h, type, depth, interlace;
	const uint16_t *s;              /* samples in the PNG's channel order (or indexes) */
	const png_color *pal;
	int npal;
	const png_byte *trans;          /* palette alpha */
	int ntrans;
	const png_color_16 *key;        /* gray/RGB colour key (tRNS) */
	const unsigned char *exif;      /* an eXIf chunk */
	png_uint_32 exif_len;
	int text;                       /* add tEXt, zTXt, tIME, pHYs */
};

static void png_to_buf(png_structp png, png_bytep d, size_t n)
{
	buf_add(png_get_io_ptr(png), d, n);
}

static void png_noflush(png_structp png)
{
	(void)png;
}

static int chans_of(int type)
{
	return type == PNG_COLOR_TYPE_RGB ? 3 : type == PNG_COLOR_TYPE_RGBA ? 4
	     : type == PNG_COLOR_TYPE_GA ? 2 : 1;
}

static void make_png(struct buf *b, const struct pngspec *p)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	int nc = chans_of(p->type);
	size_t rowlen = (size_t)p->w * nc * 2;
	unsigned char *row = malloc(rowlen);
	if (setjmp(png_jmpbuf(png))) {
		fprintf(stderr, "make_png failed\n");
		exit(70);
	}
	png_set_write_fn(png, b, png_to_buf, png_noflush);
	png_set_IHDR(png, info, (png_uint_32)p->w, (png_uint_32)p->h, p->depth, p->type,
	             p->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (p->pal)
		png_set_PLTE(png, info, p->pal, p->npal);
	if (p->trans || p->key)
		png_set_tRNS(png, info, p->trans, p->ntrans, p->key);
	if (p->exif)
		png_set_eXIf_1(png, info, p->exif_len, (png_bytep)(uintptr_t)p->exif);
	if (p->text) {
		png_text t[2] = {
			{ .compression = PNG_TEXT_COMPRESSION_NONE, .key = "Comment", .text = "secret-comment" },
			{ .compression = PNG_TEXT_COMPRESSION_zTXt, .key = "Author", .text = "secret-author" },
		};
		png_set_text(png, info, t, 2);
		png_time tm = { 2024, 1, 2, 3, 4, 5 };
		png_set_tIME(png, info, &tm);
		png_set_pHYs(png, info, 2835, 2835, PNG_RESOLUTION_METER);
	}
	png_write_info(png, info);
	if (p->depth < 8)
		png_set_packing(png);
	int passes = png_set_interlace_handling(png);
	for (int pass = 0; pass < passes; pass++)
		for (int y = 0; y < p->h; y++) {
			const uint16_t *s = p->s + (size_t)y * p->w * nc;
			for (int i = 0; i < p->w * nc; i++) {
				if (p->depth == 16) {
					row[2 * i] = (unsigned char)(s[i] >> 8);
					row[2 * i + 1] = (unsigned char)s[i];
				} else {
					row[i] = (unsigned char)s[i];
				}
			}
			png_write_row(png, row);
		}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(row);
}

/* ---- JPEG writer ---- */

struct jpegspec {
	int w, h, comps;
	J_COLOR_SPACE in, as;           /* as: jpeg_set_colorspace, or JCS_UNKNOWN */
	const unsigned char *px;
	int quality, progressive, arith, restart, optimize, h0, v0;
	const unsigned char *app1;
	size_t app1_len;
	int icc, comment;
};

static void make_jpeg(struct buf *b, const struct jpegspec *s)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *mem = NULL;
	unsigned long len = 0;
	c.err = jpeg_std_error(&err);   /* test data is valid; exit() on error is fine here */
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &len);
	c.image_width = (JDIMENSION)s->w;
	c.image_height = (JDIMENSION)s->h;
	c.input_components = s->comps;
	c.in_color_space = s->in;
	jpeg_set_defaults(&c);
	if (s->as != JCS_UNKNOWN)
		jpeg_set_colorspace(&c, s->as);
	jpeg_set_quality(&c, s->quality ? s->quality : 95, TRUE);
	if (s->h0) {
		c.comp_info[0].h_samp_factor = s->h0;
		c.comp_info[0].v_samp_factor = s->v0;
	}
	if (s->progressive)
		jpeg_simple_progression(&c);
	c.arith_code = s->arith ? TRUE : FALSE;
	c.optimize_coding = s->optimize ? TRUE : FALSE;
	c.restart_in_rows = s->restart;
	jpeg_start_compress(&c, TRUE);
	if (s->app1)
		jpeg_write_marker(&c, JPEG_APP0 + 1, s->app1, (unsigned)s->app1_len);
	if (s->icc) {
		static const unsigned char icc[] = "ICC_PROFILE\0\1\1secret-icc-bytes";
		jpeg_write_marker(&c, JPEG_APP0 + 2, icc, sizeof icc);
	}
	if (s->comment)
		jpeg_write_marker(&c, JPEG_COM, (const JOCTET *)"secret-comment", 14);
	size_t stride = (size_t)s->w * s->comps;
	while (c.next_scanline < c.image_height) {
		JSAMPROW r = (JSAMPROW)(uintptr_t)(s->px + c.next_scanline * stride);
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	buf_add(b, mem, len);
	free(mem);
}

/* A smooth RGB test picture: JPEG keeps it within a few levels. */
static unsigned char *gradient(int w, int h)
{
	unsigned char *p = malloc((size_t)w * h * 3);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			unsigned char *q = p + ((size_t)y * w + x) * 3;
			q[0] = (unsigned char)(x * 255 / (w - 1));
			q[1] = (unsigned char)(y * 255 / (h - 1));
			q[2] = (unsigned char)(128 + (x - y) / 4);
		}
	return p;
}

/* An EXIF block: a Make string, the orientation, a GPS IFD pointer. */
static size_t make_exif(unsigned char *e, int o, int be, int with_header)
{
	size_t k = 0;
	if (with_header) {
		memcpy(e, "Exif\0\0", 6);
		k = 6;
	}
	unsigned char *t = e + k;
	memcpy(t, be ? "MM\0*" : "II*\0", 4);
	put32(t + 4, 8, be);
	put16(t + 8, 3, be);
	unsigned char *d = t + 10;
	put16(d, 0x010f, be); put16(d + 2, 2, be); put32(d + 4, 6, be); put32(d + 8, 50, be);
	d += 12;
	put16(d, 0x0112, be); put16(d + 2, 3, be); put32(d + 4, 1, be);
	put16(d + 8, (unsigned)o, be); put16(d + 10, 0, be);
	d += 12;
	put16(d, 0x8825, be); put16(d + 2, 4, be); put32(d + 4, 1, be); put32(d + 8, 0, be);
	d += 12;
	put32(d, 0, be);                /* no next IFD; ends at 50 */
	memcpy(t + 50, "Canon\0", 6);
	return k + 56;
}

/* ---- PNG: every colour type x bit depth x interlace, exact pixels ---- */

static unsigned to8(unsigned v, int depth)
{
	return depth == 16 ? (v * 255 + 32767) / 65535 : v * 255 / ((1u << depth) - 1);
}

static void png_case(int type, int depth, int trns, int interlace)
{
	enum { W = 13, H = 11 };
	int nc = chans_of(type);
	unsigned max = depth == 16 ? 65535 : (1u << depth) - 1;
	uint16_t s[W * H * 4];
	png_color pal[256];
	png_byte trans[256];
	png_color_16 key = { 0 };
	int npal = type == PNG_COLOR_TYPE_PALETTE ? (depth == 8 ? 200 : 1 << depth) : 0;
	int ntrans = npal ? npal / 2 + 1 : 0;
	for (int i = 0; i < npal; i++) {
		pal[i].red = (png_byte)rnd();
		pal[i].green = (png_byte)rnd();
		pal[i].blue = (png_byte)rnd();
		trans[i] = (png_byte)rnd();
	}
	for (int i = 0; i < W * H * nc; i++)
		s[i] = (uint16_t)(npal ? rnd() % (unsigned)npal : rnd() % (max + 1));
	if (trns && !npal) {
		/* a colour key that a quarter of the pixels match */
		for (int i = 4; i < W * H; i += 4)
			memcpy(s + i * nc, s, sizeof s[0] * (size_t)nc);
		if (type == PNG_COLOR_TYPE_GRAY)
			key.gray = s[0];
		else {
			key.red = s[0];
			key.green = s[1];
			key.blue = s[2];
		}
	}
	struct pngspec p = { W, H, type, depth, interlace, s, npal ? pal : NULL, npal,
	                     trns && npal ? trans : NULL, trns && npal ? ntrans : 0,
	                     trns && !npal ? &key : NULL, NULL, 0, 0 };
	struct buf b = BUF_INIT(1 << 20);
	make_png(&b, &p);

	int alpha = trns || (type & PNG_COLOR_MASK_ALPHA);
	int och = alpha ? 4 : 3;
	unsigned char want[W * H * 4];
	for (int i = 0; i < W * H; i++) {
		const uint16_t *v = s + i * nc;
		unsigned char *o = want + i * och;
		unsigned a = 255;
		if (npal) {
			o[0] = pal[v[0]].red;
			o[1] = pal[v[0]].green;
			o[2] = pal[v[0]].blue;
			if (trns && v[0] < ntrans)
				a = trans[v[0]];
		} else if (nc <= 2) {
			o[0] = o[1] = o[2] = (unsigned char)to8(v[0], depth);
			if (nc == 2)
				a = to8(v[1], depth);
			if (trns && v[0] == key.gray)
				a = 0;
		} else {
			for (int c = 0; c < 3; c++)
				o[c] = (unsigned char)to8(v[c], depth);
			if (nc == 4)
				a = to8(v[3], depth);
			if (trns && v[0] == key.red && v[1] == key.green && v[2] == key.blue)
				a = 0;
		}
		if (och == 4)
			o[3] = (unsigned char)a;
	}
	struct image im;
	char why[200];
	int ow, oh;
	int r = image_decode((unsigned char *)b.p, b.len, NULL, 0, &im, &ow, &oh, why, sizeof why);
	int good = r == 0 && im.w == W && im.h == H && im.channels == och && ow == W && oh == H &&
	           !memcmp(im.px, want, (size_t)W * H * och);
	if (!ok(good, "PNG colour type %d, %d-bit%s%s: exact pixels", type, depth,
	        trns ? ", tRNS" : "", interlace ? ", interlaced" : "")) {
		printf("#   r=%d why=%s w=%d h=%d ch=%d\n", r, r ? why : "", im.w, im.h, im.channels);
		if (r == 0 && im.channels == och)
			for (int i = 0; i < W * H * och; i++)
				if (im.px[i] != want[i]) {
					printf("#   first difference at byte %d: got %d want %d\n", i, im.px[i], want[i]);
					break;
				}
	}
	image_free(&im);
	buf_free(&b);
}

static void test_png_matrix(void)
{
	static const struct { int type, depth; } t[] = {
		{ PNG_COLOR_TYPE_GRAY, 1 }, { PNG_COLOR_TYPE_GRAY, 2 }, { PNG_COLOR_TYPE_GRAY, 4 },
		{ PNG_COLOR_TYPE_GRAY, 8 }, { PNG_COLOR_TYPE_GRAY, 16 },
		{ PNG_COLOR_TYPE_RGB, 8 }, { PNG_COLOR_TYPE_RGB, 16 },
		{ PNG_COLOR_TYPE_PALETTE, 1 }, { PNG_COLOR_TYPE_PALETTE, 2 },
		{ PNG_COLOR_TYPE_PALETTE, 4 }, { PNG_COLOR_TYPE_PALETTE, 8 },
		{ PNG_COLOR_TYPE_GA, 8 }, { PNG_COLOR_TYPE_GA, 16 },
		{ PNG_COLOR_TYPE_RGBA, 8 }, { PNG_COLOR_TYPE_RGBA, 16 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		for (int il = 0; il < 2; il++) {
			png_case(t[i].type, t[i].depth, 0, il);
			if (!(t[i].type & PNG_COLOR_MASK_ALPHA))
				png_case(t[i].type, t[i].depth, 1, il);
		}
}

/* ---- JPEG variants ---- */

static void jpeg_case(const char *name, struct jpegspec s, double tol)
{
	enum { W = 64, H = 48 };
	unsigned char *rgb = gradient(W, H);
	unsigned char *in = malloc((size_t)W * H * 4);
	for (int i = 0; i < W * H; i++) {
		const unsigned char *p = rgb + i * 3;
		if (s.in == JCS_GRAYSCALE) {
			in[i] = p[1];
		} else if (s.in == JCS_CMYK) {
			/* Adobe's inverted CMYK: 255 means no ink */
			unsigned k = p[0] > p[1] ? p[0] : p[1];
			k = k > p[2] ? k : p[2];
			for (int c = 0; c < 3; c++)
				in[i * 4 + c] = (unsigned char)(k ? (p[c] * 255 + k / 2) / k : 0);
			in[i * 4 + 3] = (unsigned char)k;
		} else {
			memcpy(in + i * 3, p, 3);
		}
	}
	if (s.in == JCS_GRAYSCALE)
		for (int i = 0; i < W * H; i++)
			rgb[i * 3] = rgb[i * 3 + 2] = rgb[i * 3 + 1];
	s.w = W;
	s.h = H;
	s.px = in;
	s.comps = s.in == JCS_GRAYSCALE ? 1 : s.in == JCS_CMYK ? 4 : 3;
	struct buf b = BUF_INIT(1 << 20);
	make_jpeg(&b, &s);
	struct image im, want = { W, H, 3, rgb };
	char why[200];
	int r = decode(&b, NULL, 0, &im, why), maxd = 0;
	double md = r == 0 && same_shape(&im, &want) ? mean_diff(&im, &want, &maxd) : 999;
	if (!ok(r == 0 && md < tol && maxd < 48, "JPEG %s: decodes close to the source", name))
		printf("#   r=%d why=%s mean=%.2f max=%d\n", r, r ? why : "", md, maxd);
	image_free(&im);
	buf_free(&b);
	free(rgb);
	free(in);
}

static void test_jpeg_variants(void)
{
	struct jpegspec s = { .in = JCS_RGB, .as = JCS_UNKNOWN };
	jpeg_case("baseline", s, 2.5);
	s.optimize = 1;
	jpeg_case("baseline, optimised Huffman", s, 2.5);
	s.optimize = 0;
	s.restart = 1;
	jpeg_case("baseline with restart markers", s, 2.5);
	s.restart = 0;
	s.progressive = 1;
	jpeg_case("progressive", s, 2.5);
	s.arith = 1;
	jpeg_case("progressive arithmetic-coded", s, 2.5);
	s.progressive = 0;
	jpeg_case("arithmetic-coded", s, 2.5);
	s.arith = 0;
	s.h0 = 1, s.v0 = 1;
	jpeg_case("4:4:4", s, 2.5);
	s.h0 = 2, s.v0 = 1;
	jpeg_case("4:2:2", s, 2.5);
	s.h0 = 0;
	s.as = JCS_RGB;
	jpeg_case("RGB colour space (Adobe, no transform)", s, 2.5);
	s.as = JCS_UNKNOWN;
	s.in = JCS_GRAYSCALE;
	jpeg_case("grayscale", s, 2.0);
	s.progressive = 1;
	jpeg_case("grayscale progressive", s, 2.0);
	s.progressive = 0;
	s.in = JCS_CMYK;
	jpeg_case("CMYK (Adobe inverted)", s, 3.0);
	s.as = JCS_YCCK;
	jpeg_case("YCCK (Adobe inverted)", s, 3.0);
	s.progressive = 1;
	jpeg_case("YCCK progressive", s, 3.0);
}

/* ---- EXIF orientation ---- */

/* The upright picture: 3 x 2 blocks of 16 px, six distinct colours. */
static const unsigned char block_rgb[6][3] = {
	{ 220, 30, 30 }, { 30, 200, 30 }, { 30, 30, 220 },
	{ 230, 220, 40 }, { 200, 40, 200 }, { 40, 210, 210 },
};
enum { UW = 48, UH = 32 };

static void upright(unsigned char *px)
{
	for (int y = 0; y < UH; y++)
		for (int x = 0; x < UW; x++)
			memcpy(px + (y * UW + x) * 3, block_rgb[(y / 16) * 3 + x / 16], 3);
}

/* The stored pixels for orientation o, from the EXIF definition of where the
 * stored 0th row and 0th column sit in the upright picture. */
static void stored_for(int o, const unsigned char *u, unsigned char *s, int *sw, int *sh)
{
	*sw = o >= 5 ? UH : UW;
	*sh = o >= 5 ? UW : UH;
	for (int sy = 0; sy < *sh; sy++)
		for (int sx = 0; sx < *sw; sx++) {
			int vx, vy;
			switch (o) {
			case 1: vx = sx; vy = sy; break;                        /* top, left */
			case 2: vx = UW - 1 - sx; vy = sy; break;               /* top, right */
			case 3: vx = UW - 1 - sx; vy = UH - 1 - sy; break;      /* bottom, right */
			case 4: vx = sx; vy = UH - 1 - sy; break;               /* bottom, left */
			case 5: vx = sy; vy = sx; break;                        /* left, top */
			case 6: vx = UW - 1 - sy; vy = sx; break;               /* right, top */
			case 7: vx = UW - 1 - sy; vy = UH - 1 - sx; break;      /* right, bottom */
			default: vx = sy; vy = UH - 1 - sx; break;              /* left, bottom */
			}
			memcpy(s + (sy * *sw + sx) * 3, u + (vy * UW + vx) * 3, 3);
		}
}

static void test_orientation(void)
{
	unsigned char u[UW * UH * 3], s[UW * UH * 3], exif[80];
	upright(u);
	struct image want = { UW, UH, 3, u };
	for (int o = 1; o <= 8; o++)
		for (int be = 0; be < 2; be++) {
			int sw, sh;
			stored_for(o, u, s, &sw, &sh);
			/* 4:4:4 so the sharp colour edges survive */
			struct jpegspec js = { sw, sh, 3, JCS_RGB, JCS_UNKNOWN, s, 95, 0, 0, 0, 0, 1, 1,
			                       exif, make_exif(exif, o, be, 1), 0, 0 };
			struct buf b = BUF_INIT(1 << 20);
			make_jpeg(&b, &js);
			struct image im;
			char why[200];
			int ow, oh, maxd = 0;
			int r = image_decode((unsigned char *)b.p, b.len, NULL, 0, &im, &ow, &oh, why, sizeof why);
			double md = r == 0 && same_shape(&im, &want) ? mean_diff(&im, &want, &maxd) : 999;
			if (!ok(md < 3 && ow == UW && oh == UH, "JPEG EXIF orientation %d (%s) comes out upright",
			        o, be ? "big-endian" : "little-endian"))
				printf("#   r=%d %s %dx%d mean=%.2f max=%d\n", r, r ? why : "", im.w, im.h, md, maxd);
			image_free(&im);

			/* scaled decode: the orientation still applies, orig is the upright full size */
			r = image_decode((unsigned char *)b.p, b.len, NULL, 24, &im, &ow, &oh, why, sizeof why);
			ok(r == 0 && im.w == 24 && im.h == 16 && ow == UW && oh == UH,
			   "orientation %d with a 1/2 scale decode: 24x16 of 48x32", o);
			image_free(&im);
			buf_free(&b);

			/* PNG eXIf (bare TIFF, no Exif\0\0 prefix): lossless, so exact */
			uint16_t s16[UW * UH * 3];
			for (int i = 0; i < UW * UH * 3; i++)
				s16[i] = s[i];
			struct pngspec ps = { sw, sh, PNG_COLOR_TYPE_RGB, 8, 0, s16, NULL, 0, NULL, 0, NULL,
			                      exif, (png_uint_32)make_exif(exif, o, be, 0), 0 };
			make_png(&b, &ps);
			r = decode(&b, NULL, 0, &im, why);
			ok(r == 0 && same_shape(&im, &want) && !memcmp(im.px, u, sizeof u),
			   "PNG eXIf orientation %d (%s) comes out upright", o, be ? "MM" : "II");
			image_free(&im);
			buf_free(&b);
		}
}

static void test_exif_parser(void)
{
	unsigned char e[80];
	size_t n = make_exif(e, 6, 1, 1);
	ok(image_exif_orientation(e, n) == 6, "EXIF: orientation 6 found past other tags");
	ok(image_exif_orientation(e + 6, n - 6) == 6, "EXIF: bare TIFF header too");
	n = make_exif(e, 9, 0, 1);
	ok(image_exif_orientation(e, n) == 1, "EXIF: orientation 9 is ignored");
	n = make_exif(e, 3, 0, 1);
	int bad = 0;
	for (size_t k = 0; k < n; k++) {
		/* every truncation: the tag survives only while its entry is whole */
		int o = image_exif_orientation(e, k);
		if (o != 1 && !(o == 3 && k >= 6 + 10 + 24))
			bad++;
	}
	ok(!bad, "EXIF: every truncated block is read safely");
	memset(e, 0, sizeof e);
	memcpy(e, "Exif\0\0", 6);
	unsigned char *t = e + 6;
	memcpy(t, "II*\0", 4);
	put32(t + 4, 0xfffffff0u, 0);
	ok(image_exif_orientation(e, 40) == 1, "EXIF: IFD offset past the end");
	put32(t + 4, 8, 0);
	put16(t + 8, 0xffff, 0);
	ok(image_exif_orientation(e, 40) == 1, "EXIF: entry count past the end");
	memcpy(t, "XX*\0", 4);
	ok(image_exif_orientation(e, 40) == 1, "EXIF: bad byte order");
	ok(image_exif_orientation(NULL, 0) == 1, "EXIF: none");
	/* all 2^16 bit patterns of the entry's type and value fields */
	n = make_exif(e, 1, 0, 1);
	bad = 0;
	for (unsigned v = 0; v < 65536; v++) {
		put16(e + 6 + 10 + 12 + 8, v, 0);
		int o = image_exif_orientation(e, n);
		if (o != (v >= 1 && v <= 8 ? (int)v : 1))
			bad++;
	}
	ok(!bad, "EXIF: every SHORT orientation value");
}

/* ---- caps, bombs, damaged files, other formats ---- */

static void small_png(struct buf *b, int w, int h, int type, int interlace)
{
	uint16_t s[64 * 64 * 4];
	for (int i = 0; i < w * h * chans_of(type); i++)
		s[i] = (uint16_t)(rnd() & 255);
	struct pngspec p = { w, h, type, 8, interlace, s, NULL, 0, NULL, 0, NULL, NULL, 0, 0 };
	make_png(b, &p);
}

static void small_jpeg(struct buf *b, int w, int h, int progressive, int arith)
{
	unsigned char *px = gradient(w, h);
	struct jpegspec s = { w, h, 3, JCS_RGB, JCS_UNKNOWN, px, 90, progressive, arith, 0, !arith, 0, 0,
	                      NULL, 0, 0, 0 };
	make_jpeg(b, &s);
	free(px);
}

/* Rewrite the IHDR size of a PNG and fix its CRC. */
static void png_set_size(struct buf *b, uint32_t w, uint32_t h)
{
	unsigned char *p = (unsigned char *)b->p;
	put32be(p + 16, w);
	put32be(p + 20, h);
	put32be(p + 29, crc32_of(p + 12, 17));
}

/* The SOF marker of a JPEG made by make_jpeg (the only one). */
static unsigned char *jpeg_sof(struct buf *b)
{
	unsigned char *p = (unsigned char *)b->p;
	for (size_t i = 2; i + 9 < b->len; i++)
		if (p[i] == 0xff && (p[i + 1] == 0xc0 || p[i + 1] == 0xc2 || p[i + 1] == 0xc9 || p[i + 1] == 0xca))
			return p + i;
	return NULL;
}

static int refused(const struct buf *b, const struct image_limits *lim, const char *want, const char *name)
{
	struct image im;
	char why[200] = "";
	int r = decode(b, lim, 0, &im, why);
	int good = r == -1 && !im.px && strstr(why, want) != NULL;
	if (!ok(good, "%s", name))
		printf("#   r=%d why=\"%s\" want \"%s\"\n", r, why, want);
	image_free(&im);
	return good;
}

static int accepted(const struct buf *b, const struct image_limits *lim, const char *name)
{
	struct image im;
	char why[200] = "";
	int r = decode(b, lim, 0, &im, why);
	if (!ok(r == 0 && im.px, "%s", name))
		printf("#   why=\"%s\"\n", why);
	image_free(&im);
	return r == 0;
}

static void test_limits(void)
{
	struct buf b = BUF_INIT(1 << 20);
	small_png(&b, 1, 1, PNG_COLOR_TYPE_RGB, 0);
	png_set_size(&b, 100000, 100000);
	refused(&b, NULL, "image is 100000x100000, over the 100 megapixel limit",
	        "PNG bomb: IHDR 100000x100000, tiny IDAT, refused at the header");
	struct image_limits lim = { 16000000, 64 * MB, 100, 0 };
	png_set_size(&b, 20000, 1000);
	refused(&b, &lim, "over the 16 megapixel limit", "PNG 20000x1000 over a 16 MP cap");
	png_set_size(&b, 0, 10);
	refused(&b, NULL, "corrupt PNG", "PNG with zero width");
	png_set_size(&b, 0x7fffffffu, 1);
	refused(&b, NULL, "over the 100000000 pixel limit", "PNG 2^31-1 wide: a side over the pixel cap");
	png_set_size(&b, 0x80000000u, 1);
	refused(&b, NULL, "corrupt PNG", "PNG 2^31 wide is invalid");
	buf_reset(&b);

	small_png(&b, 13, 11, PNG_COLOR_TYPE_RGBA, 0);
	lim = (struct image_limits){ 143, 0, 0, 0 };
	accepted(&b, &lim, "PNG of exactly the pixel cap (13x11 = 143)");
	lim.max_pixels = 142;
	refused(&b, &lim, "image is 13x11, over the 142 pixel limit", "PNG one pixel over the cap");
	lim = (struct image_limits){ 0, 100, 0, 0 };
	refused(&b, &lim, "memory limit", "PNG over the memory cap");
	buf_reset(&b);

	small_jpeg(&b, 64, 48, 0, 0);
	unsigned char *sof = jpeg_sof(&b);
	unsigned char save[9];
	memcpy(save, sof, 9);
	sof[5] = sof[7] = 0xff;
	sof[6] = sof[8] = 0xdc;
	refused(&b, NULL, "image is 65500x65500, over the 100 megapixel limit",
	        "JPEG header declaring 65500x65500 refused at the header");
	memcpy(sof, save, 9);
	sof[4] = 12;
	refused(&b, NULL, "12-bit JPEG is not supported", "12-bit JPEG refused");
	sof[4] = 8;
	sof[1] = 0xc3;
	refused(&b, NULL, "lossless JPEG is not supported", "lossless JPEG refused");
	memcpy(sof, save, 9);
	lim = (struct image_limits){ 0, 12000, 1, 0 };
	accepted(&b, &lim, "baseline JPEG: one scan, 12 kB memory");
	lim = (struct image_limits){ 3072, 0, 0, 0 };
	accepted(&b, &lim, "JPEG of exactly the pixel cap");
	lim.max_pixels = 3071;
	refused(&b, &lim, "over the 3071 pixel limit", "JPEG one pixel over the cap");
	buf_reset(&b);

	small_jpeg(&b, 64, 48, 1, 0);
	lim = (struct image_limits){ 0, 0, 3, 0 };
	refused(&b, &lim, "progressive JPEG has more than 3 scans", "progressive JPEG over the scan cap");
	lim.max_scans = 200;
	accepted(&b, &lim, "progressive JPEG under the scan cap");
	lim = (struct image_limits){ 0, 100, 0, 0 };
	refused(&b, &lim, "memory limit", "JPEG pixels over the memory cap");
	buf_reset(&b);

	/* a 1/8 scale decode needs few pixels, but a progressive file still
	 * needs its whole coefficient buffer (3 bytes a pixel at 4:2:0) */
	small_jpeg(&b, 400, 300, 1, 0);
	struct image im;
	char why[200] = "";
	lim = (struct image_limits){ 0, 200000, 0, 0 };
	int r = decode(&b, &lim, 50, &im, why);
	if (!ok(r == -1 && strstr(why, "memory limit"), "progressive JPEG: coefficient buffer over the memory cap"))
		printf("#   r=%d why=%s\n", r, why);
	image_free(&im);
	buf_reset(&b);
	small_jpeg(&b, 400, 300, 0, 0);
	r = decode(&b, &lim, 50, &im, why);
	ok(r == 0 && im.w == 50, "baseline JPEG: a 1/8 scale decode fits the same cap");
	image_free(&im);
	buf_free(&b);
}

/* Every prefix shorter than the file is refused; nothing crashes or leaks. */
static void truncations(const char *name, const struct buf *b)
{
	size_t bad = 0, first = 0;
	for (size_t k = 0; k < b->len; k++) {
		struct image im;
		char why[200] = "";
		int r = image_decode((const unsigned char *)b->p, k, NULL, 0, &im, NULL, NULL, why, sizeof why);
		if (r != -1 || im.px || !why[0]) {
			if (!bad++)
				first = k;
		}
		image_free(&im);
	}
	if (!ok(!bad, "every truncation of the %zu-byte %s is refused", b->len, name))
		printf("#   %zu accepted, the first at length %zu\n", bad, first);
}

/* Every single-bit flip: a clean result either way (must_fail: refused). */
static void bitflips(const char *name, const struct buf *b, int must_fail)
{
	unsigned char *p = malloc(b->len);
	size_t inconsistent = 0, passed = 0;
	for (size_t i = 0; i < b->len * 8; i++) {
		memcpy(p, b->p, b->len);
		p[i / 8] ^= (unsigned char)(1u << (i % 8));
		struct image im;
		char why[200] = "";
		int r = image_decode(p, b->len, NULL, 0, &im, NULL, NULL, why, sizeof why);
		if (r == 0)
			passed++;
		if (r == 0 ? !im.px || im.w < 1 || im.h < 1 : im.px || !why[0])
			inconsistent++;
		image_free(&im);
	}
	free(p);
	ok(!inconsistent && (!must_fail || !passed), "every bit flip of the %s: %s (%zu of %zu decoded)",
	   name, must_fail ? "refused" : "no crash", passed, b->len * 8);
}

static void test_damage(void)
{
	struct buf b = BUF_INIT(1 << 20);
	small_png(&b, 8, 8, PNG_COLOR_TYPE_RGBA, 0);
	truncations("PNG", &b);
	bitflips("PNG", &b, 1);
	buf_reset(&b);
	small_png(&b, 9, 7, PNG_COLOR_TYPE_RGB, 1);
	truncations("interlaced PNG", &b);
	buf_reset(&b);
	small_jpeg(&b, 16, 16, 0, 0);
	truncations("baseline JPEG", &b);
	bitflips("baseline JPEG", &b, 0);
	buf_reset(&b);
	small_jpeg(&b, 16, 16, 1, 0);
	truncations("progressive JPEG", &b);
	bitflips("progressive JPEG", &b, 0);
	buf_reset(&b);
	small_jpeg(&b, 16, 16, 0, 1);
	truncations("arithmetic JPEG", &b);
	bitflips("arithmetic JPEG", &b, 0);
	buf_reset(&b);

	/* a chunk claiming 2 GB in a small file: refused before libpng allocates it */
	unsigned char big[12];
	put32be(big, 0x7ffffff0u);
	memcpy(big + 4, "eXIfMM\0*", 8);
	small_png(&b, 1, 1, PNG_COLOR_TYPE_RGB, 0);
	struct buf c = BUF_INIT(1 << 20);
	buf_add(&c, b.p, 33);
	buf_add(&c, big, 12);
	buf_add(&c, b.p + 33, b.len - 33);
	refused(&c, NULL, "truncated PNG", "PNG with an eXIf chunk claiming 2 GB");
	buf_free(&c);
	buf_reset(&b);

	/* CRC and Adler-32 damage in an otherwise whole PNG */
	small_png(&b, 8, 8, PNG_COLOR_TYPE_RGB, 0);
	unsigned char *p = (unsigned char *)b.p;
	p[29] ^= 1;
	refused(&b, NULL, "CRC", "PNG with a bad IHDR CRC");
	p[29] ^= 1;
	uint32_t len = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 | (uint32_t)p[35] << 8 | p[36];
	unsigned char *idat = p + 33;           /* IHDR is 25 bytes after the signature */
	if (!memcmp(idat + 4, "IDAT", 4)) {
		idat[8 + len - 1] ^= 0x55;      /* last byte of the zlib stream: Adler-32 */
		put32be(idat + 8 + len, crc32_of(idat + 4, len + 4));
		refused(&b, NULL, "corrupt PNG", "PNG with a bad Adler-32 (CRC fixed up)");
	} else {
		skip("no IDAT after IHDR");
	}
	buf_free(&b);
}

static void test_formats(void)
{
	static const struct { const char *bytes; size_t n; enum image_format f; const char *why; } t[] = {
		/* GIF, WebP and HEIC are read: these have a header and no image */
		{ "GIF89a\x01\0\x01\0\0\0\0;", 14, IMG_GIF, "corrupt GIF: no image in it" },
		{ "GIF87a\x01\0\x01\0\0\0\0;", 14, IMG_GIF, "corrupt GIF: no image in it" },
		{ "RIFF\x24\0\0\0WEBPVP8 \0\0\0\0", 20, IMG_WEBP, "truncated WebP" },
		{ "BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0", 18, IMG_BMP, "BMP images are not supported" },
		{ "\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", 24, IMG_HEIC, "corrupt HEIC: " },
		{ "\0\0\0\x18" "ftypmif1\0\0\0\0mif1heic", 24, IMG_HEIC, "corrupt HEIC: " },
		{ "\0\0\0\x1c" "ftypavif\0\0\0\0avifmif1miaf", 28, IMG_AVIF, "AVIF images are not supported" },
		{ "II*\0\x08\0\0\0\0\0", 10, IMG_TIFF, "TIFF images are not supported" },
		{ "MM\0*\0\0\0\x08\0\0", 10, IMG_TIFF, "TIFF images are not supported" },
		{ "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 41, IMG_UNKNOWN, "not an image format we read" },
		{ "hello, world\n", 13, IMG_UNKNOWN, "not an image format we read" },
		{ "\xff\xd8", 2, IMG_UNKNOWN, "not an image format we read" },
		{ "\xff\xd8\xff", 3, IMG_JPEG, "truncated JPEG" },
		{ "\x89PNG\r\n\x1a\n", 8, IMG_PNG, "truncated PNG" },
		{ "", 0, IMG_UNKNOWN, "empty file" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT(1 << 10);
		buf_add(&b, t[i].bytes, t[i].n);
		ok(image_sniff((unsigned char *)b.p, b.len) == t[i].f, "sniff %s (%zu bytes)",
		   image_format_name(t[i].f), t[i].n);
		refused(&b, NULL, t[i].why, t[i].why);
		buf_free(&b);
	}
	struct image im;
	char why[50];
	ok(image_decode(NULL, 0, NULL, 0, &im, NULL, NULL, why, sizeof why) == -1 && !im.px,
	   "NULL data refused");
	/* a JPEG named .png is still a JPEG: decoding goes by the bytes */
	struct buf b = BUF_INIT(1 << 20);
	small_jpeg(&b, 16, 16, 0, 0);
	ok(image_sniff((unsigned char *)b.p, b.len) == IMG_JPEG, "sniff a JPEG by its bytes");
	buf_free(&b);
}

/* ---- shrink, flatten ---- */

static struct image filled(int w, int h, int ch)
{
	struct image im = { w, h, ch, malloc((size_t)w * h * ch) };
	for (size_t i = 0; i < (size_t)w * h * ch; i++)
		im.px[i] = (unsigned char)(rnd() & 255);
	return im;
}

static void test_shrink(void)
{
	static const struct { int w, h, max, ww, wh; } t[] = {
		{ 100, 50, 40, 40, 20 }, { 50, 100, 40, 20, 40 }, { 10, 10, 40, 10, 10 },
		{ 40, 30, 40, 40, 30 }, { 3000, 1, 1000, 1000, 1 }, { 1, 3000, 7, 1, 7 },
		{ 1001, 333, 500, 500, 166 }, { 4032, 3024, 1568, 1568, 1176 }, { 7, 5, 1, 1, 1 },
		{ 999, 1000, 998, 997, 998 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		for (int ch = 3; ch <= 4; ch++) {
			struct image im = filled(t[i].w, t[i].h, ch);
			unsigned char *before = im.px;
			int r = image_shrink(&im, t[i].max);
			ok(r == 0 && im.w == t[i].ww && im.h == t[i].wh && im.channels == ch &&
			   (t[i].w > t[i].max || t[i].h > t[i].max || im.px == before),
			   "shrink %dx%d to %d (%d channels): %dx%d", t[i].w, t[i].h, t[i].max, ch, t[i].ww, t[i].wh);
			image_free(&im);
		}

	/* exact footprints: 3 -> 2 pixels, each output covers 1.5 inputs */
	unsigned char row3[9] = { 0, 0, 0, 90, 90, 90, 180, 180, 180 };
	struct image im = { 3, 1, 3, malloc(9) };
	memcpy(im.px, row3, 9);
	image_shrink(&im, 2);
	ok(im.w == 2 && im.h == 1 && im.px[0] == 30 && im.px[3] == 150,
	   "shrink 3 -> 2 averages exact footprints (30, 150)");
	image_free(&im);

	/* 2x2 -> 1x1 is the mean of the four */
	unsigned char q[12] = { 0, 10, 200, 100, 20, 200, 40, 30, 0, 60, 40, 0 };
	im = (struct image){ 2, 2, 3, malloc(12) };
	memcpy(im.px, q, 12);
	image_shrink(&im, 1);
	ok(im.px[0] == 50 && im.px[1] == 25 && im.px[2] == 100, "shrink 2x2 -> 1x1 is the mean");
	image_free(&im);

	/* a flat colour stays exactly that colour */
	im = filled(333, 77, 3);
	for (int i = 0; i < 333 * 77 * 3; i++)
		im.px[i] = (unsigned char)(i % 3 == 0 ? 17 : i % 3 == 1 ? 128 : 254);
	image_shrink(&im, 50);
	int flat = 1;
	for (int i = 0; i < im.w * im.h * 3; i++)
		flat &= im.px[i] == (i % 3 == 0 ? 17 : i % 3 == 1 ? 128 : 254);
	ok(flat, "shrink keeps a flat colour exact");
	image_free(&im);

	/* alpha-weighted: a transparent red pixel adds no red */
	unsigned char a[8] = { 255, 0, 0, 0, 0, 0, 255, 255 };
	im = (struct image){ 2, 1, 4, malloc(8) };
	memcpy(im.px, a, 8);
	image_shrink(&im, 1);
	ok(im.px[0] == 0 && im.px[2] == 255 && im.px[3] == 128, "shrink weights colour by alpha");
	image_free(&im);

	im = filled(10, 10, 3);
	ok(image_shrink(&im, 0) == -1 && im.w == 10, "shrink to 0 is an error");
	image_free(&im);
}

static void test_flatten(void)
{
	unsigned char px[12] = { 255, 0, 0, 128, 10, 20, 30, 255, 200, 200, 200, 0 };
	struct image im = { 3, 1, 4, malloc(12) };
	memcpy(im.px, px, 12);
	ok(image_has_alpha(&im), "has_alpha: a pixel below 255");
	image_flatten(&im, 255, 255, 255);
	static const unsigned char want[9] = { 255, 127, 127, 10, 20, 30, 255, 255, 255 };
	ok(im.channels == 3 && !memcmp(im.px, want, 9), "flatten RGBA over white");
	ok(!image_has_alpha(&im), "has_alpha: RGB has none");
	image_free(&im);
	im = filled(4, 4, 4);
	for (int i = 3; i < 64; i += 4)
		im.px[i] = 255;
	ok(!image_has_alpha(&im), "has_alpha: all opaque RGBA");
	image_free(&im);
}

/* Pixel (x, y) of im as "r,g,b,a". */
static void pixel(const struct image *im, int x, int y, char *out, size_t cap)
{
	const unsigned char *p = im->px + ((size_t)y * im->w + x) * im->channels;
	snprintf(out, cap, "%d,%d,%d,%d", p[0], p[1], p[2], im->channels == 4 ? p[3] : 255);
}

static void test_square(void)
{
	char got[32];
	/* a wide RGB strip: centred between transparent rows above and below */
	struct image im = { 3, 1, 3, malloc(9) };
	static const unsigned char rgb[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	memcpy(im.px, rgb, 9);
	ok(image_square(&im) == 0 && im.w == 3 && im.h == 3 && im.channels == 4, "square: 3x1 RGB becomes 3x3 RGBA");
	pixel(&im, 1, 1, got, sizeof got);
	is_str(got, "4,5,6,255", "... the picture in the middle row, opaque");
	pixel(&im, 1, 0, got, sizeof got);
	is_str(got, "0,0,0,0", "... the row above fully transparent");
	pixel(&im, 2, 2, got, sizeof got);
	is_str(got, "0,0,0,0", "... and the row below");
	image_free(&im);
	/* a tall RGBA image keeps its own alpha, with columns either side */
	im = (struct image){ 1, 3, 4, malloc(12) };
	static const unsigned char rgba[12] = { 10, 10, 10, 100, 20, 20, 20, 200, 30, 30, 30, 255 };
	memcpy(im.px, rgba, 12);
	ok(image_square(&im) == 0 && im.w == 3 && im.h == 3, "square: 1x3 RGBA becomes 3x3");
	pixel(&im, 1, 0, got, sizeof got);
	is_str(got, "10,10,10,100", "... its alpha kept");
	pixel(&im, 0, 1, got, sizeof got);
	is_str(got, "0,0,0,0", "... the column to the left transparent");
	image_free(&im);
	/* a square RGB image only gains an opaque alpha channel */
	im = filled(4, 4, 3);
	unsigned char first[3] = { im.px[0], im.px[1], im.px[2] };
	ok(image_square(&im) == 0 && im.w == 4 && im.channels == 4 && !memcmp(im.px, first, 3) && !image_has_alpha(&im),
	   "square: a square RGB image becomes RGBA, all opaque");
	ok(image_square(&im) == 0 && im.w == 4, "square: a square RGBA image is left alone");
	image_free(&im);
	struct image none = { 0 };
	ok(image_square(&none) == -1, "square: no image is an error");
}

/* ---- encode, and no metadata in the output ---- */

/* "E0 DB C0 C4 DA D9": the markers of a JPEG after SOI, duplicates collapsed. */
static void jpeg_markers(const unsigned char *p, size_t n, char *out, size_t cap)
{
	size_t i = 2, o = 0;
	int last = -1;
	out[0] = '\0';
	while (i + 2 <= n && p[i] == 0xff) {
		int m = p[i + 1];
		if (m != last && o + 4 < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%02X", o ? " " : "", m);
		last = m;
		if (m == 0xd9 || i + 4 > n)
			break;
		i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
		if (m == 0xda)  /* entropy-coded data up to the next real marker */
			while (i + 1 < n && !(p[i] == 0xff && p[i + 1] && (p[i + 1] < 0xd0 || p[i + 1] > 0xd7)))
				i++;
	}
}

/* "IHDR IDAT IEND": the chunks of a PNG, repeated IDATs collapsed. */
static void png_chunks(const unsigned char *p, size_t n, char *out, size_t cap)
{
	size_t i = 8, o = 0;
	out[0] = '\0';
	while (i + 12 <= n) {
		size_t len = (size_t)p[i] << 24 | (size_t)p[i + 1] << 16 | (size_t)p[i + 2] << 8 | p[i + 3];
		if (!(o >= 4 && !memcmp(out + o - 4, p + i + 4, 4)) && o + 6 < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%.4s", o ? " " : "", p + i + 4);
		i += 12 + len;
	}
}

static void test_encode(void)
{
	char why[200], list[200];
	struct image im = filled(13, 11, 4), back;
	struct buf b = BUF_INIT(1 << 20);
	ok(image_encode_png(&im, &b, why, sizeof why) == 0 && decode(&b, NULL, 0, &back, why) == 0 &&
	   same_shape(&im, &back) && !memcmp(im.px, back.px, 13 * 11 * 4), "PNG RGBA round trip is exact");
	png_chunks((unsigned char *)b.p, b.len, list, sizeof list);
	is_str(list, "IHDR IDAT IEND", "PNG output has only IHDR, IDAT, IEND");
	image_free(&back);
	ok(image_encode_jpeg(&im, 90, &b, why, sizeof why) == -1 && strstr(why, "RGB"),
	   "JPEG refuses RGBA");
	image_flatten(&im, 0, 0, 0);
	buf_reset(&b);
	ok(image_encode_png(&im, &b, why, sizeof why) == 0 && decode(&b, NULL, 0, &back, why) == 0 &&
	   same_shape(&im, &back) && !memcmp(im.px, back.px, 13 * 11 * 3), "PNG RGB round trip is exact");
	image_free(&back);
	image_free(&im);

	im = (struct image){ 64, 48, 3, gradient(64, 48) };
	buf_reset(&b);
	buf_adds(&b, "abc");
	int r = image_encode_jpeg(&im, 90, &b, why, sizeof why);
	ok(r == 0 && !memcmp(b.p, "abc\xff\xd8\xff", 6), "JPEG is appended to the buffer");
	buf_consume(&b, 3);
	int maxd = 0;
	double md = decode(&b, NULL, 0, &back, why) == 0 && same_shape(&im, &back) ? mean_diff(&im, &back, &maxd) : 99;
	ok(md < 2.5, "JPEG round trip is close (mean %.2f)", md);
	image_free(&back);
	jpeg_markers((unsigned char *)b.p, b.len, list, sizeof list);
	is_str(list, "E0 DB C0 C4 DA D9", "JPEG output: JFIF, tables, one baseline frame, no metadata");
	const unsigned char *sof = memmem(b.p, b.len, "\xff\xc0", 2);
	ok(sof && sof[9] == 3 && sof[11] == 0x22 && sof[14] == 0x11 && sof[17] == 0x11, "JPEG output is 4:2:0");
	struct buf plain = BUF_INIT(1 << 20);
	struct jpegspec js = { 64, 48, 3, JCS_RGB, JCS_UNKNOWN, im.px, 90, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0 };
	make_jpeg(&plain, &js);
	ok(b.len < plain.len, "JPEG Huffman tables are optimised (%zu < %zu bytes)", b.len, plain.len);
	buf_free(&plain);

	ok(image_encode_jpeg(&im, 0, &b, why, sizeof why) == -1 && image_encode_jpeg(&im, 101, &b, why, sizeof why) == -1,
	   "JPEG quality outside 1-100 is refused");
	struct buf small = BUF_INIT(100);
	buf_adds(&small, "xyz");
	ok(image_encode_jpeg(&im, 90, &small, why, sizeof why) == -1 && small.len == 3 && !strcmp(small.p, "xyz"),
	   "JPEG over the buffer cap: -1, buffer as it was (%s)", why);
	ok(image_encode_png(&im, &small, why, sizeof why) == -1 && small.len == 3 && !strcmp(small.p, "xyz"),
	   "PNG over the buffer cap: -1, buffer as it was (%s)", why);
	buf_free(&small);
	image_free(&im);
	buf_free(&b);
}

static void test_metadata(void)
{
	unsigned char exif[80], *px = gradient(64, 48);
	struct jpegspec js = { 64, 48, 3, JCS_RGB, JCS_UNKNOWN, px, 90, 0, 0, 0, 0, 0, 0,
	                       exif, make_exif(exif, 1, 0, 1), 1, 1 };
	struct buf in = BUF_INIT(1 << 20), out = BUF_INIT(1 << 20);
	make_jpeg(&in, &js);
	ok(has_bytes(&in, "Exif") && has_bytes(&in, "ICC_PROFILE") && has_bytes(&in, "secret-comment"),
	   "source JPEG carries EXIF, ICC and a comment");
	struct image im;
	char why[200];
	int r = decode(&in, NULL, 0, &im, why);
	r = r ? r : image_encode_jpeg(&im, 85, &out, why, sizeof why);
	ok(r == 0 && !has_bytes(&out, "Exif") && !has_bytes(&out, "ICC_PROFILE") &&
	   !has_bytes(&out, "secret") && !has_bytes(&out, "Canon"), "re-encoded JPEG carries none of it");
	buf_reset(&out);
	r = r ? r : image_encode_png(&im, &out, why, sizeof why);
	ok(r == 0 && !has_bytes(&out, "Exif") && !has_bytes(&out, "Canon"), "nor does a PNG made from it");
	image_free(&im);
	free(px);

	buf_reset(&in);
	buf_reset(&out);
	uint16_t s[8 * 8 * 4];
	for (int i = 0; i < 8 * 8 * 4; i++)
		s[i] = (uint16_t)(rnd() & 255);
	struct pngspec ps = { 8, 8, PNG_COLOR_TYPE_RGBA, 8, 0, s, NULL, 0, NULL, 0, NULL,
	                      exif, (png_uint_32)make_exif(exif, 1, 1, 0), 1 };
	make_png(&in, &ps);
	char list[200];
	png_chunks((unsigned char *)in.p, in.len, list, sizeof list);
	ok(has_bytes(&in, "secret-comment") && has_bytes(&in, "eXIf") && has_bytes(&in, "zTXt"),
	   "source PNG carries text, zTXt, eXIf, tIME, pHYs (%s)", list);
	r = decode(&in, NULL, 0, &im, why);
	r = r ? r : image_encode_png(&im, &out, why, sizeof why);
	png_chunks((unsigned char *)out.p, out.len, list, sizeof list);
	ok(r == 0 && !strcmp(list, "IHDR IDAT IEND") && !has_bytes(&out, "secret") && !has_bytes(&out, "Canon"),
	   "re-encoded PNG has only IHDR, IDAT, IEND (%s)", list);
	image_free(&im);
	buf_free(&in);
	buf_free(&out);
}

static void test_scaled_jpeg(void)
{
	static const struct { int w, h, target, ow, oh; } t[] = {
		{ 400, 300, 0, 400, 300 }, { 400, 300, 100, 100, 75 }, { 400, 300, 101, 200, 150 },
		{ 400, 300, 50, 50, 38 }, { 400, 300, 10, 50, 38 }, { 400, 300, 399, 400, 300 },
		{ 400, 300, 5000, 400, 300 }, { 300, 400, 200, 150, 200 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT(1 << 20);
		small_jpeg(&b, t[i].w, t[i].h, i % 2 == 1, 0);
		struct image im;
		char why[200];
		int w0, h0;
		int r = image_decode((unsigned char *)b.p, b.len, NULL, t[i].target, &im, &w0, &h0, why, sizeof why);
		ok(r == 0 && im.w == t[i].ow && im.h == t[i].oh && w0 == t[i].w && h0 == t[i].h,
		   "JPEG %dx%d for a %d target decodes at %dx%d", t[i].w, t[i].h, t[i].target, t[i].ow, t[i].oh);
		image_free(&im);
		buf_free(&b);
	}
}

/* ---- the conformance corpus (../shared/corpus), when present ---- */

static int read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(b, chunk, n) < 0)
			break;
	int bad = ferror(f);
	fclose(f);
	return bad ? -1 : 0;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

static int only_images(const struct dirent *d)
{
	return has_suffix(d->d_name, ".png") || has_suffix(d->d_name, ".jpg");
}

/* Decode a corpus file; 0 or -1, why filled. */
static int decode_file(const char *dir, const char *name, int target, struct image *im, char *why)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct buf b = BUF_INIT(64 * MB);
	if (read_file(path, &b) < 0) {
		snprintf(why, 200, "cannot read %.150s", path);
		memset(im, 0, sizeof *im);
		buf_free(&b);
		return -1;
	}
	int r = decode(&b, NULL, target, im, why);
	buf_free(&b);
	return r;
}

/* mode 0: all must decode; 1: decode or refuse cleanly (malformed files). */
static void corpus_dir(const char *root, const char *sub, int mode)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus/images/%s", root, sub);
	struct dirent **ents;
	int n = scandir(dir, &ents, only_images, alphasort);
	if (n < 0) {
		skip(dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		struct image im;
		char why[200] = "";
		int r = decode_file(dir, name, 0, &im, why);
		if (mode == 0) {
			if (!ok(r == 0, "%s/%s decodes", sub, name))
				printf("#   %s\n", why);
		} else {
			ok(r == 0 ? im.px != NULL : why[0] != '\0', "%s/%s: %s", sub, name, r ? why : "decoded");
		}
		/* interlaced "i" twins of the basic suite decode to the same pixels */
		if (r == 0 && mode == 0 && name[0] == 'i' && !strncmp(sub, "png/pngsuite", 12)) {
			char twin[1024];
			snprintf(twin, sizeof twin, "%s/corpus/images/png/pngsuite", root);
			struct image t;
			char why2[200];
			if (decode_file(twin, name + 1, 0, &t, why2) == 0)
				ok(same_shape(&im, &t) && !memcmp(im.px, t.px, (size_t)t.w * t.h * t.channels),
				   "%s/%s has the same pixels as %s", sub, name, name + 1);
			image_free(&t);
		}
		image_free(&im);
		free(ents[i]);
	}
	free(ents);
}

static void corpus_jpeg(const char *root)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus/images/jpeg", root);
	struct dirent **ents;
	int n = scandir(dir, &ents, only_images, alphasort);
	if (n < 0) {
		skip(dir);
		return;
	}
	struct image ref;
	char why[200];
	int have_ref = decode_file(dir, "testorig.jpg", 0, &ref, why) == 0;
	int twelve = 0;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		struct image im;
		int r = decode_file(dir, name, 0, &im, why);
		if (r < 0) {
			/* the only refusal allowed is the 12-bit file */
			if (ok(strstr(why, "12-bit JPEG is not supported") != NULL, "jpeg/%s refused: %s", name, why))
				twelve++;
		} else if (has_suffix(name, ".jpg") && have_ref && same_shape(&im, &ref)) {
			double md = mean_diff(&im, &ref, NULL);
			ok(md < 3, "jpeg/%s decodes like testorig.jpg (mean difference %.2f)", name, md);
		} else {
			ok(1, "jpeg/%s decodes (%dx%d)", name, im.w, im.h);
		}
		image_free(&im);
		free(ents[i]);
	}
	free(ents);
	ok(twelve == 1, "exactly one 12-bit JPEG in the corpus, refused cleanly");
	image_free(&ref);
}

static void corpus_exif(const char *root)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus/images/exif", root);
	static const char *kind[] = { "Landscape", "Portrait" };
	for (int k = 0; k < 2; k++) {
		char name[64];
		struct image ref, im;
		char why[200];
		snprintf(name, sizeof name, "%s_1.jpg", kind[k]);
		if (decode_file(dir, name, 0, &ref, why) < 0) {
			skip(why);
			continue;
		}
		/* the metric tells orientations apart: upside down is far off */
		struct image flipped = { ref.w, ref.h, 3, malloc((size_t)ref.w * ref.h * 3) };
		memcpy(flipped.px, ref.px, (size_t)ref.w * ref.h * 3);
		image_orient(&flipped, 3);
		double far = mean_diff(&ref, &flipped, NULL);
		ok(far > 20, "exif/%s: turned 180 degrees it differs by %.1f", name, far);
		image_free(&flipped);
		for (int o = 2; o <= 8; o++) {
			snprintf(name, sizeof name, "%s_%d.jpg", kind[k], o);
			int w0, h0;
			char path[1100];
			snprintf(path, sizeof path, "%s/%s", dir, name);
			struct buf b = BUF_INIT(64 * MB);
			if (read_file(path, &b) < 0) {
				buf_free(&b);
				continue;       /* the corpus holds a subset of the eight */
			}
			int r = image_decode((unsigned char *)b.p, b.len, NULL, 0, &im, &w0, &h0, why, sizeof why);
			double md = r == 0 && same_shape(&im, &ref) ? mean_diff(&im, &ref, NULL) : 999;
			if (!ok(md < 6 && w0 == ref.w && h0 == ref.h, "exif/%s comes out upright (mean difference %.2f)", name, md))
				printf("#   r=%d %s %dx%d\n", r, r ? why : "", im.w, im.h);
			image_free(&im);
			buf_free(&b);
		}
		image_free(&ref);
	}
}

int main(void)
{
	test_formats();
	test_png_matrix();
	test_jpeg_variants();
	test_scaled_jpeg();
	test_exif_parser();
	test_orientation();
	test_limits();
	test_damage();
	test_shrink();
	test_flatten();
	test_square();
	test_encode();
	test_metadata();
	const char *root = shared_dir();
	if (!root) {
		skip("no ../shared/corpus: conformance images not checked");
		return tap_done();
	}
	corpus_dir(root, "png/pngsuite", 0);
	corpus_dir(root, "png/pngsuite/interlaced", 0);
	corpus_dir(root, "png/testpngs", 0);
	corpus_dir(root, "png/testpngs/crashers", 1);
	corpus_dir(root, "png/testpngs/badpal", 1);
	corpus_jpeg(root);
	corpus_exif(root);
	return tap_done();
}
