/* image_decode: sniff the format from its bytes, check the header against the
 * caps before any pixel allocation, and decode PNG (libpng) or JPEG
 * (libjpeg-turbo) to upright 8-bit RGB/RGBA; GIF, WebP and HEIC go to their
 * own files (image_gif.c, image_webp.c, image_heif.c), and every format is
 * turned upright here. Library errors come back through
 * longjmp; the state they touch lives in a struct owned by the caller of the
 * function that calls setjmp, so nothing is clobbered. */
#include "media/image_decoders.h"
#include "media/image_rowpipe.h"
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "media/jpeg_lib.h"
#include "media/png_lib.h"
#include <jerror.h>

int image_fail(char *why, size_t cap, const char *fmt, ...)
{
	if (why && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return -1;
}

enum image_format image_sniff(const unsigned char *p, size_t n)
{
	if (!p)
		return IMG_UNKNOWN;
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return IMG_PNG;
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return IMG_JPEG;
	if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return IMG_GIF;
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return IMG_WEBP;
	if (n >= 14 && p[0] == 'B' && p[1] == 'M' && !p[6] && !p[7] && !p[8] && !p[9])
		return IMG_BMP;
	if (n >= 4 && (!memcmp(p, "II*\0", 4) || !memcmp(p, "MM\0*", 4)))
		return IMG_TIFF;
	if (n >= 12 && !memcmp(p + 4, "ftyp", 4)) {
		static const char heif[][5] = { "heic", "heix", "hevc", "hevx", "heim", "heis",
		                                "hevm", "hevs", "mif1", "msf1" };
		if (!memcmp(p + 8, "avif", 4) || !memcmp(p + 8, "avis", 4))
			return IMG_AVIF;
		for (size_t i = 0; i < sizeof heif / sizeof heif[0]; i++)
			if (!memcmp(p + 8, heif[i], 4))
				return IMG_HEIC;
	}
	return IMG_UNKNOWN;
}

const char *image_format_name(enum image_format f)
{
	static const char *const names[] = { "unknown", "PNG", "JPEG", "GIF", "WebP", "BMP",
	                                     "HEIC", "TIFF", "AVIF" };
	return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "unknown";
}

void image_free(struct image *im)
{
	if (!im)
		return;
	free(im->px);
	im->px = NULL;
	im->w = im->h = im->channels = 0;
}

/* The caps, applied to the stored size right after the header. */
int image_check_pixels(const struct image_limits *lim, uint64_t w, uint64_t h, char *why, size_t cap)
{
	if (!w || !h)
		return image_fail(why, cap, "image has no pixels (%llux%llu)",
		            (unsigned long long)w, (unsigned long long)h);
	if (lim->max_pixels && w * h > lim->max_pixels) {
		if (lim->max_pixels % 1000000 == 0)
			return image_fail(why, cap, "image is %llux%llu, over the %zu megapixel limit",
			            (unsigned long long)w, (unsigned long long)h, lim->max_pixels / 1000000);
		return image_fail(why, cap, "image is %llux%llu, over the %zu pixel limit",
		            (unsigned long long)w, (unsigned long long)h, lim->max_pixels);
	}
	if (w > INT_MAX / 4 || h > INT_MAX / 4 || w * h > SIZE_MAX / 8)
		return image_fail(why, cap, "image is %llux%llu, too large",
		            (unsigned long long)w, (unsigned long long)h);
	return 0;
}

/* "12 MB", or "900 bytes" under a megabyte. */
static const char *size_str(char *s, size_t n, uint64_t v)
{
	if (v >= 1 << 20)
		snprintf(s, n, "%llu MB", (unsigned long long)((v + (1 << 20) - 1) >> 20));
	else
		snprintf(s, n, "%llu bytes", (unsigned long long)v);
	return s;
}

/* The pixel buffer we are about to allocate, against the memory cap. */
int image_check_memory(const struct image_limits *lim, uint64_t bytes, char *why, size_t cap)
{
	char a[32], b[32];
	if (lim->max_memory && bytes > lim->max_memory)
		return image_fail(why, cap, "decoding needs %s, over the %s memory limit",
		            size_str(a, sizeof a, bytes), size_str(b, sizeof b, lim->max_memory));
	return 0;
}

/* ---- JPEG ---- */

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	int scans;              /* > 0: stopped by the scan cap */
};

