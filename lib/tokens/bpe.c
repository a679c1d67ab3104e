#include "tokens/bpe.h"
#include "base64.h"
#include "buf.h"
#include "sha256.h"
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Special tokens from the reference implementation's encoding definitions. */
static const struct bpe_special o200k_special[] = {
	{ "<|endoftext|>", 199999 },
	{ "<|endofprompt|>", 200018 },
};
static const struct bpe_special cl100k_special[] = {
	{ "<|endoftext|>", 100257 },
	{ "<|fim_prefix|>", 100258 },
	{ "<|fim_middle|>", 100259 },
	{ "<|fim_suffix|>", 100260 },
	{ "<|endofprompt|>", 100276 },
};
static const struct bpe_encoding encodings[] = {
	{ "o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", o200k_special,
	  sizeof o200k_special / sizeof *o200k_special },
	{ "cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", cl100k_special,
	  sizeof cl100k_special / sizeof *cl100k_special },
};

const struct bpe_encoding *bpe_encoding(const char *name)
{
	for (size_t i = 0; name && i < sizeof encodings / sizeof *encodings; i++)
		if (!strcmp(encodings[i].name, name))
			return &encodings[i];
	return NULL;
}

/* The .bin layout: this header, then off[nranks + 1], slots[1 << hbits] and
 * the token bytes in rank order, all in the machine's byte order (make builds
 * the file where it is used; a foreign one is refused by the order field). */
#define BIN_MAGIC "chatbpe"
#define BIN_ORDER 0x01020304u
#define BIN_VERSION 1u
#define RANK_BITS 20
#define RANK_MASK ((1u << RANK_BITS) - 1)
struct bin_header {
	char magic[8];
	uint32_t order, version;
	uint32_t nranks, hbits, maxlen, nbytes;
	unsigned char sha256[32];       /* of the .tiktoken text it was built from */
	uint64_t checksum;              /* of everything after the header */
};
_Static_assert(sizeof(struct bin_header) == 72, "the header has no padding");

__attribute__((format(printf, 3, 4))) static int fail(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return -1;
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

static inline uint64_t rotl(uint64_t x, int k) { return x << k | x >> (64 - k); }

#define K1 0x9E3779B97F4A7C15u
#define K2 0xBF58476D1CE4E5B9u
#define K3 0x94D049BB133111EBu

/* Each step is a bijection of the state for a fixed word and of the word for
 * a fixed state, so any change confined to one 8-byte word is always caught;
 * four lanes keep the multiplier busy (about 0.3 ms for o200k_base). */
static uint64_t checksum(const unsigned char *p, size_t n)
{
	uint64_t a = K1, b = K2, c = K3, d = ~K1;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		a = rotl((a ^ load64(p + i)) * K2, 31);
		b = rotl((b ^ load64(p + i + 8)) * K2, 31);
		c = rotl((c ^ load64(p + i + 16)) * K2, 31);
		d = rotl((d ^ load64(p + i + 24)) * K2, 31);
	}
	uint64_t h = (uint64_t)n;
	h = rotl((h ^ a) * K3, 27);
	h = rotl((h ^ b) * K3, 27);
	h = rotl((h ^ c) * K3, 27);
	h = rotl((h ^ d) * K3, 27);
	for (; i < n; i++)
		h = rotl((h ^ p[i]) * K3, 27);
	h ^= h >> 31;
	h *= K2;
	return h ^ h >> 29;
}

/* The bytes p[0..n), n < 8, as a little-endian word: the same value as
 * or-ing in one byte at a time, from at most three loads. */
static inline uint64_t tail_word(const unsigned char *p, size_t n)
{
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		/* the loads overlap where n < 8: the same bytes in the same places */
		return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
	}
	if (!n)
		return 0;
	return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
}

static inline uint64_t key_hash(const unsigned char *p, size_t n)
{
	uint64_t h = K1 ^ (uint64_t)n;
	for (; n >= 8; p += 8, n -= 8) {
		h = (h ^ load64(p)) * K2;
		h ^= h >> 31;
	}
	h = (h ^ tail_word(p, n)) * K3;
	h ^= h >> 29;
	h *= K2;
	return h ^ h >> 32;
}

