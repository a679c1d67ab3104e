/* image: decode untrusted PNG/JPEG/GIF/WebP/HEIC into 8-bit RGB(A) pixels,
 * upright (orientation applied), within caps on pixels, memory and progressive scans;
 * shrink by area averaging; re-encode as JPEG or PNG with no metadata.
 * An image owns its pixel buffer; image_free releases it. */
#ifndef CHAT_IMAGE_H
#define CHAT_IMAGE_H
#include "buf.h"
#include <stddef.h>

struct image {
	int w, h, channels;     /* channels: 3 RGB or 4 RGBA (not premultiplied) */
	unsigned char *px;      /* w*h*channels bytes, rows top to bottom */
};

enum image_format {
	IMG_UNKNOWN, IMG_PNG, IMG_JPEG, IMG_GIF, IMG_WEBP, IMG_BMP, IMG_HEIC, IMG_TIFF,
	IMG_AVIF
};

/* By the leading bytes, never by name. */
enum image_format image_sniff(const unsigned char *p, size_t n);
/* "PNG", "JPEG", "GIF", ...; "unknown" for IMG_UNKNOWN. */
const char *image_format_name(enum image_format f);

struct image_limits {
	size_t max_pixels;      /* width*height of the stored image; 0 = no cap */
	size_t max_memory;      /* bytes for the decoder's large buffers (libjpeg's
	                         * max_memory_to_use and our pixel buffer); 0 = no cap */
	int max_scans;          /* progressive JPEG scans; 0 = no cap */
	int release_input;      /* the data is a read-only private file mapping: a
	                         * JPEG's pages are given back (MADV_DONTNEED) as
	                         * they are read, so the file never counts whole */
};
/* 100 megapixels, 1 GiB, 200 scans: what a NULL lim means. */
#define IMAGE_LIMITS_DEFAULT { 100000000, (size_t)1 << 30, 200, 0 }

/* Decode a PNG, JPEG, GIF (its first frame, on the logical screen), WebP (the
 * first frame of an animation) or HEIC (the primary image), the format told by
 * the bytes. JPEG EXIF orientation (APP1), PNG eXIf and WebP EXIF orientation
 * are applied, so the result is upright; a HEIC is turned by libheif from its
 * own irot/imir boxes, and its EXIF orientation is not applied again. GIF
 * always comes out RGBA (its transparency is per frame). target_side > 0 says
 * the caller will shrink to that longest side: a JPEG is then decoded with the
 * smallest of the scales 1/8, 1/4, 1/2 (those libjpeg-turbo has SIMD code for)
 * that keeps its longest side >= target_side, without fancy upsampling, and a
 * still WebP scaled by libwebp to exactly target_side (the result can still be
 * larger than target_side; call image_shrink). orig_w/orig_h (either may be
 * NULL) get the full-resolution size as displayed: after orientation, before
 * any scaling. Returns 0, or -1 with a one-line reason in why (cap bytes):
 * every other format, 12-bit JPEG, truncated or corrupt data (libjpeg warnings
 * count as errors), over a limit (checked after the header, before any pixel
 * allocation). lim may be NULL for IMAGE_LIMITS_DEFAULT. On -1, *out is
 * zeroed and owns nothing. */
int image_decode(const unsigned char *data, size_t n, const struct image_limits *lim,
                 int target_side, struct image *out, int *orig_w, int *orig_h,
                 char *why, size_t cap);
/* The same, and *frames (when not NULL) gets the number of frames in the file:
 * more than 1 for an animated GIF or WebP, of which only the first is decoded. */
int image_decode_frames(const unsigned char *data, size_t n, const struct image_limits *lim,
                        int target_side, struct image *out, int *orig_w, int *orig_h, int *frames,
                        char *why, size_t cap);

