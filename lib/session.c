#include "session.h"
#include "diag.h"
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MODEL "gpt-4o-mini"

int session_config(struct session *s, const struct cli_opts *o)
{
	memset(s, 0, sizeof *s);
	s->opts = o;
	if (config_load(&s->cfg) < 0)
		return EXIT_CONFIG;
	return 0;
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
	snprintf(s->model_name, sizeof s->model_name, "%s", model);
	s->prov = provider_for_model(s->model_name, &s->model);
	if (!s->prov) {
		error("unknown model '%s': name a provider explicitly as openai:MODEL, or use a gpt-*, o1/o3/o4 model",
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
	int k = key_lookup(&s->cfg, s->prov->name, s->prov->key_env, s->key, sizeof s->key,
			   s->key_source, sizeof s->key_source);
	if (k != KEY_OK)
		return EXIT_NOPERM;
	if (verbose)
		warn("%s model %s at %s, key from %s", s->prov->name, s->model, s->base, s->key_source);
	s->xo.base = s->base;
	s->xo.key = s->key;
	s->xo.connect_timeout = o->connect_timeout;
	s->xo.idle_timeout = o->idle_timeout;
	s->xo.retries = o->retries;
	return 0;
}

void session_close(struct session *s)
{
	histlog_close(&s->hist);
	explicit_bzero(s->key, sizeof s->key);
	config_free(&s->cfg);
}
