#include "ask/session.h"
#include "diag.h"
#include "net/http.h"
#include "jsonx.h"
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MODEL MODEL_DEFAULT

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

/* Is a key for a cloud provider set anywhere? */
static int cloud_key_configured(const struct config *cfg)
{
	static const char *const env[] = { "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", NULL };
	for (const char *const *e = env; *e; e++)
		if (getenv(*e) && *getenv(*e))
			return 1;
	static const char *const sections[] = { "openai", "anthropic", "gemini", NULL };
	for (const char *const *p = sections; *p; p++)
		if (config_get(cfg, *p, "key_file") && *config_get(cfg, *p, "key_file"))
			return 1;
	return 0;
}

/* With no cloud key and nothing chosen, a local Ollama server answering on
 * OLLAMA_HOST (127.0.0.1:11434) is the default: its configured model, else
 * the first it has. Fills out with "ollama:MODEL". */
static int ollama_default(const struct config *cfg, char *out, size_t cap)
{
	const char *host = getenv("OLLAMA_HOST");
	char url[512];
	snprintf(url, sizeof url, "%s%s/api/tags", host && strstr(host, "://") ? "" : "http://",
		 host && *host ? host : "127.0.0.1:11434");
	struct buf b = BUF_INIT(1 << 20);
	long status = 0;
	int ok = http_get_small(url, 300, &b, &status) == 0 && status == 200;
	jv v = ok ? jv_parse_sized(buf_str(&b), (int)b.len) : jv_invalid();
	jv models = jx_get(v, "models");
	jv first = jv_get_kind(models) == JV_KIND_ARRAY && jv_array_length(jv_copy(models)) > 0
		? jv_array_get(jv_copy(models), 0) : jv_invalid();
	char name[200] = "";
	const char *configured = config_get(cfg, "ollama", "model");
	if (configured && *configured && ok)
		snprintf(name, sizeof name, "%s", configured);
	else
		jx_str(first, "name", name, sizeof name);
	jv_free(first);
	jv_free(models);
	jv_free(v);
	buf_free(&b);
	if (!name[0])
		return -1;
	snprintf(out, cap, "ollama:%s", name);
	if (verbose)
		warn("no cloud API key is set: using the Ollama server at %s with %s", url, name);
	return 0;
}

/* With nothing chosen, a model of a provider whose key is set. */
static const char *default_for_keys(const struct config *cfg)
{
	static const struct {
		const char *env1, *env2, *section, *model;
	} by_key[] = {
		{ "OPENAI_API_KEY", NULL, "openai", DEFAULT_MODEL },
		{ "ANTHROPIC_API_KEY", NULL, "anthropic", "claude-haiku-4-5" },
		{ "GEMINI_API_KEY", "GOOGLE_API_KEY", "gemini", "gemini-2.5-flash" },
	};
	for (size_t i = 0; i < sizeof by_key / sizeof *by_key; i++) {
		const char *a = getenv(by_key[i].env1), *b = by_key[i].env2 ? getenv(by_key[i].env2) : NULL;
		const char *f = config_get(cfg, by_key[i].section, "key_file");
		if ((a && *a) || (b && *b) || (f && *f))
			return by_key[i].model;
	}
	return DEFAULT_MODEL;
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
	if ((!model || !*model) && !cloud_key_configured(&s->cfg)) {
		if (!s->ollama_probed) /* once per run, not once per record */
			s->ollama_probed = ollama_default(&s->cfg, s->ollama_model, sizeof s->ollama_model) == 0 ? 1 : -1;
		if (s->ollama_probed > 0)
			model = s->ollama_model;
	}
	if (!model || !*model)
		model = default_for_keys(&s->cfg);
	snprintf(s->model_name, sizeof s->model_name, "%s", models_alias(&s->cfg, model));
	s->prov = route(s, s->model_name, &s->model);
	if (!s->prov) {
		if (s->mi)
			return EXIT_CONFIG; /* said above */
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
	char bad_base[600];
	if (provider_base(s->prov, config_get(&s->cfg, s->prov->name, "base_url"), s->base, sizeof s->base, bad_base,
			  sizeof bad_base) < 0) {
		error("%s: %s", s->prov->name, bad_base);
		return EXIT_CONFIG;
	}
	int k = s->prov->key_optional ? key_lookup_quiet(&s->cfg, s->prov->name, s->prov->key_env, s->key, sizeof s->key,
							  s->key_source, sizeof s->key_source)
				       : key_lookup(&s->cfg, s->prov->name, s->prov->key_env, s->key, sizeof s->key,
						    s->key_source, sizeof s->key_source);
	if (k == KEY_REFUSED || (k != KEY_OK && !s->prov->key_optional))
		return EXIT_NOPERM;
	const char *g1 = getenv("GEMINI_API_KEY"), *g2 = getenv("GOOGLE_API_KEY");
	if (s->prov == &provider_gemini && g1 && g2 && *g1 && *g2 && strcmp(g1, g2) && !o->quiet && !s->warned_keys++)
		warn("GEMINI_API_KEY and GOOGLE_API_KEY are both set and differ: using GEMINI_API_KEY");
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
	s->xo.think_timeout = o->think_timeout;
	s->xo.total_timeout = o->timeout;
	s->xo.wait_limit = o->wait_limit;
	char mr_why[300] = "";
	s->xo.max_reply = exchange_max_reply(&s->cfg, mr_why, sizeof mr_why);
	if (!s->xo.max_reply) {
		error("%s", mr_why);
		return EXIT_CONFIG;
	}
	if (!s->rl_tried) {
		char rl_why[512];
		s->rl_tried = 1;
		s->rl = ratelimit_open(&s->cfg, rl_why, sizeof rl_why);
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