/* A source that hands libjpeg the input a chunk at a time and gives back
 * the pages of the chunks it has read (the input is a file mapping then). */
struct jsrc {
	struct jpeg_source_mgr pub;
	const unsigned char *data;
	size_t n, next;         /* the next chunk starts at next */
};

struct jdec {
	struct jpeg_decompress_struct ci;
	struct jerr err;
	struct jpeg_progress_mgr prog;
	struct jsrc src;
	int max_scans;
	unsigned char *px, *row;
	int orient;
	struct shrinker shrink;         /* when shrinking as it decodes */
	struct rowpipe pipe;
	int piping;                     /* pipe started: it must be ended */
};

static void jpeg_fail_exit(j_common_ptr c)
{
	longjmp(((struct jerr *)c->err)->jb, 1);
}

/* Strict: any warning means corrupt or truncated data, so it is fatal. */
static void jpeg_emit(j_common_ptr c, int level)
{
	if (level < 0 && c->err->msg_code != JWRN_JFIF_MAJOR)
		jpeg_fail_exit(c);
}

static void jpeg_quiet(j_common_ptr c)
{
	(void)c;
}

static void jpeg_progress(j_common_ptr c)
{
	struct jdec *d = (struct jdec *)(void *)c;      /* ci is the first member */
	if (d->max_scans > 0 && d->ci.input_scan_number > d->max_scans) {
		d->err.scans = d->ci.input_scan_number;
		longjmp(d->err.jb, 1);
	}
}

#define JSRC_CHUNK ((size_t)1 << 20)

static void jsrc_nothing(j_decompress_ptr c)
{
	(void)c;
}

static boolean jsrc_fill(j_decompress_ptr c)
{
	static const JOCTET eoi[2] = { 0xff, JPEG_EOI };
	struct jsrc *s = (struct jsrc *)(void *)c->src;
	/* libjpeg never backs up over a chunk it has used up: its pages can go */
	size_t page = (size_t)sysconf(_SC_PAGESIZE), done = s->next / page * page;
	if (done)
		madvise((void *)(uintptr_t)s->data, done, MADV_DONTNEED);
	if (s->next >= s->n) {
		WARNMS(c, JWRN_JPEG_EOF);       /* fatal here: a truncated file */
		s->pub.next_input_byte = eoi;
		s->pub.bytes_in_buffer = 2;
		return TRUE;
	}
	size_t len = s->n - s->next < JSRC_CHUNK ? s->n - s->next : JSRC_CHUNK;
	s->pub.next_input_byte = s->data + s->next;
	s->pub.bytes_in_buffer = len;
	s->next += len;
	return TRUE;
}

static void jsrc_skip(j_decompress_ptr c, long num)
{
	struct jpeg_source_mgr *p = c->src;
	if (num <= 0)
		return;
	while ((size_t)num > p->bytes_in_buffer) {
		num -= (long)p->bytes_in_buffer;
		p->bytes_in_buffer = 0;
		jsrc_fill(c);
	}
	p->next_input_byte += num;
	p->bytes_in_buffer -= (size_t)num;
}

static void jsrc_init(struct jdec *d, const unsigned char *data, size_t n)
{
	d->src = (struct jsrc){ .data = data, .n = n };
	d->src.pub.init_source = jsrc_nothing;
	d->src.pub.fill_input_buffer = jsrc_fill;
	d->src.pub.skip_input_data = jsrc_skip;
	d->src.pub.resync_to_restart = jpeg_resync_to_restart;
	d->src.pub.term_source = jsrc_nothing;
	d->ci.src = &d->src.pub;
}

