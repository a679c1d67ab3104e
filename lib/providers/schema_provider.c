#include "providers/schema_provider.h"
#include "jsonx.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64    /* deeper schemas are cut: jq parses only 256 levels anyway */
#define REF_UNROLL 2    /* times one $ref may be expanded inside itself */

/* The JSON Schema field arrived at Gemini 2.5; the -latest aliases name
 * current models. Anything else (1.5, 2.0, gemini-exp-*, gemma-*) gets
 * the translated responseSchema, which every model takes. */
int gemini_takes_json_schema(const char *model)
{
	if (strncmp(model, "gemini-", 7))
		return 0;
	const char *p = model + 7;
	if (!isdigit((unsigned char)*p)) {
		size_t n = strlen(p);
		return n >= 7 && !strcmp(p + n - 7, "-latest");
	}
	char *end;
	long major = strtol(p, &end, 10), minor = 0;
	if (*end == '.')
		minor = strtol(end + 1, NULL, 10);
	return major > 2 || (major == 2 && minor >= 5);
}

/* ---------- small jv helpers ---------- */

static int has(jv obj, const char *key)
{
	jv v = jx_get(obj, key);
	int r = jv_is_valid(v);
	jv_free(v);
	return r;
}

static int str_is(jv obj, const char *key, const char *want)
{
	jv v = jx_get(obj, key);
	int r = jv_get_kind(v) == JV_KIND_STRING && !strcmp(jv_string_value(v), want);
	jv_free(v);
	return r;
}

/* obj[key] = val, or, when obj has an object or array there already, the
 * two joined: allOf parts and the node's own keywords add up. */
static jv add(jv obj, const char *key, jv val)
{
	jv old = jx_get(obj, key);
	if (jv_get_kind(old) == JV_KIND_OBJECT && jv_get_kind(val) == JV_KIND_OBJECT)
		val = jv_object_merge(old, val);
	else if (jv_get_kind(old) == JV_KIND_ARRAY && jv_get_kind(val) == JV_KIND_ARRAY)
		val = jv_array_concat(old, val);
	else
		jv_free(old);
	return jv_object_set(obj, jv_string(key), val);
}

static int array_has_string(jv arr, const char *s)
{
	int found = 0;
	jv_array_foreach(arr, i, v) {
		found |= jv_get_kind(v) == JV_KIND_STRING && !strcmp(jv_string_value(v), s);
		jv_free(v);
	}
	return found;
}

/* ---------- Gemini's responseSchema ---------- */

struct tr {
	jv root;        /* borrowed: the document "#/..." points into */
	jv open;        /* the $refs being expanded, outermost first */
};

static jv translate(struct tr *t, jv node, int depth);

/* One part of a JSON Pointer, from just after its '/', unescaped (~1 is
 * '/', ~0 is '~') into key; returns where the part ends. */
static const char *pointer_part(const char *p, char *key, size_t cap)
{
	size_t n = 0;
	for (; *p && *p != '/' && n + 1 < cap; p++) {
		if (*p == '~' && (p[1] == '0' || p[1] == '1'))
			key[n++] = *++p == '1' ? '/' : '~';
		else
			key[n++] = *p;
	}
	key[n] = 0;
	return p;
}

/* A JSON Pointer in the document itself ("#/$defs/item"), or invalid. */
static jv pointer(jv root, const char *ref)
{
	if (*ref != '#')
		return jv_invalid();
	jv at = jv_copy(root);
	const char *p = ref + 1;
	while (*p == '/' && jv_is_valid(at)) {
		char key[256];
		p = pointer_part(p + 1, key, sizeof key);
		if (jv_get_kind(at) == JV_KIND_OBJECT) {
			at = jv_object_get(at, jv_string(key));
		} else if (jv_get_kind(at) == JV_KIND_ARRAY && isdigit((unsigned char)key[0])) {
			at = jv_array_get(at, atoi(key));
		} else {
			jv_free(at);
			at = jv_invalid();
		}
	}
	if (*p || jv_get_kind(at) != JV_KIND_OBJECT) {   /* an $anchor, or not a schema */
		jv_free(at);
		return jv_invalid();
	}
	return at;
}

