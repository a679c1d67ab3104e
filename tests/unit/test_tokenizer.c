/* The tokenizer against tiktoken's own ids (tests/data/tokenizer-vectors.jsonl,
 * written by scripts/bench/tiktoken-vectors.mjs), then what the vectors cannot
 * show: the heap merge against the plain one, any bytes, long pieces, corrupt
 * or missing data, threads.  $CHAT_TOKENIZER_VECTORS names another vectors
 * file (a larger set from the same script, for a soak). */
#include "base64.h"
#include "tokens/bpe.h"
#include "buf.h"
#include "fdio.h"
#include "jsonx.h"
#include "sha256.h"
#include "tap.h"
#include "tokens/tokenizer.h"
#include "tokens/unicode.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *encs[] = { "o200k_base", "cl100k_base" };
static struct tokenizer *tok[2];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int read_file(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	int rc = read_all(fd, b);
	close(fd);
	return rc;
}

static void show_ids(const char *label, const uint32_t *v, size_t n)
{
	printf("#   %s (%zu):", label, n);
	for (size_t i = 0; i < n && i < 40; i++)
		printf(" %u", v[i]);
	printf("%s\n", n > 40 ? " ..." : "");
}

/* Check one vector for one encoding; on a mismatch say why (once per group). */
static int check_ids(int e, const char *name, const struct buf *in, int special, jv want, const struct buf *decoded,
		     int verbose)
{
	uint32_t *got = NULL;
	size_t n = 0;
	int good = tokenizer_encode(tok[e], in->p, in->len, special, &got, &n) == 0;
	int nwant = jv_array_length(jv_copy(want));
	uint32_t *w = calloc((size_t)nwant + 1, sizeof *w);
	for (int i = 0; i < nwant; i++) {
		jv x = jv_array_get(jv_copy(want), i);
		w[i] = (uint32_t)jv_number_value(x);
		jv_free(x);
	}
	const char *why = NULL;
	if (!good)
		why = "encode failed";
	else if (n != (size_t)nwant || (n && memcmp(got, w, n * sizeof *w)))
		why = "ids differ";
	else if (!special && tokenizer_count(tok[e], in->p, in->len) != n)
		why = "count differs from encode";
	struct buf back = BUF_INIT(1 << 26);
	if (!why && (tokenizer_decode(tok[e], got, n, &back) < 0 || back.len != decoded->len ||
		     memcmp(back.p ? back.p : "", decoded->p ? decoded->p : "", back.len)))
		why = "decode(encode(x)) is not x";
	if (why && verbose) {
		printf("# %s, %s: %s\n", name, encs[e], why);
		show_ids("got ", got, n);
		show_ids("want", w, (size_t)nwant);
	}
	buf_free(&back);
	free(got);
	free(w);
	return !why;
}

static int b64(jv line, const char *key, struct buf *out)
{
	jv s = jx_get(line, key);
	int rc = jv_get_kind(s) == JV_KIND_STRING ? base64_decode(jv_string_value(s), strlen(jv_string_value(s)), out) : 1;
	jv_free(s);
	return rc;
}

/* A text from the shared folder, checked by the count and digest of its ids. */
static void check_fixture(jv line, const char *name, int *fixtures, int *fixture_skips)
{
	const char *dir = shared_dir();
	char path[4096], rel[1024], hex[65];
	if (!dir || jx_str(line, "fixture", rel, sizeof rel) < 0) {
		(*fixture_skips)++;
		return;
	}
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	struct buf text = BUF_INIT(1 << 28);
	char want_sha[80] = "";
	jx_str(line, "sha256", want_sha, sizeof want_sha);
	if (read_file(path, &text) < 0 || (sha256_hex(text.p, text.len, hex), strcmp(hex, want_sha))) {
		(*fixture_skips)++;     /* absent, or not the file the vectors saw */
		buf_free(&text);
		return;
	}
	int good = 1;
	for (int e = 0; e < 2; e++) {
		jv counts = jx_get(line, "count"), digests = jx_get(line, "ids_sha256");
		double want_n = jx_num(counts, encs[e], -1);
		char want_d[80] = "";
		jx_str(digests, encs[e], want_d, sizeof want_d);
		jv_free(counts);
		jv_free(digests);
		uint32_t *ids = NULL;
		size_t n = 0;
		tokenizer_encode(tok[e], text.p, text.len, 0, &ids, &n);
		struct buf list = BUF_INIT(1 << 28);
		for (size_t i = 0; i < n; i++)
			buf_addf(&list, "%s%u", i ? "," : "", ids[i]);
		sha256_hex(list.p ? list.p : "", list.len, hex);
		if ((double)n != want_n || strcmp(hex, want_d)) {
			printf("# %s, %s: %zu tokens (want %.0f), digest %s\n", name, encs[e], n, want_n,
			       strcmp(hex, want_d) ? "differs" : "same");
			good = 0;
		}
		buf_free(&list);
		free(ids);
	}
	buf_free(&text);
	ok(good, "%s: the ids of tiktoken", name);
	(*fixtures)++;
}

