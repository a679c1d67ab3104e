/* schema: the JSON Schema a structured answer must follow — given inline or
 * in a file — and the check of an answer against the parts of it that
 * matter for data: type, required, properties, items, enum, const and
 * additionalProperties: false. Anything else in the schema is the
 * provider's business and is passed on untouched. */
#ifndef CHAT_SCHEMA_H
#define CHAT_SCHEMA_H
#include <jv.h>
#include <stddef.h>

/* arg is JSON text when it starts with '{', else a file name. On success
 * *text is the schema as compact JSON (free it). 0, or an exit status
 * (64 not a schema, 66 unreadable) with why filled. */
int schema_load(const char *arg, char **text, char *why, size_t cap);
/* Does value (borrowed) follow schema (borrowed)? 0, or -1 with why saying
 * where and how it does not (".items[2].name: expected a string"). */
int schema_check(jv schema, jv value, char *why, size_t cap);
#endif
