/* mdrender: each construct with colour (exact SGR bytes) and without (no
 * escape at all), the same output however the input is split, code lines
 * byte-identical to the input, and a line out the moment its newline is. */
#include "ask/mdrender.h"
#include "tap.h"
#include <stdio.h>
#include <string.h>

struct c {
	const char *name, *in, *colour, *plain;
};

#define R3 "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
#define R10 R3 R3 R3 "\xe2\x94\x80"
#define R40 R10 R10 R10 R10
#define BAR "\xe2\x94\x82"
#define B "\xe2\x80\xa2"

static const struct c cases[] = {
	{ "plain text", "hello world\n", "hello world\n", "hello world\n" },
	{ "heading, #s removed", "## Title ##\n", "\033[1;4mTitle\033[0m\n", "Title\n" },
	{ "h6; 7 #s is no heading", "###### six\n####### seven\n", "\033[1;4msix\033[0m\n####### seven\n",
	  "six\n####### seven\n" },
	{ "#word is no heading", "#tag\n", "#tag\n", "#tag\n" },
	{ "strong", "a **b** c __d__\n", "a \033[1mb\033[0m c \033[1md\033[0m\n", "a b c d\n" },
	{ "emphasis", "a *b* _c_\n", "a \033[3mb\033[0m \033[3mc\033[0m\n", "a b c\n" },
	{ "snake_case stays", "snake_case_name and 2 * 3 * 4\n", "snake_case_name and 2 * 3 * 4\n",
	  "snake_case_name and 2 * 3 * 4\n" },
	{ "nested: em in strong restores bold", "**a *b* c**\n",
	  "\033[1ma \033[3mb\033[0m\033[1m c\033[0m\n", "a b c\n" },
	{ "code span literal", "use `*x* **y**` now\n", "use \033[36m*x* **y**\033[0m now\n", "use `*x* **y**` now\n" },
	{ "double-backtick span", "``a`b``\n", "\033[36ma`b\033[0m\n", "``a`b``\n" },
	{ "unclosed backtick", "a `b\n", "a `b\n", "a `b\n" },
	{ "link", "see [docs](https://x.io/a) ok\n", "see \033[4mdocs\033[0m (\033[2mhttps://x.io/a\033[0m) ok\n",
	  "see docs (https://x.io/a) ok\n" },
	{ "escape", "\\*not em\\*\n", "*not em*\n", "*not em*\n" },
	{ "bullets", "- one\n  * two\n+ three\n", B " one\n  " B " two\n" B " three\n", B " one\n  " B " two\n" B " three\n" },
	{ "bullet with emphasis", "- **a**\n", B " \033[1ma\033[0m\n", B " a\n" },
	{ "ordered kept", "1. one\n10) ten\n", "1. one\n10) ten\n", "1. one\n10) ten\n" },
	{ "block quote", "> hi *there*\n", "\033[2m" BAR "\033[0m hi \033[3mthere\033[0m\n", BAR " hi there\n" },
	{ "quote holding a list", "> - a\n", "\033[2m" BAR "\033[0m " B " a\n", BAR " " B " a\n" },
	{ "thematic break", "***\n- - -\n", "\033[2m" R40 "\033[0m\n\033[2m" R40 "\033[0m\n", R40 "\n" R40 "\n" },
	{ "table", "| a | bb |\n|---|:--:|\n| ccc | d |\n",
	  BAR " a " BAR " bb " BAR "\n\xe2\x94\x9c" R3 "\xe2\x94\xbc" R3 "\xe2\x94\x80\xe2\x94\xa4\n" BAR " ccc " BAR " d  " BAR "\n",
	  BAR " a " BAR " bb " BAR "\n\xe2\x94\x9c" R3 "\xe2\x94\xbc" R3 "\xe2\x94\x80\xe2\x94\xa4\n" BAR " ccc " BAR " d  " BAR "\n" },
	{ "table cell emphasis keeps width", "| **a** | b |\n| c | d |\n",
	  BAR " \033[1ma\033[0m " BAR " b " BAR "\n" BAR " c " BAR " d " BAR "\n", BAR " a " BAR " b " BAR "\n" BAR " c " BAR " d " BAR "\n" },
	{ "fenced code with language", "```python\nx = a**b**c  # *no*\n```\n",
	  "\033[2m" R3 " python\033[0m\nx = a**b**c  # *no*\n\033[2m" R3 "\033[0m\n", R3 " python\nx = a**b**c  # *no*\n" R3 "\n" },
	{ "tilde fence, no language, a # line", "~~~\n# not a heading\n- not a bullet\n~~~\n",
	  "\033[2m" R3 "\033[0m\n# not a heading\n- not a bullet\n\033[2m" R3 "\033[0m\n", R3 "\n# not a heading\n- not a bullet\n" R3 "\n" },
	{ "shorter fence does not close", "````\n```\n````\n",
	  "\033[2m" R3 "\033[0m\n```\n\033[2m" R3 "\033[0m\n", R3 "\n```\n" R3 "\n" },
	{ "code keeps CRLF and tabs", "```sh\r\n\tls  \r\n```\r\n", "\033[2m" R3 " sh\033[0m\n\tls  \r\n\033[2m" R3 "\033[0m\n",
	  R3 " sh\n\tls  \r\n" R3 "\n" },
	{ "unclosed block runs to the end", "```c\nint x;", "\033[2m" R3 " c\033[0m\nint x;", R3 " c\nint x;" },
	{ "last line without newline", "a **b**", "a \033[1mb\033[0m", "a b" },
	{ "blank lines kept", "a\n\nb\n", "a\n\nb\n", "a\n\nb\n" },
};

