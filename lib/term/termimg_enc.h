/* termimg_enc: the protocols' encoders behind termimg_render. Each appends
 * one picture's escape sequences to out (no newline) and returns 0, or -1
 * with why; out is rolled back by the caller. */
#ifndef CHAT_TERMIMG_ENC_H
#define CHAT_TERMIMG_ENC_H
#include "buf.h"
#include "media/image.h"

struct termimg_pic {
	const struct image *im;         /* the pixels, upright and fitted */
	const unsigned char *file;      /* the file's bytes when they show the same */
	size_t nfile;                   /* pixels as they are (else NULL, 0) */
	enum image_format format;       /* the file's */
	int cols, rows;                 /* the cells the picture covers */
};

/* kitty: a PNG, base64 in chunks of at most 4096 bytes. */
int termimg_kitty(const struct termimg_pic *pic, struct buf *out, char *why, size_t cap);
/* iTerm2: OSC 1337 File=, the file itself or re-encoded. */
int termimg_iterm2(const struct termimg_pic *pic, struct buf *out, char *why, size_t cap);
#endif
