/* endpoint: where a provider's requests go and the key they carry, found
 * from the environment and the config in one place, so every program that
 * talks to a provider (chat-send, chat-stream, chat-batch, chat-image, and
 * chat-upload for the Gemini Files API) finds them the same way, with the
 * same messages and exit statuses. Key files are read here; nothing here
 * touches the network. */
#ifndef CHAT_ENDPOINT_H
#define CHAT_ENDPOINT_H
#include <stddef.h>
#include "config.h"
#include "providers/provider.h"

struct endpoint {
	char key[4096];          /* "" for a local server that needs none */
	char key_source[256];    /* where the key came from, never the key itself */
	char base[2048];         /* the base URL (provider_base) */
	int key_missing;         /* the 77 is for no key at all: why names where to set one */
	char warning[200];       /* two of the provider's variables hold different keys: which
				  * is used ("" when not); the caller prints it unless quiet */
};

/* Fill out for p: the base URL (provider_base, with the config's base_url),
 * then the key from p's variables in order, then key_file in the [p->name]
 * section (key_lookup). 0; EXIT_CONFIG with why (a bad base URL);
 * EXIT_NOPERM with why when no key is set up for a provider that needs one
 * (key_missing set), or with why "" when a key was refused (a key file too
 * open, a key with control characters: already said on stderr). A
 * provider that needs no key gets key "" and key_source "nowhere (none
 * needed)". On failure out->key is wiped. */
int provider_endpoint(const struct provider *p, const struct config *cfg, struct endpoint *out, char *why,
		      size_t cap);
/* Is a key for p set up: one of its variables non-empty, or key_file named
 * in its section? Only looks; the key file is read by provider_endpoint. */
int provider_keyed(const struct provider *p, const struct config *cfg);
/* Where a key for p can be set, for messages: "set GEMINI_API_KEY or
 * GOOGLE_API_KEY, or key_file in the [gemini] section of PATH". */
void provider_key_hint(const struct provider *p, const struct config *cfg, char *out, size_t cap);
/* For chat-key, where p's key is looked for: the config section that
 * holds its key_file, and the first of its variables that is set (the
 * one provider_endpoint takes), or NULL. */
const char *provider_key_section(const struct provider *p);
const char *provider_key_var(const struct provider *p);
/* The model to use when nothing names one: the default model (image: the
 * default image model) of the first provider needing a key, in the order
 * openai, anthropic, gemini, whose key is set up (provider_keyed). NULL
 * when no such key is set up. */
const char *provider_default_model(const struct config *cfg, int image);
#endif
