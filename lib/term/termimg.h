/* termimg: pictures inline in the terminal. Which image protocol the
 * terminal speaks is asked of the terminal itself (its answers, never $TERM
 * or a program name), or set by $CHAT_IMAGES; an image file is then written
 * in that protocol, scaled down to a box of character cells. The pixels come
 * from media/'s decoder, so caps and EXIF orientation are the same as for
 * every other image the programs read. */
#ifndef CHAT_TERMIMG_H
#define CHAT_TERMIMG_H
#include "buf.h"
#include <stddef.h>

enum termimg_proto { TERMIMG_NONE, TERMIMG_KITTY, TERMIMG_ITERM2, TERMIMG_SIXEL };

/* Ask the terminal on fd (a tty, read and written) which protocol it
 * speaks: the kitty graphics query (a=q, a 1x1 image, id
 * TERMIMG_QUERY_ID), XTVERSION (ESC [>0q), then Primary Device Attributes
 * (ESC [c), which every terminal answers, so its reply ends the wait. The
 * replies are read with the tty in raw, no-echo mode (put back as it was
 * after, without flushing anything) until the DA1 reply arrives or
 * timeout_ms passes. kitty's OK -> KITTY; XTVERSION naming iTerm2 or
 * WezTerm -> ITERM2 (WezTerm speaks kitty too: kitty wins when it answers
 * OK); DA1 listing attribute 4 -> SIXEL; else NONE (also when fd is not a
 * tty, with nothing written). Bytes read that are not replies (keys typed
 * meanwhile, before, between or after them) are returned in *typeahead
 * (malloc'd, NULL when none; the caller frees it) for the caller to push
 * back to its line editor. A reply still on its way when the time runs out
 * is not waited for: give a slow link (ssh) a second or so. */
enum termimg_proto termimg_detect(int fd, int timeout_ms, char **typeahead, size_t *ntypeahead);
#define TERMIMG_QUERY_ID 31

/* $CHAT_IMAGES = kitty, iterm2, sixel or none (any case) sets *p and
 * returns 0; unset, empty or anything else returns -1 (detect instead). */
int termimg_from_env(enum termimg_proto *p);
/* "kitty", "iterm2", "sixel", "none". */
const char *termimg_name(enum termimg_proto p);

/* Write the image file at path (PNG or JPEG) to out_fd inline, scaled down
 * (never up) to fit max_cols x max_rows cells, then a newline. The cell
 * size in pixels is TIOCGWINSZ's ws_xpixel/ws_col and ws_ypixel/ws_row on
 * out_fd when those are nonzero, else 10x20; max_cols or max_rows <= 0
 * means the window's columns or rows (else 80 or 24). TERMIMG_NONE writes
 * nothing and fails. 0, or -1 with why (cap bytes) set; nothing is written
 * unless the whole image is ready, and a failed write says so in why. */
int termimg_show(int out_fd, enum termimg_proto p, const char *path, int max_cols, int max_rows,
                 char *why, size_t cap);

/* termimg_show's work on the bytes of a PNG or JPEG in memory, for a given
 * cell size (both > 0) and box (both > 0): the escape sequences and the
 * newline are appended to out. 0, or -1 with why (out as it was). */
int termimg_render(enum termimg_proto p, const unsigned char *data, size_t n, int max_cols, int max_rows,
                   int cell_w, int cell_h, struct buf *out, char *why, size_t cap);
#endif
