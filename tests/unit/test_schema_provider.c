/* One JSON Schema in each provider's dialect: Gemini's OpenAPI subset
 * (nested objects, arrays, $ref/$defs inlined, recursion cut, nullable,
 * const, enum, allOf, keywords dropped), which Gemini models take JSON
 * Schema as it is, and OpenAI's strict mode (closed objects, and when a
 * schema cannot be strict). */
#include "providers/schema_provider.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The translation of in, compared with want as compact JSON with sorted
 * keys (propertyOrdering keeps its own order: it is an array). */
static void gemini(const char *in, const char *want, const char *name)
{
	jv got = schema_for_gemini(jv_parse(in)), w = jv_parse(want);
	jv g = jv_dump_string(got, JV_PRINT_SORTED), ws = jv_dump_string(w, JV_PRINT_SORTED);
	is_str(jv_string_value(g), jv_string_value(ws), name);
	jv_free(g);
	jv_free(ws);
}

static void openai(const char *in, const char *want, int want_strict, const char *name)
{
	int strict = -1;
	jv got = schema_for_openai(jv_parse(in), &strict), w = jv_parse(want);
	jv g = jv_dump_string(got, JV_PRINT_SORTED), ws = jv_dump_string(w, JV_PRINT_SORTED);
	char label[200];
	is_str(jv_string_value(g), jv_string_value(ws), name);
	snprintf(label, sizeof label, "%s: strict %d", name, want_strict);
	ok(strict == want_strict, "%s", label);
	jv_free(g);
	jv_free(ws);
}

static void test_models(void)
{
	ok(gemini_takes_json_schema("gemini-2.5-flash"), "gemini-2.5-flash takes JSON Schema");
	ok(gemini_takes_json_schema("gemini-2.5-pro"), "gemini-2.5-pro too");
	ok(gemini_takes_json_schema("gemini-3-pro-preview"), "gemini-3 too");
	ok(gemini_takes_json_schema("gemini-flash-latest"), "the -latest aliases too");
	ok(!gemini_takes_json_schema("gemini-2.0-flash"), "gemini-2.0-flash gets the subset");
	ok(!gemini_takes_json_schema("gemini-1.5-pro-latest"), "gemini-1.5 too, even -latest");
	ok(!gemini_takes_json_schema("gemini-exp-1206"), "an unknown gemini name gets the subset");
	ok(!gemini_takes_json_schema("gemma-3-27b-it"), "gemma gets the subset");
}

static void test_gemini_objects(void)
{
	gemini("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"x\",\"title\":\"T\","
	       "\"type\":\"object\",\"additionalProperties\":false,"
	       "\"properties\":{\"name\":{\"type\":\"string\",\"description\":\"who\"},"
	       "\"age\":{\"type\":\"integer\",\"minimum\":0,\"exclusiveMaximum\":200}},"
	       "\"required\":[\"name\",\"age\",\"ghost\"]}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"name\":{\"type\":\"STRING\",\"description\":\"who\"},"
	       "\"age\":{\"type\":\"INTEGER\",\"minimum\":0}},\"required\":[\"name\",\"age\"],"
	       "\"propertyOrdering\":[\"name\",\"age\"]}",
	       "object: unknown keywords dropped, types in capitals, required only of properties, order as written");
	gemini("{\"type\":\"object\",\"properties\":{\"z\":{\"type\":\"object\",\"additionalProperties\":false,"
	       "\"properties\":{\"b\":{\"type\":\"boolean\"},\"a\":{\"type\":\"number\"}}},"
	       "\"y\":{\"type\":\"string\"}}}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"z\":{\"type\":\"OBJECT\",\"properties\":"
	       "{\"b\":{\"type\":\"BOOLEAN\"},\"a\":{\"type\":\"NUMBER\"}},\"propertyOrdering\":[\"b\",\"a\"]},"
	       "\"y\":{\"type\":\"STRING\"}},\"propertyOrdering\":[\"z\",\"y\"]}",
	       "nested objects: translated all the way down");
	gemini("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}},"
	       "\"propertyOrdering\":[\"b\",\"nope\"]}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"a\":{\"type\":\"STRING\"},\"b\":{\"type\":\"STRING\"}},"
	       "\"propertyOrdering\":[\"b\",\"a\"]}",
	       "a given propertyOrdering first, then the rest");
	gemini("{\"properties\":{\"a\":{\"items\":{\"type\":\"string\"}}}}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"a\":{\"type\":\"ARRAY\",\"items\":{\"type\":\"STRING\"}}},"
	       "\"propertyOrdering\":[\"a\"]}",
	       "a type where properties or items imply one");
}