static int jpeg_why(struct jdec *d, const struct image_limits *lim, char *why, size_t cap)
{
	struct jpeg_error_mgr *e = &d->err.pub;
	char msg[JMSG_LENGTH_MAX], a[32];
	if (d->err.scans)
		return image_fail(why, cap, "progressive JPEG has more than %d scans", d->max_scans);
	switch (e->msg_code) {
	case JERR_BAD_PRECISION:
		return image_fail(why, cap, "%d-bit JPEG is not supported", e->msg_parm.i[0]);
	case JERR_SOF_UNSUPPORTED:
		if (e->msg_parm.i[0] == 0xc3 || e->msg_parm.i[0] == 0xcb)
			return image_fail(why, cap, "lossless JPEG is not supported");
		return image_fail(why, cap, "JPEG process (SOF 0x%02x) is not supported", e->msg_parm.i[0]);
	case JERR_NO_BACKING_STORE:
		return image_fail(why, cap, "decoding this JPEG needs more than the %s memory limit",
		            size_str(a, sizeof a, lim->max_memory));
	case JERR_OUT_OF_MEMORY:
		return image_fail(why, cap, "out of memory decoding JPEG");
	case JERR_CONVERSION_NOTIMPL:
	case JERR_BAD_J_COLORSPACE:
		return image_fail(why, cap, "JPEG colour space (%d components) is not supported",
		            d->ci.num_components);
	case JWRN_JPEG_EOF:
	case JERR_INPUT_EOF:
	case JERR_INPUT_EMPTY:
		return image_fail(why, cap, "truncated JPEG");
	}
	(*e->format_message)((j_common_ptr)&d->ci, msg);
	const char *m = msg;
	if (!strncmp(m, "Corrupt JPEG data: ", 19))
		m += 19;
	return image_fail(why, cap, "corrupt JPEG: %s", m);
}

/* Adobe writes CMYK inverted (0 = full ink); plain CMYK is rare. */
static void cmyk_to_rgb(const unsigned char *s, unsigned char *d, unsigned w, int inverted)
{
	for (unsigned x = 0; x < w; x++, s += 4, d += 3) {
		unsigned c = s[0], m = s[1], y = s[2], k = s[3];
		if (!inverted) {
			c = 255 - c;
			m = 255 - m;
			y = 255 - y;
			k = 255 - k;
		}
		d[0] = (unsigned char)((c * k + 127) / 255);
		d[1] = (unsigned char)((m * k + 127) / 255);
		d[2] = (unsigned char)((y * k + 127) / 255);
	}
}

/* The numerator of the smallest scale N/8 libjpeg-turbo has SIMD code for
 * (1/8 needs only the DC term) that keeps the longest side >= target. The
 * IDCT stays JDCT_ISLOW: IFAST changes only the full-scale one, and there it
 * measured no faster on a 24 MP photo while losing 0.3 dB. */
static unsigned jpeg_scale(unsigned side, int target)
{
	static const unsigned nums[] = { 1, 2, 4 };
	if (target <= 0 || (unsigned)target >= side)
		return 8;
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
		if (((uint64_t)side * nums[i] + 7) / 8 >= (unsigned)target)
			return nums[i];
	return 8;
}

/* Rows decoded per band when shrinking on the way; past PIPE_PIXELS decoded
 * pixels the shrink runs on a second thread beside the decode. */
#define JPEG_BAND 16
#define PIPE_PIXELS 4000000u

/* fit > 0: shrink to that longest side while decoding (image_shrink's result,
 * without the full-size picture). */