/* a[0..n) == b[0..n), without a call for the short strings tokens are */
static inline int same_bytes(const unsigned char *a, const unsigned char *b, size_t n)
{
	if (n < 8)
		return tail_word(a, n) == tail_word(b, n);
	if (n <= 16)
		return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
	for (size_t i = 0; i + 8 < n; i += 8)
		if (load64(a + i) != load64(b + i))
			return 0;
	return load64(a + n - 8) == load64(b + n - 8);
}

static uint32_t lookup(const struct bpe *b, const unsigned char *p, size_t n)
{
	uint64_t h = key_hash(p, n);
	uint32_t tag = (uint32_t)(h >> 52), i = (uint32_t)h & b->mask;
	for (;; i = (i + 1) & b->mask) {
		uint32_t s = b->slots[i];
		if (!s)
			return BPE_NONE;
		if (s >> RANK_BITS != tag)
			continue;
		uint32_t r = (s & RANK_MASK) - 1;
		if (r < b->nranks && b->off[r + 1] - b->off[r] == n && same_bytes(b->bytes + b->off[r], p, n))
			return r;
	}
}

/* The rank of a two-byte token, from the pair table once known. */
static inline uint32_t pair_rank(const struct bpe *b, const unsigned char *p)
{
	if (!b->pairs)
		return lookup(b, p, 2);
	_Atomic uint32_t *slot = &b->pairs[p[0] << 8 | p[1]];
	uint32_t v = atomic_load_explicit(slot, memory_order_relaxed);
	if (v)
		return v == BPE_NONE ? BPE_NONE : v - 1;
	uint32_t r = lookup(b, p, 2);
	/* BPE_NONE + 1 wraps to 0, which would mean unknown: none is kept as is */
	atomic_store_explicit(slot, r == BPE_NONE ? BPE_NONE : r + 1, memory_order_relaxed);
	return r;
}

uint32_t bpe_rank(const struct bpe *b, const void *p, size_t n)
{
	if (n == 1)
		return b->byte_rank[*(const unsigned char *)p];
	if (n == 2)
		return pair_rank(b, p);
	if (n == 0 || n > b->maxlen)
		return BPE_NONE;
	return lookup(b, p, n);
}

const unsigned char *bpe_token(const struct bpe *b, uint32_t rank, size_t *len)
{
	if (rank >= b->nranks || b->off[rank + 1] == b->off[rank])
		return NULL;
	*len = b->off[rank + 1] - b->off[rank];
	return b->bytes + b->off[rank];
}

/* Point the table's fields into mem (the .bin layout) and check that every
 * offset stays inside it, the hash has an empty slot to end each probe and
 * every byte has its token: a table that passes cannot lead a lookup astray. */
static int attach(struct bpe *b, void *mem, size_t size, char *why, size_t cap)
{
	const struct bin_header *h = mem;
	uint64_t want = sizeof *h + 4 * ((uint64_t)h->nranks + 1) + 4 * ((uint64_t)1 << (h->hbits & 31)) + h->nbytes;
	if (h->order != BIN_ORDER || h->version != BIN_VERSION)
		return fail(why, cap, "written by another version or machine (rebuild it with make)");
	if (h->nranks == 0 || h->nranks >= RANK_MASK || h->hbits < 8 || h->hbits > 28 || want != size)
		return fail(why, cap, "truncated or corrupt");
	if (checksum((const unsigned char *)mem + sizeof *h, size - sizeof *h) != h->checksum)
		return fail(why, cap, "corrupt (checksum mismatch)");
	b->off = (const uint32_t *)(h + 1);
	b->slots = b->off + h->nranks + 1;
	b->bytes = (const unsigned char *)(b->slots + ((size_t)1 << h->hbits));
	b->nranks = h->nranks;
	b->mask = (1u << h->hbits) - 1;
	b->maxlen = h->maxlen;
	memcpy(b->sha256, h->sha256, sizeof b->sha256);
	uint32_t longest = 0;
	for (uint32_t r = 0; r < b->nranks; r++) {
		if (b->off[r + 1] < b->off[r])
			return fail(why, cap, "corrupt (offsets)");
		if (b->off[r + 1] - b->off[r] > longest)
			longest = b->off[r + 1] - b->off[r];
	}
	if (b->off[0] != 0 || b->off[b->nranks] != h->nbytes || longest != h->maxlen)
		return fail(why, cap, "corrupt (offsets)");
	size_t empty = 0;
	for (size_t i = 0; i <= b->mask; i++)
		empty += !b->slots[i];
	if (!empty)
		return fail(why, cap, "corrupt (hash)");
	for (int c = 0; c < 256; c++) {
		unsigned char byte = (unsigned char)c;
		if ((b->byte_rank[c] = lookup(b, &byte, 1)) == BPE_NONE)
			return fail(why, cap, "corrupt (a byte has no token)");
	}
	return 0;
}

