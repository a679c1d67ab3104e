#include "tokens/tokens.h"
#include "tokens/encmap.h"
#include "tokens/tokenizer.h"
#include "tokens/unicode.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Each encoding is loaded once per process and shared by every thread. */
static struct {
	const char *name;
	struct tokenizer *t;
} cache[] = { { "o200k_base", NULL }, { "cl100k_base", NULL } };
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct tokenizer *encoding(const char *name, char *why, size_t cap)
{
	const char *ranks = encmap_ranks(name);
	for (size_t i = 0; ranks && i < sizeof cache / sizeof *cache; i++) {
		if (strcmp(cache[i].name, ranks))
			continue;
		pthread_mutex_lock(&cache_lock);
		if (!cache[i].t)
			cache[i].t = tokenizer_open(ranks, why, cap);
		struct tokenizer *t = cache[i].t;
		pthread_mutex_unlock(&cache_lock);
		return t;
	}
	snprintf(why, cap, "unknown encoding '%s'; known: o200k_base, cl100k_base, o200k_harmony", name);
	return NULL;
}

int tokens_for(struct token_counter *tc, const char *model, const struct model_info *mi, const char *enc, char *why,
	       size_t cap)
{
	memset(tc, 0, sizeof *tc);
	if (!enc)
		enc = encmap_model(model);
	/* a name tiktoken does not know (a local model, gpt-image-1) may still
	 * have its encoding named by the model table or a [model] section */
	if (!enc && mi && mi->tokenizer[0] && strcmp(mi->tokenizer, "-"))
		enc = mi->tokenizer;
	tc->estimate = !enc;
	if (!enc)
		enc = "o200k_base";
	snprintf(tc->encoding, sizeof tc->encoding, "%s", enc);
	tc->tok = encoding(enc, why, cap);
	return tc->tok ? 0 : -1;
}

long tokens_count(const struct token_counter *tc, const char *text, size_t len)
{
	long n = (long)tokenizer_count(tc->tok, text, len);
	return tc->estimate ? n + (n + 9) / 10 : n;
}

long tokens_message(const struct token_counter *tc, const char *text, size_t len)
{
	return TOKENS_PER_MESSAGE + tokens_count(tc, text, len);
}

/* Is the character at s[i] (i < n, whole within n) a well-formed one
 * that is not White_Space? */
static int solid_char(const unsigned char *s, size_t n, size_t i)
{
	unsigned c = s[i];
	size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
	if (!k || k > n - i || utf8_bad_at(s + i, k) != k)
		return 0;
	uint32_t cp = k == 1 ? c : c & (0x7Fu >> k);
	for (size_t j = 1; j < k; j++)
		cp = cp << 6 | (s[i + j] & 0x3Fu);
	return (cp < UNICODE_FLAT ? unicode_flat()[cp] : unicode_class(cp)) != UC_WS;
}

static int ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The split patterns have no look-behind, so the pieces after a cut are
 * the whole text's when a piece of the whole text starts there; and the
 * pieces before it are the same when nothing the patterns try there reads
 * past it. Two kinds of place are safe for o200k_base and cl100k_base:
 *   after a LF, before a character that is neither White_Space nor "/": no
 *   piece holds both a line end and the character after it (the letter and
 *   number patterns take no line end before them; the punctuation one only
 *   line ends after it, and in o200k_base slashes: ":\n//" is one piece);
 *   between an ASCII letter or digit and " x" (x a letter or digit): a run
 *   of letters or digits ends at the space, and " x" starts the next piece.
 * A cut between bytes of ASCII, or before a well-formed character, never
 * splits an ill-formed sequence, so the repair of bad UTF-8 is the same. */
int tokens_cut_ok(const char *text, size_t n, size_t b)
{
	const unsigned char *s = (const unsigned char *)text;
	if (b == 0 || b >= n)
		return 0;
	if (s[b - 1] == '\n')
		return s[b] != '/' && solid_char(s, n, b);
	return s[b] == ' ' && b + 1 < n && ascii_alnum(s[b - 1]) && ascii_alnum(s[b + 1]);
}

size_t tokens_safe_cut(const char *s, size_t n, size_t from)
{
	for (size_t b = n - (n > 0); b > 0 && b >= from; b--)
		if (tokens_cut_ok(s, n, b))
			return b;
	return 0;
}

void tokens_stream_init(struct token_stream *ts, const struct token_counter *tc)
{
	memset(ts, 0, sizeof *ts);
	ts->tc = tc;
	buf_init(&ts->pend, TOKENS_FORCE + TOKENS_CHUNK);
}

