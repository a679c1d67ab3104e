#include "tokens/tokenizer.h"
#include "datafile.h"
#include "tokens/bpe.h"
#include "tokens/pretok.h"
#include "tokens/unicode.h"
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tokenizer {
	struct bpe bpe;
	const struct bpe_encoding *enc;
	enum pretok_pattern pat;
	char path[PATH_MAX];
	struct tokenizer *next;
};

/* Every table loaded by this process, by encoding and file; never unloaded. */
static struct tokenizer *loaded;
static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;

/* The data file for an encoding: NAME.bin (built by make), else the
 * NAME.tiktoken text (slower to load), in $CHAT_DATA alone when it is set,
 * else in ../share/chat beside the executable (the source tree and PREFIX
 * alike), else in the installed data directory. */
static int find_data(const char *name, char *out, size_t cap, char *why, size_t wcap)
{
	char bin[256], text[256], where[2 * PATH_MAX + 8];
	snprintf(bin, sizeof bin, "%s.bin", name);
	snprintf(text, sizeof text, "%s.tiktoken", name);
	const char *const names[] = { bin, text, NULL };
	if (datafile_path("CHAT_DATA", DATAFILE_ENV_DIR, names, out, cap, where, sizeof where) == 0)
		return 0;
	snprintf(why, wcap, "no %s.bin or %s.tiktoken in %s (set CHAT_DATA to the folder that has them)", name, name,
		 where);
	return -1;
}

static struct tokenizer *load(const struct bpe_encoding *enc, const char *path, char *why, size_t cap)
{
	struct tokenizer *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	if (bpe_load(&t->bpe, path, why, cap) < 0) {
		free(t);
		return NULL;
	}
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", t->bpe.sha256[i]);
	const char *bad = strcmp(hex, enc->sha256) ? "not the published data (its sha256 differs)" : NULL;
	for (size_t i = 0; !bad && i < enc->nspecial; i++) {
		size_t n;
		if (bpe_token(&t->bpe, enc->special[i].id, &n))
			bad = "a special token's id is an ordinary rank";
	}
	if (bad) {
		snprintf(why, cap, "%s: %s", path, bad);
		bpe_free(&t->bpe);
		free(t);
		return NULL;
	}
	t->enc = enc;
	t->pat = strcmp(enc->name, "cl100k_base") ? PRETOK_O200K : PRETOK_CL100K;
	snprintf(t->path, sizeof t->path, "%s", path);
	return t;
}

struct tokenizer *tokenizer_open(const char *name, char *why, size_t cap)
{
	const struct bpe_encoding *enc = bpe_encoding(name);
	if (!enc) {
		snprintf(why, cap, "unknown encoding '%s' (known: o200k_base, cl100k_base)", name ? name : "");
		return NULL;
	}
	char path[PATH_MAX];
	if (find_data(name, path, sizeof path, why, cap) < 0)
		return NULL;
	pthread_mutex_lock(&loaded_lock);
	struct tokenizer *t = loaded;
	while (t && (t->enc != enc || strcmp(t->path, path)))
		t = t->next;
	if (!t && (t = load(enc, path, why, cap)) != NULL) {
		t->next = loaded;
		loaded = t;
	}
	pthread_mutex_unlock(&loaded_lock);
	return t;
}

void tokenizer_close(struct tokenizer *t)
{
	(void)t;        /* stays cached: see tokenizer.h */
}

static int encode_ordinary(const struct tokenizer *t, const unsigned char *s, size_t len, struct bpe_out *o,
			   struct bpe_cache *c)
{
	for (size_t p = 0; p < len;) {
		size_t e = pretok_next(t->pat, s, len, p);
		if (bpe_merge_cached(&t->bpe, c, s + p, e - p, o) < 0)
			return -1;
		p = e;
	}
	return 0;
}

/* Where the first special token at or after from starts (len if none), and
 * which one it is.  No special token's text is a prefix of another's. */
static size_t find_special(const struct bpe_encoding *enc, const unsigned char *s, size_t len, size_t from,
			   size_t *which)
{
	while (from < len) {
		const unsigned char *h = memmem(s + from, len - from, "<|", 2);
		if (!h)
			break;
		size_t at = (size_t)(h - s);
		for (size_t k = 0; k < enc->nspecial; k++) {
			size_t n = strlen(enc->special[k].text);
			if (n <= len - at && !memcmp(s + at, enc->special[k].text, n)) {
				*which = k;
				return at;
			}
		}
		from = at + 1;
	}
	return len;
}

#define CACHE_FROM 16384

/* The split pattern runs on the text between special tokens on its own, so
 * its look-ahead sees the end of the text there, as in tiktoken. */
static int encode(const struct tokenizer *t, const char *text, size_t len, int special, struct bpe_out *o)
{
	if (!len)
		return 0;
	const unsigned char *s = (const unsigned char *)text;
	struct buf fixed = BUF_INIT((size_t)-1 / 2);
	if (!utf8_valid(s, len)) {
		if (utf8_repair(s, len, &fixed) < 0) {
			buf_free(&fixed);
			return -1;
		}
		s = (const unsigned char *)fixed.p;
		len = fixed.len;
	}
	/* a long text repeats its words: worth a cache of its pieces (a
	 * short one would spend more filling it than it saves) */
	struct bpe_cache *c = len >= CACHE_FROM ? bpe_cache_new() : NULL;
	int rc = 0;
	if (!special)
		rc = encode_ordinary(t, s, len, o, c);
	else
		for (size_t p = 0;;) {
			size_t which = 0, at = find_special(t->enc, s, len, p, &which);
			if (encode_ordinary(t, s + p, at - p, o, c) < 0) {
				rc = -1;
				break;
			}
			if (at == len)
				break;
			if (bpe_put(o, t->enc->special[which].id) < 0) {
				rc = -1;
				break;
			}
			p = at + strlen(t->enc->special[which].text);
		}
	bpe_cache_free(c);
	buf_free(&fixed);
	return rc;
}

size_t tokenizer_count(struct tokenizer *t, const char *text, size_t len)
{
	struct bpe_out o = { NULL, 0, 0, 1 };
	return encode(t, text, len, 0, &o) < 0 ? SIZE_MAX : o.n;
}

int tokenizer_encode(struct tokenizer *t, const char *text, size_t len, int allow_special, uint32_t **ids,
		     size_t *n)
{
	struct bpe_out o = { *ids, *n, *n, 0 };
	int rc = encode(t, text, len, allow_special, &o);
	*ids = o.ids;
	if (rc == 0)
		*n = o.n;
	return rc;
}

int tokenizer_decode(struct tokenizer *t, const uint32_t *ids, size_t n, struct buf *out)
{
	size_t start = out->len;
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		const unsigned char *p = bpe_token(&t->bpe, ids[i], &len);
		for (size_t k = 0; !p && k < t->enc->nspecial; k++)
			if (t->enc->special[k].id == ids[i]) {
				p = (const unsigned char *)t->enc->special[k].text;
				len = strlen(t->enc->special[k].text);
			}
		if (!p || buf_add(out, p, len) < 0) {
			out->len = start;
			if (out->p)
				out->p[start] = 0;
			return -1;
		}
	}
	return 0;
}
