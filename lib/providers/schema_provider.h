/* schema_provider: one --schema file, in the dialect each provider takes.
 * Anthropic's tool input_schema takes JSON Schema as it is. OpenAI's strict
 * mode takes a JSON Schema only when every object is closed and lists all
 * its properties as required. Gemini's responseJsonSchema (2.5 and later)
 * takes JSON Schema; its older responseSchema takes a subset of the OpenAPI
 * 3.0 Schema object and refuses the request (400 INVALID_ARGUMENT) over any
 * keyword outside it: additionalProperties, $schema, $ref, $defs, const, a
 * list of types. */
#ifndef CHAT_SCHEMA_PROVIDER_H
#define CHAT_SCHEMA_PROVIDER_H
#include <jv.h>

/* Does this Gemini model take a JSON Schema (responseJsonSchema)? 1 for
 * gemini-2.5 and later and the -latest aliases, else 0. */
int gemini_takes_json_schema(const char *model);
/* The schema (consumed) as the OpenAPI subset Gemini's responseSchema
 * takes: local $refs inlined (a recursive one unrolled twice, then left
 * out), allOf merged, oneOf read as anyOf, a null type or alternative
 * turned into nullable, const into a one-value enum, types in capitals,
 * propertyOrdering in the order the schema lists the properties, and
 * every other keyword dropped. */
jv schema_for_gemini(jv schema);
/* The schema (consumed) for OpenAI: each object with properties and no
 * additionalProperties gets additionalProperties: false (this narrows
 * only what the model may add, never what the schema allows). *strict is
 * set to 1 when strict mode will take the result, else 0: an object with
 * an optional property, an open or free-form object, a keyword strict
 * mode refuses (allOf, oneOf, not, if/then/else, patternProperties...),
 * or a root that is not an object. */
jv schema_for_openai(jv schema, int *strict);
#endif
