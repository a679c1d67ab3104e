/* png_lib: libpng, opened the first time a PNG is read or written rather
 * than linked, so the runs that never meet an image (a chat-stream reply)
 * do not map and relocate it at each start. After this header the libpng
 * names used here call through the table; png_lib.c, which fills it,
 * defines DYNLIB_TABLE_ONLY to see the real names. */
#ifndef CHAT_PNG_LIB_H
#define CHAT_PNG_LIB_H
#include <png.h>
#include <stddef.h>

struct png_lib {
	__typeof__(png_create_info_struct) *png_create_info_struct;
	__typeof__(png_create_read_struct) *png_create_read_struct;
	__typeof__(png_create_write_struct) *png_create_write_struct;
	__typeof__(png_destroy_read_struct) *png_destroy_read_struct;
	__typeof__(png_destroy_write_struct) *png_destroy_write_struct;
	__typeof__(png_error) *png_error;
	__typeof__(png_get_IHDR) *png_get_IHDR;
	__typeof__(png_get_bit_depth) *png_get_bit_depth;
	__typeof__(png_get_channels) *png_get_channels;
	__typeof__(png_get_eXIf_1) *png_get_eXIf_1;
	__typeof__(png_get_error_ptr) *png_get_error_ptr;
	__typeof__(png_get_io_ptr) *png_get_io_ptr;
	__typeof__(png_get_rowbytes) *png_get_rowbytes;
	__typeof__(png_get_valid) *png_get_valid;
	__typeof__(png_longjmp) *png_longjmp;
	__typeof__(png_read_end) *png_read_end;
	__typeof__(png_read_image) *png_read_image;
	__typeof__(png_read_info) *png_read_info;
	__typeof__(png_read_update_info) *png_read_update_info;
	__typeof__(png_set_IHDR) *png_set_IHDR;
	__typeof__(png_set_chunk_cache_max) *png_set_chunk_cache_max;
	__typeof__(png_set_chunk_malloc_max) *png_set_chunk_malloc_max;
	__typeof__(png_set_crc_action) *png_set_crc_action;
	__typeof__(png_set_expand_gray_1_2_4_to_8) *png_set_expand_gray_1_2_4_to_8;
	__typeof__(png_set_gray_to_rgb) *png_set_gray_to_rgb;
	__typeof__(png_set_interlace_handling) *png_set_interlace_handling;
	__typeof__(png_set_keep_unknown_chunks) *png_set_keep_unknown_chunks;
	__typeof__(png_set_longjmp_fn) *png_set_longjmp_fn;
	__typeof__(png_set_palette_to_rgb) *png_set_palette_to_rgb;
	__typeof__(png_set_read_fn) *png_set_read_fn;
	__typeof__(png_set_scale_16) *png_set_scale_16;
	__typeof__(png_set_tRNS_to_alpha) *png_set_tRNS_to_alpha;
	__typeof__(png_set_user_limits) *png_set_user_limits;
	__typeof__(png_set_write_fn) *png_set_write_fn;
	__typeof__(png_write_end) *png_write_end;
	__typeof__(png_write_info) *png_write_info;
	__typeof__(png_write_row) *png_write_row;
};
extern struct png_lib png_fns;

/* The table, loaded once (thread-safe), before any call through it; NULL
 * with why when libpng cannot be opened. */
const struct png_lib *png_lib(char *why, size_t cap);

#ifndef DYNLIB_TABLE_ONLY
#define png_create_info_struct png_fns.png_create_info_struct
#define png_create_read_struct png_fns.png_create_read_struct
#define png_create_write_struct png_fns.png_create_write_struct
#define png_destroy_read_struct png_fns.png_destroy_read_struct
#define png_destroy_write_struct png_fns.png_destroy_write_struct
#define png_error png_fns.png_error
#define png_get_IHDR png_fns.png_get_IHDR
#define png_get_bit_depth png_fns.png_get_bit_depth
#define png_get_channels png_fns.png_get_channels
#define png_get_eXIf_1 png_fns.png_get_eXIf_1
#define png_get_error_ptr png_fns.png_get_error_ptr
#define png_get_io_ptr png_fns.png_get_io_ptr
#define png_get_rowbytes png_fns.png_get_rowbytes
#define png_get_valid png_fns.png_get_valid
#define png_longjmp png_fns.png_longjmp
#define png_read_end png_fns.png_read_end
#define png_read_image png_fns.png_read_image
#define png_read_info png_fns.png_read_info
#define png_read_update_info png_fns.png_read_update_info
#define png_set_IHDR png_fns.png_set_IHDR
#define png_set_chunk_cache_max png_fns.png_set_chunk_cache_max
#define png_set_chunk_malloc_max png_fns.png_set_chunk_malloc_max
#define png_set_crc_action png_fns.png_set_crc_action
#define png_set_expand_gray_1_2_4_to_8 png_fns.png_set_expand_gray_1_2_4_to_8
#define png_set_gray_to_rgb png_fns.png_set_gray_to_rgb
#define png_set_interlace_handling png_fns.png_set_interlace_handling
#define png_set_keep_unknown_chunks png_fns.png_set_keep_unknown_chunks
#define png_set_longjmp_fn png_fns.png_set_longjmp_fn
#define png_set_palette_to_rgb png_fns.png_set_palette_to_rgb
#define png_set_read_fn png_fns.png_set_read_fn
#define png_set_scale_16 png_fns.png_set_scale_16
#define png_set_tRNS_to_alpha png_fns.png_set_tRNS_to_alpha
#define png_set_user_limits png_fns.png_set_user_limits
#define png_set_write_fn png_fns.png_set_write_fn
#define png_write_end png_fns.png_write_end
#define png_write_info png_fns.png_write_info
#define png_write_row png_fns.png_write_row
#endif
#endif
