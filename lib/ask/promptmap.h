/* promptmap: --prompt-jq, --system-jq and --id-jq, three jq programs that
 * turn any record into a prompt record: its text, its system prompt and
 * its id. */
#ifndef CHAT_PROMPTMAP_H
#define CHAT_PROMPTMAP_H
#include <jv.h>
#include <stddef.h>
#include "buf.h"
#include "jqprog.h"

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