/* One line of the .tiktoken text: its rank and where its bytes lie in raw. */
struct entry {
	uint32_t rank, at, len;
};

/* The .tiktoken text read line by line, before the table is laid out. */
struct ranks {
	struct buf raw;         /* every token's bytes, in the order of the lines */
	struct buf entries;     /* a struct entry per line */
	uint32_t maxrank, maxlen;
};

/* Ranks stay below RANK_MASK and each appears once, so a file with more
 * lines than that is refused however its ranks repeat. */
#define RANKS_INIT { BUF_INIT((size_t)UINT32_MAX), BUF_INIT((size_t)RANK_MASK * sizeof(struct entry)), 0, 0 }

static void ranks_free(struct ranks *t)
{
	buf_free(&t->raw);
	buf_free(&t->entries);
}

static size_t ranks_count(const struct ranks *t) { return t->entries.len / sizeof(struct entry); }

static const struct entry *ranks_at(const struct ranks *t, size_t k)
{
	return (const struct entry *)t->entries.p + k;
}

/* Read the text's lines (base64 token, space, decimal rank) into t. */
static int read_ranks(struct ranks *t, const char *text, size_t len, char *why, size_t cap)
{
	size_t lineno = 0;
	for (size_t i = 0; i < len;) {
		const char *line = text + i, *eol = memchr(line, '\n', len - i);
		size_t n = eol ? (size_t)(eol - line) : len - i;
		i += n + 1;
		lineno++;
		if (n == 0)
			continue;
		const char *sp = memchr(line, ' ', n);
		if (!sp || sp == line || sp + 1 == line + n)
			return fail(why, cap, "line %zu: expected a token and its rank", lineno);
		uint64_t rank = 0;
		for (const char *d = sp + 1; d < line + n; d++)
			if (*d < '0' || *d > '9' || (rank = rank * 10 + (uint64_t)(*d - '0')) >= RANK_MASK - 1)
				return fail(why, cap, "line %zu: bad rank", lineno);
		size_t at = t->raw.len;
		if (base64_decode(line, (size_t)(sp - line), &t->raw) < 0 || t->raw.len == at)
			return fail(why, cap, "line %zu: bad base64", lineno);
		struct entry e = { (uint32_t)rank, (uint32_t)at, (uint32_t)(t->raw.len - at) };
		if (buf_add(&t->entries, &e, sizeof e) < 0)
			return fail(why, cap, ranks_count(t) >= RANK_MASK ? "too many tokens" : "out of memory");
		if (e.rank > t->maxrank)
			t->maxrank = e.rank;
		if (e.len > t->maxlen)
			t->maxlen = e.len;
	}
	return ranks_count(t) ? 0 : fail(why, cap, "no tokens");
}

/* Lay the tokens out in b as the .bin file has them: the header, each
 * rank's offset, the hash of the tokens and their bytes in rank order.
 * b->mem is set as soon as it is allocated, so bpe_free frees it on failure. */
