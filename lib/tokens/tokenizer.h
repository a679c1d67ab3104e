/* tokenizer: exact, offline token counts and ids for OpenAI's BPE encodings
 * o200k_base and cl100k_base — the same ids as OpenAI's tiktoken for every
 * input.  The rank data ships in share/chat (NAME.bin, built by make from the
 * published NAME.tiktoken, whose sha256 is checked); it is found in $CHAT_DATA
 * if set, else in ../share/chat beside the executable, else in the installed
 * data directory.
 *
 * Text that is not valid UTF-8 is tokenized as tiktoken tokenizes the string a
 * JavaScript TextDecoder (or Python's errors="replace") makes of those bytes:
 * each maximal ill-formed subsequence becomes U+FFFD (EF BF BD), as in the
 * WHATWG Encoding Standard; a leading byte order mark stays U+FEFF.  So
 * decode(encode(x)) == x for valid UTF-8 only; any bytes are safe to pass.
 * Letters, marks, numbers and spaces are told apart by Unicode 16.0.0, the
 * version of the regex tables inside tiktoken (1.0.22). */
#ifndef CHAT_TOKENIZER_H
#define CHAT_TOKENIZER_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

struct tokenizer;

/* Open an encoding by name ("o200k_base", "cl100k_base").  NULL with why
 * filled when the name is unknown or its data is missing or corrupt.  Cheap to
 * call repeatedly: each data file is mapped once per process and shared; the
 * result is safe for concurrent encode, count and decode calls. */
struct tokenizer *tokenizer_open(const char *name, char *why, size_t cap);
/* Give back a tokenizer from tokenizer_open.  The mapped data stays cached
 * for the rest of the process, so the next open of it costs nothing. */
void tokenizer_close(struct tokenizer *t);

/* The number of tokens in text[0..len), special tokens' text (<|endoftext|>
 * and the like) counted as ordinary text — tiktoken's encode_ordinary.
 * SIZE_MAX when out of memory. */
size_t tokenizer_count(struct tokenizer *t, const char *text, size_t len);

/* Append the token ids of text[0..len) to *ids (realloc'd; *n updated).  With
 * allow_special the encoding's special tokens are recognised as such (each
 * one id) — tiktoken's encode with allowed_special="all"; without, they are
 * text.  0, or -1 when out of memory (*ids still valid, *n unchanged). */
int tokenizer_encode(struct tokenizer *t, const char *text, size_t len, int allow_special, uint32_t **ids,
		     size_t *n);

/* Append the bytes of ids[0..n) to out (a token may hold part of a UTF-8
 * sequence: only the whole is text).  0, or -1 for an unknown id or a full
 * buffer, with out as it was. */
int tokenizer_decode(struct tokenizer *t, const uint32_t *ids, size_t n, struct buf *out);
#endif
