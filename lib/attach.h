/* attach: attachment records (DESIGN.md: mime, data as base64 or uri,
 * width, height, bytes, sha256, source) read from stdin or from a prompt
 * record's "attachments", checked, and held for the request. */
#ifndef CHAT_ATTACH_H
#define CHAT_ATTACH_H
#include <jv.h>
#include <stddef.h>
#include "models.h"
#include "records.h"

struct attachment {
	const char *mime;      /* points into the held records */
	const char *data;      /* base64, or NULL when uri is set */
	size_t data_len;
	const char *uri;
	const char *kind;      /* "image", "video", "pdf" or "audio" (attach_kind) */
	int width, height;     /* pixels, 0 when the record does not say */
	long pages;            /* a PDF's pages, -1 when not known */
	double duration;       /* audio's seconds, -1 when not known */
	const char *filename;  /* the source's last component, or NULL (OpenAI names a PDF) */
};

struct attachments {
	struct attachment *v;
	size_t n;
	jv held;               /* the records the pointers point into */
};

/* The most attachments one prompt may carry: Anthropic's per-request limit
 * (OpenAI and Gemini take more); each is a separate part of the request,
 * so a record with 100,000 of them is refused, not built. */
#define ATTACH_MAX 100

/* The kind of input a MIME type is, as the model table's inputs column
 * names it: "image", "video", "pdf", "audio"; NULL for any other. */
const char *attach_kind(const char *mime);
/* The bytes base64 of len characters decodes to. */
size_t attach_bytes(const struct attachment *a);

void attachments_init(struct attachments *a);
void attachments_free(struct attachments *a);
/* Add one attachment record (borrowed). 0, or -1 with why filled (a bad
 * record, or one past ATTACH_MAX). */
int attachments_add(struct attachments *a, jv rec, char *why, size_t cap);
/* Read stdin's records, which must all be attachments. 0 or an exit status. */
int attachments_read(struct attachments *a, struct line_reader *lr);
/* What a request's attachments add up to, for the providers' limits. */
struct attach_tally {
	long pages, most_pages;    /* PDF pages in all, and in the longest PDF */
	double pdf_bytes, b64;     /* PDF bytes; base64 characters of every inline attachment */
	double seconds;            /* audio */
};
void attach_tally_add(struct attach_tally *t, const struct attachment *a);
/* 1 with why filled when the tally is past a limit of provider's, else 0. */
int attach_tally_over(const struct attach_tally *t, const char *provider, const char *model_name, char *why,
		      size_t cap);
/* Refuse, before any request, an attachment the model cannot take (names
 * the models in the table that can), or attachments past the provider's
 * limits (OpenAI: WAV or MP3 audio only, 100 PDF pages and 32 MB of
 * files; Anthropic: 100 PDF pages, a 32 MB request; Gemini: 1,000 pages a
 * PDF, 9.5 hours of audio, 20 MB inline). 0 or an exit status (65). */
int attachments_check(const struct attachments *a, const char *model_name, const struct model_info *mi,
		      const struct models *table);
#endif
