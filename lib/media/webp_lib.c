#define DYNLIB_TABLE_ONLY
#include "media/webp_lib.h"
#include "dynlib.h"

#define S(f) DYNLIB_SYM(struct webp_lib, "", f)
static const struct dynlib_sym syms[] = {
	S(WebPDecode),
	S(WebPFreeDecBuffer),
	S(WebPGetFeaturesInternal),
	S(WebPInitDecoderConfigInternal),
};
#undef S
#define S(f) DYNLIB_SYM(struct webpdemux_lib, "", f)
static const struct dynlib_sym demux_syms[] = {
	S(WebPAnimDecoderDelete),
	S(WebPAnimDecoderGetInfo),
	S(WebPAnimDecoderGetNext),
	S(WebPAnimDecoderNewInternal),
	S(WebPAnimDecoderOptionsInitInternal),
	S(WebPDemuxDelete),
	S(WebPDemuxGetChunk),
	S(WebPDemuxGetI),
	S(WebPDemuxInternal),
	S(WebPDemuxReleaseChunkIterator),
};
#undef S

struct webp_lib webp_fns;
struct webpdemux_lib webpdemux_fns;
/* libwebp 1.x's sonames (ABI 7 and 2) */
static struct dynlib lib = { .soname = "libwebp.so.7", .syms = syms, .nsyms = sizeof syms / sizeof *syms,
			     .fns = &webp_fns, .mu = PTHREAD_MUTEX_INITIALIZER };
static struct dynlib demux = { .soname = "libwebpdemux.so.2", .syms = demux_syms,
			       .nsyms = sizeof demux_syms / sizeof *demux_syms, .fns = &webpdemux_fns,
			       .mu = PTHREAD_MUTEX_INITIALIZER };

int webp_lib(char *why, size_t cap)
{
	return dynlib_get(&lib, why, cap) && dynlib_get(&demux, why, cap) ? 0 : -1;
}
