/* image_heif: the primary image of a HEIF file (HEIC: HEVC inside; libheif
 * with its HEVC decoder). Its size is read from the file's boxes and checked
 * before anything is decoded, and libheif is told the same cap; what libheif
 * 1.15 does not bound (overlays, grid sizes, item counts) is checked first
 * in image_heif_items.c. libheif
 * applies the file's own transformations (irot rotation, imir mirroring,
 * clap cropping) while decoding, as the HEIF standard has it; the EXIF
 * orientation a camera also writes describes that same turn, so it is never
 * applied a second time. Decoding is strict: libheif's "best effort" on
 * damaged data is an error here. */
#include "media/image_decoders.h"
#include "media/heif_lib.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libheif, loaded by heif_start */
static const struct heif_lib *H;

static int heif_why(struct heif_error e, char *why, size_t cap)
{
	if (e.code == heif_error_Memory_allocation_error)
		return image_fail(why, cap, "out of memory decoding HEIC");
	if (e.subcode == heif_suberror_End_of_data)
		return image_fail(why, cap, "truncated HEIC");
	if (e.code == heif_error_Unsupported_feature || e.code == heif_error_Unsupported_filetype)
		return image_fail(why, cap, "HEIC not supported: %s", e.message ? e.message : "?");
	if (e.subcode == heif_suberror_Security_limit_exceeded)
		return image_fail(why, cap, "HEIC over a size limit: %s", e.message ? e.message : "?");
	return image_fail(why, cap, "corrupt HEIC: %s", e.message ? e.message : "?");
}

/* The caps before any pixel is decoded: the size shown (after cropping and
 * rotation) and the size coded (ispe), which can be the larger. */
static int heif_sizes_fit(const struct heif_image_handle *h, const struct image_limits *lim, int ch,
                          char *why, size_t cap)
{
	int w = H->image_handle_get_width(h), hh = H->image_handle_get_height(h);
	int iw = H->image_handle_get_ispe_width(h), ih = H->image_handle_get_ispe_height(h);
	if (w <= 0 || hh <= 0)
		return image_fail(why, cap, "corrupt HEIC: image has no size");
	if (image_check_pixels(lim, (uint64_t)w, (uint64_t)hh, why, cap) < 0)
		return -1;
	if (iw > 0 && ih > 0 && image_check_pixels(lim, (uint64_t)iw, (uint64_t)ih, why, cap) < 0)
		return -1;
	uint64_t coded = iw > 0 && ih > 0 ? (uint64_t)iw * (uint64_t)ih : (uint64_t)w * (uint64_t)hh;
	/* libheif's planes (YCbCr, then interleaved RGB(A)) and our copy */
	return image_check_memory(lim, coded * (2 + 2 * (uint64_t)ch), why, cap);
}

static void unpremultiply(unsigned char *p, size_t pixels)
{
	for (size_t i = 0; i < pixels; i++, p += 4)
		if (p[3] && p[3] < 255)
			for (int c = 0; c < 3; c++) {
				unsigned v = (p[c] * 255u + p[3] / 2) / p[3];
				p[c] = (unsigned char)(v > 255 ? 255 : v);
			}
}

/* Decode the handle to interleaved 8-bit RGB(A), then copy it out row by
 * row (libheif's rows may be padded). */
