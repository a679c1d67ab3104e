/* jpeg_lib: libjpeg(-turbo), opened the first time a JPEG is read or
 * written rather than linked, so the runs that never meet an image (a
 * chat-stream reply) do not map and relocate it at each start. After this
 * header the libjpeg names used here call through the table (the
 * jpeg_create_* macros reach it through jpeg_Create*); jpeg_lib.c, which
 * fills it, defines DYNLIB_TABLE_ONLY to see the real names. */
#ifndef CHAT_JPEG_LIB_H
#define CHAT_JPEG_LIB_H
#include <stddef.h>
#include <stdio.h>
#include <jpeglib.h>

struct jpeg_lib {
	__typeof__(jpeg_CreateCompress) *jpeg_CreateCompress;
	__typeof__(jpeg_CreateDecompress) *jpeg_CreateDecompress;
	__typeof__(jpeg_calc_output_dimensions) *jpeg_calc_output_dimensions;
	__typeof__(jpeg_destroy_compress) *jpeg_destroy_compress;
	__typeof__(jpeg_destroy_decompress) *jpeg_destroy_decompress;
	__typeof__(jpeg_finish_compress) *jpeg_finish_compress;
	__typeof__(jpeg_finish_decompress) *jpeg_finish_decompress;
	__typeof__(jpeg_mem_src) *jpeg_mem_src;
	__typeof__(jpeg_read_header) *jpeg_read_header;
	__typeof__(jpeg_read_scanlines) *jpeg_read_scanlines;
	__typeof__(jpeg_resync_to_restart) *jpeg_resync_to_restart;
	__typeof__(jpeg_save_markers) *jpeg_save_markers;
	__typeof__(jpeg_set_defaults) *jpeg_set_defaults;
	__typeof__(jpeg_set_quality) *jpeg_set_quality;
	__typeof__(jpeg_start_compress) *jpeg_start_compress;
	__typeof__(jpeg_start_decompress) *jpeg_start_decompress;
	__typeof__(jpeg_std_error) *jpeg_std_error;
	__typeof__(jpeg_write_scanlines) *jpeg_write_scanlines;
};
extern struct jpeg_lib jpeg_fns;

/* The table, loaded once (thread-safe), before any call through it; NULL
 * with why when libjpeg cannot be opened. */
const struct jpeg_lib *jpeg_lib(char *why, size_t cap);

#ifndef DYNLIB_TABLE_ONLY
#define jpeg_CreateCompress jpeg_fns.jpeg_CreateCompress
#define jpeg_CreateDecompress jpeg_fns.jpeg_CreateDecompress
#define jpeg_calc_output_dimensions jpeg_fns.jpeg_calc_output_dimensions
#define jpeg_destroy_compress jpeg_fns.jpeg_destroy_compress
#define jpeg_destroy_decompress jpeg_fns.jpeg_destroy_decompress
#define jpeg_finish_compress jpeg_fns.jpeg_finish_compress
#define jpeg_finish_decompress jpeg_fns.jpeg_finish_decompress
#define jpeg_mem_src jpeg_fns.jpeg_mem_src
#define jpeg_read_header jpeg_fns.jpeg_read_header
#define jpeg_read_scanlines jpeg_fns.jpeg_read_scanlines
#define jpeg_resync_to_restart jpeg_fns.jpeg_resync_to_restart
#define jpeg_save_markers jpeg_fns.jpeg_save_markers
#define jpeg_set_defaults jpeg_fns.jpeg_set_defaults
#define jpeg_set_quality jpeg_fns.jpeg_set_quality
#define jpeg_start_compress jpeg_fns.jpeg_start_compress
#define jpeg_start_decompress jpeg_fns.jpeg_start_decompress
#define jpeg_std_error jpeg_fns.jpeg_std_error
#define jpeg_write_scanlines jpeg_fns.jpeg_write_scanlines
#endif
#endif
