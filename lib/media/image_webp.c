/* image_webp: WebP (libwebp), lossy or lossless, with or without alpha.
 * The container is parsed whole first (WebPDemux), so a file cut short or a
 * chunk that claims more than the file holds is refused before decoding; it
 * also gives the frame count and the EXIF chunk (for the orientation). A
 * still image is decoded straight into our buffer, scaled down by libwebp
 * when the caller will shrink it anyway; an animation gives its first frame
 * as composited on the canvas (WebPAnimDecoder). */
#include "media/image_decoders.h"
#include <stdlib.h>
#include <string.h>
#include "media/webp_lib.h"

static int webp_status(VP8StatusCode st, char *why, size_t cap)
{
	switch (st) {
	case VP8_STATUS_NOT_ENOUGH_DATA:
		return image_fail(why, cap, "truncated WebP");
	case VP8_STATUS_OUT_OF_MEMORY:
		return image_fail(why, cap, "out of memory decoding WebP");
	case VP8_STATUS_UNSUPPORTED_FEATURE:
		return image_fail(why, cap, "WebP feature not supported");
	default:
		return image_fail(why, cap, "corrupt WebP (libwebp status %d)", (int)st);
	}
}

/* Scale so the longest side is target (never up), the other side rounded. */
static void scaled(int w, int h, int target, int *sw, int *sh)
{
	*sw = w;
	*sh = h;
	int side = w > h ? w : h;
	if (target <= 0 || target >= side)
		return;
	if (w >= h) {
		*sw = target;
		*sh = (int)(((uint64_t)h * (uint64_t)target + (uint64_t)w / 2) / (uint64_t)w);
	} else {
		*sh = target;
		*sw = (int)(((uint64_t)w * (uint64_t)target + (uint64_t)h / 2) / (uint64_t)h);
	}
	if (*sw < 1)
		*sw = 1;
	if (*sh < 1)
		*sh = 1;
}

static int webp_still(const unsigned char *data, size_t n, const struct image_limits *lim, int target,
                      const WebPBitstreamFeatures *f, struct image *out, char *why, size_t cap)
{
	WebPDecoderConfig c;
	if (!WebPInitDecoderConfig(&c))
		return image_fail(why, cap, "libwebp version mismatch");
	int ch = f->has_alpha ? 4 : 3, w, h;
	scaled(f->width, f->height, target, &w, &h);
	uint64_t bytes = (uint64_t)w * (uint64_t)h * (uint64_t)ch;
	/* libwebp's own working memory is about a few rows, plus the alpha plane */
	if (image_check_memory(lim, bytes + (uint64_t)f->width * (uint64_t)f->height, why, cap) < 0)
		return -1;
	unsigned char *px = malloc((size_t)bytes);
	if (!px)
		return image_fail(why, cap, "out of memory decoding a %dx%d WebP", w, h);
	if (w != f->width || h != f->height) {
		c.options.use_scaling = 1;
		c.options.scaled_width = w;
		c.options.scaled_height = h;
	}
	c.output.colorspace = ch == 4 ? MODE_RGBA : MODE_RGB;
	c.output.is_external_memory = 1;
	c.output.u.RGBA.rgba = px;
	c.output.u.RGBA.stride = w * ch;
	c.output.u.RGBA.size = (size_t)bytes;
	VP8StatusCode st = WebPDecode(data, n, &c);
	WebPFreeDecBuffer(&c.output);
	if (st != VP8_STATUS_OK) {
		free(px);
		return webp_status(st, why, cap);
	}
	out->w = w;
	out->h = h;
	out->channels = ch;
	out->px = px;
	return 0;
}

static int webp_animation(const WebPData *wd, const struct image_limits *lim, struct image *out, char *why,
                          size_t cap)
{
	WebPAnimDecoderOptions o;
	if (!WebPAnimDecoderOptionsInit(&o))
		return image_fail(why, cap, "libwebp version mismatch");
	o.color_mode = MODE_RGBA;
	o.use_threads = 0;
	WebPAnimDecoder *dec = WebPAnimDecoderNew(wd, &o);
	if (!dec)
		return image_fail(why, cap, "corrupt WebP animation");
	WebPAnimInfo info;
	uint8_t *canvas = NULL;
	int ts, r = 0;
	if (!WebPAnimDecoderGetInfo(dec, &info) || !WebPAnimDecoderGetNext(dec, &canvas, &ts) || !canvas) {
		r = image_fail(why, cap, "corrupt WebP animation: its first frame does not decode");
	} else {
		size_t bytes = (size_t)info.canvas_width * info.canvas_height * 4;
		out->px = malloc(bytes);
		if (!out->px) {
			r = image_fail(why, cap, "out of memory decoding WebP");
		} else {
			memcpy(out->px, canvas, bytes);
			out->w = (int)info.canvas_width;
			out->h = (int)info.canvas_height;
			out->channels = 4;
		}
	}
	WebPAnimDecoderDelete(dec);
	return r;
}

int image_decode_webp(const unsigned char *data, size_t n, const struct image_limits *lim, int target,
                      struct image *out, int *ow, int *oh, int *orient, int *frames, char *why, size_t cap)
{
	char missing[300];
	if (webp_lib(missing, sizeof missing) < 0)
		return image_fail(why, cap, "WebP not supported here: %s", missing);
	WebPBitstreamFeatures f;
	VP8StatusCode st = WebPGetFeatures(data, n, &f);
	if (st != VP8_STATUS_OK)
		return webp_status(st, why, cap);
	if (image_check_pixels(lim, (uint64_t)f.width, (uint64_t)f.height, why, cap) < 0)
		return -1;
	WebPData wd = { data, n };
	WebPDemuxer *dmx = WebPDemux(&wd);
	if (!dmx)
		return image_fail(why, cap, "truncated or corrupt WebP");
	uint32_t count = WebPDemuxGetI(dmx, WEBP_FF_FRAME_COUNT);
	if ((int)WebPDemuxGetI(dmx, WEBP_FF_CANVAS_WIDTH) != f.width ||
	    (int)WebPDemuxGetI(dmx, WEBP_FF_CANVAS_HEIGHT) != f.height || !count) {
		WebPDemuxDelete(dmx);
		return image_fail(why, cap, "corrupt WebP: its chunks disagree on its size");
	}
	WebPChunkIterator it;
	if ((WebPDemuxGetI(dmx, WEBP_FF_FORMAT_FLAGS) & EXIF_FLAG) && WebPDemuxGetChunk(dmx, "EXIF", 1, &it)) {
		*orient = image_exif_orientation(it.chunk.bytes, it.chunk.size);
		WebPDemuxReleaseChunkIterator(&it);
	}
	WebPDemuxDelete(dmx);
	*frames = count > 1 ? (count > INT32_MAX ? INT32_MAX : (int)count) : 1;
	int r;
	if (f.has_animation) {
		/* the canvas, the previous frame disposed, and our copy */
		if (image_check_memory(lim, (uint64_t)f.width * (uint64_t)f.height * 4 * 3, why, cap) < 0)
			return -1;
		r = webp_animation(&wd, lim, out, why, cap);
	} else {
		r = webp_still(data, n, lim, target, &f, out, why, cap);
	}
	if (r == 0) {
		*ow = f.width;
		*oh = f.height;
	}
	return r;
}
