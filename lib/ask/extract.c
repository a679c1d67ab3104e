/* The fenced code blocks of a reply, by CommonMark's rules (0.31, "Fenced
 * code blocks"): a fence is 3 or more ` or ~ after at most 3 spaces; an
 * info string follows (with no ` after a backtick fence); the block ends at
 * a fence of the same character, at least as long, indented at most 3
 * spaces and followed by nothing but spaces or tabs, or else at the end of
 * the reply. Content lines lose as many leading spaces as the opening fence
 * had. Fences inside block quotes or deeper list items are not looked for:
 * a reply's code sits at the top level. */
#include "ask/extract.h"
#include "ask/fence.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* as long as a whole reply may be */
enum { LINE_MAX_BYTES = 256u << 20 };

void extract_init(struct extract *x, int all, const char *lang)
{
	memset(x, 0, sizeof *x);
	x->all = all;
	x->separate = 1;
	if (lang)
		snprintf(x->lang, sizeof x->lang, "%s", lang);
	buf_init(&x->line, LINE_MAX_BYTES);
}

void extract_free(struct extract *x)
{
	buf_free(&x->line);
}

static size_t leading_spaces(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* Does the info string at s[0..n) start with the word x->lang? */
static int language_matches(const struct extract *x, const char *s, size_t n)
{
	if (!x->lang[0])
		return 1;
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t w = i;
	while (w < n && s[w] != ' ' && s[w] != '\t')
		w++;
	size_t want = strlen(x->lang);
	return w - i == want && strncasecmp(s + i, x->lang, want) == 0;
}

/* One line, with its ending if it has one (not at the reply's end). */
static int take_line(struct extract *x, const char *s, size_t n, struct buf *out)
{
	size_t bare = fence_without_eol(s, n);
	if (!x->in_block) {
		size_t info;
		if (!fence_opens(s, bare, &x->fence, &info))
			return 0;
		x->in_block = 1;
		x->selected = !x->done && language_matches(x, s + info, bare - info);
		if (x->selected && x->found++ && x->separate && buf_addc(out, '\n') < 0)
			return -1; /* a blank line between blocks */
		return 0;
	}
	if (fence_closes(&x->fence, s, bare)) {
		x->in_block = 0;
		if (x->selected && !x->all)
			x->done = 1;
		x->selected = 0;
		return 0;
	}
	if (!x->selected)
		return 0;
	size_t cut = leading_spaces(s, bare);
	if (cut > x->fence.indent)
		cut = x->fence.indent;
	if (buf_add(out, s + cut, n - cut) < 0)
		return -1;
	if (n == bare && buf_addc(out, '\n') < 0)
		return -1; /* the last line of the reply, in a block left open */
	return 0;
}

int extract_feed(struct extract *x, const char *p, size_t n, struct buf *out)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) + 1 : n;
		if (!nl || x->line.len) {
			if (buf_add(&x->line, p, take) < 0)
				return -1;
			if (nl) {
				int r = take_line(x, x->line.p, x->line.len, out);
				buf_reset(&x->line);
				if (r < 0)
					return -1;
			}
		} else if (take_line(x, p, take, out) < 0) {
			return -1;
		}
		p += take;
		n -= take;
	}
	return 0;
}

int extract_end(struct extract *x, struct buf *out)
{
	int r = 0;
	if (x->line.len)
		r = take_line(x, x->line.p, x->line.len, out);
	buf_reset(&x->line);
	if (x->in_block && x->selected && !x->all)
		x->done = 1;
	x->in_block = 0;
	x->selected = 0;
	return r;
}

jv extract_code(int all, const char *lang, const char *text, size_t len)
{
	struct extract x;
	struct buf code = BUF_INIT(256u << 20);
	jv blocks = jv_array();
	int failed = 0, appended = 0;
	extract_init(&x, 1, lang);
	x.separate = 0;
	/* line by line, so each block is known when it closes */
	while (len && !failed && (all || !appended)) {
		const char *nl = memchr(text, '\n', len);
		size_t take = nl ? (size_t)(nl - text) + 1 : len;
		failed = extract_feed(&x, text, take, &code) < 0;
		if (!nl && !failed)
			failed = extract_end(&x, &code) < 0;
		if (x.found > appended && !x.selected) {
			blocks = jv_array_append(blocks, jv_string_sized(code.p ? code.p : "", (int)code.len));
			buf_reset(&code);
			appended++;
		}
		text += take;
		len -= take;
	}
	if (!failed && x.selected) {
		failed = extract_end(&x, &code) < 0;
		blocks = jv_array_append(blocks, jv_string_sized(code.p ? code.p : "", (int)code.len));
	}
	extract_free(&x);
	buf_free(&code);
	if (failed) {
		jv_free(blocks);
		return jv_null(); /* out of memory: no code is better than a broken record */
	}
	if (all)
		return blocks;
	jv first = jv_array_length(jv_copy(blocks)) ? jv_array_get(jv_copy(blocks), 0) : jv_null();
	jv_free(blocks);
	return first;
}
