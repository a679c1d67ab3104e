/* ask: one prompt to one model, with its output — deltas streamed as they
 * arrive or the whole reply at the end, as text or records — and the exit
 * status the result means. Shared by chat-stream and chat-send. */
#ifndef CHAT_ASK_H
#define CHAT_ASK_H
#include <jv.h>
#include "attach.h"
#include "session.h"

enum ask_mode {
	ASK_STREAM = 1,      /* write each delta the moment it arrives */
	ASK_JSON = 2,        /* records (delta/response/error) instead of text */
	ASK_BATCH = 4,       /* one of many records: errors become records, never fatal */
};

struct ask {
	const char *prompt;
	const char *system;  /* NULL: the --system flag */
	const char *conversation; /* NULL: the --conversation flag */
	jv id;               /* borrowed; jv_invalid() when none */
	const struct attachments *atts;   /* NULL: none */
	unsigned mode;
};

/* Returns 0 or the exit status for the outcome. When a signal or a closed
 * stdout stopped it, sig_caught is set and the caller must sig_reraise()
 * once it has finished. */
int ask_run(struct session *s, const struct ask *a);
/* One prompt given as words (with the attachments read so far and the -a
 * files): pick the model, attach, ask. Returns 0 or an exit status, a
 * history failure's when the reply itself went out. */
int ask_words(struct session *s, const char *prompt, struct attachments *atts, unsigned mode);
#endif
