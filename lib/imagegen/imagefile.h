/* imagefile: a generated image made safe to keep — decoded back with
 * libpng/libjpeg-turbo (and re-encoded when another format was asked for),
 * named, and written atomically: a temporary file beside the target, fsync,
 * then a rename that never replaces an existing file unless asked to. A
 * provider's broken bytes never reach the disk. */
#ifndef CHAT_IMAGEFILE_H
#define CHAT_IMAGEFILE_H
#include <jv.h>
#include "buf.h"
#include "media/image.h"

struct imagefile_opts {
	const char *dir;          /* where named files go; NULL: the current directory */
	const char *output;       /* -o FILE, or NULL for names made from the prompt */
	int count;                /* images in all: with more than one, -o FILE gives FILE-1.png, ... */
	const char *prompt;       /* the names under dir start with a slug of it */
	int force;                /* replace an existing file */
	enum image_format want;   /* IMG_PNG or IMG_JPEG; IMG_UNKNOWN: as the provider sent it */
};

struct imagefile {
	char path[4096];
	const char *mime;         /* image/png or image/jpeg */
	int width, height;
	struct buf data;          /* the bytes written */
	char sha256[65];
};

#define IMAGEFILE_BAD (-1)    /* imagefile_save: the bytes are not a whole PNG or JPEG */

/* Check image number index (from 1) and write it. 0; IMAGEFILE_BAD with
 * why when the bytes are not a valid image (nothing is written); else an
 * exit status with why: 73 the file exists (without force) or cannot be
 * written, 128 + signal when one arrived. f is filled on 0 and must then be
 * freed with imagefile_free. */
int imagefile_save(const struct imagefile_opts *o, int index, const void *p, size_t n, struct imagefile *f,
		   char *why, size_t cap);
void imagefile_free(struct imagefile *f);
/* The image record (DESIGN.md) of a file written; revised may be NULL. */
jv imagefile_record(const struct imagefile *f, const char *revised);
/* The format a file name asks for by its extension (.png; .jpg or .jpeg;
 * any case), or IMG_UNKNOWN (path may be NULL). */
enum image_format imagefile_format_for(const char *path);
/* The first words of a prompt as a file name: ASCII lower-case letters and
 * digits joined by dashes, at most 40 characters, "image" when none. */
void imagefile_slug(const char *prompt, char *out, size_t cap);
#endif
