/* heif_lib: libheif, opened the first time a HEIF file is decoded rather
 * when a program starts. libheif brings the HEVC and AV1 codecs with it
 * (libde265, x265, dav1d, aom, libstdc++): loading them in every program
 * cost each start some 5 ms of CPU and 4 MB, for a format few runs meet. */
#ifndef CHAT_HEIF_LIB_H
#define CHAT_HEIF_LIB_H
#include <libheif/heif.h>
#include <stddef.h>

struct heif_lib {
	__typeof__(heif_context_alloc) *context_alloc;
	__typeof__(heif_context_free) *context_free;
	__typeof__(heif_context_get_primary_image_handle) *context_get_primary_image_handle;
	__typeof__(heif_context_read_from_memory_without_copy) *context_read_from_memory_without_copy;
	__typeof__(heif_context_set_maximum_image_size_limit) *context_set_maximum_image_size_limit;
	__typeof__(heif_decode_image) *decode_image;
	__typeof__(heif_decoding_options_alloc) *decoding_options_alloc;
	__typeof__(heif_decoding_options_free) *decoding_options_free;
	__typeof__(heif_image_get_bits_per_pixel) *image_get_bits_per_pixel;
	__typeof__(heif_image_get_height) *image_get_height;
	__typeof__(heif_image_get_plane_readonly) *image_get_plane_readonly;
	__typeof__(heif_image_get_width) *image_get_width;
	__typeof__(heif_image_handle_get_height) *image_handle_get_height;
	__typeof__(heif_image_handle_get_ispe_height) *image_handle_get_ispe_height;
	__typeof__(heif_image_handle_get_ispe_width) *image_handle_get_ispe_width;
	__typeof__(heif_image_handle_get_width) *image_handle_get_width;
	__typeof__(heif_image_handle_has_alpha_channel) *image_handle_has_alpha_channel;
	__typeof__(heif_image_handle_release) *image_handle_release;
	__typeof__(heif_image_is_premultiplied_alpha) *image_is_premultiplied_alpha;
	__typeof__(heif_image_release) *image_release;
	__typeof__(heif_init) *init;
#if LIBHEIF_HAVE_VERSION(1, 19, 0)
	__typeof__(heif_context_get_security_limits) *context_get_security_limits;
#endif
};

/* The library's functions, loaded once (thread-safe); NULL with why when
 * libheif cannot be opened. */
const struct heif_lib *heif_lib(char *why, size_t cap);
#endif
