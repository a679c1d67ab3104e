/* textcheck: a NUL byte or bytes that are not UTF-8 in text to be sent is
 * refused with where it is, never mended; prompt records are checked field
 * by field as jv hands them over (a "\u0000" survives jq's parser). */
#include "textcheck.h"
#include "tap.h"
#include "diag.h"
#include <string.h>

static void refused(const char *s, size_t len, const char *want, const char *name)
{
	char why[200] = "";
	ok(text_check("the prompt", s, len, why, sizeof why) < 0 && strstr(why, want), "%s", name);
}

static void record(const char *line, const char *want, const char *name)
{
	char why[200] = "";
	jv rec = jv_parse_sized(line, (int)strlen(line));
	int r = prompt_record_check(rec, why, sizeof why);
	ok(want ? r < 0 && strstr(why, want) : r == 0, "%s", name);
	jv_free(rec);
}

int main(void)
{
	char why[200];
	ok(text_check("x", "plain caf\xc3\xa9", 11, why, sizeof why) == 0, "UTF-8 text passes");
	ok(text_check("x", "", 0, why, sizeof why) == 0, "so does nothing");
	refused("a\0b", 3, "the prompt holds a NUL byte (byte offset 1)", "a NUL byte, and where");
	refused("ab\xff", 3, "the prompt is not UTF-8 (byte offset 2)", "a byte that is not UTF-8, and where");
	refused("\xe2\x82", 2, "(byte offset 0)", "a character cut short at the end");
	refused("\xed\xa0\x80", 3, "(byte offset 0)", "an encoded surrogate");
	refused("ok \xf4\x90\x80\x80", 7, "(byte offset 3)", "past U+10FFFF");
	ok(text_check_str("x", NULL, why, sizeof why) == 0, "no string: nothing to refuse");

	ok(utf8_bad_at("abc", 3) == 3 && utf8_bad_at("a\xc3\xa9\xc3", 4) == 3, "utf8_bad_at: the first bad offset, or len");

	record("{\"type\":\"prompt\",\"text\":\"a\\u0000b\"}", "\"text\" holds a NUL byte (byte offset 1)", "a \\u0000 in text");
	jv raw = jv_parse_sized("{\"type\":\"prompt\",\"text\":\"a\0b\"}", 30);
	ok(prompt_record_check(raw, why, sizeof why) < 0 && strstr(why, "\"text\" holds a NUL"), "a raw NUL byte in the line");
	jv_free(raw);
	record("{\"type\":\"prompt\",\"text\":\"t\",\"system\":\"s\\u0000\"}", "\"system\" holds a NUL", "in system");
	record("{\"type\":\"prompt\",\"text\":\"t\",\"conversation\":\"c\\u0000x\"}", "\"conversation\" holds a NUL",
	       "in conversation");
	record("{\"type\":\"prompt\",\"text\":\"t\",\"id\":\"\\u0000\"}", "\"id\" holds a NUL", "in id");
	record("{\"type\":\"prompt\",\"text\":\"t\",\"model\":\"gpt\\u0000x\"}", "\"model\" holds a NUL", "in model");
	record("{\"type\":\"prompt\",\"text\":\"caf\\u00e9\",\"id\":7}", NULL, "a good record, a number id");
	record("[1,2]", NULL, "not an object: for the caller to refuse");
	return tap_done();
}
