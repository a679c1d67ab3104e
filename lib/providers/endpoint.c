#include "providers/endpoint.h"
#include "buf.h"
#include "errcode.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *set(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int provider_keyed(const struct provider *p, const struct config *cfg)
{
	for (const char *const *e = p->key_env; e && *e; e++)
		if (set(*e))
			return 1;
	const char *f = config_get(cfg, provider_section(p), "key_file");
	return f && *f;
}

const char *provider_key_section(const struct provider *p)
{
	return provider_section(p); /* "[provider NAME]" for a named compatible one */
}

const char *provider_key_var(const struct provider *p)
{
	for (const char *const *e = p->key_env; e && *e; e++)
		if (set(*e))
			return *e;
	return NULL;
}

void provider_key_hint(const struct provider *p, const struct config *cfg, char *out, size_t cap)
{
	struct buf names = BUF_INIT(512);
	for (const char *const *e = p->key_env; e && *e; e++)
		buf_addf(&names, "%s%s", e == p->key_env ? "" : " or ", *e);
	snprintf(out, cap, "set %s, or key_file in the [%s] section of %s", buf_str(&names), provider_section(p),
		 cfg && cfg->path[0] ? cfg->path : "~/.config/chat/config");
	buf_free(&names);
}

const char *provider_default_model(const struct config *cfg, int image)
{
	for (const struct provider *const *p = provider_all; *p; p++) {
		const char *m = image ? (*p)->default_image_model : (*p)->default_model;
		if (m && !(*p)->key_optional && provider_keyed(*p, cfg))
			return m;
	}
	return NULL;
}

/* The first of p's variables that is set, and a later one holding another
 * key: the first is used, which the user may not expect. */
static void key_conflict(const struct provider *p, char *out, size_t cap)
{
	out[0] = 0;
	const char *const *first = NULL;
	for (const char *const *e = p->key_env; e && *e; e++) {
		if (!set(*e))
			continue;
		if (!first)
			first = e;
		else if (strcmp(set(*first), set(*e))) {
			snprintf(out, cap, "%s and %s are both set and differ: using %s", *first, *e, *first);
			return;
		}
	}
}

int provider_endpoint(const struct provider *p, const struct config *cfg, struct endpoint *out, char *why,
		      size_t cap)
{
	memset(out, 0, sizeof *out);
	why[0] = 0;
	if (provider_base(p, config_get(cfg, provider_section(p), "base_url"), out->base, sizeof out->base, why, cap) < 0)
		return EXIT_CONFIG;
	int k = key_lookup(cfg, provider_section(p), p->key_env, out->key, sizeof out->key, out->key_source,
				 sizeof out->key_source);
	if (k == KEY_MISSING && p->key_optional) {
		snprintf(out->key_source, sizeof out->key_source, "nowhere (none needed)");
		return 0;
	}
	if (k != KEY_OK) {
		explicit_bzero(out->key, sizeof out->key);
		if (k == KEY_MISSING) {
			char hint[1024];
			provider_key_hint(p, cfg, hint, sizeof hint);
			snprintf(why, cap, "no API key for %s: %s", p->name, hint);
			out->key_missing = 1;
		}
		return EXIT_NOPERM;
	}
	key_conflict(p, out->warning, sizeof out->warning);
	return 0;
}
