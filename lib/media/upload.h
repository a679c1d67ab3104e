/* upload: one file made ready for a model — an image decoded, turned
 * upright, shrunk, stripped of metadata and re-encoded; a video recognised
 * by its bytes and sent inline, or, when too large for that, uploaded to
 * the Gemini Files API — and returned as an attachment record. Shared by
 * chat-upload and the -a flag of chat-send and chat-stream. */
#ifndef CHAT_UPLOAD_H
#define CHAT_UPLOAD_H
#include <jv.h>
#include <stddef.h>
#include "buf.h"
#include "net/gemini_files.h"

/* Where a video too large to go inline goes: the Gemini Files API. */
struct upload_remote {
	struct gfiles_opts files;   /* base and key, timeouts, progress bar */
	/* Called before the first upload when set, to fill in files.base and
	 * files.key (chat-upload looks them up only once a large video needs
	 * them). 0, or an exit status with why filled. */
	int (*prepare)(struct upload_remote *r, char *why, size_t cap);
	void *ctx;
	int dry_run;                /* --dry-run: the upload's opening request printed as a
				     * record on stdout, nothing sent; the file is named
				     * files/dry-run in the attachment */
};

struct upload_opts {
	int max_side;            /* longest side in pixels */
	int quality;             /* JPEG quality */
	int flatten;             /* drop transparency onto bg */
	unsigned char bg[3];
	size_t max_bytes;        /* input size limit; a video goes inline when its base64 fits */
	size_t max_pixels;       /* decoded size limit (decompression bombs) */
	int square;              /* pad an image to a square with transparent borders, and keep it
				  * PNG (what a dall-e-2 edit takes: see image_square) */
	size_t max_out;          /* an image encodes under this many bytes, shrunk by quarters until it
				  * does; 0: no limit */
	const char *model;       /* -m: a file of a kind this model's inputs (the table's column,
				  * in model_inputs) lack is refused before any work or upload */
	const char *model_inputs;
	struct upload_remote *remote;   /* NULL: a video over the inline limit is refused... */
	const char *no_remote;          /* ...for this reason ("gpt-4o is not a Gemini model") */
};

void upload_defaults(struct upload_opts *o);
/* "low", "medium", "high" → JPEG quality; -1 when unknown. */
int upload_quality(const char *preset);
/* "#rrggbb", "rrggbb", "white", "black" → bg. 0 or -1. */
int upload_color(const char *s, unsigned char bg[3]);
/* Process path ("-" for stdin). On success *rec is an attachment record and,
 * when encoded is not NULL, the processed bytes are appended to it (a video
 * then never goes to the Files API). Returns 0, or an exit status (65 bad
 * data, 66 unreadable; for an upload, those of gfiles_upload) with why
 * filled. */
int upload_file(const char *path, const struct upload_opts *o, jv *rec, struct buf *encoded, char *why, size_t cap);
/* Bytes already in memory (a URL's body), the same way; source names
 * them in the record. A video too large to go inline is refused. */
int upload_buffer(const struct buf *in, const char *source, const struct upload_opts *o, jv *rec, char *why,
		  size_t cap);
/* After upload_emit: go on with the next file; stop quietly (a signal
 * arrived, or stdout's reader went away: sig_caught says which); or stop
 * with the status returned, whatever came before (stdout cannot be
 * written). */
enum upload_next { UPLOAD_NEXT, UPLOAD_STOP, UPLOAD_ABORT };
/* chat-upload's work for one file: upload_file, then the processed bytes
 * written to out whole or not at all (write_file_atomic, mode 0644) when
 * out is set, else the record as a line on stdout (and with -v a line
 * saying what was done). A file that fails is said on stderr unless quiet.
 * 0 or an exit status; *next says whether to go on. */
int upload_emit(const char *path, const struct upload_opts *o, const char *out, int quiet, enum upload_next *next);
/* -a: files into attachment records, through the same code. */
struct attachments;
struct model_info;
/* Process the -a files through chat-upload's code, shrunk for the model
 * (its table entry may be NULL). A video too large to go inline goes to
 * remote, or, when that is NULL, is refused saying why_not. 0 or an exit
 * status, said on stderr. */
int attachments_files(struct attachments *a, const char *const *paths, int n, const struct model_info *mi,
		      struct upload_remote *remote, const char *why_not);
/* The same with the upload options spelled out (a dall-e-2 edit's square
 * PNG). 0 or an exit status, said on stderr. */
int attachments_upload(struct attachments *a, const char *const *paths, int n, const struct upload_opts *uo);
#endif
