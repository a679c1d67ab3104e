#include "jsonx.h"
#include "fdio.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Keys are nearly always string literals: each thread keeps the jv string
 * it made for a literal's address, so a look-up does not build, validate
 * and hash a new key every time (jv reference counts are not atomic, hence
 * one cache per thread). */
#define KEY_CACHE 64 /* a power of two */
struct key_slot {
	const char *lit;   /* the address looked up, NULL: free */
	jv key;
	char text[24];     /* its text then, so a reused address is noticed */
};
static _Thread_local struct key_slot key_cache[KEY_CACHE];

/* A look-up's key, from the slot its address hashes to. */
static jv key_for(const char *key)
{
	struct key_slot *s = &key_cache[((uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15u) >> 58 & (KEY_CACHE - 1)];
	if (s->lit == key && !strcmp(s->text, key))
		return jv_copy(s->key);
	jv k = jv_string(key);
	size_t n = strlen(key);
	if (n >= sizeof s->text)
		return k;
	if (s->lit)
		jv_free(s->key);
	s->lit = key;
	memcpy(s->text, key, n + 1);
	s->key = jv_copy(k);
	return k;
}

void jx_forget_keys(void)
{
	for (int i = 0; i < KEY_CACHE; i++)
		if (key_cache[i].lit) {
			jv_free(key_cache[i].key);
			key_cache[i].lit = NULL;
		}
}

jv jx_get(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), key_for(key));
}

jv jx_take(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT) {
		jv_free(obj);
		return jv_invalid();
	}
	return jv_object_get(obj, key_for(key));
}

int jx_str(jv obj, const char *key, char *out, size_t cap)
{
	jv v = jx_get(obj, key);
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return -1;
	}
	int n = jv_string_length_bytes(jv_copy(v));
	size_t len = (size_t)n < cap ? (size_t)n : cap - 1;
	memcpy(out, jv_string_value(v), len);
	out[len] = 0;
	jv_free(v);
	return 0;
}

double jx_num(jv obj, const char *key, double dflt)
{
	jv v = jx_get(obj, key);
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : dflt;
	jv_free(v);
	return d;
}

int jx_kind_is(jv obj, const char *key, jv_kind kind)
{
	jv v = jx_get(obj, key);
	int r = jv_get_kind(v) == kind;
	jv_free(v);
	return r;
}

int jx_id_text(jv id, char *out, size_t cap)
{
	if (jv_get_kind(id) == JV_KIND_STRING)
		snprintf(out, cap, "%s", jv_string_value(id));
	else if (jv_get_kind(id) == JV_KIND_NUMBER)
		snprintf(out, cap, "%.17g", jv_number_value(id));
	else {
		if (cap)
			out[0] = 0;
		return -1;
	}
	return 0;
}

int jx_dump_line(jv v, struct buf *b)
{
	jv s = jv_dump_string(v, 0);
	int r = buf_add(b, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
	if (r == 0)
		r = buf_addc(b, '\n');
	return r;
}

int jx_write_line(int fd, jv v)
{
	struct buf b = BUF_INIT(1u << 30);
	int r = jx_dump_line(v, &b);
	if (r == 0)
		r = write_all(fd, b.p, b.len);
	else
		errno = ENOMEM;
	buf_free(&b);
	return r;
}
