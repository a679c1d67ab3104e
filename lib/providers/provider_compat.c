/* The named OpenAI-compatible providers: one struct provider per entry of
 * the provider table (provdefs.h), all speaking OpenAI's chat completions
 * through provider_openai's functions; the entry says the base URL, the key
 * variable and which token-limit field the service reads. */
#include "providers/provider.h"
#include "provdefs.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct compat {
	struct provider p;
	const char *env[2];
	char base_env[64];
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct compat *compat;
static const struct provider **all;
static const struct provider *none[] = { NULL };

/* NAME_BASE_URL in capitals, '-' as '_': OPENROUTER_BASE_URL. */
static void base_env_name(const char *name, char *out, size_t cap)
{
	size_t i = 0;
	for (; name[i] && i + 10 < cap; i++)
		out[i] = name[i] == '-' ? '_' : (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : name[i];
	snprintf(out + i, cap - i, "_BASE_URL");
}

static void build_all(void)
{
	const struct provdefs *d = provdefs_get();
	compat = calloc(d->n ? d->n : 1, sizeof *compat);
	all = calloc(d->n + 1, sizeof *all);
	if (!compat || !all) {
		free(compat);
		free(all);
		compat = NULL;
		all = NULL;
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct provdef *e = &d->v[i];
		struct compat *c = &compat[i];
		c->env[0] = e->key_env[0] ? e->key_env : NULL;
		base_env_name(e->name, c->base_env, sizeof c->base_env);
		c->p = (struct provider){
			.name = e->name,
			.key_env = c->env,
			.key_optional = !e->key_env[0],
			.base_env = c->base_env,
			.default_base = e->base_url,
			/* the two differ only in the token-limit field they write */
			.build = strcmp(e->max_field, "max_tokens") ? provider_openai.build : provider_ollama.build,
			.decode = provider_openai.decode,
			.http_error = provider_openai.http_error,
			.section = e->section,
		};
		all[i] = &c->p;
	}
}

const struct provider *const *provider_compat_all(void)
{
	pthread_once(&once, build_all);
	return all ? all : none;
}

const struct provider *provider_compat_find(const char *name)
{
	for (const struct provider *const *p = provider_compat_all(); *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}
