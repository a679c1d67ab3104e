/* ratelimit_int: what the parts of the rate limits share — the state of
 * one limiter and the row of one provider's buckets. ratelimit_store.c
 * keeps the rows (in the shared file, in PostgreSQL through
 * ratelimit_pg.c, or in this process when neither can be used);
 * ratelimit.c does the buckets' arithmetic on them. Not for callers
 * outside lib/net/ratelimit*.c. */
#ifndef CHAT_RATELIMIT_INT_H
#define CHAT_RATELIMIT_INT_H
#include <pthread.h>
#include <sqlite3.h>
#include "net/ratelimit.h"

#define RL_MINUTE_MS 60000.0
#define RL_MAX_WAIT_MS 60000L     /* callers ask again after at most this */
#define RL_MAX_PAUSE_MS 3600000L  /* a longer retry-after is taken as an hour */
#define RL_DEFAULT_PAUSE_MS 1000L
#define RL_CLOCK_STEP_MS 10000    /* the wall clock going back more than this is a step */
#define RL_BUSY_MS 5000
#define RL_MAX_PROVIDERS 32
#define RL_EPS 1e-9

struct rl_limit {
	char name[64];
	long rpm, tpm;          /* configured; -1 = not set */
	long def_rpm, def_tpm;
};

/* One provider's row. Levels are what each bucket holds (a minute's
 * allowance when full, below zero after a request larger than the bucket)
 * as of stamp; a slow rate, while before its end, caps the refill speed. */
struct rl_row {
	int exists, dirty;
	long long stamp, paused_until, req_slow_until, tok_slow_until;
	double req, tok, req_slow, tok_slow;
	long learnt_rpm, learnt_tpm;
};

struct pg_conn;
struct ratelimit {
	struct pg_conn *pg;     /* the buckets in PostgreSQL, shared by machines */
	char pg_err[300];       /* its last error, one line */
	sqlite3 *db;
	sqlite3_stmt *begin, *commit, *rollback, *get, *put;
	int lockfd;             /* the file itself, flocked around each transaction */
	long lock_timeout_ms;
	pthread_mutex_t mu;
	int warned;
	/* The file cannot be used: the same buckets, kept in this process
	 * alone, at the configured rates; never no limit at all. */
	int local;
	long long last_pause;   /* the pause the last take met (unix ms), or 0 */
	long long last_take;    /* when the last take went ahead, by the limiter's clock */
	char local_name[RL_MAX_PROVIDERS][64];
	struct rl_row local_row[RL_MAX_PROVIDERS];
	size_t nlocal;
	size_t nlim;
	struct rl_limit lim[RL_MAX_PROVIDERS];
	char path[4096];
};

/* The configured (or default) limits of provider; add makes a row for a
 * provider not seen yet. NULL when there is no room. */
struct rl_limit *rl_find_limit(struct ratelimit *rl, const char *provider, int add);
/* Start a transaction and read provider's row (now < 0: read the clock
 * once the lock is held). 0, or -1 when the limits cannot be read. */
int rl_row_begin(struct ratelimit *rl, const char *provider, long long *now, struct rl_row *r);
/* Write the row back if it changed, and end the transaction. */
void rl_row_end(struct ratelimit *rl, const char *provider, const struct rl_row *r, long rpm, long tpm);

/* The PostgreSQL backend (ratelimit_pg.c): connect and make the table
 * (rl->path is then where it leads, without the password); take one
 * provider's row under its lock, with the server's clock when *now < 0;
 * write it back and commit. 0, or -1 with the reason in rl->pg_err. */
int rl_pg_open(struct ratelimit *rl, const char *conninfo);
int rl_pg_begin(struct ratelimit *rl, const char *provider, long long *now, struct rl_row *r);
int rl_pg_end(struct ratelimit *rl, const char *provider, const struct rl_row *r, long rpm, long tpm);
/* End a failed transaction (if any) and close the connection. */
void rl_pg_close(struct ratelimit *rl);
#endif