static void test_gemini_arrays(void)
{
	gemini("{\"type\":\"array\",\"minItems\":1,\"maxItems\":5,\"uniqueItems\":true,"
	       "\"items\":{\"type\":\"object\",\"additionalProperties\":false,"
	       "\"properties\":{\"n\":{\"type\":\"integer\",\"format\":\"int64\"},\"at\":{\"type\":\"string\","
	       "\"format\":\"date-time\"},\"mail\":{\"type\":\"string\",\"format\":\"email\"}}}}",
	       "{\"type\":\"ARRAY\",\"minItems\":1,\"maxItems\":5,\"items\":{\"type\":\"OBJECT\",\"properties\":"
	       "{\"n\":{\"type\":\"INTEGER\",\"format\":\"int64\"},\"at\":{\"type\":\"STRING\",\"format\":\"date-time\"},"
	       "\"mail\":{\"type\":\"STRING\"}},\"propertyOrdering\":[\"n\",\"at\",\"mail\"]}}",
	       "arrays: items translated, bounds kept, formats the subset lacks dropped");
	gemini("{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"}],\"items\":[{\"type\":\"string\"}]}",
	       "{\"type\":\"ARRAY\"}", "arrays: tuple forms have no counterpart");
}

static void test_gemini_refs(void)
{
	gemini("{\"$defs\":{\"item\":{\"type\":\"object\",\"additionalProperties\":false,"
	       "\"properties\":{\"sku\":{\"type\":\"string\"}},\"required\":[\"sku\"]}},"
	       "\"type\":\"object\",\"properties\":{\"first\":{\"$ref\":\"#/$defs/item\",\"description\":\"the first\"},"
	       "\"all\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/item\"}}},\"required\":[\"first\"]}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"first\":{\"type\":\"OBJECT\",\"description\":\"the first\","
	       "\"properties\":{\"sku\":{\"type\":\"STRING\"}},\"required\":[\"sku\"],\"propertyOrdering\":[\"sku\"]},"
	       "\"all\":{\"type\":\"ARRAY\",\"items\":{\"type\":\"OBJECT\",\"properties\":{\"sku\":{\"type\":\"STRING\"}},"
	       "\"required\":[\"sku\"],\"propertyOrdering\":[\"sku\"]}}},\"required\":[\"first\"],"
	       "\"propertyOrdering\":[\"first\",\"all\"]}",
	       "$ref: inlined from $defs, with what is beside it laid over, $defs gone");
	gemini("{\"definitions\":{\"a~b/c\":{\"type\":\"string\"}},\"properties\":{\"x\":{\"$ref\":\"#/definitions/a~0b~1c\"}}}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"x\":{\"type\":\"STRING\"}},\"propertyOrdering\":[\"x\"]}",
	       "$ref: draft-7 definitions and escaped pointer parts");
	gemini("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
	       "\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}},\"required\":[\"name\"]}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"name\":{\"type\":\"STRING\"},\"kids\":{\"type\":\"ARRAY\","
	       "\"items\":{\"type\":\"OBJECT\",\"properties\":{\"name\":{\"type\":\"STRING\"},\"kids\":{\"type\":\"ARRAY\","
	       "\"items\":{\"type\":\"OBJECT\",\"properties\":{\"name\":{\"type\":\"STRING\"}},"
	       "\"required\":[\"name\"],\"propertyOrdering\":[\"name\"]}}},\"required\":[\"name\"],"
	       "\"propertyOrdering\":[\"name\",\"kids\"]}}},\"required\":[\"name\"],\"propertyOrdering\":[\"name\",\"kids\"]}",
	       "$ref: a recursive schema unrolled twice, then its array left out");
	gemini("{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"integer\"},"
	       "\"next\":{\"$ref\":\"#/$defs/node\"}}}},\"$ref\":\"#/$defs/node\"}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"v\":{\"type\":\"INTEGER\"},\"next\":{\"type\":\"OBJECT\","
	       "\"properties\":{\"v\":{\"type\":\"INTEGER\"}},\"propertyOrdering\":[\"v\"]}},"
	       "\"propertyOrdering\":[\"v\",\"next\"]}",
	       "$ref: a recursive property is left out once unrolled");
	gemini("{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"https://example.com/s.json\",\"type\":\"string\"},"
	       "\"y\":{\"$ref\":\"#/$defs/missing\"}}}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"x\":{\"type\":\"STRING\"},\"y\":{}},\"propertyOrdering\":[\"x\",\"y\"]}",
	       "$ref: one outside the document, or missing, keeps only what is beside it");
	gemini("{\"allOf\":[{\"$ref\":\"#/$defs/a\"},{\"properties\":{\"b\":{\"type\":\"integer\"}},\"required\":[\"b\"]}],"
	       "\"$defs\":{\"a\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]}}}",
	       "{\"type\":\"OBJECT\",\"properties\":{\"a\":{\"type\":\"STRING\"},\"b\":{\"type\":\"INTEGER\"}},"
	       "\"required\":[\"a\",\"b\"],\"propertyOrdering\":[\"a\",\"b\"]}",
	       "allOf: the parts merged into one object");
}

