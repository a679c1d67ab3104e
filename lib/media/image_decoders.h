/* image_decoders: what image_decode.c shares with the decoder of each format
 * (image_gif.c, image_webp.c, image_heif.c). Not for use outside media/.
 * Every decoder takes the whole file in memory, checks the size its header
 * declares against lim before allocating any pixels, and fills out with
 * 8-bit RGB or RGBA as stored; *orient gets the EXIF orientation still to
 * apply (1 when none, or when the format turns the image itself), *frames
 * the number of frames (only the first is decoded), *ow and *oh the full size
 * as stored. 0, or -1 with why. */
#ifndef CHAT_IMAGE_DECODERS_H
#define CHAT_IMAGE_DECODERS_H
#include "media/image.h"
#include <stdint.h>

/* The pixel caps, applied to a size read from a header. 0 or -1 with why. */
int image_check_pixels(const struct image_limits *lim, uint64_t w, uint64_t h, char *why, size_t cap);
/* A buffer about to be allocated, against the memory cap. 0 or -1 with why. */
int image_check_memory(const struct image_limits *lim, uint64_t bytes, char *why, size_t cap);

int image_decode_gif(const unsigned char *data, size_t n, const struct image_limits *lim, struct image *out,
                     int *ow, int *oh, int *frames, char *why, size_t cap);
/* target_side > 0: the still image may come out scaled down by libwebp so
 * its longest side is target_side (never smaller). */
int image_decode_webp(const unsigned char *data, size_t n, const struct image_limits *lim, int target_side,
                      struct image *out, int *ow, int *oh, int *orient, int *frames, char *why, size_t cap);
/* The primary image, with the file's rotation, mirroring and cropping
 * applied by libheif (so *orient is always left at 1). */
/* What libheif 1.15 does not bound, read from the HEIF boxes before it
 * decodes: an overlay item (refused), more than 4096 items, a grid whose
 * output size (in its item's data) is over the caps, an HEVC parameter set
 * (in hvcC or in an item's data) whose picture is over the caps, an HEVC
 * item of more than one picture, items' data adding up to more than the
 * file. 0, or -1 with why; a file whose boxes do not parse here is left to
 * libheif to refuse. */
int image_heif_items_fit(const unsigned char *data, size_t n, const struct image_limits *lim, char *why, size_t cap);
/* The boxes, location entries and NAL units the last image_heif_items_fit
 * on this thread read: work that grows with the file, never faster. */
unsigned long image_heif_items_work(void);
/* The picture size an HEVC sequence parameter set NAL unit (its 2-byte
 * header included) declares. 0, or -1 when it is cut short. */
int image_hevc_sps_size(const unsigned char *nal, size_t n, uint32_t *w, uint32_t *h);
int image_decode_heif(const unsigned char *data, size_t n, const struct image_limits *lim, struct image *out,
                      int *ow, int *oh, char *why, size_t cap);
#endif
