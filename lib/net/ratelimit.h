/* ratelimit: requests- and tokens-per-minute limits per provider, shared by
 * every process of the user on the machine through one small SQLite file
 * (ratelimit.db beside the history), so ten cron jobs and a batch together
 * stay under the account's limits. It owns that file and nothing else; it
 * never sleeps: it says how long to wait and the caller waits. */
#ifndef CHAT_RATELIMIT_H
#define CHAT_RATELIMIT_H
#include <stddef.h>

struct config;

struct rl_headers {   /* what a reply's headers said; -1 = not present */
	long limit_requests, remaining_requests, reset_requests_ms;
	long limit_tokens, remaining_tokens, reset_tokens_ms;
};
void rl_headers_init(struct rl_headers *h);
/* Feed one response header (name case-insensitive, value trimmed here):
 * OpenAI's x-ratelimit-{limit,remaining,reset}-{requests,tokens}, resets
 * as Go durations ("1s", "6m0s", "20ms", "1h2m3.5s"), and Anthropic's
 * anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-
 * {limit,remaining,reset}, resets as RFC 3339 times turned into a wait from
 * now_unix_ms (the tokens ones win over input-tokens, whatever the order;
 * output-tokens are not used). Returns 1 if it was one of these headers,
 * even when its value was bad and so ignored; 0 otherwise. */
int rl_headers_parse(struct rl_headers *h, const char *name, const char *value, long long now_unix_ms);
/* A count as the headers and the config give it: digits only, no sign.
 * 0 with *out set, or -1. */
int rl_parse_count(const char *s, long *out);

struct ratelimit;
/* Open the shared state: $CHAT_RATE_DB, else the history itself when it
 * is a PostgreSQL database (history is the --db flag's text, or NULL;
 * then $CHAT_DB), where machines share the buckets, else ratelimit.db in
 * the folder of the history database ($CHAT_DB, else
 * $XDG_DATA_HOME/chat/, else ~/.local/share/chat/), created mode 0600
 * with its folder; a --db file does not move it, so that one machine's
 * histories share one limit. $CHAT_RATE_DB may be a connection string. Limits come
 * from the config ([openai] rpm = N, tpm = N, and the same for anthropic,
 * gemini, ollama or any other provider name; 0 = unlimited), else from the
 * provider's own headers once a reply has carried them, else the defaults
 * in ratelimit.c. NULL with why filled only when the config holds a bad
 * number (the caller stops: a configuration error). When the file cannot
 * be used (unreadable, not ours, on a network filesystem) the limiter keeps
 * the same limits within this process instead, never none, and why says so
 * for the caller to print once. One open limiter may serve several
 * threads, but not a child process after fork: the child opens its own. */
struct ratelimit *ratelimit_open(const struct config *cfg, const char *history, char *why, size_t cap);
void ratelimit_close(struct ratelimit *rl);
/* When the last take was refused because a 429 paused the provider: the
 * pause's end in unix milliseconds (it may be far longer than the wait
 * the take returned, which is capped at a minute); else 0. */
long long ratelimit_paused_until(const struct ratelimit *rl);
/* When the last take that went ahead was made, in unix milliseconds by the
 * clock the buckets were refilled by (read under the file's lock); 0
 * when the last take did not go ahead. */
long long ratelimit_taken_at(const struct ratelimit *rl);
/* 1 when the shared file could not be used and the limits are kept in
 * this process alone. */
int ratelimit_is_local(const struct ratelimit *rl);
/* Ask to start one request of about est_tokens tokens (prompt plus the
 * reply's limit) to provider. 0: go now (one request and est_tokens were
 * taken from the shared buckets in one transaction); else the milliseconds
 * to wait before asking again, at most 60000. Never sleeps. A request
 * larger than a whole minute's tokens goes once the bucket is full. When the
 * state cannot be read or written, or another process holds it past
 * $CHAT_DB_TIMEOUT, it warns once and keeps the limits within this process
 * from then on. Waiting for the file is a blocking wait, not polling. */
long ratelimit_take(struct ratelimit *rl, const char *provider, long est_tokens);
/* After a reply, what its headers said: a limit from them replaces the
 * default (not a configured one); a remaining count caps the shared bucket
 * at the same fraction of its size, and when it is below a quarter of the
 * limit the bucket refills no faster than the server's reset time allows. */
void ratelimit_note(struct ratelimit *rl, const char *provider, const struct rl_headers *h);
/* A 429: nobody on the machine starts a request to provider for
 * retry_after_ms (< 0: one second; at most an hour), and requests then
 * resume one at a time at the limit's pace rather than all at once. */
void ratelimit_pause(struct ratelimit *rl, const char *provider, long retry_after_ms);
/* After the reply: give back (or take more of) the tokens bucket by the
 * difference between the estimate taken and the tokens actually used
 * (input + output). */
void ratelimit_settle(struct ratelimit *rl, const char *provider, long est_tokens, long actual_tokens);

/* The same with the time given (unix milliseconds) instead of read from
 * the wall clock, for tests and tools that replay time. */
long ratelimit_take_at(struct ratelimit *rl, const char *provider, long est_tokens, long long now_ms);
void ratelimit_note_at(struct ratelimit *rl, const char *provider, const struct rl_headers *h, long long now_ms);
void ratelimit_pause_at(struct ratelimit *rl, const char *provider, long retry_after_ms, long long now_ms);
#endif
