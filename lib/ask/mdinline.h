/* mdinline: the pieces of the Markdown renderer that work inside one line —
 * the reply's text made safe for a terminal, styles, and the inline
 * constructs (emphasis, strike, code spans, links, images, autolinks,
 * escapes). Used by mdrender.c only. No I/O. */
#ifndef CHAT_MDINLINE_H
#define CHAT_MDINLINE_H
#include "ask/mdrender.h"
#include <string.h>

/* Our own bytes (decorations, escape sequences), as they are: straight in
 * while the buffer has room, as this is called for every few bytes. */
void md_put_slow(struct mdrender *r, struct buf *out, const char *s, size_t n);
static inline void md_put(struct mdrender *r, struct buf *out, const char *s, size_t n)
{
	if (!n)
		return; /* s may be an empty buffer's NULL */
	if (out->len + n < out->cap && out->len + n <= out->max) {
		memcpy(out->p + out->len, s, n);
		out->len += n;
		out->p[out->len] = 0;
	} else {
		md_put_slow(r, out, s, n);
	}
}
#define md_puts(r, out, lit) md_put((r), (out), "" lit, sizeof(lit) - 1)
/* The reply's bytes made harmless: TAB kept, other C0 controls and DEL in
 * caret notation (ESC is ^[), C1 controls and invalid UTF-8 as U+FFFD. */
void md_text(struct mdrender *r, struct buf *out, const char *s, size_t n);
/* Start SGR codes add (e.g. "1"); style_off goes back to base ("" none).
 * Both write nothing without colour. */
void md_style_on(struct mdrender *r, struct buf *out, const char *add);
void md_style_off(struct mdrender *r, struct buf *out, const char *base);
/* s[0..n), one line's text without its ending, rendered inside base. */
void md_inline(struct mdrender *r, const char *s, size_t n, struct buf *out, const char *base);
/* The columns rendered bytes take on a terminal: escape sequences take
 * none, East Asian wide characters two, combining marks none. */
size_t md_width(const char *s, size_t n);
/* A blank (space or tab). */
static inline int md_space(char c)
{
	return c == ' ' || c == '\t';
}
/* How many bytes of c start at s[i] (before n). */
static inline size_t md_run_of(const char *s, size_t i, size_t n, char c)
{
	size_t j = i;
	while (j < n && s[j] == c)
		j++;
	return j - i;
}
#endif
