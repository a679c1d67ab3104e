/* webp_lib: libwebp and libwebpdemux, opened the first time a WebP is read
 * rather than linked, so the runs that never meet an image (a chat-stream
 * reply) do not map and relocate them at each start. After this header the
 * libwebp names used here call through the tables, the header's inline
 * wrappers included (they would call the libraries directly);
 * webp_lib.c, which fills them, defines DYNLIB_TABLE_ONLY to see the real
 * names. */
#ifndef CHAT_WEBP_LIB_H
#define CHAT_WEBP_LIB_H
#include <stddef.h>
#include <webp/decode.h>
#include <webp/demux.h>

struct webp_lib {
	__typeof__(WebPDecode) *WebPDecode;
	__typeof__(WebPFreeDecBuffer) *WebPFreeDecBuffer;
	__typeof__(WebPGetFeaturesInternal) *WebPGetFeaturesInternal;
	__typeof__(WebPInitDecoderConfigInternal) *WebPInitDecoderConfigInternal;
};
struct webpdemux_lib {
	__typeof__(WebPAnimDecoderDelete) *WebPAnimDecoderDelete;
	__typeof__(WebPAnimDecoderGetInfo) *WebPAnimDecoderGetInfo;
	__typeof__(WebPAnimDecoderGetNext) *WebPAnimDecoderGetNext;
	__typeof__(WebPAnimDecoderNewInternal) *WebPAnimDecoderNewInternal;
	__typeof__(WebPAnimDecoderOptionsInitInternal) *WebPAnimDecoderOptionsInitInternal;
	__typeof__(WebPDemuxDelete) *WebPDemuxDelete;
	__typeof__(WebPDemuxGetChunk) *WebPDemuxGetChunk;
	__typeof__(WebPDemuxGetI) *WebPDemuxGetI;
	__typeof__(WebPDemuxInternal) *WebPDemuxInternal;
	__typeof__(WebPDemuxReleaseChunkIterator) *WebPDemuxReleaseChunkIterator;
};
extern struct webp_lib webp_fns;
extern struct webpdemux_lib webpdemux_fns;

/* Both tables, loaded once (thread-safe), before any call through them:
 * 0, or -1 with why when either library cannot be opened. */
int webp_lib(char *why, size_t cap);

#ifndef DYNLIB_TABLE_ONLY
#define WebPDecode webp_fns.WebPDecode
#define WebPFreeDecBuffer webp_fns.WebPFreeDecBuffer
#define WebPGetFeaturesInternal webp_fns.WebPGetFeaturesInternal
#define WebPInitDecoderConfigInternal webp_fns.WebPInitDecoderConfigInternal
#define WebPAnimDecoderDelete webpdemux_fns.WebPAnimDecoderDelete
#define WebPAnimDecoderGetInfo webpdemux_fns.WebPAnimDecoderGetInfo
#define WebPAnimDecoderGetNext webpdemux_fns.WebPAnimDecoderGetNext
#define WebPAnimDecoderNewInternal webpdemux_fns.WebPAnimDecoderNewInternal
#define WebPAnimDecoderOptionsInitInternal webpdemux_fns.WebPAnimDecoderOptionsInitInternal
#define WebPDemuxDelete webpdemux_fns.WebPDemuxDelete
#define WebPDemuxGetChunk webpdemux_fns.WebPDemuxGetChunk
#define WebPDemuxGetI webpdemux_fns.WebPDemuxGetI
#define WebPDemuxInternal webpdemux_fns.WebPDemuxInternal
#define WebPDemuxReleaseChunkIterator webpdemux_fns.WebPDemuxReleaseChunkIterator
#define WebPGetFeatures(data, size, features) \
	WebPGetFeaturesInternal((data), (size), (features), WEBP_DECODER_ABI_VERSION)
#define WebPInitDecoderConfig(config) WebPInitDecoderConfigInternal((config), WEBP_DECODER_ABI_VERSION)
#define WebPDemux(data) WebPDemuxInternal((data), 0, NULL, WEBP_DEMUX_ABI_VERSION)
#define WebPAnimDecoderOptionsInit(options) WebPAnimDecoderOptionsInitInternal((options), WEBP_DEMUX_ABI_VERSION)
#define WebPAnimDecoderNew(data, options) WebPAnimDecoderNewInternal((data), (options), WEBP_DEMUX_ABI_VERSION)
#endif
#endif
