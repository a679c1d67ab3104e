#include "provider.h"
#include <string.h>

static const struct provider *const all[] = { &provider_openai, NULL };

const struct provider *provider_find(const char *name)
{
	for (const struct provider *const *p = all; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

const struct provider *provider_for_model(const char *name, const char **model)
{
	const char *colon = strchr(name, ':');
	if (colon) {
		char pname[32];
		size_t n = (size_t)(colon - name);
		if (n >= sizeof pname)
			return NULL;
		memcpy(pname, name, n);
		pname[n] = 0;
		*model = colon + 1;
		return provider_find(pname);
	}
	*model = name;
	static const char *const openai_prefixes[] = { "gpt-", "o1", "o3", "o4", "chatgpt-", NULL };
	for (const char *const *p = openai_prefixes; *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return &provider_openai;
	return NULL;
}
