/* ratelimit_store: where the rate limits' buckets live — the shared
 * SQLite file beside the history (flocked around each transaction, no
 * fsync: a lost update of a bucket is harmless), PostgreSQL when the
 * history is there (ratelimit_pg.c), or, when neither can be used, this
 * process alone — and the limits the config sets. */
#include "net/ratelimit_int.h"
#include "clock.h"
#include "config.h"
#include "diag.h"
#include "paths.h"
#include "fdio.h"
#include "flockwait.h"
#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Default limits, used until the config sets one or a reply's headers
 * teach the account's own (OpenAI and Anthropic send them on every reply,
 * so a default only governs the first moments of an account it does not
 * fit). They are meant not to slow an ordinary paid account yet to stop a
 * runaway batch:
 *   openai     3,500 rpm, 2,000,000 tpm: just under usage tier 2 for the
 *              mini models (5,000 rpm, 2,000,000 tpm); tier 1 (500 rpm)
 *              learns its own from the first reply.
 *   anthropic  1,000 rpm, 450,000 tpm: tier 2 (reached after a $40
 *              deposit: 1,000 rpm, 450,000 input tpm for Sonnet); tier 1's
 *              50 rpm and 30,000-50,000 input tpm are learnt from the
 *              first reply, as are higher tiers'.
 *   gemini     1,000 rpm, 1,000,000 tpm: paid tier 1 for the Flash models.
 *              Gemini sends no such headers, so this stays unless set: a
 *              free-tier key (10 rpm) should say so in the config, and its
 *              429s pause everybody meanwhile.
 *   ollama     unlimited: a local server queues requests itself.
 * Any other provider is unlimited unless configured or taught. */
static const struct {
	const char *name;
	long rpm, tpm;
} defaults[] = {
	{ "openai", 3500, 2000000 },
	{ "anthropic", 1000, 450000 },
	{ "gemini", 1000, 1000000 },
	{ "ollama", 0, 0 },
};

/* ---- opening ---- */

struct rl_limit *rl_find_limit(struct ratelimit *rl, const char *provider, int add)
{
	for (size_t i = 0; i < rl->nlim; i++)
		if (!strcmp(rl->lim[i].name, provider))
			return &rl->lim[i];
	if (!add || rl->nlim == RL_MAX_PROVIDERS || strlen(provider) >= sizeof rl->lim[0].name)
		return NULL;
	struct rl_limit *l = &rl->lim[rl->nlim++];
	snprintf(l->name, sizeof l->name, "%s", provider);
	l->rpm = l->tpm = -1;
	l->def_rpm = l->def_tpm = 0;
	return l;
}

/* rpm and tpm from every provider section of the config. */
static int read_limits(struct ratelimit *rl, const struct config *cfg, char *why, size_t cap)
{
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		struct rl_limit *l = rl_find_limit(rl, defaults[i].name, 1);
		l->def_rpm = defaults[i].rpm;
		l->def_tpm = defaults[i].tpm;
	}
	for (size_t i = 0; cfg && i < cfg->n; i++) {
		const struct config_entry *e = &cfg->v[i];
		int rpm = !strcmp(e->key, "rpm"), tpm = !strcmp(e->key, "tpm");
		/* [model NAME] and [aliases] have keys of their own */
		if ((!rpm && !tpm) || !*e->section || strchr(e->section, ' ') || !strcmp(e->section, "aliases"))
			continue;
		long v;
		if (rl_parse_count(e->value, &v) < 0 || v > 1000000000L) {
			snprintf(why, cap, "config: [%s] %s = '%s': not a whole number from 0 to 1000000000",
				 e->section, e->key, e->value);
			return -1;
		}
		struct rl_limit *l = rl_find_limit(rl, e->section, 1);
		if (!l)
			continue;
		*(rpm ? &l->rpm : &l->tpm) = v;   /* the last setting wins */
	}
	return 0;
}

