#include "textcheck.h"
#include "jsonx.h"
#include "diag.h"
#include <stdio.h>
#include <string.h>

int text_check(const char *what, const char *s, size_t len, char *why, size_t cap)
{
	if (!len)
		return 0;
	const char *nul = memchr(s, 0, len);
	if (nul) {
		snprintf(why, cap, "%s holds a NUL byte (byte offset %zu): it cannot be sent as text", what,
			 (size_t)(nul - s));
		return -1;
	}
	size_t bad = utf8_bad_at(s, len);
	if (bad < len) {
		snprintf(why, cap, "%s is not UTF-8 (byte offset %zu)", what, bad);
		return -1;
	}
	return 0;
}

int text_check_str(const char *what, const char *s, char *why, size_t cap)
{
	return s ? text_check(what, s, strlen(s), why, cap) : 0;
}

int prompt_record_check(jv rec, char *why, size_t cap)
{
	static const char *const keys[] = { "text", "system", "conversation", "id", "model" };
	if (jv_get_kind(rec) != JV_KIND_OBJECT)
		return 0;
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		jv v = jx_get(rec, keys[i]);
		int r = 0;
		if (jv_get_kind(v) == JV_KIND_STRING) {
			char what[32];
			snprintf(what, sizeof what, "\"%s\"", keys[i]);
			r = text_check(what, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)), why, cap);
		}
		jv_free(v);
		if (r < 0)
			return -1;
	}
	return 0;
}
