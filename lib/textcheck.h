/* textcheck: text that cannot be sent faithfully is refused, never
 * altered. A NUL byte would end the text early wherever it becomes a C
 * string, and bytes that are not UTF-8 would reach the model as U+FFFD
 * (JSON carries only UTF-8): both are bad input, exit 65. */
#ifndef CHAT_TEXTCHECK_H
#define CHAT_TEXTCHECK_H
#include <jv.h>
#include <stddef.h>

/* 0, or -1 with why: "WHAT holds a NUL byte (byte offset N)" or "WHAT is
 * not UTF-8 (byte offset N)". */
int text_check(const char *what, const char *s, size_t len, char *why, size_t cap);
/* A C string from argv or a file, the same way. */
int text_check_str(const char *what, const char *s, char *why, size_t cap);
/* The strings of a prompt record that go on as C strings — "text",
 * "system", "conversation", "id", "model" — checked (rec borrowed). */
int prompt_record_check(jv rec, char *why, size_t cap);
#endif