static int times_open(struct tr *t, const char *ref)
{
	int n = 0;
	jv_array_foreach(t->open, i, r) {
		n += !strcmp(jv_string_value(r), ref);
		jv_free(r);
	}
	return n;
}

/* node holds a $ref: the schema it points at, with node's other keywords
 * laid over it. Invalid (leave it out) once a recursive reference has been
 * unrolled REF_UNROLL times: responseSchema has no references, and a
 * finite answer ends a recursion at an optional property anyway. */
static jv expand(struct tr *t, jv node, jv ref, int depth)
{
	if (times_open(t, jv_string_value(ref)) >= REF_UNROLL) {
		jv_free(node);
		jv_free(ref);
		return jv_invalid();
	}
	jv target = pointer(t->root, jv_string_value(ref));
	node = jv_object_delete(node, jv_string("$ref"));
	if (!jv_is_valid(target)) {     /* not in this document: keep what is beside it */
		jv_free(ref);
		jv_free(target);
		return translate(t, node, depth + 1);
	}
	t->open = jv_array_append(t->open, ref);
	jv out = translate(t, jv_object_merge(target, node), depth + 1);
	int n = jv_array_length(jv_copy(t->open));
	t->open = jv_array_slice(t->open, 0, n - 1);
	return out;
}

static jv upper(const char *s)
{
	char b[32];
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof b; i++)
		b[i] = (char)toupper((unsigned char)s[i]);
	b[i] = 0;
	return jv_string(b);
}

/* "type": one name, or a list of them (["string", "null"]): null becomes
 * nullable, two or more others an anyOf. */
static jv put_type(jv out, jv node, int *nullable)
{
	jv ty = jx_get(node, "type"), alts = jv_array();
	if (jv_get_kind(ty) == JV_KIND_STRING)
		ty = JV_ARRAY(ty);
	if (jv_get_kind(ty) == JV_KIND_ARRAY) {
		jv_array_foreach(ty, i, one) {
			if (jv_get_kind(one) == JV_KIND_STRING && !strcmp(jv_string_value(one), "null"))
				*nullable = 1;
			else if (jv_get_kind(one) == JV_KIND_STRING)
				alts = jv_array_append(alts, JV_OBJECT(jv_string("type"), upper(jv_string_value(one))));
			jv_free(one);
		}
	}
	jv_free(ty);
	int n = jv_array_length(jv_copy(alts));
	if (n == 1)
		out = jv_object_merge(out, jv_array_get(jv_copy(alts), 0));
	else if (n > 1)
		out = jv_object_set(out, jv_string("anyOf"), jv_copy(alts));
	jv_free(alts);
	return out;
}

/* anyOf and oneOf (read as anyOf, as Gemini itself does): a null
 * alternative becomes nullable, and a lone one left is merged in. */
static jv put_alternatives(struct tr *t, jv out, jv node, int depth, int *nullable)
{
	static const char *const keys[] = { "anyOf", "oneOf" };
	jv alts = jv_array();
	for (size_t k = 0; k < 2; k++) {
		jv list = jx_get(node, keys[k]);
		if (jv_get_kind(list) == JV_KIND_ARRAY) {
			jv_array_foreach(list, i, alt) {
				if (str_is(alt, "type", "null")) {
					*nullable = 1;
					jv_free(alt);
					continue;
				}
				jv one = translate(t, alt, depth + 1);
				if (jv_is_valid(one))
					alts = jv_array_append(alts, one);
				else
					jv_free(one);
			}
		}
		jv_free(list);
	}
	int n = jv_array_length(jv_copy(alts));
	if (n == 1 && !has(out, "type") && !has(out, "anyOf"))
		out = jv_object_merge(out, jv_array_get(jv_copy(alts), 0));
	else if (n >= 1)
		out = add(out, "anyOf", jv_copy(alts));
	jv_free(alts);
	return out;
}

