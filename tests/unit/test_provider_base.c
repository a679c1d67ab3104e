/* provider_base: the base URL each provider's requests go to, from its
 * variable, Google's SDK variable, OLLAMA_HOST, the config or the default,
 * with Anthropic's base an origin as in its SDK. */
#include "providers/provider.h"
#include "diag.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void base_is(const struct provider *p, const char *config_value, const char *want, const char *name)
{
	char out[256] = "";
	char why[300];
	int rc = provider_base(p, config_value, out, sizeof out, why, sizeof why);
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
	provider_base(p, NULL, base, sizeof base, NULL, 0);
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
	char why[300];
	ok(provider_base(&provider_openai, NULL, tiny, sizeof tiny, why, sizeof why) < 0, "a base longer than the room: an error");
	unsetenv("OPENAI_BASE_URL");
}

/* Only web URLs with a host; the message names where the URL came from. */
static void refused(const struct provider *p, const char *env, const char *value, const char *config_value,
		    const char *want_why, const char *name)
{
	char out[256], why[300] = "";
	if (env)
		setenv(env, value, 1);
	int rc = provider_base(p, config_value, out, sizeof out, why, sizeof why);
	ok(rc < 0 && strstr(why, want_why), "%s: refused", name);
	if (rc >= 0 || !strstr(why, want_why)) {
		char shown[400];
		scrub(shown, sizeof shown, why, strlen(why));
		printf("#   got: %s\n", shown);
	}
	if (env)
		unsetenv(env);
}

static void schemes(void)
{
	refused(&provider_openai, "OPENAI_BASE_URL", "file:///etc/passwd", NULL,
		"OPENAI_BASE_URL: 'file:///etc/passwd' is not an http:// or https:// URL", "file://");
	refused(&provider_openai, "OPENAI_BASE_URL", "gopher://h/", NULL, "not an http:// or https:// URL", "gopher://");
	refused(&provider_openai, "OPENAI_BASE_URL", "127.0.0.1:8080/v1", NULL, "not an http", "no scheme at all");
	refused(&provider_openai, "OPENAI_BASE_URL", "http:///v1", NULL, "names no host", "no host");
	refused(&provider_openai, "OPENAI_BASE_URL", "http://h/v1\r\nX-Evil: 1", NULL, "control character",
		"a CR LF in the URL");
	refused(&provider_anthropic, NULL, NULL, "ftp://h", "base_url in the [anthropic] section of the config",
		"the config's base_url is named");
	refused(&provider_ollama, "OLLAMA_HOST", "file://x", NULL, "OLLAMA_HOST: 'file://x/v1'", "OLLAMA_HOST");
	base_is(&provider_openai, "HTTPS://Example.com/v1", "HTTPS://Example.com/v1", "the scheme in capitals");

	/* user:password@: the userinfo and the password are never shown */
	setenv("OPENAI_BASE_URL", "https://bob:hunter2-long-pass@proxy.example/v1", 1);
	base_is(&provider_openai, NULL, "https://bob:hunter2-long-pass@proxy.example/v1", "userinfo is kept in the URL");
	unsetenv("OPENAI_BASE_URL");
	char shown[200];
	const char *url = "https://bob:hunter2-long-pass@proxy.example/v1";
	scrub(shown, sizeof shown, url, strlen(url));
	is_str(shown, "https://[redacted]@proxy.example/v1", "... and scrubbed from what is printed");
	const char *pw = "the password hunter2-long-pass alone";
	scrub(shown, sizeof shown, pw, strlen(pw));
	is_str(shown, "the password [redacted] alone", "... the password alone too");
	setenv("OPENAI_BASE_URL", "http://al:pw@h/v1", 1);
	base_is(&provider_openai, NULL, "http://al:pw@h/v1", "a short user:password");
	unsetenv("OPENAI_BASE_URL");
	scrub(shown, sizeof shown, "GET http://al:pw@h/v1", 21);
	is_str(shown, "GET http://[redacted]@h/v1", "... is redacted whole however short");
	scrub(shown, sizeof shown, "pw al", 5);
	is_str(shown, "pw al", "... but its short parts alone are ordinary words");
}

/* The core's list of provider names and the registry name the same set. */
static void names(void)
{
	size_t n = 0;
	for (const char *const *p = chat_provider_names; *p; p++, n++) {
		char m[64];
		snprintf(m, sizeof m, "%s:some-model", *p);
		const char *rest = NULL;
		ok(provider_find(*p) != NULL, "the registry has '%s'", *p);
		ok(provider_for_model(m, &rest) == provider_find(*p) && rest && !strcmp(rest, "some-model"),
		   "'%s' picks it", m);
		is_str(chat_model_after_provider(m), "some-model", "the core looks past a provider's prefix");
	}
	ok(n == 4, "four providers named (got %zu)", n);
	ok(chat_model_after_provider("ft:gpt-4o:org::1") == NULL, "a fine-tune's ft: is no provider");
	ok(chat_model_after_provider("gpt-4o") == NULL, "no colon: no provider");
}

int main(void)
{
	names();
	anthropic();
	gemini();
	others();
	schemes();
	return tap_done();
}
