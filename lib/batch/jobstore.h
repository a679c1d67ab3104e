/* jobstore: chat-batch's jobs in the history database — each provider
 * batch with its status, counts and input fingerprint, the records it
 * covers (custom id, the record's own id, the record until its result is
 * out, and whether that result was a reply or an error) — and the replies
 * logged as conversations once they are collected. Writes go in short
 * transactions of many rows (store_begin: the lock, then BEGIN IMMEDIATE). */
#ifndef CHAT_JOBSTORE_H
#define CHAT_JOBSTORE_H
#include <jv.h>
#include "providers/provider.h"
#include "history/store.h"

struct jobrow {
	char id[STORE_ID_LEN + 1];
	char provider[24], model[256], remote[256], input_file[256], status[16], created[40], updated[40];
	char ended[40];          /* when it ended (RFC 3339), "" while it runs */
	char error[400];
	char fingerprint[65];
	long total, done, failed;
	int log, collected;
};

/* A run of writes committed every few hundred rows or a quarter second, so
 * other writers never wait long. */
struct jobtx {
	struct store *s;
	int open;
	long rows;
	long started_ms;
};
/* Make sure a transaction is open. 0 or -1. */
int jobs_tx_need(struct jobtx *t);
/* One row written: commit when the run is long enough. 0 or -1. */
int jobs_tx_row(struct jobtx *t);
/* Commit what is open. 0 or -1. */
int jobs_tx_end(struct jobtx *t);
void jobs_tx_abort(struct jobtx *t);

/* A new job, status "preparing", in its own transaction. 0 or -1. */
int jobs_new(struct store *s, const char *provider, const char *model, int log, char id[STORE_ID_LEN + 1]);
/* Read a job. 0, 1 when there is none, -1 on an error. */
int jobs_get(struct store *s, const char *id, struct jobrow *j);
/* A job by id, unique id prefix (4+) or the provider's id. 0 with out
 * set, 1 none, -2 ambiguous (said), -1 error. */
int jobs_find(struct store *s, const char *ref, char out[STORE_ID_LEN + 1]);
/* A job other than except with this input fingerprint that has not failed,
 * expired or been cancelled. 0 with out set, 1 none, -1 error. */
int jobs_same_input(struct store *s, const char *fingerprint, const char *except, char out[STORE_ID_LEN + 1]);
/* Write j back (its own transaction unless t has one open). 0 or -1. */
int jobs_put(struct store *s, const struct jobrow *j);
int jobs_delete(struct store *s, const char *id);
/* The ids of the jobs to look at: open (not collected) ones, or all of
 * them, newest first, into a jv array (a handful of rows each). */
jv jobs_ids(struct store *s, int all);
/* The job record of DESIGN.md, with "ids" (the records' ids) when asked. */
jv jobs_record(struct store *s, const struct jobrow *j, int with_ids);
/* Recount done and failed from the items. 0 or -1. */
int jobs_recount(struct store *s, struct jobrow *j);

/* Add one item inside t's transaction: the record (borrowed) as it will be
 * logged. 0 or -1. */
int jobs_add_item(struct jobtx *t, const char *job, long seq, const char *custom_id, jv rec);
/* One item: its record and state. 0 with *rec (owned) and state, 1 none,
 * -1 error. */
int jobs_item(struct store *s, const char *job, long seq, jv *rec, char state[16]);
/* Mark an item done or failed (code: the error code for failed), with the
 * history ids it was logged under (or NULL). 0 or -1. */
int jobs_item_done(struct store *s, const char *job, long seq, const char *code, const char *conv, const char *msg);
/* Up to max pending items of a job, as [seq, record] pairs. */
jv jobs_pending(struct store *s, const char *job, int max);
/* --only-failed: has this id (the history's text form) failed in a job, with
 * no reply in the history and no job still waiting on it? 1, 0, -1. */
int jobs_only_failed(struct store *s, const char *request_id);
/* A record id (borrowed) in the history's text form (request_id); "" when none. */
void jobs_request_id(jv id, char *out, size_t cap);

/* Log a collected reply: the prompt record (borrowed) as the user turn of
 * its conversation (the one it names, made when new, else a new one), the
 * reply after it, marked as from job. conv and msg get the ids. 0 or -1. */
struct jobs_reply {
	const char *job, *provider, *model, *text, *user_created;
	size_t len;
	const struct chat_reply *reply;
	double cost;
};
int jobs_log_reply(struct store *s, jv rec, const struct jobs_reply *r, char conv[STORE_ID_LEN + 1],
		   char msg[STORE_ID_LEN + 1]);
#endif
