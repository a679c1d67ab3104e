/* fuzz_jxparse: libFuzzer target for the kept parser (lib/jxparse). The
 * input is cut into texts at each 0xFF byte (never part of UTF-8); one
 * kept parser reads them in turn, and each answer must be jv_parse_sized's
 * for that text alone: the same value, or the same error message. Any
 * difference aborts.
 *   make tests/fuzz/fuzz_jxparse && tests/fuzz/fuzz_jxparse tests/fuzz/corpus_jxparse */
#include "../unit/jx_same.h"
#include "jxparse.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);

/* jq 1.6's parser loses a string on some malformed texts, in
 * jv_parse_sized as well: not ours to find. libjq has no frame pointers,
 * so its frames are found only by the slow unwinder. */
const char *__lsan_default_suppressions(void)
{
	return "leak:jv_parser_next\n";
}

const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

static void check(struct jx_parser *jp, const char *s, size_t n)
{
	if (!jx_same(jp, s, n, 0)) {
		fprintf(stderr, "fuzz_jxparse: %zu bytes read differently\n", n);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jx_parser jp = { 0 };
	const char *s = (const char *)data, *end = s + size;
	while (s <= end) {
		const char *cut = memchr(s, 0xFF, (size_t)(end - s));
		size_t n = cut ? (size_t)(cut - s) : (size_t)(end - s);
		/* the parser reads only n bytes: give it its own copy, unterminated */
		char *copy = malloc(n ? n : 1);
		if (!copy)
			break;
		memcpy(copy, s, n);
		check(&jp, copy, n);
		free(copy);
		if (!cut)
			break;
		s = cut + 1;
	}
	jx_parser_free(&jp);
	return 0;
}
