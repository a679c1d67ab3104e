/* provider_base: the base URL each provider's requests go to, from its
 * variable, Google's SDK variable, OLLAMA_HOST, the config or the default,
 * with Anthropic's base an origin as in its SDK. */
#include "provider.h"
#include "tap.h"
#include <stdlib.h>
#include <string.h>

static void base_is(const struct provider *p, const char *config_value, const char *want, const char *name)
{
	char out[256] = "";
	int rc = provider_base(p, config_value, out, sizeof out);
	ok(rc == 0 && !strcmp(out, want), "%s: %s (got %s)", name, want, rc ? "an error" : out);
}

static void anthropic(void)
{
	const struct provider *p = &provider_anthropic;
	unsetenv("ANTHROPIC_BASE_URL");
	base_is(p, NULL, "https://api.anthropic.com", "anthropic: the default is the origin");
	static const char *const forms[] = { "http://h:1", "http://h:1/", "http://h:1/v1", "http://h:1/v1/", "http://h:1/v1//" };
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		setenv("ANTHROPIC_BASE_URL", forms[i], 1);
		base_is(p, NULL, "http://h:1", forms[i]);
	}
	setenv("ANTHROPIC_BASE_URL", "https://gw.example/anthropic/v1", 1);
	base_is(p, NULL, "https://gw.example/anthropic", "a gateway's path is kept, its /v1 dropped");
	setenv("ANTHROPIC_BASE_URL", "https://gw.example/xv1", 1);
	base_is(p, NULL, "https://gw.example/xv1", "only a whole /v1 segment is dropped");
	setenv("ANTHROPIC_BASE_URL", "", 1);
	base_is(p, "http://cfg/v1/", "http://cfg", "an empty variable: the config's, by the same rule");
	unsetenv("ANTHROPIC_BASE_URL");
	base_is(p, "http://cfg", "http://cfg", "the config's origin");

	struct buf url = BUF_INIT(1024);
	char base[256];
	setenv("ANTHROPIC_BASE_URL", "http://h:1/v1/", 1);
	provider_base(p, NULL, base, sizeof base);
	provider_url(&url, base, "/v1/messages");
	is_str(buf_str(&url), "http://h:1/v1/messages", "joined with /v1/messages: no doubled /v1");
	buf_free(&url);
	unsetenv("ANTHROPIC_BASE_URL");
}

static void gemini(void)
{
	const struct provider *p = &provider_gemini;
	unsetenv("GEMINI_BASE_URL");
	unsetenv("GOOGLE_GEMINI_BASE_URL");
	base_is(p, NULL, "https://generativelanguage.googleapis.com/v1beta", "gemini: the default");
	base_is(p, "http://cfg/v1beta", "http://cfg/v1beta", "gemini: the config's, as it is");
	setenv("GOOGLE_GEMINI_BASE_URL", "http://g:2/", 1);
	base_is(p, "http://cfg/v1beta", "http://g:2/v1beta", "GOOGLE_GEMINI_BASE_URL: an origin, /v1beta added; before the config");
	setenv("GEMINI_BASE_URL", "http://ours:3/v1alpha", 1);
	base_is(p, NULL, "http://ours:3/v1alpha", "GEMINI_BASE_URL wins, as it is");
	unsetenv("GEMINI_BASE_URL");
	unsetenv("GOOGLE_GEMINI_BASE_URL");
}

static void others(void)
{
	unsetenv("OPENAI_BASE_URL");
	setenv("GOOGLE_GEMINI_BASE_URL", "http://g:2", 1);
	base_is(&provider_openai, NULL, "https://api.openai.com/v1", "openai: the default keeps /v1");
	setenv("OPENAI_BASE_URL", "http://o:4/v1", 1);
	base_is(&provider_openai, NULL, "http://o:4/v1", "OPENAI_BASE_URL as it is");
	unsetenv("OPENAI_BASE_URL");
	unsetenv("GOOGLE_GEMINI_BASE_URL");
	unsetenv("OLLAMA_BASE_URL");
	setenv("OLLAMA_HOST", "gpu-box:11434", 1);
	base_is(&provider_ollama, "http://cfg/v1", "http://gpu-box:11434/v1", "ollama: OLLAMA_HOST before the config");
	setenv("OLLAMA_HOST", "https://gpu-box/", 1);
	base_is(&provider_ollama, NULL, "https://gpu-box/v1", "ollama: OLLAMA_HOST as a URL");
	unsetenv("OLLAMA_HOST");
	base_is(&provider_ollama, NULL, "http://127.0.0.1:11434/v1", "ollama: the default");

	char tiny[16];
	setenv("OPENAI_BASE_URL", "http://a-long-host.example/v1", 1);
	ok(provider_base(&provider_openai, NULL, tiny, sizeof tiny) < 0, "a base longer than the room: an error");
	unsetenv("OPENAI_BASE_URL");
}

int main(void)
{
	anthropic();
	gemini();
	others();
	return tap_done();
}
