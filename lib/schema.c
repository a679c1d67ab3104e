#include "schema.h"
#include "buf.h"
#include "diag.h"
#include "fdio.h"
#include "jsonx.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int schema_load(const char *arg, char **text, char *why, size_t cap)
{
	struct buf b = BUF_INIT(16u << 20);
	const char *src = arg;
	while (*src == ' ' || *src == '\t' || *src == '\n')
		src++;
	if (*src != '{' && *src != '[') {
		int fd = open(arg, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(why, cap, "--schema %s: %s", arg, strerror(errno));
			return EXIT_NOINPUT;
		}
		int r = read_all(fd, &b);
		close(fd);
		if (r < 0) {
			snprintf(why, cap, "--schema %s: %s", arg, r == -2 ? "too large" : strerror(errno));
			buf_free(&b);
			return EXIT_NOINPUT;
		}
		src = buf_str(&b);
	}
	jv s = jv_parse(src);
	int status = 0;
	if (!jv_is_valid(s)) {
		jv msg = jv_invalid_get_msg(jv_copy(s));
		snprintf(why, cap, "--schema: not JSON: %s",
			 jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "unreadable");
		jv_free(msg);
		status = EXIT_USAGE;
	} else if (jv_get_kind(s) != JV_KIND_OBJECT) {
		snprintf(why, cap, "--schema: a JSON Schema is an object");
		status = EXIT_USAGE;
	} else {
		jv t = jv_dump_string(jv_copy(s), 0);
		*text = strdup(jv_string_value(t));
		jv_free(t);
		if (!*text) {
			snprintf(why, cap, "out of memory");
			status = EXIT_SOFTWARE;
		}
	}
	jv_free(s);
	buf_free(&b);
	return status;
}

static const char *kind_word(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL: return "null";
	case JV_KIND_TRUE:
	case JV_KIND_FALSE: return "boolean";
	case JV_KIND_NUMBER: return "number";
	case JV_KIND_STRING: return "string";
	case JV_KIND_ARRAY: return "array";
	case JV_KIND_OBJECT: return "object";
	default: return "invalid";
	}
}

static int is_type(jv v, const char *t)
{
	const char *k = kind_word(v);
	if (!strcmp(t, "integer"))
		return jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) == floor(jv_number_value(v));
	return !strcmp(t, k);
}

/* The value at a path, for messages: ".a.b[3]". */
struct path {
	char s[512];
	size_t len;
};

static int fail(const struct path *p, char *why, size_t cap, const char *msg)
{
	snprintf(why, cap, "%s: %s", p->len ? p->s : ".", msg);
	return -1;
}

static int fail_field(const struct path *p, char *why, size_t cap, const char *what, const char *field)
{
	char msg[256];
	snprintf(msg, sizeof msg, "the field \"%s\" %s", field, what);
	return fail(p, why, cap, msg);
}

static int check(jv schema, jv value, struct path *p, char *why, size_t cap, int depth);

static int check_type(jv schema, jv value, const struct path *p, char *why, size_t cap)
{
	jv t = jx_get(schema, "type");
	int ok = 1;
	char want[128] = "";
	if (jv_get_kind(t) == JV_KIND_STRING) {
		ok = is_type(value, jv_string_value(t));
		snprintf(want, sizeof want, "%s", jv_string_value(t));
	} else if (jv_get_kind(t) == JV_KIND_ARRAY) {
		ok = 0;
		for (int i = 0; i < jv_array_length(jv_copy(t)); i++) {
			jv one = jv_array_get(jv_copy(t), i);
			if (jv_get_kind(one) == JV_KIND_STRING) {
				ok |= is_type(value, jv_string_value(one));
				snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? " or " : "",
					 jv_string_value(one));
			}
			jv_free(one);
		}
	}
	jv_free(t);
	if (ok)
		return 0;
	char msg[200];
	snprintf(msg, sizeof msg, "expected %s, got %s", want, kind_word(value));
	return fail(p, why, cap, msg);
}

