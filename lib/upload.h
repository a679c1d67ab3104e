/* upload: one file made ready for a model — an image decoded, turned
 * upright, shrunk, stripped of metadata and re-encoded; a video recognised
 * by its bytes — and returned as an attachment record. Shared by
 * chat-upload and the -a flag of chat-send and chat-stream. */
#ifndef CHAT_UPLOAD_H
#define CHAT_UPLOAD_H
#include <jv.h>
#include <stddef.h>
#include "buf.h"

struct upload_opts {
	int max_side;            /* longest side in pixels */
	int quality;             /* JPEG quality */
	int flatten;             /* drop transparency onto bg */
	unsigned char bg[3];
	size_t max_bytes;        /* input size limit */
	size_t max_pixels;       /* decoded size limit (decompression bombs) */
};

void upload_defaults(struct upload_opts *o);
/* "low", "medium", "high" → JPEG quality; -1 when unknown. */
int upload_quality(const char *preset);
/* "#rrggbb", "rrggbb", "white", "black" → bg. 0 or -1. */
int upload_color(const char *s, unsigned char bg[3]);
/* Process path ("-" for stdin). On success *rec is an attachment record and,
 * when encoded is not NULL, the processed bytes are appended to it. Returns
 * 0, or an exit status (65 bad data, 66 unreadable) with why filled. */
int upload_file(const char *path, const struct upload_opts *o, jv *rec, struct buf *encoded, char *why, size_t cap);
#endif
