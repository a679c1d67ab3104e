/* fuzz_pgquery: libFuzzer target for the search translation into a
 * PostgreSQL tsquery (lib/history/pgquery.c). The input, cut at its first
 * NUL, is translated; a refusal must leave the buffer as it was, and a
 * translation must be a tsquery whose quotes close and whose parentheses
 * balance, with nothing outside quotes but operators, ":*", spaces and
 * parentheses. Any difference aborts.
 *   make tests/fuzz/fuzz_pgquery && tests/fuzz/fuzz_pgquery tests/fuzz/corpus_pgquery */
#include "buf.h"
#include "history/pgquery.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(const char *t, size_t n)
{
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (c == '\'') {
			for (i++;; i++) {
				if (i >= n)
					abort(); /* an unclosed lexeme */
				if (t[i] == '\\') {
					if (++i >= n)
						abort();
				} else if (t[i] == '\'') {
					if (i + 1 < n && t[i + 1] == '\'')
						i++;
					else
						break;
				}
			}
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth < 0)
				abort();
		} else if (!strchr(" &|!<->:*", c)) {
			abort();
		}
	}
	if (depth)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = malloc(size + 1);
	if (!q)
		return 0;
	memcpy(q, data, size);
	q[size] = 0;
	struct buf b = BUF_INIT(1 << 20);
	buf_adds(&b, "x");
	if (pgquery_from_fts(q, &b) < 0) {
		if (b.len != 1 || strcmp(buf_str(&b), "x"))
			abort();
	} else {
		check(buf_str(&b) + 1, b.len - 1);
	}
	buf_free(&b);
	free(q);
	return 0;
}