static void vectors(void)
{
	struct buf file = BUF_INIT(1 << 30);
	const char *path = getenv("CHAT_TOKENIZER_VECTORS");
	if (!path || !*path)
		path = "tests/data/tokenizer-vectors.jsonl";
	if (read_file(path, &file) < 0) {
		ok(0, "read %s", path);
		return;
	}
	/* the random vectors are reported as groups */
	static const char *groups[] = { "random special ", "random bytes ", "random " };
	int gtotal[3] = { 0 }, gbad[3] = { 0 }, fixtures = 0, fixture_skips = 0, named = 0;
	char *p = file.p, *end = file.p + file.len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		jv line = jv_parse_sized(p, (int)n);
		p += n + 1;
		if (!n) {
			jv_free(line);
			continue;
		}
		char name[256] = "?";
		jx_str(line, "name", name, sizeof name);
		jv fx = jx_get(line, "fixture");
		int is_fixture = jv_is_valid(fx);
		jv_free(fx);
		if (is_fixture) {
			check_fixture(line, name, &fixtures, &fixture_skips);
			jv_free(line);
			continue;
		}
		struct buf in = BUF_INIT(1 << 26), decoded = BUF_INIT(1 << 26);
		int special = (int)jx_num(line, "special", 0);
		int parsed = jv_get_kind(line) == JV_KIND_OBJECT && b64(line, "b64", &in) == 0;
		if (b64(line, "decoded", &decoded) == 1)
			buf_add(&decoded, in.p ? in.p : "", in.len);
		int g = -1;
		for (int k = 0; k < 3 && g < 0; k++)
			if (!strncmp(name, groups[k], strlen(groups[k])))
				g = k;
		int good = parsed;
		for (int e = 0; e < 2 && good; e++) {
			jv want = jx_get(line, encs[e]);
			good = jv_get_kind(want) == JV_KIND_ARRAY &&
			       check_ids(e, name, &in, special, want, &decoded, g < 0 || gbad[g] < 3);
			jv_free(want);
		}
		if (g < 0) {
			ok(good, "%s%s", name, special ? "" : " (and its count and decode)");
			named++;
		} else {
			gtotal[g]++;
			gbad[g] += !good;
		}
		buf_free(&in);
		buf_free(&decoded);
		jv_free(line);
	}
	for (int k = 0; k < 3; k++)
		ok(gtotal[k] > 0 && gbad[k] == 0, "%d vectors \"%s...\" for both encodings: %d differ", gtotal[k],
		   groups[k], gbad[k]);
	ok(named >= 100, "%d named vectors", named);
	if (fixture_skips)
		skip("the shared fixtures are absent or changed: their vectors are not checked");
	else
		ok(fixtures > 0, "%d shared fixture texts checked", fixtures);
	buf_free(&file);
}

/* tiktoken's merge, written plainly: the reference for the heap. */
static size_t plain_merge(const struct bpe *b, const unsigned char *p, size_t n, uint32_t *out)
{
	if ((out[0] = bpe_rank(b, p, n)) != BPE_NONE)
		return 1;       /* a piece that is a token is that token */
	size_t *start = malloc((n + 1) * sizeof *start), m = n;
	for (size_t i = 0; i <= n; i++)
		start[i] = i;
	for (;;) {
		uint32_t best = BPE_NONE;
		size_t at = 0;
		for (size_t i = 0; i + 1 < m; i++) {
			uint32_t r = bpe_rank(b, p + start[i], start[i + 2] - start[i]);
			if (r < best) {
				best = r;
				at = i;
			}
		}
		if (best == BPE_NONE)
			break;
		memmove(start + at + 1, start + at + 2, (m - at - 1) * sizeof *start);
		m--;
	}
	for (size_t i = 0; i < m; i++)
		out[i] = bpe_rank(b, p + start[i], start[i + 1] - start[i]);
	free(start);
	return m;
}

