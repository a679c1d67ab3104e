/* ask: one prompt to one model, with its output — deltas streamed as they
 * arrive or the whole reply at the end, as text or records — and the exit
 * status the result means. Shared by chat-stream and chat-send. */
#ifndef CHAT_ASK_H
#define CHAT_ASK_H
#include <jv.h>
#include "attach.h"
#include "tokens/fit.h"
#include "ask/session.h"
#include "ask/extract.h"
#include "ask/mdrender.h"

enum ask_mode {
	ASK_STREAM = 1,      /* write each delta the moment it arrives */
	ASK_JSON = 2,        /* records (delta/response/error) instead of text */
	ASK_RECORD = 4,       /* one of many records: errors become records, never fatal */
	ASK_LOG_BESIDE = 8,   /* the prompt is written to the history while the request goes out */
};

struct ask {
	const char *prompt;
	const char *system;  /* NULL: the --system flag */
	const char *conversation; /* NULL: the --conversation flag */
	jv id;               /* borrowed; jv_invalid() when none */
	const struct attachments *atts;   /* NULL: none */
	unsigned mode;
	struct buf *hold;    /* output collected here instead of written (ordered batches) */
	/* called once, before the first byte of output or of a message about
	 * the reply (an interactive session's waiting indicator goes away) */
	void (*before_output)(void *ctx);
	void *before_output_ctx;
	struct buf *reply_copy;  /* the reply's text is left here too, or NULL */
};

/* Where a reply's text and records go. */
struct ask_sink {
	unsigned mode;
	jv id;
	const char *conversation;   /* the history's id, or NULL */
	struct buf out;      /* bytes waiting for the next write */
	struct buf text;     /* the whole reply so far, when anything needs it */
	int keep_text;
	int write_errno;
	struct buf *hold;    /* NULL: write to stdout */
	size_t total;        /* bytes of reply text so far, and the last of them */
	char last;
	int extracting;      /* -x and the like, as text: only the code goes out */
	struct extract code;
	int out_closed;      /* the wanted block is out: stdout now goes nowhere */
	int rendering;       /* --render: the streamed text goes out as rendered Markdown */
	struct mdrender md;
	void (*before_output)(void *ctx);   /* see struct ask */
	void *before_output_ctx;
	struct histlog *log_pending;   /* ASK_LOG_BESIDE: waited for before the first delta */
};

/* One ask in steps, for callers that run many exchanges at once. */
struct ask_state {
	struct chat_request rq;
	struct ask_sink k;
	struct chat_reply reply;
	struct exchange_timing t;
	struct fit f;
	int go;              /* the request may be sent (else a guard refused it) */
	int trimmed_again;
	int fallbacks;       /* --fallback models tried so far */
	int output_retried;  /* the answer broke the schema once already */
	struct usage spent;  /* usage of answers thrown away (paid for all the same) */
	jv data;             /* the parsed answer (with --schema), or jv_invalid() */
	int cached;          /* answered from the history (--cache) */
	char cache_key[65];
	char *cut;           /* --truncate: the prompt made to fit the window, or NULL */
};

/* Check, log the prompt, build and fit the request. 0, then ask_finish is
 * due (st->go says whether to exchange first); else an exit status, with an
 * error record already written in batch mode. */
int ask_begin(struct session *s, const struct ask *a, struct ask_state *st);
/* Start the exchange for st (see exchange_begin). */
int ask_exchange(struct session *s, struct ask_state *st, struct exchange *x);
/* After an exchange: 1 when it should be run once more with less context. */
int ask_again(struct session *s, struct ask_state *st);
/* After an exchange that failed as unavailable (overloaded, down, rate
 * limited after retries) before any text: 1 when s now names the next
 * --fallback model and the exchange should be run again with it. */
int ask_fallback(struct session *s, struct ask_state *st);
/* After a complete reply, with --schema: parse and check it. 1 when it
 * broke the schema and should be asked once more; else 0 (st->data set,
 * or the reply now failed with bad_output). */
int ask_output(struct session *s, struct ask_state *st);
/* --dry-run, in place of the exchange: write the request record st's
 * request would be sent as (with the ask's id and, with --max-cost, the
 * worst case), log nothing, free st. 0 or an exit status. */
int ask_describe(struct session *s, const struct ask *a, struct ask_state *st);
/* Record the reply, write the output. The exit status for the outcome. */
int ask_finish(struct session *s, const struct ask *a, struct ask_state *st);

/* Returns 0 or the exit status for the outcome. When a signal or a closed
 * stdout stopped it, sig_caught is set and the caller must sig_reraise()
 * once it has finished. */
int ask_run(struct session *s, const struct ask *a);
/* One prompt given as words (with the attachments read so far and the -a
 * files): pick the model, attach, ask. Returns 0 or an exit status, a
 * history failure's when the reply itself went out. */
int ask_words(struct session *s, const char *prompt, struct attachments *atts, unsigned mode);
/* Files attached for the model s names, through chat-upload's code: images
 * shrunk and re-encoded, a video too large to go inline uploaded to the
 * Gemini Files API (with the session's key) when the model is Gemini's. 0
 * or an exit status after a message. */
int ask_attach(struct session *s, struct attachments *atts, const char *const *files, int nfiles);
/* The model to continue a conversation with (-c, --conversation, or a
 * record's conversation): its last reply's, unless -m chose one. buf, or
 * NULL when the flags and defaults decide. */
const char *ask_conversation_model(const struct session *s, const char *conversation, char *buf, size_t cap);
#endif
