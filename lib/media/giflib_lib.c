#define DYNLIB_TABLE_ONLY
#include "media/giflib_lib.h"
#include "dynlib.h"

#define S(f) DYNLIB_SYM(struct gif_lib, "", f)
static const struct dynlib_sym syms[] = {
	S(DGifCloseFile),
	S(DGifGetCode),
	S(DGifGetCodeNext),
	S(DGifGetExtension),
	S(DGifGetExtensionNext),
	S(DGifGetImageDesc),
	S(DGifGetLine),
	S(DGifGetRecordType),
	S(DGifOpen),
	S(GifErrorString),
};
#undef S

struct gif_lib gif_fns;
/* giflib 5's soname */
static struct dynlib lib = { .soname = "libgif.so.7", .syms = syms, .nsyms = sizeof syms / sizeof *syms, .fns = &gif_fns,
			     .mu = PTHREAD_MUTEX_INITIALIZER };

const struct gif_lib *gif_lib(char *why, size_t cap)
{
	return dynlib_get(&lib, why, cap);
}