/* allOf: each part translated, then folded into the node. */
static jv put_all_of(struct tr *t, jv out, jv node, int depth, int *nullable)
{
	jv list = jx_get(node, "allOf");
	if (jv_get_kind(list) == JV_KIND_ARRAY) {
		jv_array_foreach(list, i, part) {
			jv one = translate(t, part, depth + 1);
			if (jv_get_kind(one) == JV_KIND_OBJECT) {
				jv_object_foreach(one, k, v) {
					if (!strcmp(jv_string_value(k), "nullable"))
						*nullable |= jv_get_kind(v) == JV_KIND_TRUE;
					else
						out = add(out, jv_string_value(k), jv_copy(v));
					jv_free(k);
					jv_free(v);
				}
			}
			jv_free(one);
		}
	}
	jv_free(list);
	return out;
}

/* Keywords the OpenAPI subset has under the same name and meaning. */
static jv copy_kept(jv out, jv node, int *nullable)
{
	static const char *const kept[] = {
		"description", "format", "minItems", "maxItems", "minLength", "maxLength",
		"minProperties", "maxProperties", "minimum", "maximum", "pattern", "propertyOrdering",
	};
	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
		jv v = jx_get(node, kept[i]);
		if (jv_is_valid(v))
			out = add(out, kept[i], v);
		else
			jv_free(v);
	}
	*nullable |= jx_kind_is(node, "nullable", JV_KIND_TRUE);
	return out;
}

/* enum and const. responseSchema's enum holds strings: numbers go as
 * their text with format "enum" (the Schema object's own convention), a
 * null allowed becomes nullable, and booleans are left to the type. */
static jv put_enum(jv out, jv node, int *nullable)
{
	jv vals = jx_get(node, "const");
	vals = jv_is_valid(vals) ? JV_ARRAY(vals) : (jv_free(vals), jx_get(node, "enum"));
	if (jv_get_kind(vals) != JV_KIND_ARRAY) {
		jv_free(vals);
		return out;
	}
	jv kept = jv_array();
	int strings = 0, numbers = 0, integers = 1, bools = 0;
	jv_array_foreach(vals, i, v) {
		jv_kind k = jv_get_kind(v);
		if (k == JV_KIND_STRING) {
			kept = jv_array_append(kept, jv_copy(v));
			strings++;
		} else if (k == JV_KIND_NUMBER) {
			kept = jv_array_append(kept, jv_dump_string(jv_copy(v), 0));
			numbers++;
			integers &= jv_number_value(v) == floor(jv_number_value(v));
		}
		*nullable |= k == JV_KIND_NULL;
		bools |= k == JV_KIND_TRUE || k == JV_KIND_FALSE;
		jv_free(v);
	}
	jv_free(vals);
	const char *type = bools && !strings && !numbers ? "BOOLEAN"
			 : numbers && !strings ? (integers ? "INTEGER" : "NUMBER") : "STRING";
	if (!has(out, "type") && (strings || numbers || bools))
		out = jv_object_set(out, jv_string("type"), jv_string(type));
	if (numbers)
		out = jv_object_set(out, jv_string("format"), jv_string("enum"));
	if (strings || numbers)
		return jv_object_set(out, jv_string("enum"), kept);
	jv_free(kept);
	return out;
}

static jv put_properties(struct tr *t, jv out, jv node, int depth)
{
	jv props = jx_get(node, "properties");
	if (jv_get_kind(props) == JV_KIND_OBJECT) {
		jv mine = jv_object();
		jv_object_foreach(props, k, v) {
			jv one = translate(t, v, depth + 1);
			if (jv_is_valid(one))
				mine = jv_object_set(mine, k, one);
			else
				jv_free(k);
		}
		out = add(out, "properties", mine);
	}
	jv_free(props);
	jv req = jx_get(node, "required");
	if (jv_get_kind(req) == JV_KIND_ARRAY)
		out = add(out, "required", req);
	else
		jv_free(req);
	return out;
}

/* items; *cut set when they were left out (an array of nothing is no
 * array: the whole node goes then). */
static jv put_items(struct tr *t, jv out, jv node, int depth, int *cut)
{
	jv items = jx_get(node, "items");
	if (jv_get_kind(items) != JV_KIND_OBJECT) {     /* a draft-4 tuple has no counterpart */
		jv_free(items);
		return out;
	}
	jv one = translate(t, items, depth + 1);
	if (jv_is_valid(one))
		return jv_object_set(out, jv_string("items"), one);
	jv_free(one);
	*cut = 1;
	return out;
}

