/* provdefs: the provider table and the config's [provider NAME] sections,
 * and the providers made from them. */
#include "provdefs.h"
#include "providers/provider.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char table[] = "# a comment\n"
			    "[acme]\n"
			    "base_url = https://api.acme.example/v1\n"
			    "key_env = ACME_API_KEY\n"
			    "\n"
			    "[local]\n"
			    "base_url = http://localhost:9999/v1\n"
			    "max_tokens_field = max_completion_tokens\n";

/* The why of parsing text alone, or "" when it parses. */
static const char *parse_why(const char *text)
{
	static char why[300];
	struct provdefs d = { 0 };
	why[0] = 0;
	provdefs_parse(&d, text, "T", why, sizeof why);
	provdefs_free(&d);
	return why;
}

static void parsing(void)
{
	struct provdefs d = { 0 };
	char why[300] = "";
	ok(provdefs_parse(&d, table, "T", why, sizeof why) == 0 && d.n == 2, "two entries parse (%s)", why);
	const struct provdef *a = provdefs_find(&d, "acme", 4), *l = provdefs_find(&d, "local", 5);
	ok(a && l, "both found by name");
	if (a && l) {
		is_str(a->base_url, "https://api.acme.example/v1", "base_url");
		is_str(a->key_env, "ACME_API_KEY", "key_env");
		is_str(a->max_field, "max_tokens", "max_tokens is the default field");
		is_str(l->key_env, "", "no key_env: a server needing no key");
		is_str(l->max_field, "max_completion_tokens", "max_tokens_field");
		is_str(a->section, "provider acme", "its config section");
	}
	ok(provdefs_find(&d, "acmex", 5) == NULL && provdefs_find(&d, "acmex", 4) != NULL, "found by length");
	provdefs_free(&d);

	is_str(parse_why("[a]\nbase_url = http://h\nmodel = x\n"),
	       "provider table T: line 3: unknown key (base_url, key_env, max_tokens_field)", "an unknown key, by line");
	is_str(parse_why("[a]\nbase_url = ftp://h\n"), "provider table T: line 2: base_url is not an http:// or https:// URL",
	       "a base URL that is not the web");
	is_str(parse_why("\n[Bad Name]\n"),
	       "provider table T: line 2: a provider's name is lower-case letters, digits, '-' and '_'", "a bad name");
	is_str(parse_why("[openai]\nbase_url = http://h\n"), "provider table T: line 1: that provider is built in",
	       "a built-in provider cannot be redefined");
	is_str(parse_why("base_url = http://h\n"), "provider table T: line 1: a key before any [NAME]", "a key outside a section");
	is_str(parse_why("[a]\nbase_url = http://h\nmax_tokens_field = n\n"),
	       "provider table T: line 3: max_tokens_field is max_tokens or max_completion_tokens", "a bad field");
	is_str(parse_why("[a]\nkey_env = 1X\n"), "provider table T: line 2: key_env is not an environment variable's name",
	       "a bad variable name");
	is_str(parse_why("[a]\nkey_env = A\n"), "provider table T: [a] has no base_url", "an entry needs a base URL");
	is_str(parse_why("[a\n"), "provider table T: line 1: unterminated section header", "an unterminated header");
}

