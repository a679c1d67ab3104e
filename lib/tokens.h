/* tokens: how many tokens a text or a request costs a model — exact for a
 * model whose OpenAI encoding we ship (o200k_base, cl100k_base; which one a
 * name uses follows tiktoken's own map, encmap.h, then the model table), an
 * estimate otherwise (other providers' tokenizers are not public): the
 * o200k_base count plus 10%, rounded up, marked as an estimate wherever it
 * is shown. */
#ifndef CHAT_TOKENS_H
#define CHAT_TOKENS_H
#include <stddef.h>
#include "models.h"

/* Chat formats wrap each message in a few tokens of their own, and prime the
 * reply with a few more (OpenAI's published figures; used for every model). */
#define TOKENS_PER_MESSAGE 4
#define TOKENS_REPLY_PRIMING 3

struct token_counter {
	char encoding[24];      /* the encoding used */
	int estimate;           /* 1: not the model's own tokenizer */
	void *tok;              /* struct tokenizer *, shared and cached */
};

/* Set up counting for a model: its name (the provider's own, or with a
 * "provider:" in front; may be NULL) and its table entry (may be NULL), or
 * for a named encoding when encoding is not NULL. 0, or -1 with why filled. */
int tokens_for(struct token_counter *tc, const char *model, const struct model_info *mi, const char *encoding,
	       char *why, size_t cap);
/* Tokens in text (exact or estimated per tc). */
long tokens_count(const struct token_counter *tc, const char *text, size_t len);
/* Tokens a message of this text takes in a request, with its wrapping. */
long tokens_message(const struct token_counter *tc, const char *text, size_t len);
/* Input tokens an image of w x h pixels costs with a provider (each one
 * prices images its own published way); the largest figure when the size
 * is unknown (0). */
long tokens_image(const char *provider, int w, int h);
#endif
