#include "media/heif_lib.h"
#include "dynlib.h"

#define S(member) DYNLIB_SYM(struct heif_lib, "heif_", member)
static const struct dynlib_sym syms[] = {
	S(context_alloc),
	S(context_free),
	S(context_get_primary_image_handle),
	S(context_read_from_memory_without_copy),
	S(context_set_maximum_image_size_limit),
	S(decode_image),
	S(decoding_options_alloc),
	S(decoding_options_free),
	S(image_get_bits_per_pixel),
	S(image_get_height),
	S(image_get_plane_readonly),
	S(image_get_width),
	S(image_handle_get_height),
	S(image_handle_get_ispe_height),
	S(image_handle_get_ispe_width),
	S(image_handle_get_width),
	S(image_handle_has_alpha_channel),
	S(image_handle_release),
	S(image_is_premultiplied_alpha),
	S(image_release),
	S(init),
#if LIBHEIF_HAVE_VERSION(1, 19, 0)
	{ "heif_context_get_security_limits", offsetof(struct heif_lib, context_get_security_limits), 1 },
#endif
};
#undef S

static struct heif_lib fns;
/* the soname of Debian 12's libheif1 (ABI 1) */
static struct dynlib lib = { .soname = "libheif.so.1", .syms = syms, .nsyms = sizeof syms / sizeof *syms, .fns = &fns,
			     .mu = PTHREAD_MUTEX_INITIALIZER };

const struct heif_lib *heif_lib(char *why, size_t cap)
{
	return dynlib_get(&lib, why, cap);
}
