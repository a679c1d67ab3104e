/* tokens: how many tokens a text or a request costs a model — exact with
 * the model's OpenAI encoding (o200k_base, cl100k_base), an estimate for
 * other providers' models (whose tokenizers are not public): the o200k_base
 * count plus 10%, rounded up, marked as an estimate wherever it is shown. */
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

/* Set up counting for a model (mi may be NULL: an estimate), or for a named
 * encoding when encoding is not NULL. 0, or -1 with why filled. */
int tokens_for(struct token_counter *tc, const struct model_info *mi, const char *encoding, char *why, size_t cap);
/* Tokens in text (exact or estimated per tc). */
long tokens_count(const struct token_counter *tc, const char *text, size_t len);
/* Tokens a message of this text takes in a request, with its wrapping. */
long tokens_message(const struct token_counter *tc, const char *text, size_t len);
/* Input tokens an image of w x h pixels costs with a provider (each one
 * prices images its own published way); the largest figure when the size
 * is unknown (0). */
long tokens_image(const char *provider, int w, int h);
#endif
