/* eachinput: the loop every filter shares over its inputs — the files
 * named, or stdin when there are none (and wherever one is "-"). */
#ifndef CHAT_EACHINPUT_H
#define CHAT_EACHINPUT_H

/* Read one input: fd is open (0 for stdin), name is what messages call it
 * (the file as given, "stdin" when none was). An exit status. */
typedef int (*input_fn)(void *ctx, int fd, const char *name);

/* Call fn for each input in order. A file that cannot be opened is said
 * and makes the status 66, and the rest are still read; otherwise the first
 * failure is kept, but 73 (cannot write) or 78 (config) wins at once and
 * ends the loop, since no later input could fare better. */
int for_each_input(int n, char **files, input_fn fn, void *ctx);
#endif