static int jpeg_run(struct jdec *d, const unsigned char *data, size_t n, const struct image_limits *lim,
                    int target, int fit, const struct image_rows *to, struct image *out, int *ow, int *oh,
                    char *why, size_t cap)
{
	struct jpeg_decompress_struct *ci = &d->ci;
	ci->err = jpeg_std_error(&d->err.pub);
	d->err.pub.error_exit = jpeg_fail_exit;
	d->err.pub.emit_message = jpeg_emit;
	d->err.pub.output_message = jpeg_quiet;
	if (setjmp(d->err.jb))
		return jpeg_why(d, lim, why, cap);
	jpeg_create_decompress(ci);
	d->prog.progress_monitor = jpeg_progress;
	ci->progress = &d->prog;
	if (lim->release_input)
		jsrc_init(d, data, n);
	else
		jpeg_mem_src(ci, data, (unsigned long)n);
	jpeg_save_markers(ci, JPEG_APP0 + 1, 0xffff);
	if (jpeg_read_header(ci, TRUE) != JPEG_HEADER_OK)
		return image_fail(why, cap, "JPEG has no image");
	if (image_check_pixels(lim, ci->image_width, ci->image_height, why, cap) < 0)
		return -1;
	if (lim->max_memory)
		ci->mem->max_memory_to_use = lim->max_memory > LONG_MAX ? LONG_MAX : (long)lim->max_memory;
	for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
		if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 && !memcmp(m->data, "Exif\0\0", 6)) {
			d->orient = image_exif_orientation(m->data, m->data_length);
			break;
		}
	*ow = (int)ci->image_width;
	*oh = (int)ci->image_height;

	int cmyk = ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK;
	ci->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
	unsigned side = ci->image_width > ci->image_height ? ci->image_width : ci->image_height;
	ci->scale_num = jpeg_scale(side, target);
	ci->scale_denom = 8;
	int dw = 0, dh = 0;
	if (fit > 0)
		image_fit((int)ci->image_width, (int)ci->image_height, fit, &dw, &dh);
	int stream = fit > 0 && ((unsigned)dw < ci->image_width || (unsigned)dh < ci->image_height);
	if (stream || ci->scale_num < 8)
		ci->do_fancy_upsampling = FALSE;        /* the shrink averages the chroma anyway */
	jpeg_calc_output_dimensions(ci);
	size_t stride = (size_t)ci->output_width * 3;
	int threaded = (uint64_t)ci->output_width * ci->output_height > PIPE_PIXELS;
	uint64_t bytes = stream ? shrinker_bytes((int)ci->output_width, dw, dh, 3) +
	                          rowpipe_bytes(stride, JPEG_BAND, threaded)
	                        : (uint64_t)ci->output_width * ci->output_height * 3;
	if (image_check_memory(lim, bytes, why, cap) < 0)
		return -1;
	jpeg_start_decompress(ci);
	if (ci->output_components != (cmyk ? 4 : 3))
		return image_fail(why, cap, "JPEG colour space (%d components) is not supported",
		            ci->num_components);
	if (stream) {
		if (shrinker_init(&d->shrink, (int)ci->output_width, (int)ci->output_height, 3, dw, dh) < 0)
			return image_fail(why, cap, "out of memory decoding a %ux%u JPEG",
			            ci->output_width, ci->output_height);
		if (rowpipe_start(&d->pipe, &d->shrink, stride, JPEG_BAND, threaded) < 0)
			return image_fail(why, cap, "out of memory decoding a %ux%u JPEG",
			            ci->output_width, ci->output_height);
		d->piping = 1;
		if (to && to->begin(to->arg, dw, dh, d->orient)) {
			d->shrink.sink = to->row;
			d->shrink.sink_arg = to->arg;
		}
	} else {
		d->px = malloc((size_t)bytes);
		if (!d->px)
			return image_fail(why, cap, "out of memory decoding a %ux%u JPEG",
			            ci->output_width, ci->output_height);
	}
	if (cmyk && !(d->row = malloc((size_t)ci->output_width * 4)))
		return image_fail(why, cap, "out of memory decoding a %ux%u JPEG",
		            ci->output_width, ci->output_height);
	while (ci->output_scanline < ci->output_height) {
		unsigned char *band = stream ? rowpipe_slot(&d->pipe) : d->px + ci->output_scanline * stride;
		int rows = stream ? JPEG_BAND : (int)(ci->output_height - ci->output_scanline), got = 0;
		while (got < rows && ci->output_scanline < ci->output_height) {
			unsigned char *dst = band + (size_t)got * stride;
			JSAMPROW row[1] = { cmyk ? d->row : dst };
			if (jpeg_read_scanlines(ci, row, 1) != 1)
				return image_fail(why, cap, "truncated JPEG");
			if (cmyk)
				cmyk_to_rgb(d->row, dst, ci->output_width, ci->saw_Adobe_marker);
			got++;
		}
		if (stream)
			rowpipe_push(&d->pipe, got);
	}
	jpeg_finish_decompress(ci);
	if (stream) {
		rowpipe_end(&d->pipe, 0);
		d->piping = 0;
		d->px = shrinker_take(&d->shrink);
	}
	out->w = stream ? dw : (int)ci->output_width;
	out->h = stream ? dh : (int)ci->output_height;
	out->channels = 3;
	out->px = d->px;
	d->px = NULL;
	return 0;
}