static void heap_merge(void)
{
	struct bpe b;
	char why[512];
	if (bpe_load(&b, "share/chat/o200k_base.bin", why, sizeof why) < 0) {
		ok(0, "load share/chat/o200k_base.bin: %s", why);
		return;
	}
	srand(7);
	static const char *alphabets[] = { "ab", "abc ", "aeiou", "the quick", "  \n", "0123", "-=", "ab中" };
	int bad = 0, runs = 0;
	unsigned char piece[1500];
	uint32_t *want = malloc(sizeof piece * sizeof *want);
	for (int k = 0; k < 120; k++) {
		const char *al = alphabets[k % 8];
		size_t n = 1 + (size_t)rand() % sizeof piece, na = strlen(al);
		for (size_t i = 0; i < n; i++)
			piece[i] = (unsigned char)al[(size_t)rand() % na];
		struct bpe_out o = { NULL, 0, 0, 0 };
		size_t m = plain_merge(&b, piece, n, want);
		if (bpe_merge(&b, piece, n, &o) < 0 || o.n != m || memcmp(o.ids, want, m * sizeof *want))
			bad++;
		runs++;
		free(o.ids);
	}
	ok(bad == 0, "heap and in-place merges agree with tiktoken's plain merge: %d of %d pieces differ", bad, runs);
	free(want);
	bpe_free(&b);
}

/* Any bytes: no crash, count == encode, decode gives the repaired text. */
static void any_bytes(void)
{
	srand(11);
	int bad = 0;
	unsigned char s[64];
	for (int k = 0; k < 4000; k++) {
		size_t n = (size_t)rand() % sizeof s;
		for (size_t i = 0; i < n; i++)
			s[i] = (unsigned char)(rand() % 3 ? rand() : "a '\n\xc3\xa9\xe4\xb8\x80\xf0\x9f\x98\x80"[rand() % 13]);
		struct tokenizer *t = tok[k & 1];
		uint32_t *ids = NULL;
		size_t m = 0;
		struct buf back = BUF_INIT(1 << 20), fixed = BUF_INIT(1 << 20);
		utf8_repair(s, n, &fixed);
		if (tokenizer_encode(t, (char *)s, n, k & 2, &ids, &m) < 0 ||
		    (!(k & 2) && tokenizer_count(t, (char *)s, n) != m) || tokenizer_decode(t, ids, m, &back) < 0 ||
		    back.len != fixed.len || memcmp(back.p ? back.p : "", fixed.p ? fixed.p : "", back.len))
			bad++;
		free(ids);
		buf_free(&back);
		buf_free(&fixed);
	}
	ok(bad == 0, "4000 random byte strings: count == encode, decode == the repaired text (%d bad)", bad);
}

/* A megabyte in one piece must not take quadratic time. */
static void long_pieces(void)
{
	size_t n = 1 << 20;
	char *s = malloc(n);
	static const struct { const char *what, *fill; } runs[] = {
		{ "letters", "abcdefghij" }, { "one letter", "a" }, { "spaces", " " }, { "newlines", "\n" },
		{ "digits", "0123456789" }, { "a mark", "\xcc\x81" },
	};
	for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
		size_t fl = strlen(runs[r].fill);
		for (size_t i = 0; i < n; i++)
			s[i] = runs[r].fill[i % fl];
		size_t len = n - n % fl;
		for (int e = 0; e < 2; e++) {
			double t0 = now_ms();
			uint32_t *ids = NULL;
			size_t m = 0;
			struct buf back = BUF_INIT(n + 1);
			int good = tokenizer_encode(tok[e], s, len, 0, &ids, &m) == 0;
			double ms = now_ms() - t0;
			good = good && tokenizer_decode(tok[e], ids, m, &back) == 0 && back.len == len &&
			       !memcmp(back.p, s, len) && tokenizer_count(tok[e], s, len) == m;
			ok(good, "1 MB of %s, %s: %zu tokens in %.0f ms, decoded back", runs[r].what, encs[e], m, ms);
			free(ids);
			buf_free(&back);
		}
	}
	free(s);
}

