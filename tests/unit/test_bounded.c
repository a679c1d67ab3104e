/* Hostile input in bounded memory: lone UTF-16 surrogates in a stream's
 * JSON read as U+FFFD (the fixer, then each provider's decoder through the
 * event batch), and token counts taken as the text streams, in pieces cut
 * only where the split patterns cut anyway, equal to the whole text's (and,
 * for tiktoken's own test texts, to tiktoken's count). */
#include "base64.h"
#include "buf.h"
#include "net/evdecode.h"
#include "jsonx.h"
#include "providers/provider.h"
#include "tap.h"
#include "tokens/tokenizer.h"
#include "tokens/tokens.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lone surrogates ---- */

/* The fixer's output for in, and how many it replaced. */
static char *fixed(const char *in, size_t *count)
{
	size_t n = strlen(in);
	char *s = strdup(in);
	*count = evdecode_fix_surrogates(s, n);
	if (strlen(s) != n)
		ok(0, "the fixer changed the length of %s", in);
	return s;
}

static void fix_case(const char *in, const char *want, size_t want_count, const char *name)
{
	size_t count;
	char *got = fixed(in, &count);
	is_str(got, want, name);
	ok(count == want_count, "%s: %zu replaced", name, want_count);
	free(got);
}

static void surrogate_fixer(void)
{
	fix_case("\"a\\ud800b\"", "\"a\\uFFFDb\"", 1, "a lone high surrogate");
	fix_case("\"a\\uDBFF\"", "\"a\\uFFFD\"", 1, "a lone high surrogate at the end of a string");
	fix_case("\"a\\udc00b\"", "\"a\\uFFFDb\"", 1, "a lone low surrogate");
	fix_case("\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\"", 0, "a whole pair is left alone");
	fix_case("\"\\uD83D\\uDE00\"", "\"\\uD83D\\uDE00\"", 0, "a whole pair in capitals is left alone");
	fix_case("\"\\ud800\\ud83d\\ude00\"", "\"\\uFFFD\\ud83d\\ude00\"", 1, "a high half before a whole pair");
	fix_case("\"\\ude00\\ud83d\"", "\"\\uFFFD\\uFFFD\"", 2, "a pair in the wrong order");
	fix_case("\"\\ud800\\u0041\"", "\"\\uFFFD\\u0041\"", 1, "a high half before an escape that is no low half");
	fix_case("\"\\\\ud800\"", "\"\\\\ud800\"", 0, "an escaped backslash before ud800 is text, not an escape");
	fix_case("\"\\\\\\ud800\"", "\"\\\\\\uFFFD\"", 1, "an escaped backslash, then a real lone surrogate");
	fix_case("\"\\u00e9\\n\\\"\"", "\"\\u00e9\\n\\\"\"", 0, "other escapes are left alone");
	fix_case("\"\\ud8", "\"\\ud8", 0, "an escape cut short is left for the parser to refuse");
	fix_case("\"\\ud800\\", "\"\\uFFFD\\", 1, "a lone half before a cut-off escape");
	fix_case("\"\\uzzzz\\ud800\"", "\"\\uzzzz\\uFFFD\"", 1, "a bad escape does not hide the next one");

	size_t count;
	char *s = fixed("{\"t\":\"x\\ud800y\"}", &count);
	jv v = jv_parse(s);
	char t[16] = "";
	jx_str(v, "t", t, sizeof t);
	is_str(t, "x\xEF\xBF\xBDy", "the fixed JSON parses, with U+FFFD in place of the lone half");
	jv_free(v);
	free(s);
}

/* One event through the batch with the provider's decoder: its text. */
static void decoded_text(const struct provider *p, const char *type, const char *data, char *out, size_t cap)
{
	struct evdecode b;
	evdecode_init(&b, p);
	struct sse_event ev = { .type = type, .data = data, .data_len = strlen(data), .id = "" };
	out[0] = 0;
	if (evdecode_add(&b, &ev) == 0) {
		evdecode_decode(&b);
		const struct provider_event *d = &b.items[0].d;
		if (d->err.code)
			snprintf(out, cap, "error: %s", d->err.message);
		else
			snprintf(out, cap, "%.*s", (int)d->text_len, evdecode_text(&b, 0, d->text_off));
	}
	evdecode_clear(&b);
	evdecode_free(&b);
}

static void surrogate_streams(void)
{
	static const struct {
		const struct provider *p;
		const char *type, *data;
	} ev[] = {
		{ &provider_openai, "message",
		  "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
		  "\"delta\":{\"content\":\"a\\ud800b\"},\"finish_reason\":null}]}" },
		{ &provider_anthropic, "content_block_delta",
		  "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\\ud800b\"}}" },
		{ &provider_gemini, "message",
		  "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\\ud800b\"}],\"role\":\"model\"},\"index\":0}]}" },
	};
	for (size_t i = 0; i < sizeof ev / sizeof *ev; i++) {
		char got[128], name[96];
		decoded_text(ev[i].p, ev[i].type, ev[i].data, got, sizeof got);
		snprintf(name, sizeof name, "%s: a lone surrogate in a delta decodes as U+FFFD", ev[i].p->name);
		is_str(got, "a\xEF\xBF\xBD" "b", name);
	}
}

