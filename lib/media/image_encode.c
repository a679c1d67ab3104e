/* image_encode: write pixels as a JPEG (libjpeg-turbo) or PNG (libpng) straight
 * into a struct buf, carrying no metadata: no EXIF, ICC, comments or text.
 * The JPEG keeps the bare JFIF header, which pins the colour space to YCbCr
 * for every decoder. On failure the buffer is rolled back to where it was. */
#include "media/image.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "media/jpeg_lib.h"
#include "media/png_lib.h"
#include <jerror.h>


static void rollback(struct buf *out, size_t len)
{
	out->len = len;
	if (out->p)
		out->p[len] = '\0';
}

/* ---- JPEG ---- */

struct jenc {
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr err;
	struct jpeg_destination_mgr dest;
	jmp_buf jb;
	struct buf *out;
	int full;               /* the buffer refused more bytes */
	unsigned char chunk[16384];
};

static void jenc_exit(j_common_ptr c)
{
	longjmp(((struct jenc *)(void *)c)->jb, 1);    /* ci is the first member */
}

static void jenc_quiet(j_common_ptr c)
{
	(void)c;
}

static void jenc_init(j_compress_ptr c)
{
	struct jenc *e = (struct jenc *)(void *)c;
	e->dest.next_output_byte = e->chunk;
	e->dest.free_in_buffer = sizeof e->chunk;
}

static boolean jenc_empty(j_compress_ptr c)
{
	struct jenc *e = (struct jenc *)(void *)c;
	if (buf_add(e->out, e->chunk, sizeof e->chunk) < 0) {
		e->full = 1;
		ERREXIT(c, JERR_FILE_WRITE);
	}
	jenc_init(c);
	return TRUE;
}

static void jenc_term(j_compress_ptr c)
{
	struct jenc *e = (struct jenc *)(void *)c;
	if (buf_add(e->out, e->chunk, sizeof e->chunk - e->dest.free_in_buffer) < 0) {
		e->full = 1;
		ERREXIT(c, JERR_FILE_WRITE);
	}
}

/* After a longjmp: why the encoder stopped. */
static int jenc_why(struct jenc *e, char *why, size_t cap)
{
	char msg[JMSG_LENGTH_MAX];
	if (e->full)
		return image_fail(why, cap, "encoded JPEG is over the output size cap");
	(*e->err.format_message)((j_common_ptr)&e->ci, msg);
	return image_fail(why, cap, "cannot encode JPEG: %s", msg);
}

static void jenc_errors(struct jenc *e)
{
	e->ci.err = jpeg_std_error(&e->err);
	e->err.error_exit = jenc_exit;
	e->err.output_message = jenc_quiet;
}

/* Up to jpeg_start_compress; the caller holds the setjmp. */
static void jenc_start(struct jenc *e, int w, int h, int quality)
{
	struct jpeg_compress_struct *ci = &e->ci;
	jpeg_create_compress(ci);
	e->dest.init_destination = jenc_init;
	e->dest.empty_output_buffer = jenc_empty;
	e->dest.term_destination = jenc_term;
	ci->dest = &e->dest;
	ci->image_width = (JDIMENSION)w;
	ci->image_height = (JDIMENSION)h;
	ci->input_components = 3;
	ci->in_color_space = JCS_RGB;
	jpeg_set_defaults(ci);
	jpeg_set_quality(ci, quality, TRUE);
	ci->optimize_coding = TRUE;
	ci->comp_info[0].h_samp_factor = 2;     /* 4:2:0 */
	ci->comp_info[0].v_samp_factor = 2;
	ci->comp_info[1].h_samp_factor = ci->comp_info[1].v_samp_factor = 1;
	ci->comp_info[2].h_samp_factor = ci->comp_info[2].v_samp_factor = 1;
	ci->write_JFIF_header = TRUE;
	ci->write_Adobe_marker = FALSE;
	jpeg_start_compress(ci, TRUE);
}

static int jenc_run(struct jenc *e, const struct image *im, int quality, char *why, size_t cap)
{
	struct jpeg_compress_struct *ci = &e->ci;
	jenc_errors(e);
	if (setjmp(e->jb))
		return jenc_why(e, why, cap);
	jenc_start(e, im->w, im->h, quality);
	size_t stride = (size_t)im->w * 3;
	while (ci->next_scanline < ci->image_height) {
		JSAMPROW row[1] = { im->px + ci->next_scanline * stride };
		jpeg_write_scanlines(ci, row, 1);
	}
	jpeg_finish_compress(ci);
	return 0;
}

static int jenc_check(int w, int h, int quality, char *why, size_t cap)
{
	if (w > JPEG_MAX_DIMENSION || h > JPEG_MAX_DIMENSION)
		return image_fail(why, cap, "image is %dx%d, too large for JPEG", w, h);
	if (quality < 1 || quality > 100)
		return image_fail(why, cap, "JPEG quality %d is not in 1-100", quality);
	char missing[300];
	if (!jpeg_lib(missing, sizeof missing))
		return image_fail(why, cap, "cannot write JPEG here: %s", missing);
	return 0;
}

