/* The template writer: what template_save writes, template_load reads back
 * exactly; what the format cannot hold is refused rather than changed; a
 * template is replaced only when asked, and the names it takes. */
#include "errcode.h"
#include "template.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char home[] = "/tmp/chat-test-template-XXXXXX";

static struct template blank(void)
{
	struct template t;
	memset(&t, 0, sizeof t);
	t.temperature = -1;
	t.context = -1;
	return t;
}

static const char *file(const char *name)
{
	static char text[4096];
	char path[512];
	snprintf(path, sizeof path, "%s/chat/templates/%s", home, name);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	text[n] = 0;
	if (f)
		fclose(f);
	return text;
}

static void round_trip(void)
{
	struct template t = blank(), back;
	char why[600], path[4200];
	t.model = "openai:gpt-4.1";
	t.system = "\n\nstarts with blank lines\n  indented\n# not a comment\nEND\n\tEND1 with a tab\n";
	t.prompt = "say \"hi\" = <<END 'there' \\n caf\xc3\xa9\n\nend";
	t.prompt_jq = "\"A line: \\(.msg)\"";
	t.schema = "{\"type\":\"object\"}";
	t.description = "=<< odd";
	t.temperature = 0.1;
	t.max_tokens = 77;
	t.context = 0;
	t.params[0].name = "lang";
	t.params[0].value = " padded at the start";
	t.nparams = 1;
	ok(template_save(&t, "odd", 0, path, sizeof path, why, sizeof why) == 0, "saved (%s)", why);
	int r = template_load("odd", &back, why, sizeof why);
	ok(r == 0, "loaded back (%s)", r ? why : "");
	if (r)
		return;
	is_str(back.model, t.model, "model");
	is_str(back.system, t.system, "system: blank lines first and last, an END line, a tab");
	is_str(back.prompt, t.prompt, "prompt: quotes, =, <<, a backslash, UTF-8, a blank line");
	is_str(back.prompt_jq, t.prompt_jq, "prompt-jq");
	is_str(back.schema, t.schema, "schema");
	is_str(back.description, t.description, "description");
	ok(back.temperature == 0.1 && back.max_tokens == 77 && back.context == 0, "numbers");
	ok(back.nparams == 1 && !strcmp(back.params[0].name, "lang") &&
	   !strcmp(back.params[0].value, " padded at the start"), "a param with a leading space");
	template_free(&back);
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
	ok(strstr(file("odd"), "system <<END2\n") != NULL, "the end word is one no line holds");
}

static void refusals(void)
{
	struct template t = blank();
	char why[600], path[4200];
	t.system = "a trailing space \nx";
	ok(template_save(&t, "bad", 0, path, sizeof path, why, sizeof why) == EXIT_DATAERR &&
	   strstr(why, "the system prompt ends its line 1 with a space"), "a line ending in a space is refused: %s", why);
	ok(access(path, F_OK) < 0, "... and nothing is written");
	t = blank();
	t.prompt = "a\r\nb";
	ok(template_save(&t, "bad", 0, path, sizeof path, why, sizeof why) == EXIT_DATAERR, "a carriage return ending a line");
	t = blank();
	t.prompt = "caf\xe9";
	ok(template_save(&t, "bad", 0, path, sizeof path, why, sizeof why) == EXIT_DATAERR, "not UTF-8");
	t = blank();
	t.params[0].name = "a=b";
	t.params[0].value = "x";
	t.nparams = 1;
	ok(template_save(&t, "bad", 0, path, sizeof path, why, sizeof why) == EXIT_DATAERR, "a param name not a jq name");
}

static void replacing(void)
{
	struct template t = blank();
	char why[600], path[4200];
	t.model = "first";
	ok(template_save(&t, "keep", 0, path, sizeof path, why, sizeof why) == 0, "saved");
	chmod(path, 0644);
	t.model = "second";
	ok(template_save(&t, "keep", 0, path, sizeof path, why, sizeof why) == EXIT_CANTCREAT &&
	   strstr(why, "--force"), "one that exists is not replaced: %s", why);
	is_str(file("keep"), "model = first\n", "... and is left as it was");
	ok(template_save(&t, "keep", 1, path, sizeof path, why, sizeof why) == 0, "replaced when asked");
	is_str(file("keep"), "model = second\n", "... with the new text");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "... keeping the mode it had");
}

static void names(void)
{
	static const char *bad[] = { "", ".hidden", "a/b", "../x", "-x", "backup~", "tab\there", "new\nline" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ok(!template_name_ok(bad[i]), "name refused: '%s'", bad[i]);
	char longest[200];
	memset(longest, 'n', sizeof longest);
	longest[127] = 0;
	ok(template_name_ok(longest), "127 bytes is fine");
	longest[127] = 'n';
	longest[128] = 0;
	ok(!template_name_ok(longest), "128 is not");
	ok(template_name_ok("triage-v2.en") && template_name_ok("caf\xc3\xa9"), "dots, dashes, UTF-8 inside");
	struct template t = blank();
	char why[600], path[4200];
	ok(template_save(&t, "a/b", 0, path, sizeof path, why, sizeof why) == EXIT_USAGE, "a bad name is a usage error");
}

int main(void)
{
	if (!mkdtemp(home))
		return 1;
	setenv("XDG_CONFIG_HOME", home, 1);
	umask(022);
	round_trip();
	refusals();
	replacing();
	names();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
