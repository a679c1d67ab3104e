#include "media/heif_lib.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* the soname of Debian 12's libheif1 (ABI 1) */
#define HEIF_SONAME "libheif.so.1"

static struct heif_lib lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[256];

static void load(void)
{
	void *h = dlopen(HEIF_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(failure, sizeof failure, "cannot load %s: %s", HEIF_SONAME, e ? e : "?");
		return;
	}
#define F(name) (*(void **)&lib.name = dlsym(h, "heif_" #name))
	if (
		!(F(context_alloc)) ||
		!(F(context_free)) ||
		!(F(context_get_primary_image_handle)) ||
		!(F(context_read_from_memory_without_copy)) ||
		!(F(context_set_maximum_image_size_limit)) ||
		!(F(decode_image)) ||
		!(F(decoding_options_alloc)) ||
		!(F(decoding_options_free)) ||
		!(F(image_get_bits_per_pixel)) ||
		!(F(image_get_height)) ||
		!(F(image_get_plane_readonly)) ||
		!(F(image_get_width)) ||
		!(F(image_handle_get_height)) ||
		!(F(image_handle_get_ispe_height)) ||
		!(F(image_handle_get_ispe_width)) ||
		!(F(image_handle_get_width)) ||
		!(F(image_handle_has_alpha_channel)) ||
		!(F(image_handle_release)) ||
		!(F(image_is_premultiplied_alpha)) ||
		!(F(image_release)) ||
		!(F(init)) ||
	    0) {
		snprintf(failure, sizeof failure, "%s lacks a function this program uses", HEIF_SONAME);
		return;
	}
#if LIBHEIF_HAVE_VERSION(1, 19, 0)
	F(context_get_security_limits);
#endif
#undef F
}

const struct heif_lib *heif_lib(char *why, size_t cap)
{
	pthread_once(&once, load);
	if (failure[0]) {
		snprintf(why, cap, "%s", failure);
		return NULL;
	}
	return &lib;
}
