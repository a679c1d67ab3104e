/* progress: a one-line progress bar on stderr for a long transfer — bytes
 * sent of the total, percent and rate — or a line of text for work counted
 * in records or jobs; drawn only when stderr is a terminal, redrawn a few
 * times a second at most, and wiped at the end so the terminal is left as
 * it was. Data never goes near it. */
#ifndef CHAT_PROGRESS_H
#define CHAT_PROGRESS_H

struct progress {
	int on;                 /* drawing at all */
	int shown;              /* a line is on the screen */
	int cols;               /* the terminal's width */
	int text;               /* a line of text (progress_line), not a bar */
	long every_ms;          /* a text line's least time between draws */
	long long total, done, first;
	long start_ms, drawn_ms;
	char label[40];
};

/* Start a bar for total bytes; wanted = 0 (say -q) or a stderr that is no
 * terminal keep it off, and then every call is a no-op. */
void progress_start(struct progress *p, const char *label, long long total, int wanted);
/* Start a line of text instead of a bar, redrawn at most every every_ms
 * (the first time every_ms after the start); wanted as for a bar. */
void progress_start_line(struct progress *p, int wanted, long every_ms);
/* Whether a text line is on and due for a redraw, so the caller builds the
 * text only when it will be drawn. */
int progress_due(const struct progress *p);
/* Draw the text line in place of the last one (when on, whether due or not). */
void progress_line(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* done bytes of the total are through (it may go back after a restart). */
void progress_update(struct progress *p, long long done);
/* Take the line off the screen (before a message, say); the next update
 * draws it again. */
void progress_clear(struct progress *p);
void progress_end(struct progress *p);
#endif
