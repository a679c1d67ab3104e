/* mkimage: small test images for the CLI tests.
 *   mkimage png W H alpha|opaque FILE     a gradient PNG (RGBA; alpha 0..255 across, or all 255)
 *   mkimage png W H noise FILE            a PNG of random pixels and alpha, which do not compress
 *   mkimage jpeg W H ORIENTATION FILE     a JPEG with an EXIF orientation, a GPS tag and a comment
 *   mkimage gif W H still|anim|transparent|interlaced|inset FILE
 *                                         a GIF: one opaque frame; 3 frames; the right half
 *                                         the transparent colour; interlaced; a frame half the
 *                                         screen's size in its middle
 *   mkimage webp W H lossy|alpha|anim|exif6 FILE
 *                                         a WebP: lossy; lossless with an alpha gradient;
 *                                         2 frames; lossy with EXIF orientation 6 and a GPS tag
 *   mkimage heic W H plain|alpha|rot6 FILE
 *                                         a HEIC (exit 77 when libheif has no HEVC encoder):
 *                                         rot6 is stored W x H with an irot box turning it a
 *                                         quarter clockwise and EXIF orientation 6 saying so too
 * The JPEG's, GIF's, WebP's and HEIC's top-left quarter is red and the rest blue, so
 * orientation can be checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gif_lib.h>
#include <jpeglib.h>
#include <libheif/heif.h>
#include <png.h>
#include <webp/encode.h>
#include <webp/mux.h>

/* x265 (libheif's HEVC encoder) keeps a few blocks from each encoder it
 * opens: LeakSanitizer is told to pass over them (only called under ASan). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libx265.so\n";
}

/* alpha: 0 opaque, 1 a gradient of alpha, 2 noise, alpha and all. */
static int png(int w, int h, int alpha, const char *path)
{
	unsigned long seed = 88172645463325252UL;
	FILE *f = fopen(path, "wb");
	png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(p);
	if (!f || !p || !info || setjmp(png_jmpbuf(p)))
		return 1;
	png_init_io(p, f);
	png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_text t = { .compression = PNG_TEXT_COMPRESSION_NONE, .key = "Comment", .text = "secret-comment" };
	png_set_text(p, info, &t, 1);
	png_write_info(p, info);
	unsigned char *row = malloc((size_t)w * 4);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			unsigned char *px = row + 4 * x;
			px[0] = (unsigned char)(x * 255 / (w > 1 ? w - 1 : 1));
			px[1] = (unsigned char)(y * 255 / (h > 1 ? h - 1 : 1));
			px[2] = 128;
			px[3] = alpha == 1 ? (unsigned char)(x * 255 / (w > 1 ? w - 1 : 1)) : 255;
			for (int c = 0; alpha == 2 && c < 4; c++) {
				seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
				px[c] = (unsigned char)(seed >> 24);
			}
		}
		png_write_row(p, row);
	}
	png_write_end(p, NULL);
	png_destroy_write_struct(&p, &info);
	free(row);
	return fclose(f) != 0;
}

/* A TIFF EXIF block behind "Exif\0\0": big-endian, IFD0 at 8 with the
 * Orientation and a GPS IFD pointer (at 38, holding GPSLatitudeRef "N"). */
#define EXIF_BLOCK(orientation) { \
		'E', 'x', 'i', 'f', 0, 0, \
		'M', 'M', 0, 42, 0, 0, 0, 8, \
		0, 2, \
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (unsigned char)orientation, 0, 0, \
		0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38, \
		0, 0, 0, 0, \
		0, 1, \
		0x00, 0x01, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0, \
		0, 0, 0, 0, \
	}

static void exif(struct jpeg_compress_struct *c, int orientation)
{
	unsigned char e[] = EXIF_BLOCK(orientation);
	jpeg_write_marker(c, JPEG_APP0 + 1, e, sizeof e);
}

static int jpeg(int w, int h, int orientation, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return 1;
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 95, TRUE);
	jpeg_start_compress(&c, TRUE);
	exif(&c, orientation);
	jpeg_write_marker(&c, JPEG_COM, (const JOCTET *)"secret-comment", 14);
	unsigned char *row = malloc((size_t)w * 3);
	while (c.next_scanline < c.image_height) {
		int y = (int)c.next_scanline;
		for (int x = 0; x < w; x++) {
			int red = x < w / 2 && y < h / 2;
			row[3 * x] = red ? 255 : 0;
			row[3 * x + 1] = 0;
			row[3 * x + 2] = red ? 0 : 255;
		}
		JSAMPROW r = row;
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(row);
	return fclose(f) != 0;
}

