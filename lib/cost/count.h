/* count: chat-cost --count — the tokens of text or prompt records and
 * what they would cost as input, offline, before anything is sent. */
#ifndef CHAT_COUNT_H
#define CHAT_COUNT_H

struct count_opts {
	const char *model;      /* NULL: $CHAT_MODEL, the config's model, the default */
	const char *encoding;   /* count with this encoding instead of the model's */
	int records, text_only, json, quiet;
	char **files;           /* -f: each counted as the blocks chat-send would add */
	int nfiles;
};

/* Count each -f path's blocks, then stdin (nfiles 0, unless -f was given)
 * or each file, printing a line or record each.
 * 0 or an exit status after a message. */
int count_input(const struct count_opts *o, int nfiles, char **files);
#endif
