#include "net/ollama_probe.h"
#include "buf.h"
#include "diag.h"
#include "jsonx.h"
#include "net/http.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_MS 300          /* a local server answers at once; a slow one is no default */

int ollama_probe(const struct config *cfg, char *out, size_t cap)
{
	const char *host = getenv("OLLAMA_HOST");
	char url[512];
	snprintf(url, sizeof url, "%s%s/api/tags", host && strstr(host, "://") ? "" : "http://",
		 host && *host ? host : "127.0.0.1:11434");
	struct buf b = BUF_INIT(1 << 20);
	long status = 0;
	int ok = http_get_small(url, PROBE_MS, &b, &status) == 0 && status == 200;
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
