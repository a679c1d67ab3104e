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
	int stop_fd;    /* readable: give up a read that waits (ECANCELED); -1: none */
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
/* Inside a callback for a bad line: that line's "id" when it could be
 * read all the same (a record that is not UTF-8), else null. */
jv records_bad_line_id(void);
/* Returns 0 at EOF, the callback's nonzero value, or -1 on a read error. */
int records_each(struct line_reader *lr, record_fn fn, void *ctx);
/* The same, with reading and parsing done on a thread of its own (a
 * record_reader) while the callback runs: for bulk loads where the callback
 * is slow too. */
int records_each_threaded(struct line_reader *lr, record_fn fn, void *ctx);
/* A good record's shaping, on the reader's thread: rec (consumed) becomes
 * *out, or it fails with why and the record's *id: such an item is a bad
 * line the taker has to report. */
typedef int (*record_shape_fn)(void *ctx, jv rec, jv *out, jv *id, char *why, size_t cap);
/* records_each_threaded with shape (given no context) run on the reading
 * thread for each good record, so its work is off the callback's; it must
 * not fail. */
int records_each_shaped(struct line_reader *lr, record_shape_fn shape, record_fn fn, void *ctx);

/* A record_reader reads and parses records ahead on a thread of its own,
 * so a slow producer never stalls the taker (and a slow taker holds only
 * so much). Items are taken in input order, blocking or not. */
struct record_item {
	long lineno;
	jv rec;              /* jv_invalid() for a bad line */
	jv id;               /* a bad line's id, when known, else null */
	int reported;        /* the line's problem is on stderr already */
	size_t bytes;        /* its weight against max_bytes */
	char why[512];       /* a bad line's problem */
};
struct record_reader_opts {
	size_t max_items;    /* read ahead at most this many (0: 1024) */
	size_t max_bytes;    /* and this much by weigh() (0: no limit) */
	size_t (*weigh)(jv rec);
	record_shape_fn shape;    /* for each good record (ctx below) */
	/* Called on the reader's thread after each item and at the end: for a
	 * taker that sleeps in something other than record_reader_take. */
	void (*wake)(void *ctx);
	void *ctx;
};
struct record_reader;
/* Start reading lr (which must outlive the reader). NULL when no thread
 * can be made. */
struct record_reader *record_reader_start(struct line_reader *lr, const struct record_reader_opts *o);
/* The next item, waiting for it: 1; 0 at the end of the input; -1 after a
 * read error. A bad line the record loop found is said on stderr as it
 * is taken (it->reported), and a read error once. */
int record_reader_take(struct record_reader *rr, struct record_item *it);
/* The same without waiting: 1 with an item, 0 when none is ready yet, -1
 * when none will come (the end of the input or a read error). */
int record_reader_try_take(struct record_reader *rr, struct record_item *it);
/* Free an item's values (rec, if not taken over, and id). */
void record_item_free(struct record_item *it);
/* Stop reading (a read blocked on the input is given up), drop what was
 * read ahead, free rr. Returns 1 when the input ended in a read error
 * (said now if no take has said it). */
int record_reader_stop(struct record_reader *rr);
/* Is this line a JSON object whose "type" is one of DESIGN.md's record types? */
int looks_like_record(const char *line, size_t len);
#endif