/* Where the buckets are: 0 with a file's path in out, 1 with a
 * PostgreSQL connection string, or -1 with why. */
static int rl_path(const char *history, char *out, size_t cap, char *why, size_t wcap)
{
	const char *env = getenv("CHAT_RATE_DB");
	if (env && *env) {
		if ((size_t)snprintf(out, cap, "%s", env) >= cap)
			return snprintf(why, wcap, "rate limits: CHAT_RATE_DB is too long"), -1;
		return path_is_conninfo(out);
	}
	/* a history in PostgreSQL holds them, for every machine that uses it */
	if (history && path_is_conninfo(history)) {
		if ((size_t)snprintf(out, cap, "%s", history) >= cap)
			return snprintf(why, wcap, "rate limits: the history's connection string is too long"), -1;
		return 1;
	}
	const char *vars[] = { "CHAT_DB", "XDG_DATA_HOME", "HOME" };
	int any = 0;
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		any |= v && *v;
	}
	/* checked here so that path_history has nothing to complain about */
	if (!any)
		return snprintf(why, wcap, "rate limits: neither HOME nor XDG_DATA_HOME is set; set CHAT_RATE_DB"), -1;
	char hist[4096];
	if (path_history(NULL, hist, sizeof hist) < 0)
		return snprintf(why, wcap, "rate limits: no folder for the state file; set CHAT_RATE_DB"), -1;
	if (path_is_conninfo(hist)) {
		snprintf(out, cap, "%s", hist);
		return 1;
	}
	char *slash = strrchr(hist, '/');
	int n;
	if (!slash)
		n = snprintf(out, cap, "ratelimit.db");
	else
		n = snprintf(out, cap, "%.*s/ratelimit.db", (int)(slash - hist), hist);
	/* a history that is itself named ratelimit.db keeps its name */
	if (n >= 0 && (size_t)n < cap && !strcmp(out, hist))
		n = snprintf(out, cap, "%s.rate", hist);
	if (n < 0 || (size_t)n >= cap)
		return snprintf(why, wcap, "rate limits: the history path is too long"), -1;
	return 0;
}

static int sql_why(struct ratelimit *rl, const char *what, char *why, size_t cap)
{
	int code = sqlite3_errcode(rl->db);
	const char *hint = code == SQLITE_NOTADB || code == SQLITE_CORRUPT ?
		" (if it is the rate-limit state, removing it starts afresh)" : "";
	snprintf(why, cap, "rate limits %s: %s: %s%s", rl->path, what, sqlite3_errmsg(rl->db), hint);
	return -1;
}