static int heif_pixels(const struct heif_image_handle *h, int ch, const struct image_limits *lim,
                       struct image *out, char *why, size_t cap)
{
	struct heif_decoding_options *o = H->decoding_options_alloc();
	if (!o)
		return image_fail(why, cap, "out of memory decoding HEIC");
	o->convert_hdr_to_8bit = 1;   /* 10-bit HEIC (HDR photos) to 8 bits */
	o->strict_decoding = 1;
	struct heif_image *img = NULL;
	struct heif_error e = H->decode_image(h, &img, heif_colorspace_RGB,
	                                        ch == 4 ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, o);
	H->decoding_options_free(o);
	if (e.code != heif_error_Ok)
		return H->image_release(img), heif_why(e, why, cap);
	int r = 0, stride = 0;
	int w = H->image_get_width(img, heif_channel_interleaved);
	int hh = H->image_get_height(img, heif_channel_interleaved);
	const uint8_t *plane = H->image_get_plane_readonly(img, heif_channel_interleaved, &stride);
	if (!plane || w <= 0 || hh <= 0 || H->image_get_bits_per_pixel(img, heif_channel_interleaved) != 8 * ch ||
	    stride < w * ch) {
		r = image_fail(why, cap, "corrupt HEIC: decoded to an unexpected layout");
	} else if (image_check_pixels(lim, (uint64_t)w, (uint64_t)hh, why, cap) < 0) {
		r = -1;
	} else if (!(out->px = malloc((size_t)w * (size_t)hh * (size_t)ch))) {
		r = image_fail(why, cap, "out of memory decoding a %dx%d HEIC", w, hh);
	} else {
		size_t row = (size_t)w * (size_t)ch;
		for (int y = 0; y < hh; y++)
			memcpy(out->px + (size_t)y * row, plane + (size_t)y * (size_t)stride, row);
		if (ch == 4 && H->image_is_premultiplied_alpha(img))
			unpremultiply(out->px, (size_t)w * (size_t)hh);
		out->w = w;
		out->h = hh;
		out->channels = ch;
	}
	H->image_release(img);
	return r;
}

static int heif_run(struct heif_context *ctx, const unsigned char *data, size_t n, const struct image_limits *lim,
                    struct image *out, int *ow, int *oh, char *why, size_t cap)
{
	/* libheif's own cap is per side, 32768 by default, and applies to the
	 * images it decodes inside the file too (a grid's tiles): lowered to the
	 * pixel cap when that is smaller, never raised */
	if (lim->max_pixels && lim->max_pixels < 32768)     /* libheif's default */
		H->context_set_maximum_image_size_limit(ctx, (int)lim->max_pixels);
	if (image_heif_items_fit(data, n, lim, why, cap) < 0)
		return -1;
#if LIBHEIF_HAVE_VERSION(1, 19, 0)
	struct heif_security_limits *sl = H->context_get_security_limits(ctx);
	if (sl && lim->max_pixels)
		sl->max_image_size_pixels = lim->max_pixels;
	if (sl && lim->max_memory)
		sl->max_memory_block_size = lim->max_memory;
#endif
	struct heif_error e = H->context_read_from_memory_without_copy(ctx, data, n, NULL);
	if (e.code != heif_error_Ok)
		return heif_why(e, why, cap);
	struct heif_image_handle *h = NULL;
	e = H->context_get_primary_image_handle(ctx, &h);
	if (e.code != heif_error_Ok)
		return heif_why(e, why, cap);
	int ch = H->image_handle_has_alpha_channel(h) ? 4 : 3;
	int r = heif_sizes_fit(h, lim, ch, why, cap);
	if (r == 0)
		r = heif_pixels(h, ch, lim, out, why, cap);
	if (r == 0) {
		*ow = out->w;
		*oh = out->h;
	}
	H->image_handle_release(h);
	return r;
}

/* libheif is started once and left running: heif_deinit would also take
 * away the codecs from any other user of libheif in the process. */
static pthread_once_t heif_once = PTHREAD_ONCE_INIT;
static struct heif_error heif_started;
static char heif_missing[300];

static void heif_start(void)
{
	H = heif_lib(heif_missing, sizeof heif_missing);
	if (H)
		heif_started = H->init(NULL);
}

int image_decode_heif(const unsigned char *data, size_t n, const struct image_limits *lim, struct image *out,
                      int *ow, int *oh, char *why, size_t cap)
{
	pthread_once(&heif_once, heif_start);
	if (!H)
		return image_fail(why, cap, "HEIC not supported here: %s", heif_missing);
	if (heif_started.code != heif_error_Ok)
		return image_fail(why, cap, "cannot start libheif: %s", heif_started.message ? heif_started.message : "?");
	struct heif_context *ctx = H->context_alloc();
	int r = ctx ? heif_run(ctx, data, n, lim, out, ow, oh, why, cap)
	            : image_fail(why, cap, "out of memory decoding HEIC");
	H->context_free(ctx);
	return r;
}
