/* sse: an incremental server-sent events parser following the WHATWG rules
 * (LF, CR and CRLF line ends even when split across reads, one leading BOM,
 * comments, one leading space stripped, data lines joined with "\n",
 * event/id/retry fields, dispatch on a blank line, no dispatch at EOF).
 * Its output never depends on how the input was split into reads. */
#ifndef CHAT_SSE_H
#define CHAT_SSE_H
#include <stddef.h>
#include "buf.h"

struct sse_event {
	const char *type;   /* "message" when no event field was given */
	const char *data;   /* may hold NULs: use data_len */
	size_t data_len;
	const char *id;     /* the last event id, which persists across events */
};

/* Return 0 to go on; anything else stops sse_feed, which returns it. */
typedef int (*sse_event_fn)(void *ctx, const struct sse_event *ev);

struct sse_parser {
	sse_event_fn on_event;
	void *ctx;
	struct buf line, data, type, id;
	long retry;          /* reconnection time in ms, -1 until a server sets it */
	int bom;             /* BOM bytes matched so far; -1 once past the start */
	int pending_cr;      /* the last read ended in CR: skip a following LF */
	int has_data;        /* a data field was seen for the event being built */
	int overflow;        /* a line or event went past the cap */
	struct buf stray;    /* lines outside any field that look like JSON ("{...")
			      * — Gemini's way of reporting an error after the events */
};

/* max bounds any one line and any one event's data. */
void sse_init(struct sse_parser *p, size_t max, sse_event_fn fn, void *ctx);
/* Returns 0, the callback's nonzero value, or -1 when a line or event
 * exceeds the cap (p->overflow is then set). */
int sse_feed(struct sse_parser *p, const char *bytes, size_t len);
/* End of stream. An unterminated event is discarded, as the spec says;
 * returns 1 when something was discarded, else 0. */
int sse_finish(struct sse_parser *p);
/* End of stream the way the SDKs read it: a last line without its line
 * end, and a last event without its blank line, are dispatched. Returns
 * what sse_feed would; sse_finish is still due. */
int sse_flush(struct sse_parser *p);
void sse_free(struct sse_parser *p);
#endif