static int decode_jpeg(const unsigned char *data, size_t n, const struct image_limits *lim, int target,
                       int fit, const struct image_rows *to, struct image *out, int *ow, int *oh, int *orient,
                       char *why, size_t cap)
{
	char missing[300];
	if (!jpeg_lib(missing, sizeof missing))
		return image_fail(why, cap, "JPEG not supported here: %s", missing);
	struct jdec *d = calloc(1, sizeof *d);
	if (!d)
		return image_fail(why, cap, "out of memory");
	d->max_scans = lim->max_scans;
	d->orient = 1;
	int r = jpeg_run(d, data, n, lim, target, fit, to, out, ow, oh, why, cap);
	if (d->piping)
		rowpipe_end(&d->pipe, 1);
	shrinker_free(&d->shrink);
	jpeg_destroy_decompress(&d->ci);
	*orient = d->orient;
	free(d->px);
	free(d->row);
	free(d);
	return r;
}

/* ---- PNG ---- */

struct pdec {
	png_structp png;
	png_infop info;
	const unsigned char *data;
	size_t n, pos;
	unsigned char *px;
	png_bytep *rows;
	char msg[160], warning[160];
	int orient;
};

static void png_fail(png_structp png, png_const_charp msg)
{
	struct pdec *d = png_get_error_ptr(png);
	snprintf(d->msg, sizeof d->msg, "%s", msg);
	png_longjmp(png, 1);
}

/* Warnings are not shown; the last is kept, since an IHDR error says why only there. */
static void png_warned(png_structp png, png_const_charp msg)
{
	struct pdec *d = png_get_error_ptr(png);
	snprintf(d->warning, sizeof d->warning, "%s", msg);
}

static void png_read_mem(png_structp png, png_bytep to, size_t len)
{
	struct pdec *d = png_get_io_ptr(png);
	if (len > d->n - d->pos)
		png_error(png, "truncated PNG");
	memcpy(to, d->data + d->pos, len);
	d->pos += len;
}

/* Known ancillary chunks we never use: skipped unparsed (CRC still checked). */
static const png_byte png_skip[] = "bKGD\0cHRM\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0"
                                   "sBIT\0sCAL\0sPLT\0sRGB\0sTER\0tEXt\0tIME\0zTXt";