/* The test pattern: the top-left quarter red, the rest blue; alpha a
 * gradient across when asked, else opaque. */
static void pattern(int w, int h, int x, int y, int alpha, unsigned char *px)
{
	int red = x < w / 2 && y < h / 2;
	px[0] = red ? 255 : 0;
	px[1] = 0;
	px[2] = red ? 0 : 255;
	if (alpha)
		px[3] = (unsigned char)(x * 255 / (w > 1 ? w - 1 : 1));
}

/* GIF colours: 0 red, 1 blue, 2 green, 3 black (the transparent one). */
static int gif(int w, int h, const char *mode, const char *path)
{
	int err = 0, frames = !strcmp(mode, "anim") ? 3 : 1, interlace = !strcmp(mode, "interlaced");
	int transparent = !strcmp(mode, "transparent"), inset = !strcmp(mode, "inset");
	GifColorType colors[4] = { { 255, 0, 0 }, { 0, 0, 255 }, { 0, 255, 0 }, { 0, 0, 0 } };
	ColorMapObject *map = GifMakeMapObject(4, colors);
	GifFileType *g = EGifOpenFileName(path, 0, &err);
	if (!g || !map)
		return 1;
	EGifSetGifVersion(g, 1);
	int bad = EGifPutScreenDesc(g, w, h, 8, 0, map) == GIF_ERROR;
	int fw = inset ? w / 2 : w, fh = inset ? h / 2 : h, left = inset ? w / 4 : 0, top = inset ? h / 4 : 0;
	GifPixelType *line = malloc((size_t)fw);
	for (int f = 0; f < frames && !bad; f++) {
		unsigned char gce[4] = { transparent ? 1 : 0, 10, 0, 3 };
		bad |= EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, 4, gce) == GIF_ERROR;
		bad |= EGifPutImageDesc(g, left, top, fw, fh, interlace, NULL) == GIF_ERROR;
		static const int start[] = { 0, 4, 2, 1 }, step[] = { 8, 8, 4, 2 };
		for (int p = 0; p < (interlace ? 4 : 1); p++)
			for (int y = interlace ? start[p] : 0; y < fh && !bad; y += interlace ? step[p] : 1) {
				for (int x = 0; x < fw; x++) {
					unsigned char px[4];
					pattern(w, h, left + x, top + y, 0, px);
					line[x] = f ? 2 : px[0] ? 0 : 1;
					if (transparent && x >= fw / 2)
						line[x] = 3;
				}
				bad |= EGifPutLine(g, line, fw) == GIF_ERROR;
			}
	}
	free(line);
	GifFreeMapObject(map);
	return EGifCloseFile(g, &err) == GIF_ERROR || bad;
}

static int write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return 1;
	int bad = fwrite(p, 1, n, f) != n;
	return fclose(f) != 0 || bad;
}