/* Names of list (borrowed) that are properties of out, each once. */
static jv only_properties(jv out, jv list)
{
	jv props = jx_get(out, "properties"), kept = jv_array();
	jv_array_foreach(list, i, name) {
		if (jv_get_kind(name) == JV_KIND_STRING && jv_object_has(jv_copy(props), jv_copy(name)) &&
		    !array_has_string(kept, jv_string_value(name)))
			kept = jv_array_append(kept, name);
		else
			jv_free(name);
	}
	jv_free(props);
	return kept;
}

/* A format the subset knows for the type, or none: the service refuses
 * the others (e.g. "only 'enum' and 'date-time' are supported for STRING
 * type"). */
static int format_known(jv out)
{
	static const char *const ok[][2] = {
		{ "STRING", "enum" }, { "STRING", "date-time" }, { "INTEGER", "int32" }, { "INTEGER", "int64" },
		{ "INTEGER", "enum" }, { "NUMBER", "float" }, { "NUMBER", "double" }, { "NUMBER", "enum" },
	};
	jv ty = jx_get(out, "type"), f = jx_get(out, "format");
	int known = 0;
	for (size_t i = 0; i < sizeof ok / sizeof *ok && jv_get_kind(ty) == JV_KIND_STRING &&
	     jv_get_kind(f) == JV_KIND_STRING; i++)
		known |= !strcmp(jv_string_value(ty), ok[i][0]) && !strcmp(jv_string_value(f), ok[i][1]);
	jv_free(ty);
	jv_free(f);
	return known;
}

/* The last touches: a type where the keywords imply one, required and
 * propertyOrdering naming only properties that are there, the order as
 * written (the service otherwise sorts the keys), nullable. */
static jv finish(jv out, int nullable)
{
	if (!has(out, "type") && !has(out, "anyOf")) {
		if (has(out, "properties"))
			out = jv_object_set(out, jv_string("type"), jv_string("OBJECT"));
		else if (has(out, "items"))
			out = jv_object_set(out, jv_string("type"), jv_string("ARRAY"));
	}
	if (has(out, "format") && !format_known(out))
		out = jv_object_delete(out, jv_string("format"));
	if (jx_kind_is(out, "properties", JV_KIND_OBJECT)) {
		/* an order given (or made by allOf parts) first, then the rest */
		jv order = jx_get(out, "propertyOrdering"), req = jx_get(out, "required");
		jv keys = jv_keys_unsorted(jx_get(out, "properties"));
		if (jv_get_kind(order) == JV_KIND_ARRAY)
			keys = jv_array_concat(jv_copy(order), keys);
		out = jv_object_set(out, jv_string("propertyOrdering"), only_properties(out, keys));
		if (jv_get_kind(req) == JV_KIND_ARRAY)
			out = jv_object_set(out, jv_string("required"), only_properties(out, req));
		jv_free(keys);
		jv_free(order);
		jv_free(req);
	}
	if (nullable)
		out = jv_object_set(out, jv_string("nullable"), jv_true());
	return out;
}

/* A schema without $ref, translated keyword by keyword: the node's own
 * keywords come after its alternatives and allOf parts, so they win. */
static jv plain(struct tr *t, jv node, int depth)
{
	int nullable = 0, cut = 0;
	jv out = put_type(jv_object(), node, &nullable);
	out = put_alternatives(t, out, node, depth, &nullable);
	out = put_all_of(t, out, node, depth, &nullable);
	out = copy_kept(out, node, &nullable);
	out = put_enum(out, node, &nullable);
	out = put_properties(t, out, node, depth);
	out = put_items(t, out, node, depth, &cut);
	jv_free(node);
	if (cut) {
		jv_free(out);
		return jv_invalid();
	}
	return finish(out, nullable);
}

/* node consumed; the translation, or invalid when it is to be left out. */
static jv translate(struct tr *t, jv node, int depth)
{
	if (jv_get_kind(node) != JV_KIND_OBJECT) {      /* true, false: no counterpart */
		jv_free(node);
		return jv_object();
	}
	if (depth > MAX_DEPTH) {
		jv_free(node);
		return jv_invalid();
	}
	jv ref = jx_get(node, "$ref");
	if (jv_get_kind(ref) == JV_KIND_STRING)
		return expand(t, node, ref, depth);
	jv_free(ref);
	return plain(t, node, depth);
}

