/* mdrender: each construct with colour (exact SGR and OSC 8 bytes) and
 * without (no escape at all), the same output however the input is split
 * (each case, and a document of every construct, cut at every byte and fed
 * a byte at a time), code lines byte-identical to the input, a line out the
 * moment its newline is, and nothing in a reply able to drive the terminal:
 * control characters shown in caret notation, invalid UTF-8 replaced. */
#include "ask/mdrender.h"
#include "tap.h"
#include <ctype.h>
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
#define D5 "\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90"
#define QB "\033[2m" BAR "\033[0m "
#define DIM3 "\033[2m" R3 "\033[0m"
#define OSC(url) "\033]8;;" url "\033\\"
#define OSCEND "\033]8;;\033\\"
#define UNCH "\xe2\x98\x90"
#define CH "\xe2\x98\x91"
#define FFFD "\xef\xbf\xbd"

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
	{ "link: OSC 8 with colour, the URL after without",
	  "see [docs](https://x.io/a) ok\n", "see " OSC("https://x.io/a") "\033[4mdocs\033[0m" OSCEND " ok\n",
	  "see docs (https://x.io/a) ok\n" },
	{ "link with parentheses and a title", "[w](https://w.org/A_(b) \"T\")\n",
	  OSC("https://w.org/A_(b)") "\033[4mw\033[0m" OSCEND "\n", "w (https://w.org/A_(b))\n" },
	{ "link whose text is its URL", "[https://a.b](https://a.b)\n",
	  OSC("https://a.b") "\033[4mhttps://a.b\033[0m" OSCEND "\n", "https://a.b\n" },
	{ "link text with emphasis", "[**b**](u)\n", OSC("u") "\033[4m\033[1mb\033[0m\033[4m\033[0m" OSCEND "\n",
	  "b (u)\n" },
	{ "link URL in <>, its space and ESC made harmless", "[x](<a b\033c>)\n",
	  OSC("a%20b%1Bc") "\033[4mx\033[0m" OSCEND "\n", "x (a b^[c)\n" },
	{ "brackets without a link", "a [b] c [d](e\n", "a [b] c [d](e\n", "a [b] c [d](e\n" },
	{ "autolink", "<https://e.org/x?q=1>\n", OSC("https://e.org/x?q=1") "\033[4mhttps://e.org/x?q=1\033[0m" OSCEND "\n",
	  "https://e.org/x?q=1\n" },
	{ "email autolink", "<me@e.org>\n", OSC("mailto:me@e.org") "\033[4mme@e.org\033[0m" OSCEND "\n", "me@e.org\n" },
	{ "HTML passes through", "<b>bold</b> &amp; <br/>\n", "<b>bold</b> &amp; <br/>\n", "<b>bold</b> &amp; <br/>\n" },
	{ "image", "![a cat](c.png)\n", OSC("c.png") "\033[4m[image: a cat]\033[0m" OSCEND "\n", "[image: a cat] (c.png)\n" },
	{ "strong and emphasis at once", "a ***b*** c\n", "a \033[1;3mb\033[0m c\n", "a b c\n" },
	{ "strike, its tildes kept without colour", "~~old~~ new ~5\n", "\033[9mold\033[0m new ~5\n", "~~old~~ new ~5\n" },
	{ "code span's padding space", "`` `a` ``\n", "\033[36m`a`\033[0m\n", "`` `a` ``\n" },
	{ "setext heading (=)", "Title\n=====\n", "Title\n\033[1m" D5 "\033[0m\n", "Title\n" D5 "\n" },
	{ "setext heading (-)", "Sub\n---\n", "Sub\n\033[1m" R3 "\033[0m\n", "Sub\n" R3 "\n" },
	{ "= with no paragraph above is text", "\n===\n", "\n===\n", "\n===\n" },
	{ "task list", "- [ ] todo\n- [x] done\n1. [X] ok\n", B " " UNCH " todo\n" B " " CH " done\n1. " CH " ok\n",
	  B " " UNCH " todo\n" B " " CH " done\n1. " CH " ok\n" },
	{ "nested quote", "> a\n> > b\n", QB "a\n" QB QB "b\n", BAR " a\n" BAR " " BAR " b\n" },
	{ "fenced code in a quote", "> ```sh\n> echo *x*\n> ```\n",
	  QB "\033[2m" R3 " sh\033[0m\n" QB "echo *x*\n" QB DIM3 "\n", BAR " " R3 " sh\n" BAR " echo *x*\n" BAR " " R3 "\n" },
	{ "the quote's end ends its code", "> ```\n> a\nb *c*\n", QB DIM3 "\n" QB "a\nb \033[3mc\033[0m\n",
	  BAR " " R3 "\n" BAR " a\nb c\n" },
	{ "fenced code in a list item", "1. Step\n   ```sh\n   ls *\n   ```\n",
	  "1. Step\n   \033[2m" R3 " sh\033[0m\n   ls *\n   " DIM3 "\n", "1. Step\n   " R3 " sh\n   ls *\n   " R3 "\n" },
	{ "fenced code in a nested item", "- a\n  - b\n    ```\n    x\n    ```\n",
	  B " a\n  " B " b\n    " DIM3 "\n    x\n    " DIM3 "\n", B " a\n  " B " b\n    " R3 "\n    x\n    " R3 "\n" },
	{ "indented code", "text\n\n    *x* `y`\n\n    z\n", "text\n\n    *x* `y`\n\n    z\n", "text\n\n    *x* `y`\n\n    z\n" },
	{ "an indented line in a paragraph is text", "text\n    *x*\n", "text\n    \033[3mx\033[0m\n", "text\n    x\n" },
	{ "indented text in a list item is text", "- a\n\n    *b*\n", B " a\n\n    \033[3mb\033[0m\n", B " a\n\n    b\n" },
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
	{ "table alignment", "| name | mid | right |\n|:--|:--:|--:|\n| a | b | c |\n",
	  BAR " name " BAR " mid " BAR " right " BAR "\n\xe2\x94\x9c" R3 R3 "\xe2\x94\xbc" R3 "\xe2\x94\x80\xe2\x94\x80\xe2\x94\xbc"
	  R3 R3 "\xe2\x94\x80\xe2\x94\xa4\n" BAR " a    " BAR "  b  " BAR "     c " BAR "\n",
	  BAR " name " BAR " mid " BAR " right " BAR "\n\xe2\x94\x9c" R3 R3 "\xe2\x94\xbc" R3 "\xe2\x94\x80\xe2\x94\x80\xe2\x94\xbc"
	  R3 R3 "\xe2\x94\x80\xe2\x94\xa4\n" BAR " a    " BAR "  b  " BAR "     c " BAR "\n" },
	{ "table row missing a cell", "| a | b |\n| c |\n", BAR " a " BAR " b " BAR "\n" BAR " c " BAR "   " BAR "\n",
	  BAR " a " BAR " b " BAR "\n" BAR " c " BAR "   " BAR "\n" },
	{ "table of wide characters", "| \xe6\x97\xa5\xe6\x9c\xac | x |\n| ab | y |\n",
	  BAR " \xe6\x97\xa5\xe6\x9c\xac " BAR " x " BAR "\n" BAR " ab   " BAR " y " BAR "\n",
	  BAR " \xe6\x97\xa5\xe6\x9c\xac " BAR " x " BAR "\n" BAR " ab   " BAR " y " BAR "\n" },
	{ "more columns than there is room for: the last takes the rest",
	  "|0|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|19|20|21|22|23|24|25|26|27|28|29|30|31|32|33|\n",
	  BAR " 0 " BAR " 1 " BAR " 2 " BAR " 3 " BAR " 4 " BAR " 5 " BAR " 6 " BAR " 7 " BAR " 8 " BAR " 9 " BAR " 10 " BAR
	  " 11 " BAR " 12 " BAR " 13 " BAR " 14 " BAR " 15 " BAR " 16 " BAR " 17 " BAR " 18 " BAR " 19 " BAR " 20 " BAR
	  " 21 " BAR " 22 " BAR " 23 " BAR " 24 " BAR " 25 " BAR " 26 " BAR " 27 " BAR " 28 " BAR " 29 " BAR " 30 " BAR
	  " 31|32|33 " BAR "\n",
	  BAR " 0 " BAR " 1 " BAR " 2 " BAR " 3 " BAR " 4 " BAR " 5 " BAR " 6 " BAR " 7 " BAR " 8 " BAR " 9 " BAR " 10 " BAR
	  " 11 " BAR " 12 " BAR " 13 " BAR " 14 " BAR " 15 " BAR " 16 " BAR " 17 " BAR " 18 " BAR " 19 " BAR " 20 " BAR
	  " 21 " BAR " 22 " BAR " 23 " BAR " 24 " BAR " 25 " BAR " 26 " BAR " 27 " BAR " 28 " BAR " 29 " BAR " 30 " BAR
	  " 31|32|33 " BAR "\n" },
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
	{ "ESC in prose shown as ^[", "a\033[31mb\033]0;t\a\n", "a^[[31mb^[]0;t^G\n", "a^[[31mb^[]0;t^G\n" },
	{ "ESC in code shown as ^[", "```\n\033]0;t\a x\n```\n", DIM3 "\n^[]0;t^G x\n" DIM3 "\n", R3 "\n^[]0;t^G x\n" R3 "\n" },
	{ "ESC in the language", "```\033[2J\n```\n", "\033[2m" R3 " ^[[2J\033[0m\n" DIM3 "\n", R3 " ^[[2J\n" R3 "\n" },
	{ "ESC in a code span and a heading", "# `\033c`\n", "\033[1;4m\033[36m^[c\033[0m\033[1;4m\033[0m\n", "`^[c`\n" },
	{ "CR, BS and DEL inside a line", "safe\rbad\b\x7f\n", "safe^Mbad^H^?\n", "safe^Mbad^H^?\n" },
	{ "tab kept", "a\tb\n", "a\tb\n", "a\tb\n" },
	{ "CRLF in prose becomes LF", "a\r\nb\r\n", "a\nb\n", "a\nb\n" },
	{ "invalid UTF-8 and C1 controls replaced", "a\xff\xc0" "b \xc2\x9b c \xed\xa0\x80\n",
	  "a" FFFD FFFD "b " FFFD " c " FFFD FFFD FFFD "\n", "a" FFFD FFFD "b " FFFD " c " FFFD FFFD FFFD "\n" },
	{ "invalid UTF-8 in code replaced", "```\nx\xfey\n```\n", DIM3 "\nx" FFFD "y\n" DIM3 "\n", R3 "\nx" FFFD "y\n" R3 "\n" },
	{ "valid UTF-8 kept", "\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\n", "\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\n",
	  "\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\n" },
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

