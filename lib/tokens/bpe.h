/* bpe: the byte-pair-encoding rank tables of OpenAI's encodings and the
 * merge that turns one piece of text into token ids.  A table comes from the
 * published NAME.tiktoken text (base64 token, space, rank on each line) or
 * from the compact NAME.bin that make builds from it, which is mapped
 * read-only, checksummed at load and shared by every thread. */
#ifndef CHAT_BPE_H
#define CHAT_BPE_H
#include <stddef.h>
#include <stdint.h>

#define BPE_NONE UINT32_MAX

struct bpe_special {
	const char *text;
	uint32_t id;
};

/* What is known of an encoding before its file is read. */
struct bpe_encoding {
	const char *name;
	const char *sha256;                     /* of the published NAME.tiktoken */
	const struct bpe_special *special;      /* the special tokens and their ids */
	size_t nspecial;
};

/* The encoding called name, or NULL. */
const struct bpe_encoding *bpe_encoding(const char *name);

struct bpe {
	const uint32_t *off;            /* token r is bytes[off[r] .. off[r + 1]); empty: no such rank */
	const uint32_t *slots;          /* hash of the tokens: tag << 20 | (rank + 1), 0 when empty */
	const unsigned char *bytes;
	uint32_t nranks, mask, maxlen;  /* ranks are below nranks; maxlen: the longest token */
	uint32_t byte_rank[256];        /* the token of each single byte */
	unsigned char sha256[32];       /* of the .tiktoken text the table came from */
	void *mem;                      /* the whole table in the .bin layout */
	/* The rank of each two-byte token, filled in as pairs are first looked
	 * up (rank + 1; 0: not yet known) by any thread: the merge asks for
	 * them more than for anything else.  NULL: always looked up. */
	_Atomic uint32_t *pairs;
	size_t memlen;
	int mapped;
};

/* Load the table at path: a .bin file (known by its magic) is mapped and its
 * checksum and structure checked; anything else is parsed as .tiktoken text.
 * 0, or -1 with the reason in why (missing, unreadable, corrupt). */
int bpe_load(struct bpe *b, const char *path, char *why, size_t cap);
/* Write the table as a .bin file (through a temporary file and rename). */
int bpe_save(const struct bpe *b, const char *path, char *why, size_t cap);
void bpe_free(struct bpe *b);

/* The rank of the token whose bytes are p[0..n), or BPE_NONE. */
uint32_t bpe_rank(const struct bpe *b, const void *p, size_t n);
/* The bytes of token rank (*len set), or NULL when there is no such token. */
const unsigned char *bpe_token(const struct bpe *b, uint32_t rank, size_t *len);

/* Where the merge puts token ids: appended to ids (grown with realloc), or
 * only counted when count_only is set. */
struct bpe_out {
	uint32_t *ids;
	size_t n, cap;
	int count_only;
};
int bpe_out_grow(struct bpe_out *o);
static inline int bpe_put(struct bpe_out *o, uint32_t id)
{
	if (!o->count_only) {
		if (o->n == o->cap && bpe_out_grow(o) < 0)
			return -1;
		o->ids[o->n] = id;
	}
	o->n++;
	return 0;
}

/* The tokens of one piece p[0..n): repeatedly merge the adjacent pair whose
 * joined bytes have the lowest rank (the leftmost of equals), exactly as
 * tiktoken does; long pieces use a heap, so any length is O(n log n).
 * 0, or -1 when out of memory. */
int bpe_merge(const struct bpe *b, const unsigned char *p, size_t n, struct bpe_out *o);

/* Recent short pieces and their tokens, for one encode or count of a long
 * text (words repeat: a piece met again costs one probe of a small table
 * in place of the rank table's lookups).  Use one cache for outputs of one
 * kind: counted only, or with ids. */
struct bpe_cache *bpe_cache_new(void);
void bpe_cache_free(struct bpe_cache *c);
/* bpe_merge through the cache c (NULL: none); the same tokens. */
int bpe_merge_cached(const struct bpe *b, struct bpe_cache *c, const unsigned char *p, size_t n,
		     struct bpe_out *o);
#endif
