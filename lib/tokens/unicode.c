#include "tokens/unicode.h"
#include "diag.h"
#include <pthread.h>

enum uclass unicode_class(uint32_t cp)
{
	if (cp > 0x10FFFF)
		return UC_OTHER;
	/* the last range that starts at or before cp (the first starts at 0) */
	size_t lo = 0, hi = unicode_nranges;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (unicode_ranges[mid] >> 4 <= cp)
			lo = mid;
		else
			hi = mid;
	}
	return (enum uclass)(unicode_ranges[lo] & 15);
}

static uint8_t flat[UNICODE_FLAT];
static pthread_once_t flat_once = PTHREAD_ONCE_INIT;

static void flat_build(void)
{
	for (size_t i = 0; i < unicode_nranges; i++) {
		uint32_t lo = unicode_ranges[i] >> 4;
		uint32_t hi = i + 1 < unicode_nranges ? unicode_ranges[i + 1] >> 4 : 0x110000;
		if (lo >= UNICODE_FLAT)
			break;
		if (hi > UNICODE_FLAT)
			hi = UNICODE_FLAT;
		for (uint32_t c = lo; c < hi; c++)
			flat[c] = (uint8_t)(unicode_ranges[i] & 15);
	}
}

const uint8_t *unicode_flat(void)
{
	pthread_once(&flat_once, flat_build);
	return flat;
}

/* The length of the well-formed sequence at s[0..n) (n > 0), or 0: the
 * one decoder, shared with the scrubbing of text for terminals. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	return utf8_char_len(s, n);
}

int utf8_valid(const void *p, size_t len)
{
	return utf8_bad_at(p, len) == len;
}

/* The WHATWG decoder emits one U+FFFD for a lead byte it cannot use, or for
 * a lead byte and the continuation bytes that fitted it before a byte that
 * does not (that byte is then read afresh), or for a truncated sequence at
 * the end: the maximal subpart of the ill-formed sequence. */
int utf8_repair(const void *p, size_t len, struct buf *out)
{
	const unsigned char *s = p;
	size_t i = 0, run = 0;       /* s[run..i) is well-formed and not yet copied */
	while (i < len) {
		size_t k = s[i] < 0x80 ? 1 : seq_len(s + i, len - i);
		if (k) {
			i += k;
			continue;
		}
		if (buf_add(out, s + run, i - run) < 0 || buf_add(out, "\xEF\xBF\xBD", 3) < 0)
			return -1;
		/* skip the lead byte and the continuation bytes that were acceptable */
		unsigned char c = s[i];
		size_t skip = 1;
		if (c >= 0xC2 && c <= 0xF4) {
			unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
			unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
			size_t need = c <= 0xDF ? 1 : c <= 0xEF ? 2 : 3;
			while (skip <= need && i + skip < len && s[i + skip] >= lo && s[i + skip] <= hi) {
				skip++;
				lo = 0x80;
				hi = 0xBF;
			}
		}
		i += skip;
		run = i;
	}
	return buf_add(out, s + run, i - run);
}
