/* scrub: outside text made safe for a terminal — controls shown as \xNN or
 * \u00NN, UTF-8 kept, bytes that are not UTF-8 shown, cut only between
 * whole characters — and secrets replaced by [redacted]. */
#include "diag.h"
#include "tap.h"
#include <stdlib.h>
#include <string.h>

static void shown(const char *in, size_t len, unsigned flags, const char *want, const char *name)
{
	struct buf b = BUF_INIT(1 << 16);
	scrub_buf(&b, in, len, flags);
	is_str(buf_str(&b), want, name);
	buf_free(&b);
}

static void controls(void)
{
	const char evil[] = "evil\033]0;OWNED\007\033[2J";
	shown(evil, strlen(evil), 0, "evil\\x1b]0;OWNED\\x07\\x1b[2J", "ESC and BEL made visible");
	shown("a\nb\tc\rd", 7, 0, "a\\nb\\tc\\rd", "newline, tab and CR spelled out on one line");
	shown("a\nb\tc\rd", 7, SCRUB_LINES, "a\nb\tc\\rd", "a transcript keeps newlines and tabs, not CR");
	shown("a\0b\x7f", 4, 0, "a\\x00b\\x7f", "NUL and DEL");
	shown("\xc2\x9b" "31m\xc2\x85", 7, 0, "\\u009b31m\\u0085", "C1 controls (CSI, NEL) as \\u00NN");
	shown("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	      "UTF-8 text kept: 2, 3 and 4-byte characters");
	shown("\xc2\xa0", 2, 0, "\xc2\xa0", "U+00A0, just past the C1 block, kept");
	shown("a\xff" "b\xc3", 4, 0, "a\\xffb\\xc3", "bytes that are not UTF-8 shown, a cut-off character too");
	shown("\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80", "an encoded surrogate is not UTF-8");
	shown("\xc0\xaf", 2, 0, "\\xc0\\xaf", "an overlong slash is not UTF-8");
	shown("C:\\x1b", 6, 0, "C:\\x1b", "backslashes left alone: scrubbing twice changes nothing");
}

static void cut(void)
{
	char out[8];
	scrub(out, sizeof out, "ab\033cdef", 7);
	is_str(out, "ab\\x1bc", "cut at the cap after a whole escape");
	scrub(out, sizeof out, "abcde\033f", 7);
	is_str(out, "abcde", "an escape that does not fit is left out whole");
	scrub(out, sizeof out, "abcd\xe2\x82\xac", 7);
	is_str(out, "abcd\xe2\x82\xac", "a character that just fits");
	scrub(out, sizeof out, "abcde\xe2\x82\xac", 8);
	is_str(out, "abcde", "a character is never cut in half");
	char one[1] = "x";
	scrub(one, sizeof one, "abc", 3);
	is_str(one, "", "room for nothing: an empty string");
	struct buf b = BUF_INIT(5);
	ok(scrub_buf(&b, "abc\033", 4, 0) < 0 && !strcmp(buf_str(&b), "abc"), "scrub_buf stops at its cap, at a whole escape");
	buf_free(&b);
}

static void secrets(void)
{
	char out[256];
	secret_add("sk-proj-0123456789abcdef");
	secret_add("short");  /* under SECRET_MIN: ordinary words must survive */
	secret_add(NULL);
	const char *m = "Incorrect API key provided: sk-proj-0123456789abcdef.";
	scrub(out, sizeof out, m, strlen(m));
	is_str(out, "Incorrect API key provided: [redacted].", "a key a server echoes is redacted");
	m = "key sk-proj-0123456789abcdef twice sk-proj-0123456789abcdef";
	scrub(out, sizeof out, m, strlen(m));
	is_str(out, "key [redacted] twice [redacted]", "every occurrence");
	m = "the key starts sk-proj-0123";
	scrub(out, sizeof out, m, strlen(m));
	is_str(out, "the key starts [redacted]", "a key cut off by the end of a truncated message");
	m = "ends with sk-pr";
	scrub(out, sizeof out, m, strlen(m));
	is_str(out, "ends with sk-pr", "... but not a few bytes that merely begin like one");
	m = "a short word";
	scrub(out, sizeof out, m, strlen(m));
	is_str(out, "a short word", "strings shorter than SECRET_MIN are not secrets");
	struct buf b = BUF_INIT(1 << 10);
	m = "sk-proj-0123456789abcdef";
	scrub_buf(&b, m, strlen(m), 0);
	is_str(buf_str(&b), "sk-proj-0123456789abcdef", "scrub_buf redacts only when asked");
	buf_reset(&b);
	scrub_buf(&b, m, strlen(m), SCRUB_SECRETS);
	is_str(buf_str(&b), "[redacted]", "... and does when asked");
	buf_free(&b);
	secret_add("sk-proj-0123456789abcdef-and-more");
	m = "sk-proj-0123456789abcdef-and-more";
	scrub(out, sizeof out, m, strlen(m));
	is_str(out, "[redacted]", "the longest of two secrets that start alike");

	/* the providers' variables count, whether or not this run read them
	 * (main sets this one before the first scrub reads them) */
	m = "echo sk-ant-from-the-environment";
	scrub(out, sizeof out, m, strlen(m));
	is_str(out, "echo [redacted]", "a key in the environment is a secret from the start");
}

int main(void)
{
	setenv("ANTHROPIC_API_KEY", "sk-ant-from-the-environment", 1);
	controls();
	cut();
	secrets();
	return tap_done();
}