/* ---- token counts in pieces ---- */

/* Fragments that meet at every kind of edge the split patterns care about. */
static const char *const frags[] = {
	"hello", "World", "don't", "I'M", "'s", "'ll", "x", "ABCdef", "12345", "7", "3.14", "!!", "...", "/",
	"?\n", ",", "\"", "(", ")", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\n ", "\r", "\f",
	"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "\xC3\xA9t\xC3\xA9", "e\xCC\x81", "\xF0\x9F\x98\x80",
	"\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\xA8", "\xFF", "\xE2\x82", "\x80", "\x01", "<|endoftext|>",
	"\xD9\xA3\xD9\xA4", "\xE2\x85\xA0", "_", "-", "#", "http://x.y/z?q=1", "\xEF\xBB\xBF",
};

static void random_text(struct buf *b, unsigned *seed, int nfrag)
{
	buf_reset(b);
	for (int i = 0; i < nfrag; i++)
		buf_adds(b, frags[rand_r(seed) % (sizeof frags / sizeof *frags)]);
}

static long whole(struct tokenizer *t, const char *s, size_t n)
{
	return (long)tokenizer_count(t, s, n);
}

/* Every safe cut of many random texts splits the count exactly, and so do
 * random sets of them at once. */
static void safe_cuts(struct tokenizer *t, const char *enc)
{
	struct buf b = BUF_INIT(1 << 20);
	unsigned seed = 18;
	long texts = 0, cuts = 0, bad = 0;
	for (int k = 0; k < 1500; k++) {
		random_text(&b, &seed, 1 + rand_r(&seed) % 60);
		long all = whole(t, b.p, b.len);
		size_t at[1024], n = 0; /* from the end */
		for (size_t c = b.len; c-- > 1 && n < 1024;)
			if (tokens_cut_ok(b.p, b.len, c))
				at[n++] = c;
		for (size_t i = 0; i < n; i++) {
			cuts++;
			if (whole(t, b.p, at[i]) + whole(t, b.p + at[i], b.len - at[i]) != all && bad++ < 5)
				ok(0, "%s: a cut at %zu of a %zu-byte text changes its count", enc, at[i], b.len);
		}
		/* a random subset, cut all at once (at[] runs from the end) */
		long sum = 0;
		size_t end = b.len;
		for (size_t i = 0; i < n; i++)
			if (rand_r(&seed) & 1) {
				sum += whole(t, b.p + at[i], end - at[i]);
				end = at[i];
			}
		sum += whole(t, b.p, end);
		if (sum != all && bad++ < 5)
			ok(0, "%s: a set of cuts changes the count of a %zu-byte text", enc, b.len);
		texts++;
	}
	ok(!bad, "%s: %ld cuts in %ld random texts split the count exactly", enc, cuts, texts);
	ok(cuts > 1000, "%s: the texts had cuts to try (%ld)", enc, cuts);
	buf_free(&b);
}

/* tiktoken's own ids for its test texts (tests/data): at every safe cut of
 * each, the two halves' counts add up to the number of ids. */
static void vector_cuts(struct tokenizer *t, const char *enc)
{
	FILE *f = fopen("tests/data/tokenizer-vectors.jsonl", "r");
	if (!f) {
		skip("no tests/data/tokenizer-vectors.jsonl");
		return;
	}
	char *line = NULL;
	size_t cap = 0;
	long texts = 0, cuts = 0, bad = 0;
	ssize_t len;
	struct buf text = BUF_INIT((size_t)64 << 20);
	while ((len = getline(&line, &cap, f)) > 0) {
		jv v = jv_parse_sized(line, (int)len);
		jv b64 = jx_get(v, "b64"), ids = jx_get(v, enc), special = jx_get(v, "special");
		buf_reset(&text);
		if (jv_get_kind(b64) == JV_KIND_STRING && jv_get_kind(ids) == JV_KIND_ARRAY &&
		    jv_get_kind(special) == JV_KIND_NUMBER && jv_number_value(special) == 0 &&
		    base64_decode(jv_string_value(b64), strlen(jv_string_value(b64)), &text) == 0) {
			long want = jv_array_length(jv_copy(ids));
			texts++;
			for (size_t c = 1; c < text.len; c++) {
				if (!tokens_cut_ok(text.p, text.len, c))
					continue;
				cuts++;
				if (whole(t, text.p, c) + whole(t, text.p + c, text.len - c) != want && bad++ < 5)
					ok(0, "%s: a cut at %zu of a tiktoken test text changes its count", enc, c);
			}
		}
		jv_free(special);
		jv_free(ids);
		jv_free(b64);
		jv_free(v);
	}
	free(line);
	fclose(f);
	buf_free(&text);
	ok(!bad && texts > 100, "%s: %ld cuts in %ld of tiktoken's test texts keep its count", enc, cuts, texts);
}

