/* mkimage: small test images for the CLI tests.
 *   mkimage png W H alpha|opaque FILE     a gradient PNG (RGBA; alpha 0..255 across, or all 255)
 *   mkimage png W H noise FILE            a PNG of random pixels and alpha, which do not compress
 *   mkimage jpeg W H ORIENTATION FILE     a JPEG with an EXIF orientation, a GPS tag and a comment
 * The JPEG's top-left quarter is red and the rest blue, so orientation can be checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <png.h>

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

/* A TIFF-in-APP1 EXIF block: IFD0 with Orientation and a GPS IFD pointer. */
static void exif(struct jpeg_compress_struct *c, int orientation)
{
	unsigned char e[] = {
		'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0, 42, 0, 0, 0, 8,            /* big-endian TIFF, IFD0 at 8 */
		0, 2,                                   /* two entries */
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (unsigned char)orientation, 0, 0, /* Orientation */
		0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38,                          /* GPS IFD at 38 */
		0, 0, 0, 0,                             /* no next IFD */
		0, 1,                                   /* GPS IFD: one entry */
		0x00, 0x01, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0, /* GPSLatitudeRef "N" */
		0, 0, 0, 0,
	};
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

int main(int argc, char **argv)
{
	if (argc != 6)
		return fprintf(stderr, "usage: mkimage png|jpeg W H MODE FILE\n"), 64;
	int w = atoi(argv[2]), h = atoi(argv[3]);
	if (!strcmp(argv[1], "png"))
		return png(w, h, !strcmp(argv[4], "alpha") ? 1 : !strcmp(argv[4], "noise") ? 2 : 0, argv[5]);
	if (!strcmp(argv[1], "jpeg"))
		return jpeg(w, h, atoi(argv[4]), argv[5]);
	return 64;
}