static int png_run(struct pdec *d, const struct image_limits *lim, struct image *out,
                   int *ow, int *oh, char *why, size_t cap)
{
	png_structp png = d->png;
	png_infop info = d->info;
	if (setjmp(png_jmpbuf(png))) {
		if (!strcmp(d->msg, "truncated PNG") || !strcmp(d->msg, "Not enough image data"))
			return image_fail(why, cap, "truncated PNG");
		if (strstr(d->warning, "exceeds user limit"))
			return image_fail(why, cap, "image is over the %zu pixel limit", lim->max_pixels);
		return image_fail(why, cap, "corrupt PNG: %s", d->msg);
	}
	png_set_read_fn(png, d, png_read_mem);
	png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
	/* No side can be longer than the pixel cap; the product is checked below. */
	png_uint_32 side = PNG_UINT_31_MAX;
	if (lim->max_pixels && lim->max_pixels < side)
		side = (png_uint_32)lim->max_pixels;
	png_set_user_limits(png, side, side);
	png_set_chunk_malloc_max(png, 1 << 20);
	png_set_chunk_cache_max(png, 64);
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, png_skip, (int)(sizeof png_skip / 5));
	png_read_info(png, info);

	png_uint_32 w, h;
	int depth, type, interlace;
	png_get_IHDR(png, info, &w, &h, &depth, &type, &interlace, NULL, NULL);
	if (image_check_pixels(lim, w, h, why, cap) < 0)
		return -1;
	*ow = (int)w;
	*oh = (int)h;
	if (type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(png);
	if (depth == 16)
		png_set_scale_16(png);
	if (!(type & PNG_COLOR_MASK_COLOR))
		png_set_gray_to_rgb(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);

	int ch = png_get_channels(png, info);
	size_t stride = (size_t)w * (size_t)ch;
	if ((ch != 3 && ch != 4) || png_get_bit_depth(png, info) != 8 || png_get_rowbytes(png, info) != stride)
		return image_fail(why, cap, "PNG colour type %d, depth %d is not supported", type, depth);
	if (image_check_memory(lim, (uint64_t)stride * h + (uint64_t)h * sizeof(png_bytep), why, cap) < 0)
		return -1;
	d->px = malloc(stride * h);
	d->rows = malloc(h * sizeof *d->rows);
	if (!d->px || !d->rows)
		return image_fail(why, cap, "out of memory decoding a %ux%u PNG", (unsigned)w, (unsigned)h);
	for (png_uint_32 y = 0; y < h; y++)
		d->rows[y] = d->px + y * stride;
	png_read_image(png, d->rows);
	png_read_end(png, info);

	png_uint_32 exif_len = 0;
	png_bytep exif = NULL;
	if (png_get_eXIf_1(png, info, &exif_len, &exif) && exif)
		d->orient = image_exif_orientation(exif, exif_len);
	out->w = (int)w;
	out->h = (int)h;
	out->channels = ch;
	out->px = d->px;
	d->px = NULL;
	return 0;
}

/* Walk the chunks before libpng does: it allocates a chunk's declared length
 * (eXIf, up to 2 GB) before reading it, so no chunk may claim more bytes than
 * the file has left. This also refuses a file cut short anywhere. */
static int png_chunks_fit(const unsigned char *p, size_t n, char *why, size_t cap)
{
	size_t at = 8;
	while (n - at >= 12) {
		uint32_t len = (uint32_t)p[at] << 24 | (uint32_t)p[at + 1] << 16 | (uint32_t)p[at + 2] << 8 | p[at + 3];
		if (len > n - at - 12)
			break;
		if (!memcmp(p + at + 4, "IEND", 4))
			return 0;
		at += 12 + (size_t)len;
	}
	return image_fail(why, cap, "truncated PNG");
}

static int decode_png(const unsigned char *data, size_t n, const struct image_limits *lim,
                      struct image *out, int *ow, int *oh, int *orient, char *why, size_t cap)
{
	if (png_chunks_fit(data, n, why, cap) < 0)
		return -1;
	char missing[300];
	if (!png_lib(missing, sizeof missing))
		return image_fail(why, cap, "PNG not supported here: %s", missing);
	struct pdec d = { .data = data, .n = n, .orient = 1 };
	d.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d, png_fail, png_warned);
	if (d.png)
		d.info = png_create_info_struct(d.png);
	if (!d.png || !d.info) {
		png_destroy_read_struct(&d.png, NULL, NULL);
		return image_fail(why, cap, "out of memory");
	}
	int r = png_run(&d, lim, out, ow, oh, why, cap);
	png_destroy_read_struct(&d.png, &d.info, NULL);
	*orient = d.orient;
	free(d.px);
	free(d.rows);
	return r;
}

