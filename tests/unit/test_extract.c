/* extract: CommonMark's fenced code blocks (the cases of the spec's
 * "Fenced code blocks" section, restated), fed whole, in two pieces split
 * at every byte, and one byte at a time. */
#include "ask/extract.h"
#include "tap.h"
#include <stdio.h>
#include <string.h>

struct c {
	const char *name, *in;
	int all;
	const char *lang;
	const char *want;   /* the code out; NULL: no block found */
};

static const struct c cases[] = {
	{ "backticks", "```\n<\n >\n```\n", 0, NULL, "<\n >\n" },
	{ "tildes", "~~~\n<\n >\n~~~\n", 0, NULL, "<\n >\n" },
	{ "two backticks are no fence", "``\nfoo\n``\n", 0, NULL, NULL },
	{ "tildes do not close backticks", "```\naaa\n~~~\n```\n", 0, NULL, "aaa\n~~~\n" },
	{ "backticks do not close tildes", "~~~\naaa\n```\n~~~\n", 0, NULL, "aaa\n```\n" },
	{ "a shorter fence does not close", "````\naaa\n```\n``````\n", 0, NULL, "aaa\n```\n" },
	{ "a shorter tilde fence does not close", "~~~~\naaa\n~~~\n~~~~\n", 0, NULL, "aaa\n~~~\n" },
	{ "unclosed and empty", "```\n", 0, NULL, "" },
	{ "unclosed runs to the end", "`````\n\n```\naaa\n", 0, NULL, "\n```\naaa\n" },
	{ "unclosed, last line without newline", "```sh\necho hi", 0, NULL, "echo hi\n" },
	{ "blank lines kept", "```\n\n  \n```\n", 0, NULL, "\n  \n" },
	{ "empty block", "```\n```\n", 0, NULL, "" },
	{ "indent 1 removed", " ```\n aaa\naaa\n```\n", 0, NULL, "aaa\naaa\n" },
	{ "indent 2 removed", "  ```\naaa\n  aaa\naaa\n  ```\n", 0, NULL, "aaa\naaa\naaa\n" },
	{ "indent 3 removed, no more", "   ```\n   aaa\n    aaa\n  aaa\n   ```\n", 0, NULL, "aaa\n aaa\naaa\n" },
	{ "four spaces: indented code, no fence", "    ```\n    aaa\n    ```\n", 0, NULL, NULL },
	{ "closing fence indented 2", "```\naaa\n  ```\n", 0, NULL, "aaa\n" },
	{ "closing indent need not match", "   ```\naaa\n  ```\n", 0, NULL, "aaa\n" },
	{ "closing fence indented 4 is content", "```\naaa\n    ```\n", 0, NULL, "aaa\n    ```\n" },
	{ "backticks in a backtick info string", "``` ```\naaa\n", 0, NULL, NULL },
	{ "a closing fence takes no info", "~~~~~~\naaa\n~~~ ~~\n", 0, NULL, "aaa\n~~~ ~~\n" },
	{ "interrupts a paragraph", "foo\n```\nbar\n```\nbaz\n", 0, NULL, "bar\n" },
	{ "after a heading", "foo\n---\n~~~\nbar\n~~~\n# baz\n", 0, NULL, "bar\n" },
	{ "info string", "```ruby\ndef foo(x)\n  return 3\nend\n```\n", 0, "ruby", "def foo(x)\n  return 3\nend\n" },
	{ "info string with more words", "~~~~    ruby startline=3 $%@#$\ndef foo(x)\n  return 3\nend\n~~~~~~~\n", 0, "ruby",
	  "def foo(x)\n  return 3\nend\n" },
	{ "info string of punctuation", "````;\n````\n", 0, ";", "" },
	{ "inline code is no fence", "``` aa ```\nfoo\n", 0, NULL, NULL },
	{ "backticks in a tilde info string", "~~~ aa ``` ~~~\nfoo\n~~~\n", 0, "aa", "foo\n" },
	{ "a closing fence has no info", "```\n``` aaa\n```\n", 0, NULL, "``` aaa\n" },
	{ "closing fence followed by spaces and a tab", "```\nx\n```  \t\ny\n", 0, NULL, "x\n" },
	{ "CRLF line endings", "```sh\r\nls\r\n```\r\nafter\r\n", 0, NULL, "ls\r\n" },
	{ "only the first block", "a\n```\none\n```\nb\n```\ntwo\n```\n", 0, NULL, "one\n" },
	{ "every block, a blank line between", "a\n```\none\n```\nb\n~~~\ntwo\n~~~\n```\n```\n", 1, NULL, "one\n\ntwo\n\n" },
	{ "the first of a language", "```sh\nls\n```\n```Python extra\nprint(1)\n```\n```python\nno\n```\n", 0, "python",
	  "print(1)\n" },
	{ "a language must be the whole first word", "```jsonc\n{}\n```\n", 0, "json", NULL },
	{ "a language's fences inside another block do not count", "````md\n```jq\n.a\n```\n````\n```jq\n.b\n```\n", 0, "jq",
	  ".b\n" },
	{ "every block of a language", "```jq\n.a\n```\n```sh\nls\n```\n```JQ\n.b\n```\n", 1, "jq", ".a\n\n.b\n" },
	{ "no block at all", "just words\nand more\n", 0, NULL, NULL },
	{ "empty reply", "", 0, NULL, NULL },
};

