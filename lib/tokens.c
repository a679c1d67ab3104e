#include "tokens.h"
#include "encmap.h"
#include "tokenizer.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Each encoding is loaded once per process and shared by every thread. */
static struct {
	const char *name;
	struct tokenizer *t;
} cache[] = { { "o200k_base", NULL }, { "cl100k_base", NULL } };
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct tokenizer *encoding(const char *name, char *why, size_t cap)
{
	const char *ranks = encmap_ranks(name);
	for (size_t i = 0; ranks && i < sizeof cache / sizeof *cache; i++) {
		if (strcmp(cache[i].name, ranks))
			continue;
		pthread_mutex_lock(&cache_lock);
		if (!cache[i].t)
			cache[i].t = tokenizer_open(ranks, why, cap);
		struct tokenizer *t = cache[i].t;
		pthread_mutex_unlock(&cache_lock);
		return t;
	}
	snprintf(why, cap, "unknown encoding '%s'; known: o200k_base, cl100k_base, o200k_harmony", name);
	return NULL;
}

int tokens_for(struct token_counter *tc, const char *model, const struct model_info *mi, const char *enc, char *why,
	       size_t cap)
{
	memset(tc, 0, sizeof *tc);
	if (!enc)
		enc = encmap_model(model);
	/* a name tiktoken does not know (a local model, gpt-image-1) may still
	 * have its encoding named by the model table or a [model] section */
	if (!enc && mi && mi->tokenizer[0] && strcmp(mi->tokenizer, "-"))
		enc = mi->tokenizer;
	tc->estimate = !enc;
	if (!enc)
		enc = "o200k_base";
	snprintf(tc->encoding, sizeof tc->encoding, "%s", enc);
	tc->tok = encoding(enc, why, cap);
	return tc->tok ? 0 : -1;
}

long tokens_count(const struct token_counter *tc, const char *text, size_t len)
{
	long n = (long)tokenizer_count(tc->tok, text, len);
	return tc->estimate ? n + (n + 9) / 10 : n;
}

long tokens_message(const struct token_counter *tc, const char *text, size_t len)
{
	return TOKENS_PER_MESSAGE + tokens_count(tc, text, len);
}

static long tiles(long w, long h, long side)
{
	return ((w + side - 1) / side) * ((h + side - 1) / side);
}

long tokens_image(const char *provider, int w, int h)
{
	int known = w > 0 && h > 0;
	if (!strcmp(provider, "anthropic")) {
		/* pixels / 750, after shrinking to fit 1568 on the long side */
		if (!known)
			return 1600;
		double scale = (w > h ? w : h) > 1568 ? 1568.0 / (w > h ? w : h) : 1;
		return (long)((w * scale) * (h * scale) / 750 + 1);
	}
	if (!strcmp(provider, "gemini")) {
		/* 258 for a small image, else 258 for each 768-pixel tile */
		if (!known)
			return 258 * 4;
		return w <= 384 && h <= 384 ? 258 : 258 * tiles(w, h, 768);
	}
	/* OpenAI high detail: fit in 2048 x 2048, shortest side at most 768,
	 * then 170 for each 512-pixel tile plus 85 */
	if (!known)
		return 85 + 170 * 6;
	double fw = w, fh = h;
	double fit = (fw > fh ? fw : fh) > 2048 ? 2048 / (fw > fh ? fw : fh) : 1;
	fw *= fit;
	fh *= fit;
	double shortest = fw < fh ? fw : fh;
	if (shortest > 768) {
		fw *= 768 / shortest;
		fh *= 768 / shortest;
	}
	return 85 + 170 * tiles((long)(fw + 0.5), (long)(fh + 0.5), 512);
}
