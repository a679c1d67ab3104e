/* mdrender: a reply's Markdown made readable on a terminal as it streams —
 * ATX and setext headings, emphasis, strike, code spans, links, images,
 * autolinks, lists and task lists, block quotes, tables, thematic breaks,
 * fenced and indented code. Fed bytes in pieces of any size, it renders
 * each line the moment its newline arrives, and the output is the same
 * however the input was split. Code lines go out as received (no colour,
 * no prefix but a block quote's bar), so they copy cleanly. Nothing the
 * reply sends can drive the terminal: control characters are shown in
 * caret notation (ESC as ^[), in code too. Without colour the structure
 * (bullets, bars, rules) is kept and no escape sequence is written. No I/O. */
#ifndef CHAT_MDRENDER_H
#define CHAT_MDRENDER_H
#include "buf.h"
#include "ask/fence.h"

enum { MDRENDER_MAX_COLS = 32 };

struct mdrender {
	int colour;              /* ANSI SGR codes and OSC 8 links allowed */
	int oom;                 /* memory ran out; the output is incomplete */
	struct buf line;         /* the line being received */
	struct buf cell;         /* a table cell being rendered */
	int in_code;             /* inside a fenced block */
	struct fence fence;      /* the open block's */
	size_t code_quotes;      /* the block quotes it is in */
	size_t code_indent;      /* the list indentation its fences may have */
	int in_indented;         /* inside an indented code block */
	int prev_blank;          /* the last line was blank (or none came yet) */
	size_t list_indent;      /* the open list item's content column, or 0 */
	size_t para_width;       /* the last line was a paragraph's, this wide */
	int in_table;
	size_t ncols, width[MDRENDER_MAX_COLS];  /* the table's first row's cells */
	char align[MDRENDER_MAX_COLS];           /* 'l', 'c' or 'r', from |:-:| */
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