int image_encode_jpeg(const struct image *im, int quality, struct buf *out, char *why, size_t cap)
{
	if (!im || !im->px || im->w < 1 || im->h < 1)
		return image_fail(why, cap, "no image to encode");
	if (im->channels != 3)
		return image_fail(why, cap, "JPEG needs RGB pixels (flatten the alpha first)");
	if (jenc_check(im->w, im->h, quality, why, cap) < 0)
		return -1;
	struct jenc *e = calloc(1, sizeof *e);
	if (!e)
		return image_fail(why, cap, "out of memory");
	size_t base = out->len;
	e->out = out;
	int r = jenc_run(e, im, quality, why, cap);
	jpeg_destroy_compress(&e->ci);
	free(e);
	if (r < 0)
		rollback(out, base);
	return r;
}

/* The same encoder fed a row at a time: each call holds its own setjmp, so
 * the rows may come from another thread than the one that began. */
struct image_jpeg_stream {
	struct jenc e;
	size_t base;            /* out->len at the start, for the rollback */
	int failed;
	char why[200];
};

struct image_jpeg_stream *image_jpeg_stream_begin(int w, int h, int quality, struct buf *out, char *why,
                                                  size_t cap)
{
	if (w < 1 || h < 1 || jenc_check(w, h, quality, why, cap) < 0)
		return NULL;
	struct image_jpeg_stream *s = calloc(1, sizeof *s);
	if (!s)
		return image_fail(why, cap, "out of memory"), NULL;
	s->e.out = out;
	s->base = out->len;
	jenc_errors(&s->e);
	if (setjmp(s->e.jb)) {
		jenc_why(&s->e, why, cap);
		jpeg_destroy_compress(&s->e.ci);
		rollback(out, s->base);
		free(s);
		return NULL;
	}
	jenc_start(&s->e, w, h, quality);
	return s;
}

void image_jpeg_stream_row(struct image_jpeg_stream *s, const unsigned char *rgb)
{
	if (s->failed || s->e.ci.next_scanline >= s->e.ci.image_height)
		return;
	if (setjmp(s->e.jb)) {
		s->failed = 1;
		jenc_why(&s->e, s->why, sizeof s->why);
		return;
	}
	JSAMPROW row[1] = { (JSAMPROW)rgb };
	jpeg_write_scanlines(&s->e.ci, row, 1);
}

static int stream_finish(struct image_jpeg_stream *s, char *why, size_t cap)
{
	if (s->failed)
		return image_fail(why, cap, "%s", s->why);
	if (s->e.ci.next_scanline < s->e.ci.image_height)
		return image_fail(why, cap, "the JPEG got %u of its %u rows", s->e.ci.next_scanline,
		                  s->e.ci.image_height);
	if (setjmp(s->e.jb))
		return jenc_why(&s->e, why, cap);
	jpeg_finish_compress(&s->e.ci);
	return 0;
}

int image_jpeg_stream_end(struct image_jpeg_stream *s, int keep, char *why, size_t cap)
{
	if (!s)
		return -1;
	int r = keep ? stream_finish(s, why, cap) : -1;
	jpeg_destroy_compress(&s->e.ci);
	if (r < 0)
		rollback(s->e.out, s->base);
	free(s);
	return r;
}

/* ---- PNG ---- */

struct penc {
	struct buf *out;
	int full;
	char msg[160];
};

static void penc_error(png_structp png, png_const_charp msg)
{
	struct penc *e = png_get_error_ptr(png);
	snprintf(e->msg, sizeof e->msg, "%s", msg);
	png_longjmp(png, 1);
}

static void penc_quiet(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void penc_write(png_structp png, png_bytep data, size_t len)
{
	struct penc *e = png_get_io_ptr(png);
	if (buf_add(e->out, data, len) < 0) {
		e->full = 1;
		png_error(png, "output cap");
	}
}

static void penc_flush(png_structp png)
{
	(void)png;
}

static int penc_run(png_structp png, png_infop info, struct penc *e, const struct image *im,
                    char *why, size_t cap)
{
	if (setjmp(png_jmpbuf(png))) {
		if (e->full)
			return image_fail(why, cap, "encoded PNG is over the output size cap");
		return image_fail(why, cap, "cannot encode PNG: %s", e->msg);
	}
	png_set_write_fn(png, e, penc_write, penc_flush);
	png_set_IHDR(png, info, (png_uint_32)im->w, (png_uint_32)im->h, 8,
	             im->channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	size_t stride = (size_t)im->w * im->channels;
	for (int y = 0; y < im->h; y++)
		png_write_row(png, im->px + (size_t)y * stride);
	png_write_end(png, NULL);
	return 0;
}

int image_encode_png(const struct image *im, struct buf *out, char *why, size_t cap)
{
	if (!im || !im->px || im->w < 1 || im->h < 1)
		return image_fail(why, cap, "no image to encode");
	if (im->channels != 3 && im->channels != 4)
		return image_fail(why, cap, "PNG needs RGB or RGBA pixels");
	char missing[300];
	if (!png_lib(missing, sizeof missing))
		return image_fail(why, cap, "cannot write PNG here: %s", missing);
	struct penc e = { .out = out };
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e, penc_error, penc_quiet);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!png || !info) {
		png_destroy_write_struct(&png, NULL);
		return image_fail(why, cap, "out of memory");
	}
	size_t base = out->len;
	int r = penc_run(png, info, &e, im, why, cap);
	png_destroy_write_struct(&png, &info);
	if (r < 0)
		rollback(out, base);
	return r;
}
