/* input: the prompt from argv words and stdin, as DESIGN.md says — argv
 * first, then a blank line, then stdin text — or the decision that stdin
 * holds records. */
#ifndef CHAT_INPUT_H
#define CHAT_INPUT_H
#include "buf.h"
#include "cli.h"
#include "records.h"

#define INPUT_MAX (64u << 20)

/* Fill prompt, or set *records when stdin is to be read as records (lr then
 * holds what was read so far). 0 or an exit status (64 empty, 65 too big). */
int input_gather(const struct cli_opts *o, struct line_reader *lr, struct buf *prompt, int *records);
#endif
