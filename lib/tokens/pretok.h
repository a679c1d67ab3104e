/* pretok: the split patterns that cut text into the pieces BPE works on,
 * one hand-written matcher per encoding that finds what tiktoken's regex
 * finds (leftmost-first alternation, greedy repeats with backtracking,
 * Unicode classes from lib/unicode.h).  The patterns, from tiktoken:
 *
 * cl100k_base:
 *   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
 *   | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * o200k_base:
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
#ifndef CHAT_PRETOK_H
#define CHAT_PRETOK_H
#include <stddef.h>

enum pretok_pattern { PRETOK_CL100K, PRETOK_O200K };

/* The end of the piece that starts at pos in s[0..len), pos < len; the text
 * ends at len for the patterns' look-ahead.  s should be valid UTF-8: any
 * other byte is read as a character of its own (never past len). */
size_t pretok_next(enum pretok_pattern pat, const unsigned char *s, size_t len, size_t pos);
#endif