static void safe_cut_places(void)
{
	ok(tokens_safe_cut("ab cd", 5, 1) == 2, "between a word and \" word\"");
	ok(tokens_safe_cut("ab\ncd", 5, 1) == 3, "after a LF, before a letter");
	ok(tokens_safe_cut("ab\n cd", 6, 1) == 0, "not after a LF before a space");
	ok(tokens_safe_cut("ab  cd", 6, 1) == 0, "not inside a run of spaces");
	ok(tokens_safe_cut("ab\n\xE3\x80\x80x", 7, 1) == 0, "not after a LF before U+3000 (White_Space)");
	ok(tokens_safe_cut("ab\n\xE6\x97\xA5", 6, 1) == 3, "after a LF, before a CJK letter");
	ok(tokens_safe_cut("ab\n\xE6\x97", 5, 1) == 0, "not before a character cut short");
	ok(tokens_safe_cut("abcdef", 6, 1) == 0, "none in one word");
	ok(tokens_safe_cut("a b\nc d", 7, 5) == 5, "the last one, at or after from");
	ok(tokens_safe_cut("a b\nc d", 7, 6) == 0, "none after from");
}

/* Count text through the stream, fed in reads of the sizes the seed picks. */
static long streamed(const struct token_counter *tc, const char *s, size_t n, unsigned seed, int *forced)
{
	struct token_stream ts;
	tokens_stream_init(&ts, tc);
	for (size_t i = 0; i < n;) {
		size_t k = 1 + (size_t)rand_r(&seed) % (3u << 20);
		if (k > n - i)
			k = n - i;
		tokens_stream_add(&ts, s + i, k);
		i += k;
	}
	*forced = ts.forced;
	return tokens_stream_end(&ts);
}

static void stream_counts(struct token_counter *tc, const char *enc)
{
	/* several MiB, so the stream cuts many times */
	struct buf b = BUF_INIT((size_t)64 << 20);
	unsigned seed = 7;
	while (b.len < ((size_t)6 << 20)) {
		struct buf one = BUF_INIT(1 << 20);
		random_text(&one, &seed, 200);
		buf_add(&b, one.p, one.len);
		buf_free(&one);
	}
	int forced;
	long want = tokens_count(tc, b.p, b.len);
	long got = streamed(tc, b.p, b.len, 1, &forced);
	ok(got == want && !forced, "%s: 6 MiB of mixed text streamed: %ld tokens, as counted whole (%ld)", enc, got, want);
	got = streamed(tc, b.p, b.len, 2, &forced);
	ok(got == want, "%s: the same in reads of other sizes", enc);
	struct token_stream ts;
	tokens_stream_init(&ts, tc);
	for (size_t i = 0; i < b.len; i++)
		tokens_stream_add(&ts, b.p + i, 1);
	ok(tokens_stream_end(&ts) == want, "%s: the same a byte at a time", enc);

	/* no safe place at all: cut anyway, said, and close */
	buf_reset(&b);
	while (b.len < ((size_t)20 << 20))
		buf_adds(&b, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9Exyz0123-");
	want = tokens_count(tc, b.p, b.len);
	got = streamed(tc, b.p, b.len, 3, &forced);
	ok(forced, "%s: 20 MiB with no safe cut is cut anyway, and says so", enc);
	ok(labs(got - want) <= 8, "%s: ... and the count is close (%ld, whole %ld)", enc, got, want);
	tokens_stream_init(&ts, tc);
	ok(tokens_stream_end(&ts) == 0, "%s: an empty stream has no tokens", enc);
	buf_free(&b);
}

int main(void)
{
	setenv("CHAT_DATA", "share/chat", 0);
	surrogate_fixer();
	surrogate_streams();
	safe_cut_places();
	static const char *const encs[] = { "o200k_base", "cl100k_base" };
	for (int e = 0; e < 2; e++) {
		struct token_counter tc;
		char why[512];
		if (!ok(tokens_for(&tc, NULL, NULL, encs[e], why, sizeof why) == 0, "open %s", encs[e])) {
			printf("# %s\n", why);
			continue;
		}
		safe_cuts(tc.tok, encs[e]);
		vector_cuts(tc.tok, encs[e]);
		stream_counts(&tc, encs[e]);
	}
	/* an estimate's margin is taken on the whole, not on each piece */
	struct token_counter est;
	char why[512];
	if (tokens_for(&est, "claude-sonnet-4-5", NULL, NULL, why, sizeof why) == 0) {
		struct buf b = BUF_INIT((size_t)8 << 20);
		while (b.len < ((size_t)3 << 20))
			buf_adds(&b, "one two three\nfour five six seven. ");
		int forced;
		ok(est.estimate && streamed(&est, b.p, b.len, 4, &forced) == tokens_count(&est, b.p, b.len),
		   "an estimate streamed equals the estimate of the whole");
		buf_free(&b);
	}
	jx_forget_keys();
	return tap_done();
}
