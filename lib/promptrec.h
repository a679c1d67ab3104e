/* promptrec: a prompt record (DESIGN.md) read and checked once, the same
 * way for chat-send -r and chat-batch submit, so both refuse a bad one
 * with the same words. */
#ifndef CHAT_PROMPTREC_H
#define CHAT_PROMPTREC_H
#include <jv.h>
#include <stddef.h>
#include "attach.h"

struct prompt_rec {
	jv id;                  /* the record's "id", jv_invalid() when it has none */
	jv text;                /* a non-empty string once parsed */
	jv system, conversation; /* strings, or whatever else the record holds */
	char model[256];        /* "" for the default */
	struct attachments atts;
};

/* Read rec (borrowed) into out. 0, or -1 with why saying what is wrong:
 * not a prompt, no text, a bad attachment, a NUL or bad UTF-8 in a string.
 * out is filled either way (its id goes on the error record): free it
 * with prompt_record_free. */
int prompt_record_parse(jv rec, struct prompt_rec *out, char *why, size_t cap);
void prompt_record_free(struct prompt_rec *p);
/* A field's string, or NULL when it holds none. */
const char *prompt_rec_str(jv field);
#endif
