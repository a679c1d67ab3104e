/* mdrender: a reply's Markdown made readable on a terminal as it streams —
 * headings, emphasis, code spans, links, lists, block quotes, tables,
 * thematic breaks and fenced code. Fed bytes in pieces of any size, it
 * renders each line the moment its newline arrives. Code blocks' lines go
 * out exactly as received (no colour, no prefix), so they copy cleanly.
 * Without colour the structure (bullets, bars, rules) is kept and no
 * escape sequence is written. No I/O. */
#ifndef CHAT_MDRENDER_H
#define CHAT_MDRENDER_H
#include "buf.h"
#include "ask/fence.h"

enum { MDRENDER_MAX_COLS = 32 };

struct mdrender {
	int colour;              /* ANSI SGR codes allowed */
	int oom;                 /* memory ran out; the output is incomplete */
	struct buf line;         /* the line being received */
	int in_code;
	struct fence fence;      /* the open code block's */
	int in_table;
	size_t ncols, width[MDRENDER_MAX_COLS];  /* the table's first row's cells */
};

void mdrender_init(struct mdrender *r, int colour);
/* Take n more bytes; the rendered lines now complete are added to out.
 * 0, or -1 when memory runs out. */
int mdrender_feed(struct mdrender *r, const char *p, size_t n, struct buf *out);
/* The reply has ended: its last line, if it had no newline, rendered
 * (without one). 0 or -1. */
int mdrender_end(struct mdrender *r, struct buf *out);
void mdrender_free(struct mdrender *r);
#endif