/* Every construct in one reply, hostile bytes included. */
static const char every[] =
	"# Heading *one* ##\nSetext title\n============\nSecond level\n---\n"
	"Plain **strong** and __strong__, *em* and _em_, ***both***, ~~gone~~, `code` and ``a`b``, snake_case.\n"
	"A [link](https://example.com/a_(b) \"title\") and <https://example.org/x?q=1>, <me@example.com>, ![a cat](cat.png).\n"
	"Escaped \\*not em\\* and <b>html</b> &amp; more.\n\n"
	"- one\n  - nested\n- [ ] todo\n- [x] done\n1. first\n2) second\n\n"
	"> quoted **text**\n> > nested quote\n> - list in quote\n> ```sh\n> echo \"in quote\"\n> ```\n\n"
	"| Name | Qty | Price |\n|:-----|:---:|------:|\n| apple | 3 | 1.50 |\n| kiwi | 12 |\n\n***\n\n"
	"```python\r\ndef f(x):  # *not* **styled**\r\n    return x ** 2\r\n```\r\n\n"
	"~~~\nplain tilde block \033[2J\n~~~\n\n    indented code\n    second line\n\n"
	"1. Step\n   ```bash\n   npm i\n   ```\n"
	"Bad: \033[31mred\a \xc2\x9b \xff\xe2\x82 end\r\x08\n"
	"last line, no newline **bold**";

