/* errcode: DESIGN.md's two contracts — the exit statuses every program
 * shares, and the error codes of its error records — and the map between
 * them. Every failure a program reports is one of these. */
#ifndef CHAT_ERRCODE_H
#define CHAT_ERRCODE_H

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


enum err_code {
	ERR_NONE = 0,
	ERR_AUTH, ERR_RATE_LIMITED, ERR_QUOTA, ERR_CONTEXT_LENGTH, ERR_BAD_REQUEST,
	ERR_SERVER, ERR_NETWORK, ERR_TIMEOUT, ERR_INTERRUPTED, ERR_BAD_INPUT, ERR_BAD_OUTPUT,
	ERR_BUDGET,           /* refused by our own guard: --max-cost or a budget */
};

struct chat_error {
	enum err_code code;
	long status;            /* HTTP status, 0 when there was none */
	int retryable;
	long retry_after_ms;    /* from retry-after-ms / retry-after, -1 if none */
	int unreachable;        /* no connection could be made at all (host, port, TLS) */
	char message[512];      /* scrubbed: safe to print */
};

const char *err_code_name(enum err_code c);
int err_exit_status(enum err_code c);
/* Set e from untrusted text (scrubbed). */
void err_set(struct chat_error *e, enum err_code c, long status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A key the server refused (401, 403): say where the key came from (a
 * variable's name, or "key file PATH"), never what it is. */
void err_note_key(struct chat_error *e, const char *source);
#endif
