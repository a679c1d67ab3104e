#define DYNLIB_TABLE_ONLY
#include "media/jpeg_lib.h"
#include "dynlib.h"

#define S(f) DYNLIB_SYM(struct jpeg_lib, "", f)
static const struct dynlib_sym syms[] = {
	S(jpeg_CreateCompress),
	S(jpeg_CreateDecompress),
	S(jpeg_calc_output_dimensions),
	S(jpeg_destroy_compress),
	S(jpeg_destroy_decompress),
	S(jpeg_finish_compress),
	S(jpeg_finish_decompress),
	S(jpeg_mem_src),
	S(jpeg_read_header),
	S(jpeg_read_scanlines),
	S(jpeg_resync_to_restart),
	S(jpeg_save_markers),
	S(jpeg_set_defaults),
	S(jpeg_set_quality),
	S(jpeg_start_compress),
	S(jpeg_start_decompress),
	S(jpeg_std_error),
	S(jpeg_write_scanlines),
};
#undef S

struct jpeg_lib jpeg_fns;
/* libjpeg-turbo's soname for the libjpeg 6b ABI, which Debian builds */
static struct dynlib lib = { .soname = "libjpeg.so.62", .syms = syms, .nsyms = sizeof syms / sizeof *syms, .fns = &jpeg_fns,
			     .mu = PTHREAD_MUTEX_INITIALIZER };

const struct jpeg_lib *jpeg_lib(char *why, size_t cap)
{
	return dynlib_get(&lib, why, cap);
}