static void render(const char *in, int colour, const size_t *cuts, size_t ncuts, struct buf *out)
{
	struct mdrender r;
	mdrender_init(&r, colour);
	size_t at = 0, n = strlen(in);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		mdrender_feed(&r, in + at, end - at, out);
		at = end;
	}
	mdrender_end(&r, out);
	mdrender_free(&r);
}

static int same(const struct buf *b, const char *want)
{
	return b->len == strlen(want) && !memcmp(b->p ? b->p : "", want, b->len);
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct c *t = &cases[i];
		size_t n = strlen(t->in);
		for (int colour = 1; colour >= 0; colour--) {
			const char *want = colour ? t->colour : t->plain;
			const char *how = colour ? "colour" : "no colour";
			struct buf out = BUF_INIT(1 << 20);
			render(t->in, colour, NULL, 0, &out);
			is_str(buf_str(&out), want, t->name);
			if (!colour)
				ok(!memchr(out.p ? out.p : "", '\033', out.len), "%s: no escape without colour", t->name);
			buf_free(&out);
			int split_ok = 1;
			for (size_t cut = 0; cut <= n; cut++) {
				struct buf o = BUF_INIT(1 << 20);
				render(t->in, colour, &cut, 1, &o);
				split_ok &= same(&o, want);
				buf_free(&o);
			}
			size_t cuts[256];
			for (size_t k = 0; k < n && k < 256; k++)
				cuts[k] = k;
			struct buf o = BUF_INIT(1 << 20);
			render(t->in, colour, cuts, n < 256 ? n : 256, &o);
			split_ok &= same(&o, want);
			buf_free(&o);
			ok(split_ok, "%s (%s): split at every byte and a byte at a time", t->name, how);
		}
	}

	/* a line goes out when its newline comes, not before */
	struct mdrender r;
	struct buf out = BUF_INIT(1 << 20);
	mdrender_init(&r, 1);
	mdrender_feed(&r, "- item **bold", 13, &out);
	ok(out.len == 0, "nothing out before the newline");
	mdrender_feed(&r, "**", 2, &out);
	ok(out.len == 0, "still nothing");
	mdrender_feed(&r, "\n", 1, &out);
	is_str(buf_str(&out), B " item \033[1mbold\033[0m\n", "the line out with its newline");
	buf_reset(&out);
	mdrender_feed(&r, "```js\n", 6, &out);
	buf_reset(&out);
	mdrender_feed(&r, "let a = `x`;\n", 13, &out);
	is_str(buf_str(&out), "let a = `x`;\n", "a code line out at once, byte-identical");
	mdrender_end(&r, &out);
	mdrender_free(&r);
	buf_free(&out);
	return tap_done();
}