static int feed_pieces(const struct c *t, const size_t *cuts, size_t ncuts, struct buf *out)
{
	struct extract x;
	extract_init(&x, t->all, t->lang);
	size_t at = 0, n = strlen(t->in);
	int r = 0;
	for (size_t i = 0; i <= ncuts && !r; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		r = extract_feed(&x, t->in + at, end - at, out);
		at = end;
	}
	if (!r)
		r = extract_end(&x, out);
	int found = x.found;
	extract_free(&x);
	return r < 0 ? -1 : found;
}

static int same(const struct c *t, int found, const struct buf *out)
{
	if (!t->want)
		return found == 0 && out->len == 0;
	return found > 0 && out->len == strlen(t->want) && !memcmp(out->p ? out->p : "", t->want, out->len);
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct c *t = &cases[i];
		size_t n = strlen(t->in);
		struct buf out = BUF_INIT(1 << 20);
		int found = feed_pieces(t, NULL, 0, &out);
		if (t->want)
			is_str(buf_str(&out), t->want, t->name);
		ok(same(t, found, &out), "%s: whole", t->name);
		buf_free(&out);
		int split_ok = 1;
		for (size_t cut = 0; cut <= n; cut++) {
			struct buf o = BUF_INIT(1 << 20);
			split_ok &= same(t, feed_pieces(t, &cut, 1, &o), &o);
			buf_free(&o);
		}
		ok(split_ok, "%s: split at every byte", t->name);
		size_t cuts[256];
		for (size_t k = 0; k < n && k < 256; k++)
			cuts[k] = k;
		struct buf o = BUF_INIT(1 << 20);
		ok(n > 256 || same(t, feed_pieces(t, cuts, n, &o), &o), "%s: a byte at a time", t->name);
		buf_free(&o);
	}

	/* the record's "code": a string, null, or every block as an array */
	const char *two = "x\n```\none\n```\n```jq\n.b\n```\n";
	jv v = extract_code(0, NULL, two, strlen(two));
	ok(jv_get_kind(v) == JV_KIND_STRING && !strcmp(jv_string_value(v), "one\n"), "code: the first block");
	jv_free(v);
	v = extract_code(0, "sh", two, strlen(two));
	ok(jv_get_kind(v) == JV_KIND_NULL, "code: null when no block of the language");
	jv_free(v);
	v = extract_code(1, NULL, two, strlen(two));
	jv want = jv_parse("[\"one\\n\",\".b\\n\"]");
	ok(jv_equal(v, want), "code: every block, as an array");
	const char *open = "```\nunclosed";
	v = extract_code(1, NULL, open, strlen(open));
	want = jv_parse("[\"unclosed\\n\"]");
	ok(jv_equal(v, want), "code: an unclosed block at the end");
	const char *empty_end = "text\n```";
	v = extract_code(0, NULL, empty_end, strlen(empty_end));
	ok(jv_get_kind(v) == JV_KIND_STRING && !strcmp(jv_string_value(v), ""), "code: a fence on the last line opens an empty block");
	jv_free(v);
	return tap_done();
}