/* Output a terminal may safely be given: valid UTF-8; no control character
 * but TAB, LF and CR before LF; escape sequences only with colour and only
 * ours, SGR (ESC [ digits ; m) and OSC 8 (ESC ] 8 ; ; printable ESC \). */
static int safe(const struct buf *b, int colour)
{
	const unsigned char *s = (const unsigned char *)(b->p ? b->p : "");
	size_t n = b->len;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		if (c == 0x1b) {
			if (!colour || i + 1 >= n)
				return 0;
			if (s[i + 1] == '[') {
				for (i += 2; i < n && (isdigit(s[i]) || s[i] == ';'); i++)
					;
				if (i >= n || s[i++] != 'm')
					return 0;
			} else if (i + 4 < n && !memcmp(s + i, "\033]8;;", 5)) {
				for (i += 5; i < n && s[i] > 0x20 && s[i] < 0x7f; i++)
					;
				if (i + 1 >= n || s[i] != 0x1b || s[i + 1] != '\\')
					return 0;
				i += 2;
			} else {
				return 0;
			}
		} else if (c < 0x20 || c == 0x7f) {
			if (c != '\t' && c != '\n' && !(c == '\r' && i + 1 < n && s[i + 1] == '\n'))
				return 0;
			i++;
		} else if (c < 0x80) {
			i++;
		} else {
			size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
			if (!len || c > 0xF4 || i + len > n)
				return 0;
			for (size_t k = 1; k < len; k++)
				if ((s[i + k] & 0xC0) != 0x80)
					return 0;
			if (len == 2 && c == 0xC2 && s[i + 1] < 0xA0)
				return 0; /* a C1 control */
			i += len;
		}
	}
	return 1;
}

