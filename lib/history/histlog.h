/* histlog: how chat-send and chat-stream use the history — pick or create
 * the conversation, load its earlier turns as context, log the user turn
 * (and a placeholder for the reply) before the request, and record the
 * reply, complete or cut off, when it ends. A history that cannot be
 * written never costs the reply: the failure is remembered and reported. */
#ifndef CHAT_HISTLOG_H
#define CHAT_HISTLOG_H
#include "chat.h"
#include "history/store.h"
#include "history/histrow.h"
#include "attach.h"
#include "history/spool.h"
#include "thread.h"
#include <pthread.h>

struct histlog {
	struct store st;
	int opened;          /* st is open */
	int status;          /* a history failure's exit status, or 0 */
	int logging;         /* this exchange is being logged */
	char db[4096];
	char conv[STORE_ID_LEN + 1];
	char user_msg[STORE_ID_LEN + 1];
	char reply_msg[STORE_ID_LEN + 1];
	struct message *msgs;  /* context, then the new user turn */
	size_t nmsgs;
	struct attachment *media;  /* earlier turns' attachments, as msgs point to them */
	size_t nmedia;
	/* The history was busy past its deadline when the prompt was to be
	 * logged: the exchange goes to the spool when it ends. */
	int spooling;
	char *sp_prompt, *sp_system, *sp_conversation, *sp_request_id;
	int sp_cont;
	char *system;          /* the system prompt in effect */
	/* histlog_start.defer: the user turn waits to be written (write_pending)
	 * by a thread of its own (writing) while the request goes out */
	int write_pending, writing;
	/* a turn that reads nothing from the history opens it on that thread
	 * too, so the request goes out without waiting for SQLite */
	int open_pending;
	struct thread_job writer;
	const struct attachments *sp_atts;
	/* A text turn whose conversation is known or new (its id made up
	 * front, conv_new) is first saved as a pending record in the spool
	 * (pending, while pending_held): once that is on disk the reply may be
	 * shown (gate 1), before SQLite has the turn (gate 2: the writer is
	 * done). */
	int pending_wanted, pending_held, conv_new;
	int forget_conv;     /* the turn is not kept: no conversation to name */
	struct spool_pending pending;
	pthread_mutex_t gate_mu;
	pthread_cond_t gate_cv;
	int gate;
	int resume;          /* the reply has started: SQLite's turn */
};

struct histlog_start {
	const char *db_flag;
	int no_log;
	int cont;                 /* -c: the most recent conversation */
	const char *conversation; /* ID or NAME (a new NAME is created) */
	const char *prompt;
	const char *system;       /* NULL: the conversation's own */
	const char *request_id;   /* a prompt record's id, or NULL */
	const struct attachments *atts;  /* stored with the user turn, or NULL */
	/* Read the context now and write the user turn later, beside the
	 * network (histlog_write_start); atts must then live until
	 * histlog_write_wait. The turn is written under the history's lock as
	 * ever, so names still meet; only the context is read before it. With
	 * no context to read, the history is opened then too. */
	int defer;
};

/* Prepare one exchange. 0, or an exit status when it must not go ahead
 * (a conversation was asked for and cannot be read). */
int histlog_begin(struct histlog *h, const struct histlog_start *hs);
/* With defer: start writing the user turn on a thread of its own, so its
 * fsyncs overlap DNS, connect, TLS and the request. Until
 * histlog_write_wait, h and its store are that thread's. */
void histlog_write_start(struct histlog *h);
/* Wait for that write (or do it now, if it was not started): then
 * logging, status and conv say how it went. Nothing when none is due. */
void histlog_write_wait(struct histlog *h);
/* Wait until the user turn is durable: in the history, or in its pending
 * record in the spool (then the write goes on beside, and conv does not
 * change). The first byte of a reply is written only after this, so every
 * reply shown has its prompt in the history or in the spool the next
 * program writes in from. */
void histlog_prompt_wait(struct histlog *h);
/* Record how the reply ended. */
void histlog_end(struct histlog *h, const char *text, size_t len, const struct chat_reply *r,
		 const struct exchange_timing *t, const char *provider, const char *model, double cost);
/* Media a reply brought (chat-image's images): stored once each by content
 * and linked, in order, to the reply's message. 0, or -1 with the failure
 * remembered in status. */
struct histlog_media {
	const char *mime;
	const void *data;
	size_t len;
};
int histlog_reply_media(struct histlog *h, const struct histlog_media *m, size_t n);
void histlog_close(struct histlog *h);
/* The model of the conversation -c or a name/id picks (the one its last
 * reply came from, as provider:model), read without writing anything. 0
 * with out set; 1 when there is none (no history, no such conversation,
 * no reply yet); the history's exit status when it cannot be read. */
int histlog_conversation_model(const char *db_flag, int cont, const char *conversation, char *out, size_t cap);
/* Write the exchanges waiting in the spool beside the history into it, in
 * the order they ended, and remove them: at once, under the history's
 * lock, so two programs never write one twice. Quietly does nothing when
 * there are none or the lock cannot be had now. The number written. */
size_t histlog_spool_replay(struct store *s);
/* An exchange that is written whole, after the fact (a batch's collected
 * reply): the prompt as the user turn of the conversation named (made, with
 * that name, when there is none) or of a new one, and the reply after it. */
struct histlog_exchange {
	const char *conversation;   /* a name, id or prefix; NULL: a new conversation */
	const char *prompt, *system, *request_id;
	const char *user_created;   /* when the prompt was made; the reply is now */
	const struct attachments *atts;
	struct histrow_message reply;  /* how it ended; its id and place are made here */
};
/* Inside the caller's write transaction. 0 with the conversation's and the
 * reply's ids, or -1 (said). */
int histlog_write_exchange(struct store *s, const struct histlog_exchange *x, char conv[STORE_ID_LEN + 1],
			   char reply_id[STORE_ID_LEN + 1]);
/* --skip-done: has the history a complete reply to the record whose id
 * (borrowed; a string or a number) is given? 1 or 0 (also for no id). */
int histlog_answered(struct store *s, jv id);
/* A conversation's title from its first prompt: the first line, cut at a
 * character boundary to fit cap. */
void histlog_title(const char *prompt, char *out, size_t cap);
#endif
