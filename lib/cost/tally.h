/* tally: spend and usage added up by model, provider, day, month or
 * conversation — from the history database or from response/message
 * records — and printed as a table or cost records. */
#ifndef CHAT_TALLY_H
#define CHAT_TALLY_H
#include <jv.h>
#include "history/store.h"

#define TALLY_MAX_BY 5

struct tally_query {
	const char *by[TALLY_MAX_BY];   /* "model", "provider", "day", "month", "conversation", "kind" */
	int nby;
	const char *since, *until;       /* YYYY-MM-DD[...]: since inclusive, until exclusive */
};

struct tally_row {
	jv group;                        /* {"model": "...", ...} */
	long requests, input, output, cached, reasoning;
	long unpriced;                   /* replies whose cost is not known */
	double usd;
	long batch_requests;             /* of those, replies from batch jobs (chat-batch) */
	double batch_usd;
};

struct tally {
	struct tally_row *v;
	size_t n, cap;
	jv index;                        /* group as JSON text -> row number */
	jv names;                        /* conversation id -> name, from records */
};

/* Parse "model,day" into q->by; 0, or -1 for an unknown grouping (why set).
 * "kind" groups replies into "batch" (from chat-batch jobs) and "direct". */
int tally_parse_by(struct tally_query *q, char *spec, char *why, size_t cap);
void tally_init(struct tally *t);
void tally_free(struct tally *t);
/* Add the history's replies. 0 or an exit status after a message. */
int tally_history(struct tally *t, struct store *s, const struct tally_query *q);
/* Add one record (borrowed): response records and assistant message records
 * count; conversation records lend their names; others are ignored.
 * Returns 1 when it counted, 0 when ignored, -1 (with *why) when its
 * usage or cost is not numbers a total can hold (negative, not whole,
 * not finite). */
int tally_record(struct tally *t, const struct tally_query *q, jv rec, const char **why);
/* Rows sorted by group; a total row at the end of a table with several
 * rows, and a line for the batch share of the spend when there is one.
 * json: cost records (the total with an empty group), with "batch"
 * {requests, usd} when some replies came from batch jobs. 0 or -1/errno. */
int tally_print(struct tally *t, const struct tally_query *q, int json);
/* Spend since a date (inclusive) in the history; unpriced counts replies
 * without a known cost. 0 or an exit status after a message. */
int tally_spent(struct store *s, const char *since, double *usd, long *unpriced);
/* A conversation's spend: its replies, their cost, and how many have
 * none known. 0 or an exit status after a message. */
int tally_conversation(struct store *s, const char *conv_id, double *usd, long *requests, long *unpriced);
#endif
