/* tokens: how many tokens a text or a request costs a model — exact for a
 * model whose OpenAI encoding we ship (o200k_base, cl100k_base; which one a
 * name uses follows tiktoken's own map, encmap.h, then the model table), an
 * estimate otherwise (other providers' tokenizers are not public): the
 * o200k_base count plus 10%, rounded up, marked as an estimate wherever it
 * is shown. */
#ifndef CHAT_TOKENS_H
#define CHAT_TOKENS_H
#include <stddef.h>
#include "buf.h"
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
/* A text counted as it streams, in memory that does not grow with it: the
 * text is cut only where both encodings' split patterns cut it anyway, so
 * the pieces' counts add up to tokens_count of the whole (tested). */
#define TOKENS_CHUNK ((size_t)1 << 20)        /* counted once this much is held */
#define TOKENS_FORCE ((size_t)16 << 20)       /* held with no safe cut: cut anyway */
struct token_stream {
	const struct token_counter *tc;
	struct buf pend;        /* text after the last cut, not yet counted */
	size_t searched;        /* pend[0..searched) has no safe cut */
	long raw;               /* tokens of the pieces counted so far */
	int forced;             /* a cut was made where none was safe: the count may be off by a few */
	int failed;             /* out of memory */
};
void tokens_stream_init(struct token_stream *ts, const struct token_counter *tc);
/* Take the next bytes of the text (any split: a cut never falls inside a
 * UTF-8 sequence). 0, or -1 when out of memory. */
int tokens_stream_add(struct token_stream *ts, const char *p, size_t n);
/* Count what is left; the text's tokens as tokens_count gives them (with an
 * estimate's margin), or -1 after a failure. Frees ts. */
long tokens_stream_end(struct token_stream *ts);
/* May the text s[0..n) be cut before s[b] (0 < b < n) without changing
 * its count? */
int tokens_cut_ok(const char *s, size_t n, size_t b);
/* The last such place at or after from, or 0 when there is none. */
size_t tokens_safe_cut(const char *s, size_t n, size_t from);

/* Input tokens an image of w x h pixels costs with a provider (each one
 * prices images its own published way); the largest figure when the size
 * is unknown (0). */
long tokens_image(const char *provider, int w, int h);
/* Input tokens a PDF of pages pages (< 0 not known: guessed from its bytes)
 * costs with a provider (an estimate: see tokens.c). */
long tokens_pdf(const char *provider, long pages, size_t bytes);
/* Input tokens audio of seconds (< 0 not known: guessed from its bytes)
 * costs. */
long tokens_audio(const char *provider, double seconds, size_t bytes);
#endif
