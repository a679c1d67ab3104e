/* histrow: the one writer of the history's rows — conversations, messages
 * and the media linked to them. The column lists live here only, in step
 * with store.c's migrations (schema 5): chat-send's exchanges, the spool's
 * replay, a batch's collected replies and import all write through them. */
#ifndef CHAT_HISTROW_H
#define CHAT_HISTROW_H
#include "history/store.h"
#include "attach.h"

struct histrow_conversation {
	const char *id, *name, *title, *system, *created, *updated;   /* NULL: none */
};

/* A message row: NULL strings and negative numbers are stored as NULL. */
struct histrow_message {
	const char *id, *conversation;
	long seq;
	const char *role;
	const char *text;
	size_t len;                 /* text's bytes */
	const char *status, *finish, *provider, *model;
	int have_usage;
	long input, output, cached, reasoning;
	double cost;
	long ttft_ms, ms;
	const char *request_id, *created, *batch_job, *asked_model, *tool_calls;
};

/* The record fields a bulk load binds, in the order of the insert
 * statement's parameters ("usage.input" is usage's input). */
#define HISTROW_CONVERSATION_COLS 6
#define HISTROW_MESSAGE_COLS 21
extern const char *const histrow_conversation_fields[HISTROW_CONVERSATION_COLS];
extern const char *const histrow_message_fields[HISTROW_MESSAGE_COLS];
/* the messages table's columns, in the same order */
extern const char *const histrow_message_columns[HISTROW_MESSAGE_COLS];

enum histrow_table { HISTROW_CONVERSATIONS, HISTROW_MESSAGES };
/* The insert statement for many rows, followed by conflict (an upsert
 * clause such as " ON CONFLICT DO NOTHING", or ""). NULL after saying why. */
store_stmt *histrow_prepare_insert(struct store *s, enum histrow_table t, const char *conflict);

/* Inside a write transaction; each 0 or -1 (said). */
int histrow_insert_conversation(struct store *s, const struct histrow_conversation *c);
int histrow_insert_message(struct store *s, const struct histrow_message *m);
/* A reply's row as it ended (m->id names it; its place is kept); m->text,
 * when given, has a NUL after its len bytes. */
int histrow_update_reply(struct store *s, const struct histrow_message *m);
/* A new conversation with the id given (made earlier, and maybe shown). */
int histrow_add_conversation(struct store *s, const char *conv, const char *name, const char *title,
			     const char *created);
/* A new conversation, its id made here. */
int histrow_new_conversation(struct store *s, char conv[STORE_ID_LEN + 1], const char *name, const char *title,
			     const char *created);
/* The last seq in conv (0 when it has none), or -1. */
long histrow_last_seq(struct store *s, const char *conv);
/* The conversation was written to now (and has this system prompt, when given). */
int histrow_touch_conversation(struct store *s, const char *conv, const char *now, const char *system);
/* One exchange's two rows at the end of conv: the prompt, and the reply
 * as a placeholder marked interrupted until it is saved; then touched. */
int histrow_insert_turn(struct store *s, const char *conv, const char *user_id, const char *reply_id,
			const char *prompt, const char *system, const char *request_id, const char *now);

/* Media stored once by content (sha256) and linked, as item ord, to one message. */
struct histrow_media {
	struct store *s;
	store_stmt *media, *link;
	store_int rid;
};
int histrow_media_open(struct histrow_media *w, struct store *s, const char *msg_id);
int histrow_media_put(struct histrow_media *w, int ord, const char *mime, const void *data, size_t len);
void histrow_media_close(struct histrow_media *w);
/* A prompt's attachments that carry their bytes (base64), linked to msg_id
 * in their order; those by uri have no bytes here and are not stored. */
int histrow_attachments(struct store *s, const char *msg_id, const struct attachments *a);
#endif
