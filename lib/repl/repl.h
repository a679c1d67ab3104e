/* repl: the interactive session of `chat` — a prompt with line editing,
 * replies streamed and rendered as they arrive, every turn logged in the
 * shared history as chat-send logs it, ^C stopping a reply (kept, marked
 * interrupted) without leaving, and /commands for conversations, models,
 * attachments, images and costs. */
#ifndef CHAT_REPL_H
#define CHAT_REPL_H
#include "attach.h"
#include "buf.h"
#include "cli.h"
#include "ask/session.h"
#include "history/store.h"
#include "repl/lineedit.h"

struct repl {
	struct cli_opts *o;        /* the flags, changed by /model and /system */
	struct session s;
	struct lineedit *le;
	char conv[STORE_ID_LEN + 1];   /* the conversation talked in; "" until its first turn */
	char *new_name;            /* /new NAME (or --conversation NAME): the next new conversation's name */
	char *last_prompt;
	struct buf last_reply;
	struct attachments pending;    /* /attach: sent with the next prompt */
	struct buf pending_files;      /* /file (and -f): blocks added to the next prompt */
	char *model_choice;        /* /model's, which outlives its line */
	char *system_choice;       /* /system's */
	int model_chosen;          /* -m or /model named the model */
	int images;                /* the terminal's image protocol; -1 until asked */
	int colour;                /* stdout is a terminal that takes colour */
	int quit;
};

/* Run the session until ^D, /quit or a signal other than SIGINT. o is
 * the parsed flags. The exit status (sig_caught set when a signal ended it). */
int repl_run(struct cli_opts *o);

/* The commands (repl_cmds.c). */
/* Run the command line (it starts with '/'). 0, or -1 when the session ends. */
int repl_command(struct repl *r, char *line);
/* Tab: what may complete the line (commands, models, conversations, files). */
void repl_complete(void *ctx, const char *line, struct completions *out);
/* Ask prompt in the current conversation (with the /attach files). 0, or
 * -1 when a signal other than ^C means the session must end. */
int repl_ask(struct repl *r, const char *prompt);
/* The history for reading (and writing with create), or an exit status
 * after a message; 1 when there is none yet (read). */
int repl_store(struct repl *r, struct store *st, enum store_open_mode mode);
/* Show an image file inline where the terminal can (nothing elsewhere:
 * the caller has named the file). */
void repl_show_image(struct repl *r, const char *path);
/* A note to the user on stdout, in dim colour on a colour terminal. */
void repl_note(const struct repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