static void overlay(void)
{
	struct provdefs d = { 0 };
	struct config cfg = { 0 };
	char why[300] = "";
	provdefs_parse(&d, table, "T", why, sizeof why);
	config_parse(&cfg, "[provider acme]\nbase_url = http://127.0.0.1:1/v1\nkey_file = /k\n"
			   "[provider mine]\nbase_url = http://10.0.0.1/v1\nkey_env = MINE_KEY\n"
			   "max_tokens_field = max_completion_tokens\n[model x]\nprovider = mine\n", "C");
	ok(provdefs_overlay(&d, &cfg, why, sizeof why) == 0, "the config's sections lay over the table (%s)", why);
	const struct provdef *a = provdefs_find(&d, "acme", 4), *m = provdefs_find(&d, "mine", 4);
	ok(a && m && d.n == 3, "a new one is added");
	if (a && m) {
		is_str(a->base_url, "http://127.0.0.1:1/v1", "the config's base_url replaces the table's");
		is_str(a->key_env, "ACME_API_KEY", "... and the rest stays");
		is_str(m->key_env, "MINE_KEY", "a new entry's key_env");
		is_str(m->max_field, "max_completion_tokens", "a new entry's field");
	}
	config_free(&cfg);

	struct config bad = { 0 };
	config_parse(&bad, "[provider nourl]\nkey_env = X\n", "C");
	ok(provdefs_overlay(&d, &bad, why, sizeof why) < 0 && strstr(why, "[provider nourl] names no base_url"),
	   "a new provider without base_url is refused (%s)", why);
	config_free(&bad);
	config_parse(&bad, "[provider gemini]\nbase_url = http://h\n", "C");
	ok(provdefs_overlay(&d, &bad, why, sizeof why) < 0 && strstr(why, "built in"), "so is a built-in one (%s)", why);
	config_free(&bad);
	config_parse(&bad, "[provider acme]\ncolour = red\n", "C");
	ok(provdefs_overlay(&d, &bad, why, sizeof why) < 0 && strstr(why, "[provider acme] colour: unknown key"),
	   "and an unknown key (%s)", why);
	config_free(&bad);
	provdefs_free(&d);
}

/* The shipped table, through the process's registry: providers by name, the
 * core looking past their prefix, their base URL variable. */
static void registry(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/share/chat/providers", dir);
	setenv("CHAT_PROVIDERS", path, 1);
	unsetenv("CHAT_CONFIG");
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1); /* no user config: the table alone */
	static const char *const shipped[] = { "openrouter", "groq", "together", "deepseek", "xai", "mistral",
					       "vllm", "llamacpp", "lmstudio", NULL };
	for (const char *const *n = shipped; *n; n++) {
		char m[64];
		const char *rest = NULL;
		snprintf(m, sizeof m, "%s:some/model", *n);
		const struct provider *p = provider_for_model(m, &rest);
		ok(p && !strcmp(p->name, *n) && rest && !strcmp(rest, "some/model"), "'%s' picks the named provider", m);
		ok(chat_model_after_provider(m) && !strcmp(chat_model_after_provider(m), "some/model"), "the core looks past '%s:'", *n);
	}
	const struct provider *g = provider_find("groq"), *v = provider_find("vllm");
	ok(g && v, "groq and vllm are providers");
	if (g && v) {
		is_str(g->key_env[0], "GROQ_API_KEY", "groq's key variable");
		is_str(g->base_env, "GROQ_BASE_URL", "groq's base URL variable");
		ok(!g->key_optional && v->key_optional, "a local server needs no key");
		is_str(provider_section(g), "provider groq", "its config section");
		char out[256], why[300];
		setenv("GROQ_BASE_URL", "http://127.0.0.1:5/v1", 1);
		ok(provider_base(g, NULL, out, sizeof out, why, sizeof why) == 0 && !strcmp(out, "http://127.0.0.1:5/v1"),
		   "GROQ_BASE_URL overrides the table (%s)", out);
		unsetenv("GROQ_BASE_URL");
		ok(provider_base(g, NULL, out, sizeof out, why, sizeof why) == 0 &&
		   !strcmp(out, "https://api.groq.com/openai/v1"), "the table's base URL (%s)", out);
	}
	char known[1024];
	provider_known_names(known, sizeof known);
	is_str(known, "openai, anthropic, gemini, ollama, openrouter, groq, together, deepseek, xai, mistral, vllm, "
		      "llamacpp, lmstudio", "the known names, for messages");
	ok(provider_find("nosuch") == NULL, "an unknown name is none");
}

int main(int argc, char **argv)
{
	(void)argc;
	/* the source tree, from this program's path: tests/unit/test_provdefs */
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", argv[0]);
	char *cut = strstr(dir, "tests/unit/");
	if (cut)
		*cut = 0;
	if (!dir[0] || !cut)
		snprintf(dir, sizeof dir, ".");
	parsing();
	overlay();
	registry(dir);
	return tap_done();
}
