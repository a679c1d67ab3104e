/* extract: the fenced code blocks of a reply (-x, --extract-all,
 * --extract-lang), found by CommonMark's rules for fences as the reply's
 * bytes arrive in pieces of any size. No I/O: the code goes into a buf. */
#ifndef CHAT_EXTRACT_H
#define CHAT_EXTRACT_H
#include "buf.h"
#include "ask/fence.h"
#include <jv.h>

struct extract {
	int all;                 /* every block, not just the first */
	char lang[64];           /* only blocks whose info string starts with this word; "" any */
	struct buf line;         /* the line being received */
	int in_block;
	struct fence fence;      /* the open block's */
	int selected;            /* the open block's lines go out */
	int found;               /* blocks selected so far */
	int done;                /* nothing more will be selected */
	int separate;            /* a blank line between blocks (the default) */
};

/* all: every matching block; lang: NULL or "" for any language. */
void extract_init(struct extract *x, int all, const char *lang);
/* Take n more bytes of the reply; the code lines now complete are added to
 * out. 0, or -1 when memory (or the line's cap) runs out. */
int extract_feed(struct extract *x, const char *p, size_t n, struct buf *out);
/* The reply has ended: a block left open runs to its end, and its last
 * line is added to out (with a newline). 0 or -1. */
int extract_end(struct extract *x, struct buf *out);
/* The code of a whole reply, for a response record's "code": the block's
 * text, or null when there is none (or memory ran out); with all, an
 * array of the blocks'. */
jv extract_code(int all, const char *lang, const char *text, size_t len);
void extract_free(struct extract *x);
#endif
