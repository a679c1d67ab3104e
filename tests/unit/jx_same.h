/* jx_same: whether the kept parser reads text s[0..n) as jv_parse_sized reads
 * it alone, the same value or the same error message; the check
 * test_jxparse and fuzz_jxparse both make. With say, a difference in the
 * messages is shown on stderr. */
#ifndef CHAT_TEST_JX_SAME_H
#define CHAT_TEST_JX_SAME_H
#include "jxparse.h"
#include <stdio.h>

static int jx_same(struct jx_parser *jp, const char *s, size_t n, int say)
{
	jv want = jv_parse_sized(s, (int)n), got = jx_parse(jp, s, n);
	int eq;
	if (jv_is_valid(want) || jv_is_valid(got)) {
		eq = jv_is_valid(want) && jv_is_valid(got) && jv_equal(jv_copy(want), jv_copy(got));
	} else {
		jv wm = jv_invalid_get_msg(want), gm = jv_invalid_get_msg(got);
		want = got = jv_invalid();
		eq = jv_equal(jv_copy(wm), jv_copy(gm));
		if (!eq && say) {
			jv a = jv_dump_string(jv_copy(wm), 0), b = jv_dump_string(jv_copy(gm), 0);
			fprintf(stderr, "#   want %s\n#   got  %s\n", jv_string_value(a), jv_string_value(b));
			jv_free(a);
			jv_free(b);
		}
		jv_free(wm);
		jv_free(gm);
	}
	jv_free(want);
	jv_free(got);
	return eq;
}
#endif
