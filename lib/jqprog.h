/* jqprog: a jq program run inside the process with libjq, compiled once
 * with --arg/--argjson variables. */
#ifndef CHAT_JQPROG_H
#define CHAT_JQPROG_H
#include <jv.h>
#include <stddef.h>

struct jqprog;

/* Compile program with the variables in vars (an object, borrowed: name ->
 * value). NULL with why holding jq's own message. */
struct jqprog *jqprog_compile(const char *program, jv vars, char *why, size_t cap);
void jqprog_free(struct jqprog *p);
/* The program's first output for input (borrowed). 0 with *out set; -1
 * with why when it fails or yields nothing. */
int jqprog_run(struct jqprog *p, jv input, jv *out, char *why, size_t cap);
#endif
