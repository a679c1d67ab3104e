/* records: the one NDJSON record loop every reader uses. Reads lines from a
 * descriptor, parses each with jv, and reports "prog: line N: why" for a bad
 * one before handing it on, so no input is ever dropped silently. */
#ifndef CHAT_RECORDS_H
#define CHAT_RECORDS_H
#include <jv.h>
#include "buf.h"

struct line_reader {
	int fd;
	struct buf b;
	size_t pos;     /* start of the next unread line in b */
	int eof;
	long lineno;
	int any_json;   /* any JSON value is a record (jq programs will shape it) */
};

void lr_init(struct line_reader *lr, int fd, size_t max_line);
void lr_free(struct line_reader *lr);
/* The next line without its LF (a final line may lack one). Returns 1 with
 * *line and *len set (valid until the next call), 0 at EOF, -1 on a read error,
 * -2 when a line is longer than the cap. */
int lr_next(struct line_reader *lr, const char **line, size_t *len);
/* Peek at the first line without consuming it: 1, 0 (empty input) or <0. */
int lr_peek(struct line_reader *lr, const char **line, size_t *len);
/* After lr_next's -2: drop the rest of that line, up to and past its LF.
 * 0, or -1 on a read error. */
int lr_skip_line(struct line_reader *lr);
/* Give back the memory of a long line once it has been used (the line from
 * lr_next is no longer valid). */
void lr_release(struct line_reader *lr);

/* rec is consumed. For a bad line rec is jv_invalid() and why says what is
 * wrong (already printed): not JSON, not a record, or "longer than 64 MiB"
 * (the reader's cap; such a line is skipped and the next read as usual).
 * Return nonzero to stop the loop. */
typedef int (*record_fn)(void *ctx, long lineno, jv rec, const char *why);
/* Returns 0 at EOF, the callback's nonzero value, or -1 on a read error. */
/* Inside a callback for a bad line: that line's "id" when it could be
 * read all the same (a record that is not UTF-8), else null. */
jv records_bad_line_id(void);
int records_each(struct line_reader *lr, record_fn fn, void *ctx);
/* The same, with reading and parsing done on a helper thread while the
 * callback runs: for bulk loads where the callback is slow too. */
int records_each_threaded(struct line_reader *lr, record_fn fn, void *ctx);
/* Is this line a JSON object whose "type" is one of DESIGN.md's record types? */
int looks_like_record(const char *line, size_t len);
#endif