static void api(void)
{
	char why[256] = "";
	ok(!tokenizer_open("p50k_base", why, sizeof why) && strstr(why, "unknown encoding"),
	   "an unknown encoding is refused: %s", why);
	ok(!tokenizer_open(NULL, why, sizeof why), "a NULL name is refused");
	ok(tokenizer_open("o200k_base", why, sizeof why) == tok[0], "opening again gives the cached tokenizer");

	/* encode appends */
	uint32_t *ids = malloc(2 * sizeof *ids);
	ids[0] = 7;
	ids[1] = 8;
	size_t n = 2;
	int rc = tokenizer_encode(tok[0], "hello world", 11, 0, &ids, &n);
	ok(rc == 0 && n == 4 && ids[0] == 7 && ids[1] == 8 && ids[2] == 24912 && ids[3] == 2375,
	   "encode appends to the ids it is given");
	rc = tokenizer_encode(tok[0], "", 0, 1, &ids, &n);
	ok(rc == 0 && n == 4, "encoding nothing adds nothing");
	ok(tokenizer_count(tok[1], "", 0) == 0 && tokenizer_count(tok[1], NULL, 0) == 0, "the empty text has no tokens");

	/* decode */
	struct buf out = BUF_INIT(1 << 20);
	buf_adds(&out, "keep:");
	uint32_t spec[] = { 24912, 199999, 2375 };
	ok(tokenizer_decode(tok[0], spec, 3, &out) == 0 && !strcmp(out.p, "keep:hello<|endoftext|> world"),
	   "decode appends, special tokens as their text");
	uint32_t unknown[] = { 24912, 199998 };
	ok(tokenizer_decode(tok[0], unknown, 2, &out) < 0 && !strcmp(out.p, "keep:hello<|endoftext|> world"),
	   "an id that is no token fails the decode and leaves the buffer as it was");
	uint32_t far[] = { 4000000000u };
	ok(tokenizer_decode(tok[1], far, 1, &out) < 0 && tokenizer_decode(tok[1], (uint32_t[]){ 100256 }, 1, &out) < 0,
	   "ids past the table and holes in it are unknown");
	struct buf tiny = BUF_INIT(3);
	ok(tokenizer_decode(tok[0], spec, 3, &tiny) < 0 && tiny.len == 0, "a full buffer fails the decode");
	buf_free(&tiny);
	buf_free(&out);

	/* special tokens, one id each, only when allowed */
	n = 0;
	tokenizer_encode(tok[1], "<|fim_prefix|>a<|endofprompt|>", 30, 1, &ids, &n);
	ok(n == 3 && ids[0] == 100258 && ids[2] == 100276, "cl100k_base's special tokens when allowed");
	ok(tokenizer_count(tok[1], "<|fim_prefix|>a<|endofprompt|>", 30) > 3, "and as text when counted");
	free(ids);
}