static int exec1(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Tables in the file: whether ours is there and how many there are in all. */
static int schema(struct ratelimit *rl, int *ours, int *all, int *version)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(rl->db,
			       "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'rate_bucket'),"
			       " (SELECT count(*) FROM sqlite_master), user_version FROM pragma_user_version",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ours = sqlite3_column_int(st, 0);
		*all = sqlite3_column_int(st, 1);
		*version = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

#define RL_SCHEMA_VERSION 1

static int migrate(struct ratelimit *rl, char *why, size_t cap)
{
	int ours, all, version;
	if (schema(rl, &ours, &all, &version) < 0)
		return sql_why(rl, "cannot read", why, cap);
	if (!ours) {
		/* BEGIN IMMEDIATE then look again: ten processes creating the file
		 * at once make one table */
		if (exec1(rl->db, "BEGIN IMMEDIATE") < 0)
			return sql_why(rl, "cannot create", why, cap);
		if (schema(rl, &ours, &all, &version) < 0) {
			sql_why(rl, "cannot read", why, cap);
			exec1(rl->db, "ROLLBACK");
			return -1;
		}
		if (!ours && all) {
			exec1(rl->db, "ROLLBACK");
			snprintf(why, cap, "rate limits %s: not a rate-limit file (it holds other tables)", rl->path);
			return -1;
		}
		if (!ours &&
		    (exec1(rl->db, "CREATE TABLE rate_bucket ("
				   " provider TEXT PRIMARY KEY,"
				   " stamp INTEGER NOT NULL,"
				   " req REAL, tok REAL,"
				   " learnt_rpm INTEGER NOT NULL DEFAULT 0, learnt_tpm INTEGER NOT NULL DEFAULT 0,"
				   " paused_until INTEGER NOT NULL DEFAULT 0,"
				   " req_slow REAL NOT NULL DEFAULT 0, req_slow_until INTEGER NOT NULL DEFAULT 0,"
				   " tok_slow REAL NOT NULL DEFAULT 0, tok_slow_until INTEGER NOT NULL DEFAULT 0"
				   ") WITHOUT ROWID") < 0 ||
		     exec1(rl->db, "PRAGMA user_version = 1") < 0)) {
			sql_why(rl, "cannot create", why, cap);
			exec1(rl->db, "ROLLBACK");
			return -1;
		}
		if (exec1(rl->db, "COMMIT") < 0) {
			sql_why(rl, "cannot create", why, cap);
			exec1(rl->db, "ROLLBACK");
			return -1;
		}
		version = RL_SCHEMA_VERSION;
	}
	if (version != RL_SCHEMA_VERSION) {
		snprintf(why, cap, "rate limits %s: written by another version of chat (schema %d, this one knows %d)",
			 rl->path, version, RL_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

/* Whether the file's header (SQLite's first 100 bytes) shows one migrate
 * made: a rollback journal's format and our user_version, which migrate
 * sets in the transaction that creates the table. Then the schema need not
 * be read to know it: a statement still fails on another layout. */
static int header_is_ours(int fd)
{
	unsigned char h[100];
	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16))
		return 0;
	unsigned long v = (unsigned long)h[60] << 24 | (unsigned long)h[61] << 16 | (unsigned long)h[62] << 8 | h[63];
	return h[18] == 1 && h[19] == 1 && v == RL_SCHEMA_VERSION;
}

static int prepare(struct ratelimit *rl, sqlite3_stmt **st, const char *sql, char *why, size_t cap)
{
	if (sqlite3_prepare_v3(rl->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return sql_why(rl, "unexpected layout", why, cap);
	return 0;
}

/* The file's prepared statements, finalized. */
static void finalize_all(struct ratelimit *rl)
{
	sqlite3_finalize(rl->begin);
	sqlite3_finalize(rl->commit);
	sqlite3_finalize(rl->rollback);
	sqlite3_finalize(rl->get);
	sqlite3_finalize(rl->put);
	rl->begin = rl->commit = rl->rollback = rl->get = rl->put = NULL;
}

/* Let go of the shared state: the file's statements, connection and lock
 * fd, or the PostgreSQL connection. */
static void close_file(struct ratelimit *rl)
{
	finalize_all(rl);
	if (rl->db)
		sqlite3_close_v2(rl->db);
	rl->db = NULL;
	if (rl->lockfd >= 0)
		close(rl->lockfd);
	rl->lockfd = -1;
	rl_pg_close(rl);
}

/* The shared state cannot be used: let go of it and keep the limits in
 * this process; why says so, once, for the caller to print. */
static struct ratelimit *go_local(struct ratelimit *rl, char *why, size_t cap)
{
	close_file(rl);
	rl->local = 1;
	size_t n = strlen(why);
	if (n && n < cap)
		snprintf(why + n, cap - n, "; keeping to the limits within this process only");
	return rl;
}

static int prepare_all(struct ratelimit *rl, char *why, size_t cap);

struct ratelimit *ratelimit_open(const struct config *cfg, const char *history, char *why, size_t cap)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl) {
		snprintf(why, cap, "rate limits: out of memory");
		return NULL;
	}
	why[0] = 0;
	rl->lockfd = -1;
	pthread_mutex_init(&rl->mu, NULL);
	if (read_limits(rl, cfg, why, cap) < 0) {
		ratelimit_close(rl);
		return NULL; /* a bad number in the config: the caller stops */
	}
	if (path_lock_timeout_ms(&rl->lock_timeout_ms) < 0)
		rl->lock_timeout_ms = 30000;
	char where[sizeof rl->path];
	int kind = rl_path(history, where, sizeof where, why, cap);
	if (kind < 0)
		goto fail;
	if (kind == 1) {
		if (rl_pg_open(rl, where) == 0) {
			explicit_bzero(where, sizeof where);
			return rl;
		}
		explicit_bzero(where, sizeof where);
		snprintf(why, cap, "rate limits %s: %s", rl->path[0] ? rl->path : "in PostgreSQL", rl->pg_err);
		goto fail;
	}
	snprintf(rl->path, sizeof rl->path, "%s", where);
	if (path_on_network_fs(rl->path)) {
		snprintf(why, cap, "rate limits %s: on a network filesystem, where its locks cannot be trusted", rl->path);
		goto fail;
	}

	struct stat st;
	if (stat(rl->path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			snprintf(why, cap, "rate limits %s: not a regular file", rl->path);
			goto fail;
		}
	} else {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", rl->path);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = 0;
			if (mkdirs(dir, 0700) < 0) {
				snprintf(why, cap, "rate limits %s: cannot create its folder: %s", rl->path, strerror(errno));
				goto fail;
			}
		}
		/* made here, not by SQLite, to get mode 0600 whatever the umask */
		int fd = open(rl->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(why, cap, "rate limits %s: cannot create: %s", rl->path, strerror(errno));
			goto fail;
		}
		close(fd);
	}
	rl->lockfd = open(rl->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (rl->lockfd < 0) {
		snprintf(why, cap, "rate limits %s: cannot open: %s", rl->path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(rl->path, &rl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sql_why(rl, "cannot open", why, cap);
		goto fail;
	}
	sqlite3_busy_timeout(rl->db, RL_BUSY_MS);
	sqlite3_extended_result_codes(rl->db, 0);
	if (sqlite3_db_readonly(rl->db, "main") == 1) {
		snprintf(why, cap, "rate limits %s: cannot write it (read-only)", rl->path);
		goto fail;
	}
	/* A rollback journal, never WAL: the system SQLite (3.40) can corrupt a
	 * WAL file that several processes write and checkpoint at once, and
	 * this one is written by every request. TRUNCATE spares a file
	 * creation and deletion per write. synchronous=OFF: a power cut may
	 * lose the last changes or, rarely, the file; either only resets the
	 * buckets (we say how), and no take pays for an fsync. */
	sqlite3_stmt *jm;
	if (sqlite3_prepare_v2(rl->db, "PRAGMA journal_mode=TRUNCATE", -1, &jm, NULL) != SQLITE_OK) {
		sql_why(rl, "cannot read", why, cap);
		goto fail;
	}
	int rc = sqlite3_step(jm);
	int truncate = rc == SQLITE_ROW && sqlite3_column_text(jm, 0) &&
		       !strcmp((const char *)sqlite3_column_text(jm, 0), "truncate");
	sqlite3_finalize(jm);
	if (rc != SQLITE_ROW) {
		sql_why(rl, "cannot read", why, cap);
		goto fail;
	}
	if (!truncate) {
		snprintf(why, cap, "rate limits %s: cannot leave WAL mode while another process has it open", rl->path);
		goto fail;
	}
	if (exec1(rl->db, "PRAGMA synchronous=OFF") < 0) {
		sql_why(rl, "cannot set up", why, cap);
		goto fail;
	}
	int ours = header_is_ours(rl->lockfd);
	if (!ours && migrate(rl, why, cap) < 0)
		goto fail;
	if (prepare_all(rl, why, cap) < 0) {
		if (!ours)
			goto fail;
		/* a header that looked ours over a table that is not: as any file */
		why[0] = 0;
		if (migrate(rl, why, cap) < 0 || prepare_all(rl, why, cap) < 0)
			goto fail;
	}
	return rl;
fail:
	return go_local(rl, why, cap);
}

static int prepare_all(struct ratelimit *rl, char *why, size_t cap)
{
	if (prepare(rl, &rl->begin, "BEGIN IMMEDIATE", why, cap) < 0 ||
	    prepare(rl, &rl->commit, "COMMIT", why, cap) < 0 ||
	    prepare(rl, &rl->rollback, "ROLLBACK", why, cap) < 0 ||
	    prepare(rl, &rl->get,
		    "SELECT stamp, req, tok, learnt_rpm, learnt_tpm, paused_until,"
		    " req_slow, req_slow_until, tok_slow, tok_slow_until FROM rate_bucket WHERE provider = ?1",
		    why, cap) < 0 ||
	    prepare(rl, &rl->put,
		    "INSERT OR REPLACE INTO rate_bucket (provider, stamp, req, tok, learnt_rpm, learnt_tpm,"
		    " paused_until, req_slow, req_slow_until, tok_slow, tok_slow_until)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
		    why, cap) < 0) {
		finalize_all(rl);
		return -1;
	}
	return 0;
}

long long ratelimit_paused_until(const struct ratelimit *rl)
{
	return rl ? rl->last_pause : 0;
}

long long ratelimit_taken_at(const struct ratelimit *rl)
{
	return rl ? rl->last_take : 0;
}

int ratelimit_is_local(const struct ratelimit *rl)
{
	return rl && rl->local;
}

void ratelimit_close(struct ratelimit *rl)
{
	if (!rl)
		return;
	close_file(rl);
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}

/* ---- rows ---- */

/* The file failed: say so once, and from now on keep the limits in this
 * process, never none (an account's limit matters most when the machine
 * is busiest). */
static void rl_failed(struct ratelimit *rl, const char *what)
{
	char why[600];
	snprintf(why, sizeof why, "rate limits %s: %s: %s", rl->path, what,
		 rl->pg ? rl->pg_err : rl->db ? sqlite3_errmsg(rl->db) : strerror(errno));
	if (rl->db && !sqlite3_get_autocommit(rl->db)) {
		sqlite3_step(rl->rollback);
		sqlite3_reset(rl->rollback);
	}
	if (rl->lockfd >= 0)
		flock(rl->lockfd, LOCK_UN);
	go_local(rl, why, sizeof why);
	if (!rl->warned++)
		warn("%s", why);
}

/* This process's own row for provider (local mode), or NULL when full. */
static struct rl_row *local_row(struct ratelimit *rl, const char *provider)
{
	for (size_t i = 0; i < rl->nlocal; i++)
		if (!strcmp(rl->local_name[i], provider))
			return &rl->local_row[i];
	if (rl->nlocal == RL_MAX_PROVIDERS)
		return NULL;
	snprintf(rl->local_name[rl->nlocal], sizeof rl->local_name[0], "%s", provider);
	memset(&rl->local_row[rl->nlocal], 0, sizeof rl->local_row[0]);
	return &rl->local_row[rl->nlocal++];
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Start the transaction and read the provider's row; *now < 0 is read from
 * the clock once the lock is held, so that times stay in order across
 * processes. */
int rl_row_begin(struct ratelimit *rl, const char *provider, long long *now, struct rl_row *r)
{
	memset(r, 0, sizeof *r);
	if (rl->pg) {
		if (rl_pg_begin(rl, provider, now, r) == 0)
			return 0;
		rl_failed(rl, "cannot lock or read");
		return rl_row_begin(rl, provider, now, r);
	}
	if (!rl->local && flock_wait(rl->lockfd, rl->lock_timeout_ms) < 0) {
		if (errno == EINTR)
			return -1; /* a signal to act on: no take, the caller stops */
		rl_failed(rl, errno == ETIMEDOUT ? "held by another process past $CHAT_DB_TIMEOUT" : "cannot lock");
	}
	if (rl->local) {
		struct rl_row *own = local_row(rl, provider);
		if (!own)
			return -1;
		*r = *own;
		r->dirty = 0;
		if (*now < 0)
			*now = clock_real_ms();
		return 0;
	}
	if (step_done(rl->begin) < 0) {
		rl_failed(rl, "cannot lock");
		return rl_row_begin(rl, provider, now, r);
	}
	if (*now < 0)
		*now = clock_real_ms();
	sqlite3_bind_text(rl->get, 1, provider, -1, SQLITE_STATIC);
	int rc = sqlite3_step(rl->get);
	if (rc == SQLITE_ROW) {
		r->exists = 1;
		r->stamp = sqlite3_column_int64(rl->get, 0);
		/* NULL: unlimited when last written, so full */
		r->req = sqlite3_column_type(rl->get, 1) == SQLITE_NULL ? INFINITY : sqlite3_column_double(rl->get, 1);
		r->tok = sqlite3_column_type(rl->get, 2) == SQLITE_NULL ? INFINITY : sqlite3_column_double(rl->get, 2);
		r->learnt_rpm = (long)sqlite3_column_int64(rl->get, 3);
		r->learnt_tpm = (long)sqlite3_column_int64(rl->get, 4);
		r->paused_until = sqlite3_column_int64(rl->get, 5);
		r->req_slow = sqlite3_column_double(rl->get, 6);
		r->req_slow_until = sqlite3_column_int64(rl->get, 7);
		r->tok_slow = sqlite3_column_double(rl->get, 8);
		r->tok_slow_until = sqlite3_column_int64(rl->get, 9);
	}
	sqlite3_reset(rl->get);
	sqlite3_clear_bindings(rl->get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rl_failed(rl, "cannot read");
		return rl_row_begin(rl, provider, now, r);
	}
	return 0;
}

/* Write the row if it changed, and commit. */
void rl_row_end(struct ratelimit *rl, const char *provider, const struct rl_row *r, long rpm, long tpm)
{
	if (rl->local) {
		struct rl_row *own = local_row(rl, provider);
		if (own && r->dirty)
			*own = *r;
		return;
	}
	if (rl->pg) {
		if (rl_pg_end(rl, provider, r, rpm, tpm) < 0)
			rl_failed(rl, "cannot write");
		return;
	}
	if (r->dirty) {
		sqlite3_stmt *p = rl->put;
		sqlite3_bind_text(p, 1, provider, -1, SQLITE_STATIC);
		sqlite3_bind_int64(p, 2, r->stamp);
		/* NULL for an unlimited bucket: full whenever it gets a limit */
		if (rpm > 0 && r->req != INFINITY)
			sqlite3_bind_double(p, 3, r->req);
		else
			sqlite3_bind_null(p, 3);
		if (tpm > 0 && r->tok != INFINITY)
			sqlite3_bind_double(p, 4, r->tok);
		else
			sqlite3_bind_null(p, 4);
		sqlite3_bind_int64(p, 5, r->learnt_rpm);
		sqlite3_bind_int64(p, 6, r->learnt_tpm);
		sqlite3_bind_int64(p, 7, r->paused_until);
		sqlite3_bind_double(p, 8, r->req_slow);
		sqlite3_bind_int64(p, 9, r->req_slow_until);
		sqlite3_bind_double(p, 10, r->tok_slow);
		sqlite3_bind_int64(p, 11, r->tok_slow_until);
		int rc = step_done(p);
		sqlite3_clear_bindings(p);
		if (rc < 0) {
			rl_failed(rl, "cannot write");
			return;
		}
	}
	if (!rl->local && step_done(rl->commit) < 0)
		rl_failed(rl, "cannot write");
	if (!rl->local)
		flock(rl->lockfd, LOCK_UN);
}

