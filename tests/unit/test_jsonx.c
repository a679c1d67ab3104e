/* jx_id_text: a record's id as the text the history keeps for it. */
#include "diag.h"
#include "jsonx.h"
#include "tap.h"
#include <string.h>

static const char *id_text(jv id)
{
	static char out[64];
	memset(out, 'x', sizeof out);
	int r = jx_id_text(id, out, sizeof out);
	jv_free(id);
	return r == 0 ? out : r == -1 && !out[0] ? "(none)" : "(bad)";
}

int main(void)
{
	diag_init("test_jsonx");
	is_str(id_text(jv_number(7)), "7", "an integer has no decimals");
	is_str(id_text(jv_number(-42)), "-42", "a negative integer");
	is_str(id_text(jv_number(9007199254740992.0)), "9007199254740992", "2^53 in full");
	is_str(id_text(jv_number(1e20)), "1e+20", "a big number");
	is_str(id_text(jv_number(0.5)), "0.5", "a fraction");
	is_str(id_text(jv_number(0.1)), "0.10000000000000001", "a fraction that reads back as the same double");
	is_str(id_text(jv_string("req-1")), "req-1", "a string as it is");
	is_str(id_text(jv_string("")), "", "an empty string");
	is_str(id_text(jv_null()), "(none)", "null: no id, empty text");
	is_str(id_text(jv_invalid()), "(none)", "absent: no id");
	is_str(id_text(jv_true()), "(none)", "a boolean is no id");
	char small[4];
	jx_id_text(jv_number(123456), small, sizeof small);
	is_str(small, "123", "cut to the buffer");
	/* jx_take: the last look-up, the object consumed (valgrind sees any leak) */
	jv o = jv_parse("{\"a\":{\"b\":[1]},\"c\":2}");
	jv a = jx_take(jv_copy(o), "a");
	ok(jv_get_kind(a) == JV_KIND_OBJECT && jx_kind_is(a, "b", JV_KIND_ARRAY), "jx_take finds a key");
	jv_free(a);
	ok(!jv_is_valid(jx_take(jv_copy(o), "zz")), "jx_take: a missing key is invalid");
	jv_free(o);
	ok(!jv_is_valid(jx_take(jv_parse("[1,2]"), "a")) && !jv_is_valid(jx_take(jv_invalid(), "a")),
	   "jx_take: a non-object has no keys (and is freed)");
	return tap_done();
}
