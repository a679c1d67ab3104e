/* diag: diagnostics on stderr as "prog: what: why", and scrubbing of
 * untrusted text for terminals. */
#ifndef CHAT_DIAG_H
#define CHAT_DIAG_H
#include <stddef.h>
#include "buf.h"
#include "errcode.h"   /* the exit statuses */

extern const char *progname;
void diag_init(const char *argv0);
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints like warn and returns -1, for "return error(...)". */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* While b is set, messages go into b rather than to stderr (NULL: back to
 * stderr); for a program that reports another part's refusal itself.
 * Single-threaded use only. */
void diag_capture(struct buf *b);
/* fn(ctx) runs before each message reaches stderr (NULL: nothing runs):
 * a terminal's indicator clears its line first. */
void diag_before(void (*fn)(void *ctx), void *ctx);
_Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error: "prog: msg[: arg]", a hint to try --help, exit 64. */
_Noreturn void die_usage(const char *msg, const char *arg);

/* TERM=dumb: the terminal takes no escape sequence at all. */
int term_dumb(void);
/* Colour on fd: a terminal, no NO_COLOR (no-color.org: any value, even
 * empty, turns it off) and not a dumb one. */
int colour_on(int fd);

/* Outside text (names, titles, file names, model names, servers' words)
 * made safe for a terminal, one way everywhere: a C0 control, DEL or a
 * byte that is not UTF-8 is shown as \xNN (\n, \r and \t as such), a C1
 * control as \u0080 to \u009f, and valid UTF-8 text is kept; backslashes
 * are left alone, so scrubbing twice changes nothing more. */
enum scrub_flags {
	SCRUB_LINES = 1,    /* keep newlines and tabs (a transcript) */
	SCRUB_SECRETS = 2,  /* every registered secret becomes [redacted] */
};
/* Append the scrubbed text to out: 0, or -1 when out's cap stopped it (at
 * a whole character or escape). */
int scrub_buf(struct buf *out, const char *in, size_t len, unsigned flags);
/* The same into out[cap] as one line, secrets redacted, cut at a whole
 * character or escape: for messages and error records. */
void scrub(char *out, size_t cap, const char *in, size_t len);
/* The length of the well-formed UTF-8 character at s[0..n), or 0. */
size_t utf8_char_len(const void *s, size_t n);
/* The offset of the first byte of s[0..len) that is not part of
 * well-formed UTF-8, or len when all of it is. */
size_t utf8_bad_at(const void *s, size_t len);

/* Secrets (keys, the password of a base URL) are registered as they are
 * read, and scrub() and every message replace them with [redacted]; the
 * keys in the providers' variables are registered on first use. Shorter
 * strings than SECRET_MIN are not secrets worth hiding: they would mangle
 * ordinary words. */
#define SECRET_MIN 8
void secret_add(const char *s);
/* s[0..n) as a secret if it is at least min bytes long. */
void secret_add_min(const char *s, size_t n, size_t min);
extern int verbose;
#endif
