/* provider_endpoint, provider_keyed and provider_default_model: where a
 * provider's key and base URL come from, in which order, and what a
 * missing, refused or doubled key gives. */
#include "providers/endpoint.h"
#include "diag.h"
#include "errcode.h"
#include "tap.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/chat-test-endpoint-XXXXXX";
static char keyfile[600];

static void clear_env(void)
{
	static const char *const vars[] = { "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
		"OLLAMA_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "GOOGLE_GEMINI_BASE_URL",
		"OLLAMA_BASE_URL", "OLLAMA_HOST", NULL };
	for (const char *const *v = vars; *v; v++)
		unsetenv(*v);
}

static void config(struct config *c, const char *text)
{
	memset(c, 0, sizeof *c);
	config_parse(c, text, "t");
}

static void gemini_keys(void)
{
	struct config c = { 0 };
	struct endpoint ep;
	char why[1200];
	clear_env();
	setenv("GOOGLE_API_KEY", "g-1", 1);
	int st = provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	ok(st == 0 && !strcmp(ep.key, "g-1") && !strcmp(ep.key_source, "GOOGLE_API_KEY") && !ep.warning[0],
	   "only GOOGLE_API_KEY: its key, named as the source");
	is_str(ep.base, "https://generativelanguage.googleapis.com/v1beta", "... and the default base URL");
	setenv("GEMINI_API_KEY", "gm-2", 1);
	st = provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	ok(st == 0 && !strcmp(ep.key, "gm-2") && !strcmp(ep.key_source, "GEMINI_API_KEY"), "GEMINI_API_KEY wins");
	is_str(ep.warning, "GEMINI_API_KEY and GOOGLE_API_KEY are both set and differ: using GEMINI_API_KEY",
	       "... with a warning when the two differ");
	setenv("GOOGLE_API_KEY", "gm-2", 1);
	provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	is_str(ep.warning, "", "no warning when they hold the same key");
	setenv("GEMINI_API_KEY", "", 1);
	setenv("GOOGLE_API_KEY", "g-3", 1);
	provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	ok(!strcmp(ep.key, "g-3") && !ep.warning[0], "an empty GEMINI_API_KEY counts as unset");
	clear_env();

	char text[800];
	snprintf(text, sizeof text, "[gemini]\nkey_file = %s\nbase_url = http://cfg:1/v1beta\n", keyfile);
	config(&c, text);
	chmod(keyfile, 0600);
	st = provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	char src[700];
	snprintf(src, sizeof src, "key file %s", keyfile);
	ok(st == 0 && !strcmp(ep.key, "from-file") && !strcmp(ep.key_source, src), "a key only in key_file");
	is_str(ep.base, "http://cfg:1/v1beta", "... and the config's base_url");
	ok(provider_keyed(&provider_gemini, &c), "key_file named: keyed");
	chmod(keyfile, 0640);
	strcpy(ep.key, "x");
	st = provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	ok(st == EXIT_NOPERM && !why[0] && !ep.key_missing && !ep.key[0],
	   "a key file its group can read: 77, said by the key file check, no key kept");
	ok(provider_keyed(&provider_gemini, &c), "... though a key is set up (it is refused only when read)");
	chmod(keyfile, 0600);
	config_free(&c);

	memset(&c, 0, sizeof c);
	st = provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	ok(st == EXIT_NOPERM && ep.key_missing, "no key anywhere: 77, key_missing");
	is_str(why, "no API key for gemini: set GEMINI_API_KEY or GOOGLE_API_KEY, or key_file in the [gemini] section "
		    "of ~/.config/chat/config", "... naming every place a key can come from");
	ok(!provider_keyed(&provider_gemini, &c), "... and not keyed");
	setenv("GEMINI_API_KEY", "k\r\nX-Evil: 1", 1);
	st = provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	ok(st == EXIT_NOPERM && !ep.key_missing && !ep.key[0], "a key with control characters: refused, 77");
	clear_env();
}

static void bases_and_local(void)
{
	struct config c = { 0 };
	struct endpoint ep;
	char why[1200];
	clear_env();
	setenv("GEMINI_API_KEY", "gm", 1);
	setenv("GEMINI_BASE_URL", "ftp://x", 1);
	int st = provider_endpoint(&provider_gemini, &c, &ep, why, sizeof why);
	ok(st == EXIT_CONFIG && strstr(why, "GEMINI_BASE_URL"), "a bad GEMINI_BASE_URL: 78 naming it (%s)", why);
	unsetenv("GEMINI_BASE_URL");
	st = provider_endpoint(&provider_ollama, &c, &ep, why, sizeof why);
	ok(st == 0 && !ep.key[0] && !strcmp(ep.key_source, "nowhere (none needed)"), "Ollama without a key: none needed");
	is_str(ep.base, "http://127.0.0.1:11434/v1", "... at the local default");
	setenv("OLLAMA_API_KEY", "ol", 1);
	st = provider_endpoint(&provider_ollama, &c, &ep, why, sizeof why);
	ok(st == 0 && !strcmp(ep.key, "ol"), "Ollama with OLLAMA_API_KEY: sent");
	clear_env();
}

static void defaults(void)
{
	struct config c = { 0 };
	clear_env();
	ok(!provider_default_model(&c, 0) && !provider_default_model(&c, 1), "no key: no default");
	setenv("OLLAMA_API_KEY", "ol", 1);
	ok(!provider_default_model(&c, 0), "an Ollama key is no cloud key");
	setenv("ANTHROPIC_API_KEY", "a", 1);
	is_str(provider_default_model(&c, 0), "claude-haiku-4-5", "only Anthropic's key: claude-haiku-4-5");
	ok(!provider_default_model(&c, 1), "... and no image model (it makes none)");
	setenv("GOOGLE_API_KEY", "g", 1);
	is_str(provider_default_model(&c, 0), "claude-haiku-4-5", "Anthropic's and Gemini's: Anthropic comes first");
	is_str(provider_default_model(&c, 1), "gemini-2.5-flash-image", "... for images, Gemini's");
	setenv("OPENAI_API_KEY", "o", 1);
	is_str(provider_default_model(&c, 0), "gpt-4o-mini", "with OpenAI's: gpt-4o-mini");
	is_str(provider_default_model(&c, 1), "gpt-image-1", "... and gpt-image-1");
	clear_env();
	config(&c, "[gemini]\nkey_file = ~/k\n");
	is_str(provider_default_model(&c, 0), "gemini-2.5-flash", "a key_file counts as a key set up");
	config_free(&c);
}

int main(void)
{
	diag_init("test_endpoint");
	freopen("/dev/null", "w", stderr);
	if (!mkdtemp(dir))
		return 1;
	snprintf(keyfile, sizeof keyfile, "%s/gkey", dir);
	int fd = open(keyfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "from-file\n", 10) != 10)
		return 1;
	close(fd);
	gemini_keys();
	bases_and_local();
	defaults();
	unlink(keyfile);
	rmdir(dir);
	return tap_done();
}
