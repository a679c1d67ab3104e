/* lineedit: the interactive session's prompt — libedit's line editing and
 * key bindings (~/.editrc is read), an input history kept per user, Tab
 * completion through the caller, bracketed paste (a multi-line paste
 * becomes one part of the prompt, shown as a placeholder until it is sent)
 * and a """ block for typing several lines. */
#ifndef CHAT_LINEEDIT_H
#define CHAT_LINEEDIT_H
#include <stddef.h>
#include "buf.h"

/* What Tab may put in place of the word before the cursor. */
struct completions {
	size_t start;         /* where the word being completed starts in the line */
	char **v;             /* the candidates, each a whole replacement of the word */
	size_t n, cap;
	int no_space;         /* do not add a space after a single candidate (a folder) */
};
/* Add a candidate (copied). 0 or -1 when memory runs out. */
int completions_add(struct completions *c, const char *s);
/* Offer the candidates for line (cursor at its end, cut there). */
typedef void (*complete_fn)(void *ctx, const char *line, struct completions *out);

struct lineedit;

/* For the terminal on stdin and stdout; history_path may be NULL (none
 * kept). NULL when libedit cannot start (said). */
struct lineedit *lineedit_open(const char *prog, const char *history_path, complete_fn complete, void *ctx);
/* Read one prompt into out (reset first): a line, or a """ block, with
 * pastes put back in place of their placeholders. 1 when out holds a
 * prompt; 0 at the end of input (^D on an empty line); -1 when ^C
 * dropped the line (a key while reading: the terminal's ISIG is off) or
 * a signal stopped the reading (sig_caught says which). */
int lineedit_read(struct lineedit *le, const char *prompt, struct buf *out);
/* Bytes that arrived before the prompt was shown (type-ahead read by
 * someone else), to be read as if typed. */
void lineedit_push(struct lineedit *le, const char *p, size_t n);
/* Between prompts the terminal is the line editor's too: keys typed wait,
 * unechoed, for the next prompt. While a reply or command runs (busy) ^C
 * is the signal that stops it; once it is over (idle) ^C and ^D are keys
 * the next prompt reads. lineedit_open leaves it idle; lineedit_close puts
 * the terminal back as it found it. */
void lineedit_busy(struct lineedit *le);
void lineedit_idle(struct lineedit *le);
void lineedit_close(struct lineedit *le);
/* The input history's file: $XDG_STATE_HOME/chat/input_history, else
 * ~/.local/state/chat/input_history. 0, or -1 when there is no home. */
int lineedit_history_path(char *out, size_t cap);
#endif