static int build_table(struct bpe *b, const struct ranks *t, char *why, size_t cap)
{
	size_t nv = ranks_count(t);
	uint32_t nranks = t->maxrank + 1, hbits = 8;
	while (((size_t)1 << hbits) < 2 * nv)
		hbits++;
	size_t size = sizeof(struct bin_header) + 4 * ((size_t)nranks + 1) + 4 * ((size_t)1 << hbits) + t->raw.len;
	unsigned char *mem = calloc(1, size);
	if (!mem)
		return fail(why, cap, "out of memory");
	b->mem = mem;
	b->memlen = size;
	struct bin_header *h = (struct bin_header *)mem;
	memcpy(h->magic, BIN_MAGIC, sizeof BIN_MAGIC);
	h->order = BIN_ORDER;
	h->version = BIN_VERSION;
	h->nranks = nranks;
	h->hbits = hbits;
	h->maxlen = t->maxlen;
	h->nbytes = (uint32_t)t->raw.len;
	uint32_t *off = (uint32_t *)(h + 1), *slots = off + nranks + 1;
	unsigned char *bytes = (unsigned char *)(slots + ((size_t)1 << hbits));
	/* off[r + 1] holds rank r's length until the running sum makes it an end */
	for (size_t k = 0; k < nv; k++) {
		const struct entry *e = ranks_at(t, k);
		if (off[e->rank + 1])
			return fail(why, cap, "rank %u appears twice", e->rank);
		off[e->rank + 1] = e->len;
	}
	for (uint32_t r = 0; r < nranks; r++)
		off[r + 1] += off[r];
	for (size_t k = 0; k < nv; k++) {
		const struct entry *e = ranks_at(t, k);
		memcpy(bytes + off[e->rank], t->raw.p + e->at, e->len);
	}
	b->off = off;
	b->slots = slots;
	b->bytes = bytes;
	b->nranks = nranks;
	b->mask = (1u << hbits) - 1;
	b->maxlen = t->maxlen;
	for (size_t k = 0; k < nv; k++) {
		uint32_t r = ranks_at(t, k)->rank, n = ranks_at(t, k)->len;
		if (lookup(b, bytes + off[r], n) != BPE_NONE)
			return fail(why, cap, "the token of rank %u appears twice", r);
		uint64_t hv = key_hash(bytes + off[r], n);
		uint32_t i = (uint32_t)hv & b->mask;
		while (slots[i])
			i = (i + 1) & b->mask;
		slots[i] = (uint32_t)(hv >> 52) << RANK_BITS | (r + 1);
	}
	h->checksum = checksum(mem + sizeof *h, size - sizeof *h);
	return 0;
}

/* Build the .bin layout in memory from the .tiktoken text. */
static int parse_text(struct bpe *b, const char *text, size_t len, char *why, size_t cap)
{
	struct ranks t = RANKS_INIT;
	int rc = read_ranks(&t, text, len, why, cap);
	if (rc == 0)
		rc = build_table(b, &t, why, cap);
	ranks_free(&t);
	return rc;
}

static int load(struct bpe *b, const char *path, char *why, size_t cap)
{
	char msg[200];
	memset(b, 0, sizeof *b);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(why, cap, "%s: %s", path, strerror(errno));
	struct stat st;
	const char *bad = fstat(fd, &st) < 0 ? strerror(errno) : !S_ISREG(st.st_mode) ? "not a regular file"
		: st.st_size < 1 ? "empty" : NULL;
	if (bad) {
		close(fd);
		return fail(why, cap, "%s: %s", path, bad);
	}
	size_t size = (size_t)st.st_size;
	void *mem = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (mem == MAP_FAILED)
		return fail(why, cap, "%s: %s", path, strerror(errno));
	if (size >= sizeof(struct bin_header) && !memcmp(mem, BIN_MAGIC, sizeof BIN_MAGIC)) {
		b->mem = mem;
		b->memlen = size;
		b->mapped = 1;
		if (attach(b, mem, size, msg, sizeof msg) < 0) {
			bpe_free(b);
			return fail(why, cap, "%s: %s", path, msg);
		}
		return 0;
	}
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, mem, size);
	int rc = parse_text(b, mem, size, msg, sizeof msg);
	munmap(mem, size);
	if (rc < 0) {
		bpe_free(b);
		return fail(why, cap, "%s: %s", path, msg);
	}
	sha256_final(&s, b->sha256);
	memcpy(((struct bin_header *)b->mem)->sha256, b->sha256, sizeof b->sha256);
	/* the header's checksum does not cover the header, so it still holds */
	for (int c = 0; c < 256; c++) {
		unsigned char byte = (unsigned char)c;
		if ((b->byte_rank[c] = lookup(b, &byte, 1)) == BPE_NONE) {
			bpe_free(b);
			return fail(why, cap, "%s: corrupt (a byte has no token)", path);
		}
	}
	return 0;
}

int bpe_load(struct bpe *b, const char *path, char *why, size_t cap)
{
	if (load(b, path, why, cap) < 0)
		return -1;
	/* 256 KiB of zeroes the system hands out a page at a time, as pairs
	 * are met; without it every pair is looked up */
	b->pairs = calloc((size_t)1 << 16, sizeof *b->pairs);
	return 0;
}

int bpe_save(const struct bpe *b, const char *path, char *why, size_t cap)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
		return fail(why, cap, "%s: %s", path, "name too long");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(why, cap, "%s: %s", tmp, strerror(errno));
	const char *p = b->mem;
	size_t left = b->memlen;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			close(fd);
			unlink(tmp);
			return fail(why, cap, "%s: %s", tmp, strerror(e));
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return fail(why, cap, "%s: %s", path, strerror(e));
	}
	return 0;
}