/* image_decode_frames and then image_shrink to max_side, but a JPEG is shrunk
 * as it is decoded, band by band (on a second thread when the scaled picture
 * is over 4 megapixels), so the full-size picture is never held. The result
 * is image_shrink's of the picture at the scale chosen for max_side. */
struct image_rows;
int image_decode_fit(const unsigned char *data, size_t n, const struct image_limits *lim,
                     int max_side, struct image *out, int *orig_w, int *orig_h, int *frames,
                     const struct image_rows *rows, char *why, size_t cap);
/* Where image_decode_fit also hands the rows of a JPEG it shrinks while
 * decoding, as each is finished, so they can be encoded meanwhile. begin gets
 * the shrunk size and the EXIF orientation the rows are stored in (applied
 * only afterwards) and returns 1 to take the rows, 0 to decline; row then
 * gets each RGB row, top to bottom, on the thread that shrinks. Whether or not
 * the decode succeeds, out is the result as without rows. */
struct image_rows {
	int (*begin)(void *arg, int w, int h, int orient);
	void (*row)(void *arg, const unsigned char *rgb);
	void *arg;
};

/* 1 if any pixel has alpha < 255 (always 0 for RGB). */
int image_has_alpha(const struct image *im);
/* RGBA -> RGB composited over the colour (a no-op for RGB). Never fails: the
 * buffer is compacted in place. */
void image_flatten(struct image *im, unsigned char r, unsigned char g, unsigned char b);
/* Pad to a square RGBA image, the picture centred between fully transparent
 * borders (an RGB image gains an opaque alpha channel). 0, or -1 when out of
 * memory (im unchanged). */
int image_square(struct image *im);
/* Shrink so the longest side is exactly max_side (the other side rounded, at
 * least 1) by area averaging over each output pixel's exact source footprint
 * (alpha-weighted for RGBA). Never upscales: an image already within max_side
 * is left alone. 0, or -1 (out of memory or max_side < 1; im unchanged). */
int image_shrink(struct image *im, int max_side);

/* Append an encoded image to out. JPEG: RGB only, quality 1-100, 4:2:0,
 * optimised Huffman tables, a bare JFIF header and nothing else. PNG: RGB or
 * RGBA, 8-bit, no ancillary chunks. 0, or -1 with why (out is left as it was). */
int image_encode_jpeg(const struct image *im, int quality, struct buf *out, char *why, size_t cap);
int image_encode_png(const struct image *im, struct buf *out, char *why, size_t cap);
/* image_encode_jpeg's output made from rows given one at a time (from any one
 * thread at a time). begin: NULL with why on failure. end with keep 1 finishes
 * (0, or -1 with why: a row failed or is missing), with keep 0 abandons; on
 * -1 out is left as it was, and either way the stream is freed. */
struct image_jpeg_stream;
struct image_jpeg_stream *image_jpeg_stream_begin(int w, int h, int quality, struct buf *out, char *why,
                                                  size_t cap);
void image_jpeg_stream_row(struct image_jpeg_stream *s, const unsigned char *rgb);
int image_jpeg_stream_end(struct image_jpeg_stream *s, int keep, char *why, size_t cap);

void image_free(struct image *im);

/* EXIF, used by the decoder and exposed for tests. The orientation tag (0x0112)
 * in IFD0 of a TIFF-structured EXIF block (starting at "II*\0" or "MM\0*",
 * a leading "Exif\0\0" is skipped): 1-8, or 1 when absent or malformed. */
int image_exif_orientation(const unsigned char *p, size_t n);
/* Turn pixels stored with EXIF orientation o (1-8) upright. 0, or -1 when out
 * of memory (im unchanged). */
int image_orient(struct image *im, int o);
/* Fill why (if any) from fmt and return -1: the image modules' one error path. */
int image_fail(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A PNG's or JPEG's width and height from its header alone. 0, or -1
 * (both set to 0) when the bytes are neither. */
int image_size(const unsigned char *p, size_t n, int *w, int *h);
#endif
