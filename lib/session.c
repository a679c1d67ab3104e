#include "session.h"
#include "diag.h"
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MODEL "gpt-4o-mini"

int session_config(struct session *s, const struct cli_opts *o)
{
	memset(s, 0, sizeof *s);
	s->opts = o;
	if (config_load(&s->cfg) < 0 || models_load(&s->models, &s->cfg) < 0)
		return EXIT_CONFIG;
	return 0;
}

/* Which provider serves a name: provider:model, then the table, then the
 * name's prefix. */
static const struct provider *route(struct session *s, const char *name, const char **model)
{
	const struct provider *p = provider_for_model(name, model);
	s->mi = models_find(&s->models, *model);
	if (p || strchr(name, ':'))
		return p;
	if (s->mi)
		return provider_find(s->mi->provider);
	return NULL;
}

int session_model(struct session *s, const char *model)
{
	const struct cli_opts *o = s->opts;
	if (!model || !*model)
		model = o->model;
	if (!model || !*model)
		model = getenv("CHAT_MODEL");
	if (!model || !*model)
		model = config_get(&s->cfg, "", "model");
	if (!model || !*model)
		model = DEFAULT_MODEL;
	snprintf(s->model_name, sizeof s->model_name, "%s", models_alias(&s->cfg, model));
	s->prov = route(s, s->model_name, &s->model);
	if (!s->prov) {
		if (strchr(s->model_name, ':'))
			error("model '%s': unknown provider; known: openai, anthropic, gemini, ollama", s->model_name);
		else
			error("unknown model '%s': not in the model table and no provider's names look like it; "
			      "name it as provider:model (openai, anthropic, gemini, ollama), or see chat-send --models",
			      s->model_name);
		return EXIT_USAGE;
	}
	if (!*s->model) {
		error("model '%s': no model name after the provider", s->model_name);
		return EXIT_USAGE;
	}
	const char *base = getenv(s->prov->base_env);
	if (!base || !*base)
		base = config_get(&s->cfg, s->prov->name, "base_url");
	if (!base || !*base)
		base = s->prov->default_base;
	snprintf(s->base, sizeof s->base, "%s", base);
	int k = s->prov->key_optional ? key_lookup_quiet(&s->cfg, s->prov->name, s->prov->key_env, s->key, sizeof s->key,
							  s->key_source, sizeof s->key_source)
				       : key_lookup(&s->cfg, s->prov->name, s->prov->key_env, s->key, sizeof s->key,
						    s->key_source, sizeof s->key_source);
	if (k == KEY_REFUSED || (k != KEY_OK && !s->prov->key_optional))
		return EXIT_NOPERM;
	if (k != KEY_OK) {
		s->key[0] = 0;
		snprintf(s->key_source, sizeof s->key_source, "nowhere (none needed)");
	}
	if (verbose)
		warn("%s model %s at %s, key from %s", s->prov->name, s->model, s->base, s->key_source);
	s->xo.base = s->base;
	s->xo.key = s->key;
	s->xo.connect_timeout = o->connect_timeout;
	s->xo.idle_timeout = o->idle_timeout;
	s->xo.retries = o->retries;
	/* providers that insist on a limit get the model's, within reason */
	s->default_max_tokens = s->mi && s->mi->max_output > 0 ? (s->mi->max_output < 8192 ? s->mi->max_output : 8192) : 4096;
	return 0;
}

void session_close(struct session *s)
{
	histlog_close(&s->hist);
	models_free(&s->models);
	explicit_bzero(s->key, sizeof s->key);
	config_free(&s->cfg);
}
