/* parallel: chat-send -r — prompt records in, one response or error record out
 * for each, up to N requests at once on one libcurl multi handle. Records
 * are read ahead on a thread of their own (a record_reader) so a slow
 * producer never stalls the transfers; results go out whole, as they
 * finish or (ordered) in input order. */
#ifndef CHAT_PARALLEL_H
#define CHAT_PARALLEL_H
#include "records.h"
#include "ask/session.h"

struct parallel_opts {
	int parallel;        /* requests at once, 1 or more */
	int ordered;         /* results in input order */
	int skip_done;       /* skip ids the history has a complete answer for */
	int progress;        /* done/failed/rate on stderr */
};

/* Run every record of lr. Returns 0, 1 when some records failed (each has
 * its error record), or the exit status of a fatal failure (output or
 * history unwritable) or 128+signal when interrupted. */
int parallel_run(struct session *s, struct line_reader *lr, const struct parallel_opts *bo);
#endif
