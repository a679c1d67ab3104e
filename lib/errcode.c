#include "errcode.h"
#include "diag.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int status;
	int retryable;
} codes[] = {
	[ERR_NONE] = { "none", EXIT_OK, 0 },
	[ERR_AUTH] = { "auth", EXIT_NOPERM, 0 },
	[ERR_RATE_LIMITED] = { "rate_limited", EXIT_TEMPFAIL, 1 },
	[ERR_QUOTA] = { "quota", EXIT_TEMPFAIL, 0 },
	[ERR_CONTEXT_LENGTH] = { "context_length", EXIT_DATAERR, 0 },
	[ERR_BAD_REQUEST] = { "bad_request", EXIT_DATAERR, 0 },
	[ERR_SERVER] = { "server", EXIT_UNAVAILABLE, 1 },
	[ERR_NETWORK] = { "network", EXIT_UNAVAILABLE, 1 },
	[ERR_TIMEOUT] = { "timeout", EXIT_TEMPFAIL, 1 },
	[ERR_INTERRUPTED] = { "interrupted", 130, 0 },
	[ERR_BAD_INPUT] = { "bad_input", EXIT_DATAERR, 0 },
	[ERR_BAD_OUTPUT] = { "bad_output", EXIT_UNAVAILABLE, 0 },
	[ERR_BUDGET] = { "budget", EXIT_GUARD, 0 },
};

const char *err_code_name(enum err_code c) { return codes[c].name; }
int err_exit_status(enum err_code c) { return codes[c].status; }

void err_set(struct chat_error *e, enum err_code c, long status, const char *fmt, ...)
{
	char raw[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	e->code = c;
	e->status = status;
	e->unreachable = 0;
	e->retryable = codes[c].retryable;
	if (!e->retry_after_ms)
		e->retry_after_ms = -1;
	scrub(e->message, sizeof e->message, raw, strlen(raw));
}

void err_note_key(struct chat_error *e, const char *source)
{
	if (e->code != ERR_AUTH || (e->status != 401 && e->status != 403) || !source || !*source)
		return;
	char raw[sizeof e->message + 300];
	snprintf(raw, sizeof raw, "%s (the key came from %s)", e->message, source);
	scrub(e->message, sizeof e->message, raw, strlen(raw));
}
