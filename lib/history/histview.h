/* histview: reading the history for people and scripts — the conversation
 * list, a transcript, full-text search with highlighted snippets, and
 * statistics — as text on a terminal or records with json. */
#ifndef CHAT_HISTVIEW_H
#define CHAT_HISTVIEW_H
#include "history/store.h"

struct view_opts {
	int json;
	int color;            /* highlight on a terminal, never with NO_COLOR */
	long limit, offset;   /* limit 0: all */
	const char *model;    /* search filter */
	const char *since, *until;
};

int histview_list(struct store *s, const struct view_opts *v);
int histview_show(struct store *s, const char *conv_id, const struct view_opts *v);
int histview_search(struct store *s, const char *query, const struct view_opts *v);
/* s NULL: there is no history yet (with json, a record of zeros). */
int histview_stats(struct store *s, const struct view_opts *v);
/* Conversation names, else ids, most recent first, one a line (for completion). */
int histview_names(struct store *s);
/* The same names to each(ctx, name), which stops the walk by returning
 * nonzero. 0, that nonzero, or an exit status. */
int histview_each_name(struct store *s, int (*each)(void *ctx, const char *name), void *ctx);
#endif
