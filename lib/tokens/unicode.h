/* unicode: what the tokenizer needs to know about characters — the classes
 * its split patterns test (letters by general category, marks, numbers,
 * White_Space), from range tables generated out of the Unicode Character
 * Database (lib/unicode_tables.c, by scripts/gen-unicode.sh) — and UTF-8
 * checking and repair. */
#ifndef CHAT_UNICODE_H
#define CHAT_UNICODE_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

enum uclass {
	UC_OTHER,       /* everything else: punctuation, symbols, controls, unassigned */
	UC_LU, UC_LL, UC_LT, UC_LM, UC_LO,   /* the letter categories */
	UC_M,           /* Mn, Mc, Me */
	UC_N,           /* Nd, Nl, No */
	UC_WS,          /* White_Space (never a letter, mark or number) */
};

extern const char unicode_version[];
extern const uint32_t unicode_ranges[];
extern const size_t unicode_nranges;

/* The class of a code point (UC_OTHER beyond U+10FFFF). */
enum uclass unicode_class(uint32_t cp);

/* Code points below UNICODE_FLAT (the BMP, emoji and the CJK extensions) are
 * looked up in a flat table of one enum uclass per code point, built on first
 * use (thread-safe) and kept for the process. */
#define UNICODE_FLAT 0x32400u
const uint8_t *unicode_flat(void);

/* Is s[0..len) well-formed UTF-8 (no surrogates, overlongs or code points
 * past U+10FFFF)? */
int utf8_valid(const void *s, size_t len);
/* The offset of the first byte of s[0..len) that is not part of
 * well-formed UTF-8, or len when all of it is (defined beside the
 * decoder, in diag.c, so the record loop can use it alone). */
size_t utf8_bad_at(const void *s, size_t len);
/* Append s[0..len) to out with each maximal ill-formed subsequence replaced
 * by U+FFFD, as the WHATWG Encoding Standard's UTF-8 decoder (TextDecoder)
 * does.  0, or -1 when out is full. */
int utf8_repair(const void *s, size_t len, struct buf *out);
#endif
