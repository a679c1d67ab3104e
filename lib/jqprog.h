/* jqprog: jq programs run inside the process with libjq — compiled once,
 * with --arg/--argjson variables — that turn any record into a prompt:
 * --prompt-jq (the text), --system-jq, --id-jq. */
#ifndef CHAT_JQPROG_H
#define CHAT_JQPROG_H
#include <jv.h>
#include <stddef.h>
#include "buf.h"

struct jqprog;

/* Compile program with the variables in vars (an object, borrowed: name ->
 * value). NULL with why holding jq's own message. */
struct jqprog *jqprog_compile(const char *program, jv vars, char *why, size_t cap);
void jqprog_free(struct jqprog *p);
/* The program's first output for input (borrowed). 0 with *out set; -1
 * with why when it fails or yields nothing. */
int jqprog_run(struct jqprog *p, jv input, jv *out, char *why, size_t cap);

/* The three programs that make prompt records of any records. */
struct promptmap {
	struct jqprog *prompt, *system, *id;
};
/* Compile the programs given (NULL: none). 0, or 64 with why. */
int promptmap_init(struct promptmap *m, const char *prompt, const char *system, const char *id, jv vars,
		   char *why, size_t cap);
void promptmap_free(struct promptmap *m);
/* A prompt record from rec (consumed): text from the prompt program (a
 * string), system from the system program, id from the id program or the
 * record's own "id". 0, or -1 with why (the record's id, if any, in *id). */
int promptmap_apply(struct promptmap *m, jv rec, jv *out, jv *id, char *why, size_t cap);

struct line_reader;
/* The one record on lr made into a prompt (text into prompt, the system
 * prompt, if the programs make one, into *system: free it). 0, or an exit
 * status after a message: 64 a program does not compile, 65 not exactly
 * one record or the programs fail on it. */
int promptmap_one(const char *prompt_jq, const char *system_jq, jv vars, struct line_reader *lr,
		  struct buf *prompt, char **system);
#endif