static int write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int rc = fd >= 0 && write_all(fd, p, n) == 0 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Corrupt, truncated, foreign or missing data is an error, never wrong counts. */
static void bad_data(void)
{
	char dir[] = "/tmp/chat-tok.XXXXXX", path[4200], why[512];
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	char *saved = getenv("CHAT_DATA") ? strdup(getenv("CHAT_DATA")) : NULL;
	setenv("CHAT_DATA", dir, 1);
	struct buf bin = BUF_INIT(1 << 26), txt = BUF_INIT(1 << 26);
	read_file("share/chat/cl100k_base.bin", &bin);
	read_file("share/chat/cl100k_base.tiktoken", &txt);
	snprintf(path, sizeof path, "%s/cl100k_base.bin", dir);

	why[0] = 0;
	ok(!tokenizer_open("cl100k_base", why, sizeof why) && strstr(why, dir), "missing data: %s", why);

	static const struct { size_t at; const char *what; } flips[] = {
		{ 100, "an offset" }, { 600000, "the hash" }, { 0, "the last token byte" }, { 20, "the header" },
	};
	for (size_t k = 0; k < sizeof flips / sizeof *flips; k++) {
		size_t at = flips[k].at ? flips[k].at : bin.len - 1;
		bin.p[at] ^= 0x10;
		write_file(path, bin.p, bin.len);
		bin.p[at] ^= 0x10;
		why[0] = 0;
		ok(!tokenizer_open("cl100k_base", why, sizeof why) && *why, "a flipped bit in %s: %s", flips[k].what, why);
		unlink(path);   /* a new file each time: the cache is by path, and this one was never loaded */
	}
	write_file(path, bin.p, bin.len / 2);
	why[0] = 0;
	ok(!tokenizer_open("cl100k_base", why, sizeof why) && strstr(why, "corrupt"), "a truncated table: %s", why);
	write_file(path, bin.p, 10);
	ok(!tokenizer_open("cl100k_base", why, sizeof why), "a table cut inside its header: %s", why);
	unlink(path);

	/* the text form: used when there is no .bin, checked by its sha256 */
	snprintf(path, sizeof path, "%s/cl100k_base.tiktoken", dir);
	char *line = memchr(txt.p, '\n', txt.len), was = line[-1];
	line[-1] = was == '1' ? '2' : '1';          /* the first token's rank */
	write_file(path, txt.p, txt.len);
	why[0] = 0;
	ok(!tokenizer_open("cl100k_base", why, sizeof why) && *why, "an altered rank file: %s", why);
	unlink(path);
	line[-1] = was;
	write_file(path, "aGVsbG8= 1\nnot base64 2\n", 24);
	ok(!tokenizer_open("cl100k_base", why, sizeof why) && strstr(why, "line 2"), "a malformed rank file: %s", why);
	unlink(path);
	snprintf(path, sizeof path, "%s/o200k_base.tiktoken", dir);
	write_file(path, txt.p, txt.len);
	ok(!tokenizer_open("o200k_base", why, sizeof why) && strstr(why, "sha256"),
	   "another encoding's rank file: %s", why);
	unlink(path);
	snprintf(path, sizeof path, "%s/cl100k_base.tiktoken", dir);
	write_file(path, txt.p, txt.len);
	struct tokenizer *t = tokenizer_open("cl100k_base", why, sizeof why);
	uint32_t *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	const char *text = "The text form gives the same ids: naïve café, 日本語 😀!";
	if (t) {
		tokenizer_encode(t, text, strlen(text), 0, &a, &na);
		tokenizer_encode(tok[1], text, strlen(text), 0, &b, &nb);
	}
	ok(t && na == nb && na > 0 && !memcmp(a, b, na * sizeof *a), "the published text loads when there is no .bin");
	free(a);
	free(b);
	unlink(path);
	rmdir(dir);
	if (saved)
		setenv("CHAT_DATA", saved, 1);
	else
		unsetenv("CHAT_DATA");
	free(saved);
	buf_free(&bin);
	buf_free(&txt);
}

struct job {
	int e;
	size_t tokens;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	const char *text = "Threads share one mapped table: 你好，世界! It's fine.\n";
	for (int i = 0; i < 2000; i++)
		j->tokens += tokenizer_count(tok[j->e], text, strlen(text));
	return NULL;
}

static void threads(void)
{
	pthread_t th[4];
	struct job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){ i & 1, 0 };
		pthread_create(&th[i], NULL, worker, &jobs[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	const char *text = "Threads share one mapped table: 你好，世界! It's fine.\n";
	ok(jobs[0].tokens == 2000 * tokenizer_count(tok[0], text, strlen(text)) && jobs[0].tokens == jobs[2].tokens &&
	   jobs[1].tokens == jobs[3].tokens && jobs[1].tokens == 2000 * tokenizer_count(tok[1], text, strlen(text)),
	   "four threads counting at once agree");
}

int main(void)
{
	setenv("CHAT_DATA", "share/chat", 0);
	char why[512];
	for (int e = 0; e < 2; e++) {
		double t0 = now_ms();
		tok[e] = tokenizer_open(encs[e], why, sizeof why);
		if (!ok(tok[e] != NULL, "open %s in %.2f ms%s%s", encs[e], now_ms() - t0, tok[e] ? "" : ": ", tok[e] ? "" : why))
			return tap_done();
	}
	ok(!strcmp(unicode_version, "16.0.0"), "the Unicode tables are 16.0.0, tiktoken's regex version");
	api();
	vectors();
	heap_merge();
	any_bytes();
	long_pieces();
	bad_data();
	threads();
	for (int e = 0; e < 2; e++)
		tokenizer_close(tok[e]);
	jx_forget_keys();
	return tap_done();
}
