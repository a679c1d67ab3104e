/* split: cut a text into parts of at most N tokens, reading it as a stream
 * and holding no more than one part and the bytes read after it.  A part
 * ends at the last paragraph break (the end of a run of blank lines) that
 * fits; a paragraph longer than N tokens is cut at its last line break that
 * fits, and a line longer than N tokens at a token boundary, never inside a
 * UTF-8 sequence.  The parts, joined, are the input byte for byte.
 *
 * Tokens are counted by a split_counter: split_tokenizer() makes one from an
 * encoding, so the counts are exact; tests may use simpler ones.  Counting
 * each part exactly before it is handed out makes the limit hold whatever
 * the tokenizer does at a cut (pieces that merge or split across it). */
#ifndef CHAT_SPLIT_H
#define CHAT_SPLIT_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

struct tokenizer;

struct split_counter {
	/* The tokens of text[0..len), which is whole UTF-8; < 0: out of memory. */
	long (*count)(void *ctx, const char *text, size_t len);
	/* The bytes of text[0..len) that its first max tokens cover (len when
	 * it has no more than max), in *bytes; 0, or -1 when out of memory. */
	int (*prefix)(void *ctx, const char *text, size_t len, long max, size_t *bytes);
	void *ctx;
};

/* Exact counts with an encoding's tokenizer (tokenizer.h). */
void split_tokenizer(struct split_counter *c, struct tokenizer *t);
/* The prefix function of that counter, for counters of one's own. */
int split_tokenizer_prefix(struct tokenizer *t, const char *text, size_t len, long max, size_t *bytes);

struct split_part {
	uint64_t offset;        /* where the part starts in the input */
	size_t len;             /* its bytes */
	long tokens;            /* its tokens, counted on its own */
};

/* Called with each part in turn and its bytes; nonzero stops the split. */
typedef int (*split_fn)(void *ctx, const struct split_part *p, const char *text);

enum split_status {
	SPLIT_OK,
	SPLIT_NOT_UTF8,         /* the input is not UTF-8 (at line err_line) */
	SPLIT_NUL,              /* the input holds a NUL byte (at line err_line) */
	SPLIT_NOMEM,
	SPLIT_STOPPED,          /* the callback asked to stop */
};

/* A candidate cut: the end of a line (and of the blank lines after it). */
struct split_cand {
	size_t pos;             /* in the held bytes */
	long est;               /* estimated tokens before it */
	int para;               /* a paragraph break: blank lines end there */
	long exact;             /* the tokens before it, once counted; else -1 */
};

struct splitter {
	struct split_counter c;
	long max;
	split_fn emit;
	void *ctx;
	struct buf b;           /* the bytes read and not yet in a part */
	uint64_t off;           /* the input offset of b.p[0] */
	size_t scan;            /* b[0..scan) has been checked and its lines found */
	size_t counted;         /* b[0..counted) is in est */
	long est;               /* its tokens: sums of counts of lines, so estimated */
	size_t line_start;      /* where the line being scanned starts */
	int blank;              /* that line is blank so far */
	int unit_text;          /* the lines since the last candidate hold text */
	int unit_para;          /* ... and have blank lines after it */
	struct split_cand *cand;
	size_t ncand, capcand;
	int u8need;             /* continuation bytes the sequence being read still needs */
	unsigned char u8lo, u8hi;       /* the range of the next one */
	long line;              /* the line number being scanned, from 1 */
	enum split_status status;
	long err_line;
};

/* Start a split into parts of at most max tokens (max >= 4: a character
 * takes up to 4). */
void split_init(struct splitter *s, const struct split_counter *c, long max, split_fn emit, void *ctx);
/* Take the next n bytes of input; parts are handed out as they are found.
 * 0, or -1 with s->status saying why (the split cannot go on). */
int split_feed(struct splitter *s, const char *p, size_t n);
/* The input has ended: hand out what is left.  0, or -1 as split_feed. */
int split_end(struct splitter *s);
void split_free(struct splitter *s);
#endif
