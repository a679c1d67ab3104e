/* Changing one setting of the config keeps every other line as the user
 * wrote it, and what is written reads back as the setting asked for. */
#include "config.h"
#include "configedit.h"
#include "diag.h"
#include "tap.h"
#include <stdio.h>
#include <string.h>

static struct buf out = BUF_INIT(1 << 16);

static const char *set(const char *text, const char *section, const char *key, const char *value)
{
	return config_edit_set(text, section, key, value, &out) == 0 ? buf_str(&out) : "(failed)";
}

/* The value config_parse reads back from text. */
static const char *reads_back(const char *text, const char *section, const char *key)
{
	static char v[512];
	struct config c = { 0 };
	snprintf(v, sizeof v, "(unparsable)");
	if (config_parse(&c, text, "t") == 0) {
		const char *got = config_get(&c, section, key);
		snprintf(v, sizeof v, "%s", got ? got : "(none)");
	}
	config_free(&c);
	return v;
}

int main(void)
{
	diag_init("test_configedit");
	const char *base = "# mine\nmodel = gpt-4o\n\n[openai]\n; note\nbase_url = http://x/v1\n\n[anthropic]\nkey_file = /a\n";
	is_str(set(base, "openai", "key_file", "/k/openai"),
	       "# mine\nmodel = gpt-4o\n\n[openai]\n; note\nbase_url = http://x/v1\nkey_file = /k/openai\n\n"
	       "[anthropic]\nkey_file = /a\n",
	       "a new setting goes after the section's last one, the rest kept");
	is_str(set(base, "anthropic", "key_file", "/k/a"),
	       "# mine\nmodel = gpt-4o\n\n[openai]\n; note\nbase_url = http://x/v1\n\n[anthropic]\nkey_file = /k/a\n",
	       "an existing setting is replaced where it is");
	is_str(set(base, "gemini", "key_file", "/k/g"),
	       "# mine\nmodel = gpt-4o\n\n[openai]\n; note\nbase_url = http://x/v1\n\n[anthropic]\nkey_file = /a\n"
	       "\n[gemini]\nkey_file = /k/g\n",
	       "a missing section is added at the end");
	is_str(set("model = x", "gemini", "key_file", "/k/g"), "model = x\n\n[gemini]\nkey_file = /k/g\n",
	       "a last line without a line end gets one");
	is_str(set("", "gemini", "key_file", "/k/g"), "[gemini]\nkey_file = /k/g\n", "an empty config");
	is_str(set("[openai]\r\nkey_file = /old\r\nbase_url = b\r\n", "openai", "key_file", "/new"),
	       "[openai]\r\nkey_file = /new\nbase_url = b\r\n", "CRLF lines left as they are");
	const char *twice = "[openai]\nkey_file = /1\n[x]\nkey_file = /x\n[ openai ]\n  key_file=/2\n";
	const char *t = set(twice, "openai", "key_file", "/3");
	is_str(t, "[openai]\nkey_file = /3\n[x]\nkey_file = /x\n[ openai ]\nkey_file = /3\n",
	       "every key_file of a section given twice is replaced, another section's kept");
	is_str(reads_back(t, "openai", "key_file"), "/3", "... and reads back as the new value");
	is_str(reads_back(t, "x", "key_file"), "/x", "... the other section's unchanged");
	is_str(set("[openai]\nkey_filer = a\n#key_file = b\n", "openai", "key_file", "/k"),
	       "[openai]\nkey_filer = a\nkey_file = /k\n#key_file = b\n",
	       "a longer key or a commented-out one is not the key");
	t = set("", "openai", "key_file", " /spaced path ");
	is_str(reads_back(t, "openai", "key_file"), " /spaced path ", "a value with spaces at its ends is quoted");
	t = set("", "openai", "key_file", "/a b/c");
	is_str(t, "[openai]\nkey_file = /a b/c\n", "spaces inside need no quotes");
	ok(config_edit_set("", "openai", "key_file", "/a\nmodel = evil", &out) < 0, "a value with a line break is refused");
	is_str(set("[openai]\n", "openai", "key_file", "/k"), "[openai]\nkey_file = /k\n",
	       "a section with only its header");

	int removed = -1;
	ok(config_edit_unset(base, "anthropic", "key_file", &out, &removed) == 0 && removed == 1,
	   "unset: one line removed");
	is_str(buf_str(&out), "# mine\nmodel = gpt-4o\n\n[openai]\n; note\nbase_url = http://x/v1\n\n[anthropic]\n",
	       "... the rest kept");
	ok(config_edit_unset(base, "gemini", "key_file", &out, &removed) == 0 && removed == 0 &&
	   !strcmp(buf_str(&out), base), "unset of a setting that is not there changes nothing");
	buf_free(&out);
	return tap_done();
}
