/* chat: the nouns every part of the suite shares — a conversation's
 * messages, one request to a model, the reply it brought, and how long it
 * took — with no library behind them, so the history, the token counter
 * and the cost tally can name them without reaching the network code. */
#ifndef CHAT_CHAT_H
#define CHAT_CHAT_H
#include <jv.h>
#include <stddef.h>
#include "errcode.h"

struct attachment;   /* attach.h */

struct message {
	const char *role;   /* "user" or "assistant" */
	const char *text;
	const struct attachment *atts;   /* an earlier user turn's attachments, sent again */
	size_t natts;
};

struct chat_request {
	const char *model;      /* the provider's own model name */
	const char *system;     /* may be NULL */
	const struct message *msgs;
	size_t nmsgs;
	const struct attachment *atts;   /* go with the last (new) user turn */
	size_t natts;
	/* Earlier turns before this one go without their attachments (left
	 * out to fit the window); NULL: every turn keeps its own. */
	const struct message *atts_from;
	long max_tokens;        /* 0: the model's default */
	long default_max_tokens;/* for providers that require a limit (Anthropic) */
	double temperature;     /* < 0: not sent */
	const char *schema;     /* JSON Schema text the reply must follow, or NULL */
};

/* The name the structured-output schema (or forced tool) goes by. */
#define SCHEMA_NAME "output"

struct usage {
	long input, output, cached, reasoning;
};

/* What a reply stream delivered. The provider fills it as events arrive. */
struct chat_reply {
	struct usage usage;
	int have_usage;
	char finish[24];        /* DESIGN.md words: stop, length, filtered, error, interrupted */
	char model[128];        /* the model that answered, as the provider named it */
	int done;               /* the provider's end-of-stream marker was seen */
	int refused;            /* the text is the model's refusal (OpenAI's delta.refusal) */
	/* Tool calls the reply made: while streaming, [{key, id, name, args}]
	 * with args the JSON text so far; once the exchange ends, [{id?, name,
	 * arguments}] with arguments parsed where they are whole JSON. A zeroed
	 * reply holds jv_invalid(): none. Freed with chat_reply_free. */
	jv tool_calls;
	struct chat_error err;
};

/* Frees what a reply holds (its tool calls) and zeroes it. */
void chat_reply_free(struct chat_reply *r);

/* Deltas go to emit; the provider never buffers text itself. */
typedef int (*delta_fn)(void *ctx, const char *text, size_t len);

/* How one exchange went: time to first token, the whole, and tries. */
struct exchange_timing {
	long ttft_ms, total_ms;
	int attempts;
};

/* The attachments that go with message i of rq: the new turn's, an
 * earlier turn's own, or none when it comes before rq->atts_from. */
size_t chat_msg_atts(const struct chat_request *rq, size_t i, const struct attachment **atts);

/* The providers the suite speaks, by the names "provider:model" uses; the
 * registry in providers/ implements exactly these. NULL-terminated. */
extern const char *const chat_provider_names[];
/* For "provider:model" whose prefix is one of those names, or a named
 * provider of the provider table (provdefs.h): the model part;
 * else NULL ("ft:gpt-4o-..." is a fine-tuned model, not a provider). */
const char *chat_model_after_provider(const char *name);
#endif
