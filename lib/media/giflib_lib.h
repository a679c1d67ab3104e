/* giflib_lib: giflib, opened the first time a GIF is read rather than
 * linked, so the runs that never meet an image (a chat-stream reply) do
 * not map and relocate it at each start. After this header the giflib
 * names used here call through the table; giflib_lib.c, which fills it,
 * defines DYNLIB_TABLE_ONLY to see the real names. */
#ifndef CHAT_GIFLIB_LIB_H
#define CHAT_GIFLIB_LIB_H
#include <gif_lib.h>
#include <stddef.h>

struct gif_lib {
	__typeof__(DGifCloseFile) *DGifCloseFile;
	__typeof__(DGifGetCode) *DGifGetCode;
	__typeof__(DGifGetCodeNext) *DGifGetCodeNext;
	__typeof__(DGifGetExtension) *DGifGetExtension;
	__typeof__(DGifGetExtensionNext) *DGifGetExtensionNext;
	__typeof__(DGifGetImageDesc) *DGifGetImageDesc;
	__typeof__(DGifGetLine) *DGifGetLine;
	__typeof__(DGifGetRecordType) *DGifGetRecordType;
	__typeof__(DGifOpen) *DGifOpen;
	__typeof__(GifErrorString) *GifErrorString;
};
extern struct gif_lib gif_fns;

/* The table, loaded once (thread-safe), before any call through it; NULL
 * with why when giflib cannot be opened. */
const struct gif_lib *gif_lib(char *why, size_t cap);

#ifndef DYNLIB_TABLE_ONLY
#define DGifCloseFile gif_fns.DGifCloseFile
#define DGifGetCode gif_fns.DGifGetCode
#define DGifGetCodeNext gif_fns.DGifGetCodeNext
#define DGifGetExtension gif_fns.DGifGetExtension
#define DGifGetExtensionNext gif_fns.DGifGetExtensionNext
#define DGifGetImageDesc gif_fns.DGifGetImageDesc
#define DGifGetLine gif_fns.DGifGetLine
#define DGifGetRecordType gif_fns.DGifGetRecordType
#define DGifOpen gif_fns.DGifOpen
#define GifErrorString gif_fns.GifErrorString
#endif
#endif