void bpe_free(struct bpe *b)
{
	free((void *)b->pairs);
	if (b->mem) {
		if (b->mapped)
			munmap(b->mem, b->memlen);
		else
			free(b->mem);
	}
	memset(b, 0, sizeof *b);
}

int bpe_out_grow(struct bpe_out *o)
{
	size_t cap = o->cap < 32 ? 64 : o->cap * 2;
	if (cap > SIZE_MAX / sizeof *o->ids)
		return -1;
	uint32_t *ids = realloc(o->ids, cap * sizeof *ids);
	if (!ids)
		return -1;
	o->ids = ids;
	o->cap = cap;
	return 0;
}

/* Pieces up to this length merge in place, the way tiktoken does: a scan
 * for the lowest pair after each merge, O(n^2) but quick when n is small. */
#define SMALL 64

static int merge_small(const struct bpe *b, const unsigned char *p, size_t n, struct bpe_out *o)
{
	/* part i is p[start[i] .. start[i + 1]), its token tok[i]; pr[i] is the
	 * rank of part i joined with part i + 1 */
	uint32_t start[SMALL + 1], tok[SMALL], pr[SMALL];
	size_t m = n;
	for (size_t i = 0; i < n; i++) {
		start[i] = (uint32_t)i;
		tok[i] = b->byte_rank[p[i]];
		pr[i] = i + 1 < n ? bpe_rank(b, p + i, 2) : BPE_NONE;
	}
	start[n] = (uint32_t)n;
	for (;;) {
		uint32_t best = BPE_NONE;
		size_t i = 0;
		for (size_t k = 0; k + 1 < m; k++)
			if (pr[k] < best) {
				best = pr[k];
				i = k;
			}
		if (best == BPE_NONE)
			break;
		tok[i] = best;
		memmove(start + i + 1, start + i + 2, (m - i - 1) * sizeof *start);
		memmove(tok + i + 1, tok + i + 2, (m - i - 2) * sizeof *tok);
		memmove(pr + i + 1, pr + i + 2, (m - i - 2) * sizeof *pr);
		m--;
		pr[i] = i + 1 < m ? bpe_rank(b, p + start[i], start[i + 2] - start[i]) : BPE_NONE;
		if (i > 0)
			pr[i - 1] = bpe_rank(b, p + start[i - 1], start[i + 1] - start[i - 1]);
	}
	for (size_t i = 0; i < m; i++)
		if (bpe_put(o, tok[i]) < 0)
			return -1;
	return 0;
}

/* A min-heap of rank << 32 | position: the lowest rank first, the leftmost
 * of equal ranks first, which is the order of tiktoken's scan. */
/* key put at hole i, the larger parents above it moved down. */
static inline void heap_rise(uint64_t *h, size_t i, uint64_t key)
{
	while (i > 0 && h[(i - 1) / 2] > key) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = key;
}

static void heap_push(uint64_t *h, size_t *n, uint64_t key)
{
	heap_rise(h, (*n)++, key);
}

/* Floyd's pop: the hole left by the top goes down the smaller children all
 * the way (a compare whose outcome the CPU cannot guess costs a branch
 * miss at every level, so the child is picked without a branch), then the
 * last key rises from there, usually by a level or none. */
static uint64_t heap_pop(uint64_t *h, size_t *n)
{
	uint64_t top = h[0], last = h[--*n];
	size_t i = 0, m = *n;
	if (!m)
		return top;
	for (size_t c; (c = 2 * i + 1) < m; i = c) {
		c += c + 1 < m && h[c + 1] < h[c];
		h[i] = h[c];
	}
	heap_rise(h, i, last);
	return top;
}

/* Parts are kept as a linked list over the byte positions where they start
 * (next[i] is where the part after i starts, n at the end); pr[i] is the rank
 * of part i joined with the next, BPE_NONE for none or a dead part.  A heap
 * entry is stale when pr[] no longer says what it did: skipped when popped. */