static int check_object(jv schema, jv value, struct path *p, char *why, size_t cap, int depth)
{
	jv req = jx_get(schema, "required"), props = jx_get(schema, "properties");
	int rc = 0;
	for (int i = 0; jv_get_kind(req) == JV_KIND_ARRAY && i < jv_array_length(jv_copy(req)) && !rc; i++) {
		jv name = jv_array_get(jv_copy(req), i);
		if (jv_get_kind(name) == JV_KIND_STRING) {
			if (!jv_object_has(jv_copy(value), jv_copy(name)))
				rc = fail_field(p, why, cap, "is required but missing", jv_string_value(name));
		}
		jv_free(name);
	}
	jv extra = jx_get(schema, "additionalProperties");
	int closed = jv_get_kind(extra) == JV_KIND_FALSE;
	jv_free(extra);
	jv_object_foreach(value, key, field) {
		if (!rc) {
			jv sub = jx_get(props, jv_string_value(key));
			size_t len = p->len;
			if (jv_get_kind(sub) == JV_KIND_OBJECT) {
				snprintf(p->s + len, sizeof p->s - len, ".%s", jv_string_value(key));
				p->len = strlen(p->s);
				rc = check(sub, field, p, why, cap, depth + 1);
				p->s[p->len = len] = 0;
			} else if (closed) {
				rc = fail_field(p, why, cap, "is not allowed", jv_string_value(key));
			}
			jv_free(sub);
		}
		jv_free(key);
		jv_free(field);
	}
	jv_free(req);
	jv_free(props);
	return rc;
}

static int check(jv schema, jv value, struct path *p, char *why, size_t cap, int depth)
{
	if (depth > 64)
		return fail(p, why, cap, "nested too deeply");
	if (jv_get_kind(schema) != JV_KIND_OBJECT)
		return 0;
	if (check_type(schema, value, p, why, cap))
		return -1;
	jv e = jx_get(schema, "enum");
	if (jv_get_kind(e) == JV_KIND_ARRAY) {
		int found = 0;
		for (int i = 0; i < jv_array_length(jv_copy(e)) && !found; i++)
			found = jv_equal(jv_array_get(jv_copy(e), i), jv_copy(value));
		if (!found) {
			jv_free(e);
			jv shown = jv_dump_string(jv_copy(value), 0);
			char msg[160];
			snprintf(msg, sizeof msg, "%.100s is not one of the allowed values", jv_string_value(shown));
			jv_free(shown);
			return fail(p, why, cap, msg);
		}
	}
	jv_free(e);
	jv c = jx_get(schema, "const");
	if (jv_is_valid(c) && !jv_equal(jv_copy(c), jv_copy(value))) {
		jv_free(c);
		return fail(p, why, cap, "not the one allowed value");
	}
	jv_free(c);
	if (jv_get_kind(value) == JV_KIND_OBJECT)
		return check_object(schema, value, p, why, cap, depth);
	if (jv_get_kind(value) == JV_KIND_ARRAY) {
		jv items = jx_get(schema, "items");
		int rc = 0;
		if (jv_get_kind(items) == JV_KIND_OBJECT) {
			for (int i = 0; i < jv_array_length(jv_copy(value)) && !rc; i++) {
				size_t len = p->len;
				snprintf(p->s + len, sizeof p->s - len, "[%d]", i);
				p->len = strlen(p->s);
				jv one = jv_array_get(jv_copy(value), i);
				rc = check(items, one, p, why, cap, depth + 1);
				jv_free(one);
				p->s[p->len = len] = 0;
			}
		}
		jv_free(items);
		return rc;
	}
	return 0;
}

int schema_check(jv schema, jv value, char *why, size_t cap)
{
	struct path p = { "", 0 };
	return check(schema, value, &p, why, cap, 0);
}