int image_decode(const unsigned char *data, size_t n, const struct image_limits *lim, int target_side,
                 struct image *out, int *orig_w, int *orig_h, char *why, size_t cap)
{
	return image_decode_frames(data, n, lim, target_side, out, orig_w, orig_h, NULL, why, cap);
}

/* fit > 0: a JPEG comes out shrunk to that longest side (before orientation,
 * which commutes with the shrink), the other formats as they are. */
static int decode_any(const unsigned char *data, size_t n, const struct image_limits *lim, int target_side,
                      int fit, const struct image_rows *to, struct image *out, int *orig_w, int *orig_h,
                      int *nframes, char *why, size_t cap)
{
	static const struct image_limits def = IMAGE_LIMITS_DEFAULT;
	int ow = 0, oh = 0, orient = 1, frames = 1, r;
	memset(out, 0, sizeof *out);
	if (why && cap)
		why[0] = '\0';
	if (!lim)
		lim = &def;
	enum image_format f = image_sniff(data, n);
	if (!data || !n)
		r = image_fail(why, cap, "empty file");
	else if (f == IMG_PNG)
		r = decode_png(data, n, lim, out, &ow, &oh, &orient, why, cap);
	else if (f == IMG_JPEG)
		r = decode_jpeg(data, n, lim, target_side, fit, to, out, &ow, &oh, &orient, why, cap);
	else if (f == IMG_GIF)
		r = image_decode_gif(data, n, lim, out, &ow, &oh, &frames, why, cap);
	else if (f == IMG_WEBP)
		r = image_decode_webp(data, n, lim, target_side, out, &ow, &oh, &orient, &frames, why, cap);
	else if (f == IMG_HEIC)
		r = image_decode_heif(data, n, lim, out, &ow, &oh, why, cap);
	else if (f == IMG_UNKNOWN)
		r = image_fail(why, cap, "not an image format we read (PNG, JPEG, GIF, WebP, HEIC)");
	else
		r = image_fail(why, cap, "%s images are not supported (only PNG, JPEG, GIF, WebP and HEIC)",
		               image_format_name(f));
	if (r == 0 && image_orient(out, orient) < 0) {
		image_free(out);
		r = image_fail(why, cap, "out of memory rotating the image");
	}
	if (r < 0) {
		memset(out, 0, sizeof *out);
		ow = oh = 0;
	} else if (orient >= 5) {
		int t = ow;
		ow = oh;
		oh = t;
	}
	if (orig_w)
		*orig_w = ow;
	if (orig_h)
		*orig_h = oh;
	if (nframes)
		*nframes = r == 0 ? frames : 0;
	return r;
}

int image_decode_frames(const unsigned char *data, size_t n, const struct image_limits *lim, int target_side,
                        struct image *out, int *orig_w, int *orig_h, int *nframes, char *why, size_t cap)
{
	return decode_any(data, n, lim, target_side, 0, NULL, out, orig_w, orig_h, nframes, why, cap);
}

int image_decode_fit(const unsigned char *data, size_t n, const struct image_limits *lim, int max_side,
                     struct image *out, int *orig_w, int *orig_h, int *frames, const struct image_rows *rows,
                     char *why, size_t cap)
{
	if (decode_any(data, n, lim, max_side, max_side, rows, out, orig_w, orig_h, frames, why, cap) < 0)
		return -1;
	if (max_side > 0 && image_shrink(out, max_side) < 0) {
		image_free(out);
		if (frames)
			*frames = 0;
		if (orig_w)
			*orig_w = 0;
		if (orig_h)
			*orig_h = 0;
		return image_fail(why, cap, "out of memory resizing the image");
	}
	return 0;
}
