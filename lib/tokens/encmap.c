#include "tokens/encmap.h"
#include "chat.h"
#include <string.h>

#define O200K "o200k_base"
#define CL100K "cl100k_base"
#define HARMONY "o200k_harmony"

/* Whole names, as tiktoken lists them (model.py, MODEL_TO_ENCODING). */
static const struct {
	const char *name, *encoding;
} exact[] = {
	{ "o1", O200K }, { "o3", O200K }, { "o4-mini", O200K },
	{ "gpt-5", O200K }, { "gpt-4.1", O200K }, { "gpt-4o", O200K },
	{ "gpt-4", CL100K }, { "gpt-3.5-turbo", CL100K }, { "gpt-3.5", CL100K },
	{ "gpt-35-turbo", CL100K },       /* Azure's spelling of the deployment */
	{ "davinci-002", CL100K }, { "babbage-002", CL100K },
	{ "text-embedding-ada-002", CL100K }, { "text-embedding-3-small", CL100K },
	{ "text-embedding-3-large", CL100K },
};

/* Prefixes (MODEL_PREFIX_TO_ENCODING), so a dated snapshot or a fine-tune
 * needs no new entry. tiktoken takes the first listed prefix that matches;
 * the only nested pair, ft:gpt-4o inside ft:gpt-4, is listed longest first
 * there, so the longest match below gives the same answers. */
static const struct {
	const char *prefix, *encoding;
} prefixes[] = {
	{ "o1-", O200K }, { "o3-", O200K }, { "o4-mini-", O200K },
	{ "gpt-5-", O200K }, { "gpt-4.5-", O200K }, { "gpt-4.1-", O200K },
	{ "chatgpt-4o-", O200K }, { "gpt-4o-", O200K },
	{ "gpt-4-", CL100K }, { "gpt-3.5-turbo-", CL100K }, { "gpt-35-turbo-", CL100K },
	{ "gpt-oss-", HARMONY },
	{ "ft:gpt-4o", O200K }, { "ft:gpt-4", CL100K }, { "ft:gpt-3.5-turbo", CL100K },
	{ "ft:davinci-002", CL100K }, { "ft:babbage-002", CL100K },
};

static const char *lookup(const char *name)
{
	for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
		if (!strcmp(name, exact[i].name))
			return exact[i].encoding;
	const char *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (n > best_len && !strncmp(name, prefixes[i].prefix, n)) {
			best = prefixes[i].encoding;
			best_len = n;
		}
	}
	return best;
}

const char *encmap_model(const char *model)
{
	if (!model || !*model)
		return NULL;
	const char *enc = lookup(model), *rest;
	if (enc)
		return enc;
	/* "openai:gpt-4": a known provider in front is looked past */
	return (rest = chat_model_after_provider(model)) ? lookup(rest) : NULL;
}

const char *encmap_ranks(const char *encoding)
{
	if (!encoding)
		return NULL;
	if (!strcmp(encoding, O200K) || !strcmp(encoding, HARMONY))
		return O200K;
	return !strcmp(encoding, CL100K) ? CL100K : NULL;
}
