/* jobrun: what chat-batch's commands do — submit prompt records as
 * provider batch jobs (streamed into a file per job, split at the
 * provider's limits, the same input never sent twice), follow the jobs
 * (status, waiting with backoff, cancel, list) and collect their results
 * as response and error records that carry the records' own ids, each
 * written once, logged to the history at the batch price. */
#ifndef CHAT_JOBRUN_H
#define CHAT_JOBRUN_H
#include <jv.h>
#include "batch/jobapi.h"
#include "batch/jobstore.h"
#include "records.h"
#include "ask/session.h"

struct jobconn {
	char provider[24];
	struct jobapi_conn c;
	char key[4096], base[2048], key_source[256];
};

struct jobrun {
	struct session *s;         /* config, model table and flags (s->opts) */
	struct store db;           /* the history, open for writing */
	char dbpath[4096];
	char scratch[4200];        /* --dry-run: the scratch store's folder, removed at the end */
	int force, only_failed, ids, wait, no_log, progress;
	struct jobconn conns[3];
	int nconns;
	long errors;               /* error records written */
	int status;                /* the worst exit status so far */
};

/* Open the history (0 or an exit status). */
int jobrun_open(struct jobrun *r, struct session *s);
void jobrun_close(struct jobrun *r);
/* Submit the prompt records of lr; the jobs made (or matched) are appended
 * to *jobs as ids. Returns the exit status. */
int jobrun_submit(struct jobrun *r, struct line_reader *lr, jv *jobs);
/* Resolve job references (ids, prefixes, provider ids) into ids; none: the
 * open jobs. 0 or an exit status. */
int jobrun_resolve(struct jobrun *r, char **refs, int n, jv *jobs);
int jobrun_status(struct jobrun *r, jv jobs);
/* Collect the jobs that have ended (all_done: quietly skip the others). */
int jobrun_collect(struct jobrun *r, jv jobs, int all_done);
int jobrun_cancel(struct jobrun *r, jv jobs);
int jobrun_list(struct jobrun *r);
/* Poll until every job has ended, with backoff up to $CHAT_BATCH_POLL
 * seconds (60). 0 or an exit status. */
int jobrun_wait(struct jobrun *r, jv jobs);
/* The connection for a provider's jobs: its key and base URL. NULL after a
 * message (r->status set). */
const struct jobapi_conn *jobrun_conn(struct jobrun *r, const char *provider);
/* The job record of a job (jobs_record), with when it ended and, for a
 * provider that keeps results only so long, results_expire. */
jv jobrun_record(struct jobrun *r, const struct jobrow *j);
/* Write a record (consumed) to stdout as one line. 0 or -1 (r->status set). */
int jobrun_emit(struct jobrun *r, jv rec);
#endif
