/* jobapi: the providers' batch APIs behind one interface — OpenAI's Files
 * and Batch API, Anthropic's Message Batches, Gemini's batch mode: how one
 * request is framed in a job's input, the limits of one job, and create,
 * poll, cancel and the results, downloaded to a file and decoded a line at
 * a time so no job is ever held whole in memory. */
#ifndef CHAT_JOBAPI_H
#define CHAT_JOBAPI_H
#include <jv.h>
#include "buf.h"
#include "errcode.h"
#include "providers/provider.h"

/* Where and how to reach a provider. */
struct jobapi_conn {
	const struct provider *prov;
	const char *base, *key;
	const char *key_source;               /* where the key came from, for a refusal (401) */
	long connect_timeout, idle_timeout;   /* seconds; 0: the defaults */
	int retries;                          /* extra attempts after the first */
	int retries_given;                    /* --retries was given: the Gemini Files upload
					       * of the input takes it too, else its own default */
	int progress;                         /* upload progress on a terminal */
	int dry_run;                          /* --dry-run: each request printed as a record, not sent */
};

/* A job as the provider describes it, in our words. */
struct jobapi_state {
	char status[16];         /* validating, in_progress, finalizing, completed, failed,
				  * expired, cancelling, cancelled */
	long total, done, failed;
	int counts;              /* the counts above are the provider's */
	char results[2][1024];   /* what to download (file ids or a URL), "" for none */
	char error[400];         /* why the whole job failed, "" */
	char ended[40];          /* when it ended by the provider's clock (RFC 3339), "" when it
				  * has not or does not say */
};

/* One line of a job's results. */
struct jobapi_result {
	char custom_id[96];
	struct chat_reply reply; /* usage, finish, model; reply.err.code set when it failed */
};

struct jobapi {
	const char *name;        /* the provider's name */
	long max_requests;       /* requests in one job */
	long long max_bytes;     /* bytes of one job's input */
	int one_model;           /* a job holds one model's requests */
	long results_keep;       /* seconds the results are kept once a job ends; 0: not ours to say */
	const char *head, *sep, *tail;   /* the input around and between the requests */
	/* Append the framing of one request (body: the request body, as JSON) to out. */
	void (*line)(struct buf *out, const char *custom_id, const char *body, size_t len);
	/* Send size bytes of fd (the input) as a job for model, labelled with
	 * our job id. 0 with remote (the provider's id), input_file and st
	 * filled, or -1 with err set. */
	int (*create)(const struct jobapi_conn *c, const char *model, const char *label, int fd, long long size,
		      char *remote, size_t rcap, char *input_file, size_t fcap, struct jobapi_state *st,
		      struct chat_error *err);
	int (*poll)(const struct jobapi_conn *c, const char *remote, struct jobapi_state *st, struct chat_error *err);
	int (*cancel)(const struct jobapi_conn *c, const char *remote, struct jobapi_state *st, struct chat_error *err);
	/* Append the results named by one of st->results to fd. 0 or -1 with err. */
	int (*download)(const struct jobapi_conn *c, const char *what, int fd, struct chat_error *err);
	/* Decode one results line (borrowed) into r, the reply's text into
	 * text. 0, or -1 when the line is not a result. */
	int (*result)(jv line, struct jobapi_result *r, struct buf *text);
};

extern const struct jobapi jobapi_openai, jobapi_anthropic, jobapi_gemini;

/* The batch API of a provider by name, or NULL when it has none. */
const struct jobapi *jobapi_for(const char *provider);
/* Has a job in this status ended (nothing more will happen to it)? */
int jobapi_ended(const char *status);
/* The limits of one job: the provider's, lowered by $CHAT_BATCH_MAX_REQUESTS
 * and $CHAT_BATCH_MAX_BYTES when they are set. */
long jobapi_max_requests(const struct jobapi *a);
long long jobapi_max_bytes(const struct jobapi *a);

/* ---- for the provider files ---- */

/* An HTTP exchange with retries: GET when body is NULL, else POST of body
 * (len bytes) or, with fd >= 0, of len bytes of fd framed by pre and post
 * (for a multipart upload). A POST of nothing (len 0, no fd) goes as the
 * SDKs send a cancel: no body and no Content-Type, whatever headers holds.
 * A 2xx JSON reply is parsed into *reply (when reply is not NULL). 0, or -1
 * with err set (the provider's own mapping of its error bodies). */
int jobapi_http(const struct jobapi_conn *c, const char *url, struct curl_slist *headers, const char *body,
		size_t len, int fd, const char *pre, const char *post, jv *reply, struct chat_error *err);
/* --dry-run's stand-in for what the provider would name an upload or a
 * job, where a later request carries it. */
#define JOBAPI_DRY_ID "dry-run"
/* GET url and append the body to fd, with retries (from the start of what
 * this call appended). 0 or -1 with err. */
int jobapi_fetch(const struct jobapi_conn *c, const char *url, struct curl_slist *headers, int fd,
		 struct chat_error *err);
/* base up to its path ("https://host:port"); 0, or -1 when base is no URL. */
int jobapi_origin(const char *base, char *out, size_t cap);
/* A JSON string (borrowed) or number as text into out; "" otherwise. */
void jobapi_text(jv v, char *out, size_t cap);
/* The OpenAI Chat Completions usage object into reply. */
void jobapi_openai_usage(jv u, struct chat_reply *reply);
#endif