static void test_gemini_nullable(void)
{
	gemini("{\"type\":[\"string\",\"null\"],\"maxLength\":9}",
	       "{\"type\":\"STRING\",\"maxLength\":9,\"nullable\":true}", "a type list with null: nullable");
	gemini("{\"type\":[\"string\",\"integer\"]}",
	       "{\"anyOf\":[{\"type\":\"STRING\"},{\"type\":\"INTEGER\"}]}", "a type list of two: anyOf");
	gemini("{\"anyOf\":[{\"type\":\"null\"},{\"type\":\"array\",\"items\":{\"type\":\"string\"}}]}",
	       "{\"type\":\"ARRAY\",\"items\":{\"type\":\"STRING\"},\"nullable\":true}", "anyOf with null: nullable, the other merged in");
	gemini("{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"number\"},{\"type\":\"null\"}],\"description\":\"d\"}",
	       "{\"anyOf\":[{\"type\":\"STRING\"},{\"type\":\"NUMBER\"}],\"description\":\"d\",\"nullable\":true}",
	       "oneOf: anyOf, with null as nullable");
	gemini("{\"type\":\"object\",\"nullable\":true,\"properties\":{\"a\":{\"type\":\"string\"}}}",
	       "{\"type\":\"OBJECT\",\"nullable\":true,\"properties\":{\"a\":{\"type\":\"STRING\"}},\"propertyOrdering\":[\"a\"]}",
	       "an OpenAPI-style nullable is kept");
}