static int webp(int w, int h, const char *mode, const char *path)
{
	int alpha = !strcmp(mode, "alpha") || !strcmp(mode, "anim"), ch = alpha ? 4 : 3;
	unsigned char *px = malloc((size_t)w * h * ch), *enc = NULL;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			pattern(w, h, x, y, alpha, px + ((size_t)y * w + x) * ch);
	int r = 1;
	if (!strcmp(mode, "anim")) {
		WebPAnimEncoderOptions ao;
		WebPConfig c;
		WebPPicture pic;
		WebPData out = { 0 };
		WebPAnimEncoder *ae = NULL;
		if (WebPAnimEncoderOptionsInit(&ao) && WebPConfigInit(&c) && WebPPictureInit(&pic) &&
		    (ae = WebPAnimEncoderNew(w, h, &ao))) {
			c.lossless = 1;
			pic.width = w, pic.height = h, pic.use_argb = 1;
			int good = WebPPictureImportRGBA(&pic, px, w * 4) && WebPAnimEncoderAdd(ae, &pic, 0, &c);
			memset(px, 0x80, (size_t)w * h * 4);    /* the second frame: all grey */
			good = good && WebPPictureImportRGBA(&pic, px, w * 4) && WebPAnimEncoderAdd(ae, &pic, 100, &c) &&
			       WebPAnimEncoderAdd(ae, NULL, 200, NULL) && WebPAnimEncoderAssemble(ae, &out);
			if (good)
				r = write_bytes(path, out.bytes, out.size);
		}
		WebPPictureFree(&pic);
		WebPAnimEncoderDelete(ae);
		WebPDataClear(&out);
	} else {
		size_t n = alpha ? WebPEncodeLosslessRGBA(px, w, h, w * 4, &enc) : WebPEncodeRGB(px, w, h, w * 3, 90, &enc);
		if (n && !strcmp(mode, "exif6")) {
			unsigned char e[] = EXIF_BLOCK(6);
			WebPData image = { enc, n }, ex = { e, sizeof e }, out = { 0 };
			WebPMux *mux = WebPMuxNew();
			if (mux && WebPMuxSetImage(mux, &image, 1) == WEBP_MUX_OK &&
			    WebPMuxSetChunk(mux, "EXIF", &ex, 1) == WEBP_MUX_OK && WebPMuxAssemble(mux, &out) == WEBP_MUX_OK)
				r = write_bytes(path, out.bytes, out.size);
			WebPMuxDelete(mux);
			WebPDataClear(&out);
		} else if (n) {
			r = write_bytes(path, enc, n);
		}
	}
	WebPFree(enc);
	free(px);
	return r;
}

static int heic(int w, int h, const char *mode, const char *path)
{
	if (!heif_have_encoder_for_format(heif_compression_HEVC))
		return fprintf(stderr, "mkimage: libheif has no HEVC encoder\n"), 77;
	int alpha = !strcmp(mode, "alpha"), ch = alpha ? 4 : 3, stride = 0;
	struct heif_context *ctx = heif_context_alloc();
	struct heif_encoder *enc = NULL;
	struct heif_image *img = NULL;
	struct heif_image_handle *hd = NULL;
	struct heif_encoding_options *o = heif_encoding_options_alloc();
	if (heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc).code ||
	    heif_image_create(w, h, heif_colorspace_RGB, alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
			      &img).code ||
	    heif_image_add_plane(img, heif_channel_interleaved, w, h, 8).code)
		return 1;
	uint8_t *px = heif_image_get_plane(img, heif_channel_interleaved, &stride);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			pattern(w, h, x, y, alpha, px + (size_t)y * stride + (size_t)x * ch);
	heif_encoder_set_lossy_quality(enc, 90);
	int rot = !strcmp(mode, "rot6");
	if (rot)
		o->image_orientation = heif_orientation_rotate_90_cw;
	int r = heif_context_encode_image(ctx, img, enc, o, &hd).code != heif_error_Ok;
	if (!r && rot) {
		unsigned char e[] = EXIF_BLOCK(6);
		r = heif_context_add_exif_metadata(ctx, hd, e, (int)sizeof e).code != heif_error_Ok;
	}
	if (!r)
		r = heif_context_write_to_file(ctx, path).code != heif_error_Ok;
	heif_image_handle_release(hd);
	heif_image_release(img);
	heif_encoder_release(enc);
	heif_encoding_options_free(o);
	heif_context_free(ctx);
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 6)
		return fprintf(stderr, "usage: mkimage png|jpeg|gif|webp|heic W H MODE FILE\n"), 64;
	int w = atoi(argv[2]), h = atoi(argv[3]);
	if (!strcmp(argv[1], "png"))
		return png(w, h, !strcmp(argv[4], "alpha") ? 1 : !strcmp(argv[4], "noise") ? 2 : 0, argv[5]);
	if (!strcmp(argv[1], "jpeg"))
		return jpeg(w, h, atoi(argv[4]), argv[5]);
	if (!strcmp(argv[1], "gif"))
		return gif(w, h, argv[4], argv[5]);
	if (!strcmp(argv[1], "webp"))
		return webp(w, h, argv[4], argv[5]);
	if (!strcmp(argv[1], "heic"))
		return heic(w, h, argv[4], argv[5]);
	return 64;
}