/* The output of in (n bytes) fed whole; then fed cut at every byte and a
 * byte at a time, each the same. */
static int split_invariant(const char *in, size_t n, int colour, struct buf *whole)
{
	struct mdrender r;
	mdrender_init(&r, colour);
	mdrender_feed(&r, in, n, whole);
	mdrender_end(&r, whole);
	mdrender_free(&r);
	int same_all = 1;
	for (size_t cut = 0; cut <= n && same_all; cut++) {
		struct buf o = BUF_INIT(1 << 20);
		mdrender_init(&r, colour);
		mdrender_feed(&r, in, cut, &o);
		mdrender_feed(&r, in + cut, n - cut, &o);
		mdrender_end(&r, &o);
		mdrender_free(&r);
		same_all &= o.len == whole->len && !memcmp(o.p ? o.p : "", whole->p ? whole->p : "", o.len);
		buf_free(&o);
	}
	struct buf o = BUF_INIT(1 << 20);
	mdrender_init(&r, colour);
	for (size_t i = 0; i < n; i++)
		mdrender_feed(&r, in + i, 1, &o);
	mdrender_end(&r, &o);
	mdrender_free(&r);
	same_all &= o.len == whole->len && !memcmp(o.p ? o.p : "", whole->p ? whole->p : "", o.len);
	buf_free(&o);
	return same_all;
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

	/* the whole document: split anywhere, the same; safe for a terminal */
	for (int colour = 1; colour >= 0; colour--) {
		struct buf whole = BUF_INIT(1 << 20);
		ok(split_invariant(every, sizeof every - 1, colour, &whole),
		   "every construct (%s): the same output split at every byte and a byte at a time",
		   colour ? "colour" : "no colour");
		ok(safe(&whole, colour), "every construct (%s): nothing but our own escapes, valid UTF-8",
		   colour ? "colour" : "no colour");
		ok(strstr(buf_str(&whole), "def f(x):  # *not* **styled**\r\n    return x ** 2\r\n") != NULL,
		   "every construct (%s): the code's lines byte-identical", colour ? "colour" : "no colour");
		buf_free(&whole);
	}

	/* random replies made of Markdown's markers and hostile bytes */
	static const char alphabet[] = "*_~`[]()<>!#|-:= \n\n\\xy1.\033\a\r\t\xc2\x9b\xff\xe2\x94\x80@";
	unsigned seed = 12345;
	int fuzz_same = 1, fuzz_safe = 1;
	for (int doc = 0; doc < 300; doc++) {
		char in[160];
		size_t n = 1 + doc % (sizeof in - 1);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		for (int colour = 0; colour < 2; colour++) {
			struct buf whole = BUF_INIT(1 << 20);
			fuzz_same &= split_invariant(in, n, colour, &whole);
			fuzz_safe &= safe(&whole, colour);
			buf_free(&whole);
		}
	}
	ok(fuzz_same, "300 random replies: the same output however split");
	ok(fuzz_safe, "300 random replies: nothing but our own escapes, valid UTF-8");

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
	/* the next reply starts afresh, though the last left a block open */
	buf_reset(&out);
	mdrender_feed(&r, "# *x*\n", 6, &out);
	is_str(buf_str(&out), "\033[1;4m\033[3mx\033[0m\033[1;4m\033[0m\n", "after the end, a new reply starts outside code");
	mdrender_free(&r);
	buf_free(&out);
	return tap_done();
}