static void test_gemini_enums(void)
{
	gemini("{\"const\":\"disk\"}", "{\"type\":\"STRING\",\"enum\":[\"disk\"]}", "const: an enum of one");
	gemini("{\"type\":\"string\",\"enum\":[\"a\",\"b\",null]}",
	       "{\"type\":\"STRING\",\"enum\":[\"a\",\"b\"],\"nullable\":true}", "enum: null allowed is nullable");
	gemini("{\"type\":\"integer\",\"enum\":[1,2,3]}",
	       "{\"type\":\"INTEGER\",\"format\":\"enum\",\"enum\":[\"1\",\"2\",\"3\"]}",
	       "enum: numbers as text with format enum");
	gemini("{\"enum\":[1.5,2]}", "{\"type\":\"NUMBER\",\"format\":\"enum\",\"enum\":[\"1.5\",\"2\"]}",
	       "enum: the type follows the values");
	gemini("{\"const\":true}", "{\"type\":\"BOOLEAN\"}", "const true: only the type is left");
	gemini("{\"type\":\"boolean\",\"enum\":[false]}", "{\"type\":\"BOOLEAN\"}", "enum of booleans: the type");
	gemini("{\"type\":\"string\",\"const\":\"x\",\"enum\":[\"x\",\"y\"]}", "{\"type\":\"STRING\",\"enum\":[\"x\"]}",
	       "const wins over enum");
	gemini("true", "{}", "a boolean schema: an empty one");
	gemini("[1]", "{}", "not a schema: an empty one");
}

static void test_openai(void)
{
	openai("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"array\","
	       "\"items\":{\"type\":\"object\",\"properties\":{\"c\":{\"type\":\"integer\"}},\"required\":[\"c\"]}}},"
	       "\"required\":[\"a\",\"b\"]}",
	       "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"string\"},"
	       "\"b\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"additionalProperties\":false,"
	       "\"properties\":{\"c\":{\"type\":\"integer\"}},\"required\":[\"c\"]}}},\"required\":[\"a\",\"b\"]}",
	       1, "openai: every object closed, all required: strict");
	openai("{\"type\":\"object\",\"$defs\":{\"i\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}},"
	       "\"required\":[\"x\"]}},\"properties\":{\"i\":{\"anyOf\":[{\"$ref\":\"#/$defs/i\"},{\"type\":\"null\"}]}},"
	       "\"required\":[\"i\"],\"additionalProperties\":false}",
	       "{\"type\":\"object\",\"$defs\":{\"i\":{\"type\":\"object\",\"additionalProperties\":false,"
	       "\"properties\":{\"x\":{\"type\":\"string\"}},\"required\":[\"x\"]}},\"properties\":{\"i\":{\"anyOf\":"
	       "[{\"$ref\":\"#/$defs/i\"},{\"type\":\"null\"}]}},\"required\":[\"i\"],\"additionalProperties\":false}",
	       1, "openai: $defs closed too, $ref and anyOf kept");
	openai("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}},"
	       "\"required\":[\"a\"]}",
	       "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"string\"},"
	       "\"b\":{\"type\":\"string\"}},\"required\":[\"a\"]}",
	       0, "openai: an optional property: not strict");
	openai("{\"type\":\"object\",\"properties\":{\"m\":{\"type\":\"object\"}},\"required\":[\"m\"]}",
	       "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"m\":{\"type\":\"object\"}},"
	       "\"required\":[\"m\"]}",
	       0, "openai: a free-form object is left open: not strict");
	openai("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"],"
	       "\"additionalProperties\":true}",
	       "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"],"
	       "\"additionalProperties\":true}",
	       0, "openai: an open object stays open: not strict");
	openai("{\"type\":\"object\",\"properties\":{\"a\":{\"allOf\":[{\"type\":\"string\"}]}},\"required\":[\"a\"]}",
	       "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{\"allOf\":[{\"type\":\"string\"}]}},"
	       "\"required\":[\"a\"]}",
	       0, "openai: allOf: not strict");
	openai("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}", "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}",
	       0, "openai: a root that is not an object: not strict");
}

int main(void)
{
	test_models();
	test_gemini_objects();
	test_gemini_arrays();
	test_gemini_refs();
	test_gemini_nullable();
	test_gemini_enums();
	test_openai();
	return tap_done();
}
