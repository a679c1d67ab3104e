/* diag: diagnostics on stderr as "prog: what: why", the exit statuses every
 * program shares (DESIGN.md), and scrubbing of untrusted text for terminals. */
#ifndef CHAT_DIAG_H
#define CHAT_DIAG_H
#include <stddef.h>

enum exit_status {
	EXIT_OK = 0,
	EXIT_PARTIAL = 1,     /* some records of a batch failed */
	EXIT_GUARD = 3,       /* budget or --max-cost */
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,
	EXIT_NOINPUT = 66,
	EXIT_UNAVAILABLE = 69,
	EXIT_SOFTWARE = 70,
	EXIT_CANTCREAT = 73,
	EXIT_TEMPFAIL = 75,
	EXIT_NOPERM = 77,
	EXIT_CONFIG = 78,
};

extern const char *progname;
void diag_init(const char *argv0);
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints like warn and returns -1, for "return error(...)". */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error: "prog: msg[: arg]", a hint to try --help, exit 64. */
_Noreturn void die_usage(const char *msg, const char *arg);
/* Copy at most cap-1 bytes of untrusted text into out, control characters
 * replaced by '?', so provider text never drives the terminal. */
void scrub(char *out, size_t cap, const char *in, size_t len);
extern int verbose;
#endif