jv schema_for_gemini(jv schema)
{
	struct tr t = { jv_copy(schema), jv_array() };
	jv out = translate(&t, schema, 0);
	jv_free(t.root);
	jv_free(t.open);
	return jv_is_valid(out) ? out : (jv_free(out), jv_object());
}

/* ---------- OpenAI's strict mode ---------- */

static jv close_objects(jv node, int *strict, int depth);

/* Every value of obj[key] (a map of schemas) closed in turn. */
static jv close_map(jv node, const char *key, int *strict, int depth)
{
	jv map = jx_get(node, key);
	if (jv_get_kind(map) != JV_KIND_OBJECT) {
		jv_free(map);
		return node;
	}
	jv done = jv_object();
	jv_object_foreach(map, k, v)
		done = jv_object_set(done, k, close_objects(v, strict, depth + 1));
	jv_free(map);
	return jv_object_set(node, jv_string(key), done);
}

/* obj[key]: one schema, or a list of them. */
static jv close_one_or_list(jv node, const char *key, int *strict, int depth)
{
	jv v = jx_get(node, key);
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		v = close_objects(v, strict, depth + 1);
	} else if (jv_get_kind(v) == JV_KIND_ARRAY) {
		jv done = jv_array();
		jv_array_foreach(v, i, one)
			done = jv_array_append(done, close_objects(one, strict, depth + 1));
		jv_free(v);
		v = done;
	} else {
		jv_free(v);
		return node;
	}
	return jv_object_set(node, jv_string(key), v);
}

/* Does every property of node appear in its required list? */
static int all_required(jv node)
{
	jv props = jx_get(node, "properties"), req = jx_get(node, "required");
	int all = 1;
	if (jv_get_kind(props) == JV_KIND_OBJECT) {
		jv_object_foreach(props, k, v) {
			all &= jv_get_kind(req) == JV_KIND_ARRAY && array_has_string(req, jv_string_value(k));
			jv_free(k);
			jv_free(v);
		}
	}
	jv_free(props);
	jv_free(req);
	return all;
}

static int is_object_schema(jv node)
{
	jv ty = jx_get(node, "type");
	int obj = (jv_get_kind(ty) == JV_KIND_STRING && !strcmp(jv_string_value(ty), "object")) ||
		  (jv_get_kind(ty) == JV_KIND_ARRAY && array_has_string(ty, "object"));
	jv_free(ty);
	return obj || has(node, "properties");
}

/* One node: closed if it has properties and says nothing of others, then
 * judged for strict mode, then its subschemas. */
static jv close_objects(jv node, int *strict, int depth)
{
	static const char *const refused[] = {
		"allOf", "oneOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
		"patternProperties", "unevaluatedProperties", "propertyNames",
	};
	static const char *const lists[] = { "items", "prefixItems", "anyOf", "oneOf", "allOf", "not",
					     "additionalProperties" };
	static const char *const maps[] = { "properties", "$defs", "definitions" };
	if (jv_get_kind(node) != JV_KIND_OBJECT)
		return node;
	if (depth > MAX_DEPTH) {
		*strict = 0;
		return node;
	}
	if (is_object_schema(node)) {
		if (!has(node, "additionalProperties") && has(node, "properties"))
			node = jv_object_set(node, jv_string("additionalProperties"), jv_false());
		*strict &= jx_kind_is(node, "additionalProperties", JV_KIND_FALSE) && all_required(node);
	}
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
		*strict &= !has(node, refused[i]);
	for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
		node = close_map(node, maps[i], strict, depth);
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
		node = close_one_or_list(node, lists[i], strict, depth);
	return node;
}

jv schema_for_openai(jv schema, int *strict)
{
	*strict = jv_get_kind(schema) == JV_KIND_OBJECT && str_is(schema, "type", "object") && !has(schema, "anyOf");
	return close_objects(schema, strict, 0);
}
