#include "ask/session.h"
#include "ask/urls.h"
#include "diag.h"
#include "provdefs.h"
#include "net/ollama_probe.h"
#include "providers/endpoint.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int session_config(struct session *s, const struct cli_opts *o)
{
	memset(s, 0, sizeof *s);
	s->opts = o;
	if (config_load(&s->cfg) < 0 || models_load(&s->models, &s->cfg) < 0)
		return EXIT_CONFIG;
	/* the named providers, from the table and the config: a bad entry is
	 * said now rather than found quietly missing later */
	char why[1200];
	if (provdefs_init(&s->cfg, why, sizeof why) < 0)
		return error("%s", why), EXIT_CONFIG;
	return ask_urls_setup(s);
}

/* Which provider serves a name: provider:model, then the table, then the
 * name's prefix. */
static const struct provider *route(struct session *s, const char *name, const char **model)
{
	/* a name in the table (even one with a colon, like llama3.2:latest) is
	 * served by the provider the table names */
	s->mi = models_find(&s->models, name);
	if (s->mi) {
		*model = name;
		const struct provider *p = provider_find(s->mi->provider);
		if (!p)
			error("model '%s': the model table names an unknown provider '%s'", name, s->mi->provider);
		return p;
	}
	const struct provider *p = provider_for_model(name, model);
	s->mi = models_find(&s->models, *model);
	return p;
}

/* The name asked for: the argument, -m, $CHAT_MODEL, the config's model;
 * with none of them, the default model of the first provider whose key is
 * set up, else a local Ollama server's, else MODEL_DEFAULT. */
static const char *pick_name(struct session *s, const char *model)
{
	if (!model || !*model)
		model = s->opts->model;
	if (!model || !*model)
		model = getenv("CHAT_MODEL");
	if (!model || !*model)
		model = config_get(&s->cfg, "", "model");
	if (model && *model)
		return model;
	const char *keyed = provider_default_model(&s->cfg, 0);
	if (keyed)
		return keyed;
	if (!s->ollama_probed && !s->opts->dry_run) /* once per run, not once per record */
		s->ollama_probed = ollama_probe(&s->cfg, s->ollama_model, sizeof s->ollama_model) == 0 ? 1 : -1;
	return s->ollama_probed > 0 ? s->ollama_model : MODEL_DEFAULT;
}

/* s->prov and s->model for s->model_name. 0 or an exit status, said. */
static int pick_provider(struct session *s)
{
	s->prov = route(s, s->model_name, &s->model);
	if (!s->prov) {
		if (s->mi)
			return EXIT_CONFIG; /* said in route */
		char known[1024];
		provider_known_names(known, sizeof known);
		if (strchr(s->model_name, ':'))
			error("model '%s': unknown provider; known: %s", s->model_name, known);
		else
			error("unknown model '%s': not in the model table and no provider's names look like it; "
			      "name it as provider:model (%s), or see chat-send --models", s->model_name, known);
		return EXIT_USAGE;
	}
	if (!*s->model) {
		error("model '%s': no model name after the provider", s->model_name);
		return EXIT_USAGE;
	}
	return 0;
}

/* The provider's base URL and key into s. 0 or an exit status, said. */
static int open_endpoint(struct session *s)
{
	struct endpoint ep;
	char why[1200];
	int st = provider_endpoint(s->prov, &s->cfg, &ep, why, sizeof why);
	if (st == EXIT_CONFIG)
		error("%s: %s", s->prov->name, why);
	else if (st && why[0])
		error("%s", why);
	if (st)
		return st;
	if (ep.warning[0] && !s->opts->quiet && !s->warned_keys++)
		warn("%s", ep.warning);
	snprintf(s->key, sizeof s->key, "%s", ep.key);
	snprintf(s->key_source, sizeof s->key_source, "%s", ep.key_source);
	snprintf(s->base, sizeof s->base, "%s", ep.base);
	explicit_bzero(ep.key, sizeof ep.key);
	if (verbose)
		warn("%s model %s at %s, key from %s", s->prov->name, s->model, s->base, s->key_source);
	return 0;
}

/* The exchange's timeouts, reply cap and rate limits (the shared file,
 * opened with the first model), and the reply length for providers that
 * insist on one. 0 or an exit status, said. */
static int open_limits(struct session *s)
{
	const struct cli_opts *o = s->opts;
	s->xo.base = s->base;
	s->xo.key = s->key;
	s->xo.connect_timeout = o->connect_timeout;
	s->xo.idle_timeout = o->idle_timeout;
	s->xo.think_timeout = o->think_timeout;
	s->xo.total_timeout = o->timeout;
	s->xo.wait_limit = o->wait_limit;
	char mr_why[300] = "";
	s->xo.max_reply = exchange_max_reply(&s->cfg, mr_why, sizeof mr_why);
	if (!s->xo.max_reply) {
		error("%s", mr_why);
		return EXIT_CONFIG;
	}
	if (!s->rl_tried && !o->dry_run) { /* a dry run takes nothing from the limits */
		char rl_why[512];
		s->rl_tried = 1;
		s->rl = ratelimit_open(&s->cfg, o->db, rl_why, sizeof rl_why);
		if (!s->rl) {
			error("%s", rl_why); /* a bad number in the config */
			return EXIT_CONFIG;
		}
		if (rl_why[0] && !o->quiet)
			warn("%s", rl_why); /* the shared file is unusable: limits within this process */
	}
	s->xo.rl = s->rl;
	s->xo.retries = o->retries;
	/* providers that insist on a limit get the model's, within reason */
	s->default_max_tokens = s->mi && s->mi->max_output > 0 ? (s->mi->max_output < 8192 ? s->mi->max_output : 8192) : 4096;
	return 0;
}

int session_model(struct session *s, const char *model)
{
	snprintf(s->model_name, sizeof s->model_name, "%s", models_alias(&s->cfg, pick_name(s, model)));
	int st = pick_provider(s);
	if (!st)
		st = open_endpoint(s);
	if (!st)
		st = open_limits(s);
	return st;
}

int session_switch_model(struct session *s, const char *name)
{
	/* resolved on a copy: a model that cannot be used leaves s as it was */
	struct session *tmp = malloc(sizeof *tmp);
	if (!tmp)
		return error("out of memory"), EXIT_SOFTWARE;
	*tmp = *s;
	int r = session_model(tmp, name);
	if (!r)
		session_copy_model(s, tmp);
	explicit_bzero(tmp->key, sizeof tmp->key);
	free(tmp);
	return r;
}

void session_copy_model(struct session *dst, const struct session *src)
{
	if (dst == src)
		return;
	dst->prov = src->prov;
	memcpy(dst->model_name, src->model_name, sizeof dst->model_name);
	dst->model = src->model ? dst->model_name + (src->model - src->model_name) : NULL;
	memcpy(dst->key, src->key, sizeof dst->key);
	memcpy(dst->key_source, src->key_source, sizeof dst->key_source);
	memcpy(dst->base, src->base, sizeof dst->base);
	dst->xo = src->xo;
	dst->xo.base = dst->base;
	dst->xo.key = dst->key;
	dst->mi = src->mi;
	dst->default_max_tokens = src->default_max_tokens;
}

void session_close(struct session *s)
{
	histlog_close(&s->hist);
	ratelimit_close(s->rl);
	s->rl = NULL;
	models_free(&s->models);
	explicit_bzero(s->key, sizeof s->key);
	config_free(&s->cfg);
}
