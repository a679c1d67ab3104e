#define DYNLIB_TABLE_ONLY
#include "media/png_lib.h"
#include "dynlib.h"

#define S(f) DYNLIB_SYM(struct png_lib, "", f)
static const struct dynlib_sym syms[] = {
	S(png_create_info_struct),
	S(png_create_read_struct),
	S(png_create_write_struct),
	S(png_destroy_read_struct),
	S(png_destroy_write_struct),
	S(png_error),
	S(png_get_IHDR),
	S(png_get_bit_depth),
	S(png_get_channels),
	S(png_get_eXIf_1),
	S(png_get_error_ptr),
	S(png_get_io_ptr),
	S(png_get_rowbytes),
	S(png_get_valid),
	S(png_longjmp),
	S(png_read_end),
	S(png_read_image),
	S(png_read_info),
	S(png_read_update_info),
	S(png_set_IHDR),
	S(png_set_chunk_cache_max),
	S(png_set_chunk_malloc_max),
	S(png_set_crc_action),
	S(png_set_expand_gray_1_2_4_to_8),
	S(png_set_gray_to_rgb),
	S(png_set_interlace_handling),
	S(png_set_keep_unknown_chunks),
	S(png_set_longjmp_fn),
	S(png_set_palette_to_rgb),
	S(png_set_read_fn),
	S(png_set_scale_16),
	S(png_set_tRNS_to_alpha),
	S(png_set_user_limits),
	S(png_set_write_fn),
	S(png_write_end),
	S(png_write_info),
	S(png_write_row),
};
#undef S

struct png_lib png_fns;
/* the soname of libpng 1.6, whose ABI the 1.6 releases keep */
static struct dynlib lib = { .soname = "libpng16.so.16", .syms = syms, .nsyms = sizeof syms / sizeof *syms, .fns = &png_fns,
			     .mu = PTHREAD_MUTEX_INITIALIZER };

const struct png_lib *png_lib(char *why, size_t cap)
{
	return dynlib_get(&lib, why, cap);
}