/* Count pend[0..cut) and keep the rest. */
static void count_head(struct token_stream *ts, size_t cut)
{
	size_t k = tokenizer_count(ts->tc->tok, ts->pend.p, cut);
	if (k == SIZE_MAX)
		ts->failed = 1;
	ts->raw += (long)k;
	buf_consume(&ts->pend, cut);
	ts->searched = 0;
}

/* Where to cut held text that has no safe place: before the first byte of
 * its last character, so no UTF-8 sequence is split. */
static size_t forced_cut(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t b = n - 1;
	while (b > 0 && (s[b] & 0xC0) == 0x80 && n - b < 4)
		b--;
	return b ? b : n;
}

int tokens_stream_add(struct token_stream *ts, const char *p, size_t n)
{
	while (n && !ts->failed) {
		size_t room = ts->pend.max - ts->pend.len, take = n < room ? n : room;
		if (buf_add(&ts->pend, p, take) < 0) {
			ts->failed = 1;
			break;
		}
		p += take;
		n -= take;
		if (ts->pend.len < TOKENS_CHUNK)
			continue;
		/* look back only over what an earlier search has not seen; a cut
		 * is judged by up to four bytes after it, so those are seen again */
		size_t from = ts->searched ? ts->searched : 1;
		size_t cut = tokens_safe_cut(ts->pend.p, ts->pend.len, from);
		ts->searched = ts->pend.len > 4 ? ts->pend.len - 4 : 1;
		if (!cut && ts->pend.len >= TOKENS_FORCE) {
			cut = forced_cut(ts->pend.p, ts->pend.len);
			ts->forced = 1;
		}
		if (cut)
			count_head(ts, cut);
	}
	return ts->failed ? -1 : 0;
}

long tokens_stream_end(struct token_stream *ts)
{
	if (!ts->failed && ts->pend.len)
		count_head(ts, ts->pend.len);
	buf_free(&ts->pend);
	if (ts->failed)
		return -1;
	return ts->tc->estimate ? ts->raw + (ts->raw + 9) / 10 : ts->raw;
}

static long tiles(long w, long h, long side)
{
	return ((w + side - 1) / side) * ((h + side - 1) / side);
}

long tokens_image(const char *provider, int w, int h)
{
	int known = w > 0 && h > 0;
	if (!strcmp(provider, "anthropic")) {
		/* pixels / 750, after shrinking to fit 1568 on the long side */
		if (!known)
			return 1600;
		double scale = (w > h ? w : h) > 1568 ? 1568.0 / (w > h ? w : h) : 1;
		return (long)((w * scale) * (h * scale) / 750 + 1);
	}
	if (!strcmp(provider, "gemini")) {
		/* 258 for a small image, else 258 for each 768-pixel tile */
		if (!known)
			return 258 * 4;
		return w <= 384 && h <= 384 ? 258 : 258 * tiles(w, h, 768);
	}
	/* OpenAI high detail: fit in 2048 x 2048, shortest side at most 768,
	 * then 170 for each 512-pixel tile plus 85 */
	if (!known)
		return 85 + 170 * 6;
	double fw = w, fh = h;
	double fit = (fw > fh ? fw : fh) > 2048 ? 2048 / (fw > fh ? fw : fh) : 1;
	fw *= fit;
	fh *= fit;
	double shortest = fw < fh ? fw : fh;
	if (shortest > 768) {
		fw *= 768 / shortest;
		fh *= 768 / shortest;
	}
	return 85 + 170 * tiles((long)(fw + 0.5), (long)(fh + 0.5), 512);
}

/* A page whose count the file hides (object streams): one for every 50 KB,
 * about a text page's share of a typical PDF. */
#define PDF_BYTES_PER_PAGE 50000

long tokens_pdf(const char *provider, long pages, size_t bytes)
{
	if (pages < 0)
		pages = (long)(bytes / PDF_BYTES_PER_PAGE) + 1;
	/* Gemini: 258 tokens a page (its document-understanding guide).
	 * Anthropic: 1,500 to 3,000 tokens of text a page, and each page also
	 * goes as an image (its PDF support page); OpenAI likewise sends each
	 * page's text and an image of it (its file inputs guide). The low end
	 * of the text range plus an image: an estimate that leaves a PDF the
	 * provider takes to the provider (which still says when it is over),
	 * where the top of the range would refuse 40 pages for a 128k window. */
	if (!strcmp(provider, "gemini"))
		return 258 * pages;
	return (1500 + tokens_image(provider, 0, 0)) * pages;
}

long tokens_audio(const char *provider, double seconds, size_t bytes)
{
	/* unknown length: as if at 128 kbit/s, 16,000 bytes a second */
	if (seconds < 0)
		seconds = (double)bytes / 16000;
	/* Gemini: 32 tokens a second (its audio guide). OpenAI publishes no
	 * rate for input_audio; Gemini's figure serves as the budget's. */
	return (long)(seconds * 32 + 1);
}