static int merge_heap(const struct bpe *b, const unsigned char *p, size_t n, struct bpe_out *o)
{
	if (n >= UINT32_MAX / 4)
		return -1;
	uint32_t *next = malloc(n * sizeof *next), *prev = malloc(n * sizeof *prev);
	uint32_t *tok = malloc(n * sizeof *tok), *pr = malloc(n * sizeof *pr);
	uint64_t *heap = malloc(3 * n * sizeof *heap);
	size_t nh = 0;
	int rc = -1;
	if (!next || !prev || !tok || !pr || !heap)
		goto out;
	for (size_t i = 0; i < n; i++) {
		next[i] = (uint32_t)i + 1;
		prev[i] = i ? (uint32_t)i - 1 : UINT32_MAX;
		tok[i] = b->byte_rank[p[i]];
		pr[i] = i + 1 < n ? bpe_rank(b, p + i, 2) : BPE_NONE;
		if (pr[i] != BPE_NONE)
			heap_push(heap, &nh, (uint64_t)pr[i] << 32 | i);
	}
	while (nh) {
		uint64_t key = heap_pop(heap, &nh);
		uint32_t r = (uint32_t)(key >> 32), i = (uint32_t)key;
		if (pr[i] != r)
			continue;
		uint32_t j = next[i], k = next[j];
		tok[i] = r;
		next[i] = k;
		if (k < n)
			prev[k] = i;
		pr[j] = BPE_NONE;
		pr[i] = k < n ? bpe_rank(b, p + i, next[k] - i) : BPE_NONE;
		if (pr[i] != BPE_NONE)
			heap_push(heap, &nh, (uint64_t)pr[i] << 32 | i);
		uint32_t h = prev[i];
		if (h != UINT32_MAX) {
			pr[h] = bpe_rank(b, p + h, k - h);
			if (pr[h] != BPE_NONE)
				heap_push(heap, &nh, (uint64_t)pr[h] << 32 | h);
		}
	}
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i = next[i])
		rc = bpe_put(o, tok[i]);
out:
	free(next);
	free(prev);
	free(tok);
	free(pr);
	free(heap);
	return rc;
}

int bpe_merge(const struct bpe *b, const unsigned char *p, size_t n, struct bpe_out *o)
{
	if (n == 0)
		return 0;
	uint32_t r = bpe_rank(b, p, n);
	if (r != BPE_NONE)
		return bpe_put(o, r);
	return n <= SMALL ? merge_small(b, p, n, o) : merge_heap(b, p, n, o);
}

/* A piece of up to CACHE_BYTES bytes and its tokens (ids kept for up to
 * CACHE_IDS of them; a count-only cache keeps counts alone). */
#define CACHE_SLOTS 4096 /* a power of two */
#define CACHE_BYTES 32
#define CACHE_IDS 4
struct cache_entry {
	unsigned char len, ntok;        /* len 0: empty */
	unsigned char bytes[CACHE_BYTES];
	uint32_t ids[CACHE_IDS];
};
struct bpe_cache {
	struct cache_entry e[CACHE_SLOTS];
};

struct bpe_cache *bpe_cache_new(void)
{
	return calloc(1, sizeof(struct bpe_cache));
}

void bpe_cache_free(struct bpe_cache *c)
{
	free(c);
}

int bpe_merge_cached(const struct bpe *b, struct bpe_cache *c, const unsigned char *p, size_t n,
		     struct bpe_out *o)
{
	if (!c || n == 0 || n > CACHE_BYTES)
		return bpe_merge(b, p, n, o);
	/* first and last eight bytes and the length: enough to spread words */
	uint64_t lo = n >= 8 ? load64(p) : tail_word(p, n), hi = n > 8 ? load64(p + n - 8) : 0;
	uint64_t h = (lo * K2 ^ rotl(hi * K3, 29) ^ n) * K1;
	struct cache_entry *e = &c->e[h >> 40 & (CACHE_SLOTS - 1)];
	if (e->len == n && same_bytes(e->bytes, p, n)) {
		if (o->count_only) {
			o->n += e->ntok;
			return 0;
		}
		for (unsigned k = 0; k < e->ntok; k++)
			if (bpe_put(o, e->ids[k]) < 0)
				return -1;
		return 0;
	}
	size_t before = o->n;
	if (bpe_merge(b, p, n, o) < 0)
		return -1;
	size_t ntok = o->n - before;
	if (ntok > (o->count_only ? 255 : CACHE_IDS))
		return 0;
	e->len = (unsigned char)n;
	e->ntok = (unsigned char)ntok;
	memcpy(e->bytes, p, n);
	if (!o->count_only)
		memcpy(e->ids, o->ids + before, ntok * sizeof *e->ids);
	return 0;
}
