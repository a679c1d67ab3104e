/* fakeprov.h: what the wire formats of the fake provider (openai.c,
 * anthropic.c, gemini.c, images.c, batch.c) share with its HTTP core (main.c): the reply options of one request,
 * the request context, the output stream and the wire-format table entry. */
#ifndef FAKEPROV_H
#define FAKEPROV_H
#include "buf.h"
#include <jv.h>
#include <stddef.h>

#define HEAD_MAX (64 * 1024)            /* request line + headers */
#define GEN_MAX ((size_t)1 << 31)       /* cap for buffers we fill ourselves */

#define S(str) jv_string(str)   /* keeps the JV_OBJECT(...) literals short */

/* One --then group: how to answer one request.  -1 means "off" for the
 * fault positions; usage is -1 (as the request asks), 0 (never), 1 (always). */
struct group {
	const char *text, *finish, *error, *model, *blocked, **hdrs;
	size_t textlen, nhdrs;
	long chunks, split, delay_first, delay_chunk, repeat, cached, reasoning,
	     status, retry_ms, mid_error, drop_after, malformed_after, trickle;
	int usage, no_done, hang, echo;
	int no_finish;          /* the stream ends after the text: no stop reason, no end marker */
	int finish_every;       /* Gemini: every chunk carries the finish reason */
	int refusal;            /* OpenAI: the text comes as delta.refusal */
	int no_final_blank;     /* the last event lacks its blank line */
	const char *tool_call;  /* NAME=JSON: the reply also calls this tool */
	const char *other_choice; /* OpenAI: a second choice (index 1) with this text */
	long upload_drop;       /* Files API: keep this many bytes of the chunk, then reset */
	int upload_expire;      /* Files API: the session is gone (404) from this request on */
	int refuse;             /* image requests: refused by the safety system */
	const char *garbage;    /* image replies: the first image is "text" or "truncated" */
	const char *replay;     /* a recorded reply body (NAME.sse) sent as it is */
	const char *replay_split; /* how the recorded body is cut into writes */
	const char *replay_encoding; /* the recorded file is already encoded so
				      * (gzip): sent as it is, with this Content-Encoding */
	long image_scale;       /* image replies: 1/N of the size asked for (0: 64) */
	const char *gate;       /* after the first chunk, wait until this file exists */
	const char *gate_first; /* the same before the first chunk */
};

struct out {
	int fd, chunked, batch;
	int hold_last;           /* keep the last event back to cut its blank line */  /* batch: gather events into ~64 KiB HTTP chunks */
	long split, trickle;     /* --split-writes, --trickle */
	struct buf pend, frame;  /* event bytes not yet sent; scratch for framing */
};

struct ctx {
	const struct wire *w;
	const struct group *g;
	long n;                     /* request number, from 1 */
	const char *method, *path;  /* path with its query */
	jv req;                     /* request body (object), or jv_null() */
	jv model;                   /* string echoed in replies */
	char id[64], reqid[64];
	long long created;
	int stream, usage;          /* streaming reply? usage reported? */
	long prompt_tokens, completion_tokens;  /* completion includes --reasoning */
	long npieces;               /* content deltas the reply has */
	const char *stream_type;    /* Content-Type of a streamed reply */
};

/* A wire format.  prepare sets id, stream, usage, model and prompt_tokens
 * (and may change reqid and stream_type); the stream is start, one delta
 * per piece (i from 0; with --repeat only pieces 0 and npieces-1 are built
 * and the first is resent), then finish, or a fault in between. */
struct wire {
	const char *name, *sse_type, *json_type, *err_type;
	int (*match)(const char *path);          /* path without its query */
	void (*prepare)(struct ctx *c);
	void (*headers)(struct buf *h, const struct ctx *c, const char *errkind);
	int (*error)(struct buf *body, const struct ctx *c, const char *kind); /* -> status */
	void (*start)(struct out *o, const struct ctx *c);
	void (*delta)(struct buf *ev, const struct ctx *c, long i, const char *p, size_t n);
	void (*finish)(struct out *o, const struct ctx *c);   /* up to end of stream */
	void (*mid_error)(struct out *o, const struct ctx *c);
	void (*malformed)(struct out *o, const struct ctx *c);
	void (*full)(struct buf *body, const struct ctx *c, const char *text, size_t n);
	void (*blocked)(struct out *o, const struct ctx *c);  /* --blocked; NULL: ignored */
	/* The error kind the service refuses this request with (its own checks
	 * of the request, --refuse), or NULL to answer it; NULL: none. */
	const char *(*refuse)(const struct ctx *c);
};

extern const struct wire openai_wire, anthropic_wire, gemini_wire, images_wire;
/* media.c: "bad_media" when an attachment part of the request is not in
 * the shape the wire's provider documents, else NULL. */
const char *media_fault(const struct ctx *c);
/* OpenAI (openai.c): 1 when --error accepts kind (OpenAI's error names). */
int error_kind_known(const char *kind);

/* Images (images.c): OpenAI's Images API as images_wire, and
 * real PNG and JPEG images for it and for Gemini's image models. */
/* Appends an image of w x h pixels in format "png" or "jpeg" whose pixels
 * (a gradient under noise, so they do not compress away) follow from seed;
 * garbage "text" makes plain text instead, "truncated" the first half of
 * the image. */
void image_make(struct buf *out, const char *format, int w, int h, unsigned long seed, const char *garbage);
/* w x h scaled down by the group's --image-scale. */
void image_scale(const struct ctx *c, long w, long h, int *sw, int *sh);
/* A seed for image i of this request, from its prompt and number. */
unsigned long image_seed(const struct ctx *c, const char *prompt, long i);
/* A multipart/form-data body as an object: text fields as strings, file
 * parts as {filename, content_type, bytes, sha256}; a repeated name gives
 * an array. jv_invalid() when the body is not multipart. */
jv form_parse(jv headers, const struct buf *body);
/* Gemini (gemini.c): does the request ask for the IMAGE modality? */
int gm_wants_images(const struct ctx *c);

/* The Gemini Files API (gemini.c): resumable upload sessions and
 * the files they make, kept under --upload-dir so that every connection's
 * process sees them. */
struct files_cfg {
	const char *dir;        /* NULL: no Files API */
	long polls;             /* GETs that still find a new file PROCESSING */
	int failed;             /* processing ends FAILED rather than ACTIVE */
	long granularity;       /* non-final chunks are a multiple of this */
};
extern struct files_cfg files_cfg;
/* 1: an upload request (POST .../upload/v1beta/files), 2: a file's GET. */
int files_match(const char *method, const char *route);

/* The providers' batch APIs (batch.c): OpenAI's Files + Batch
 * API, Anthropic's Message Batches and Gemini's batch mode, their jobs and
 * results kept under --batch-dir so that every connection's process (and
 * a restarted fake) sees them. */
struct batch_cfg {
	const char *dir;        /* NULL: no batch APIs */
	long polls;             /* GETs each phase of a job lasts */
	long fail_every;        /* every Kth request of a job fails; 0: none */
	int expire;             /* jobs expire with half their requests done */
	int fail;               /* whole jobs fail */
};
extern struct batch_cfg batch_cfg;
/* 1 OpenAI, 2 Anthropic, 3 Gemini: a batch API request; 0: not one. */
int batch_match(const char *method, const char *route);
/* Answer one batch API request (the body is parsed here). */
void batch_serve(int fd, struct ctx *c, jv headers, const struct buf *body);
/* Answer one Files API request; truncated: only the first bytes of an
 * upload's body were read (--upload-drop-after), so keep them and reset. */
void files_serve(int fd, struct ctx *c, jv headers, const struct buf *body, int truncated);
/* A header's value from a request's headers object (names lower-cased), or NULL. */
const char *header_get(jv h, const char *name);
/* A whole reply: status line, Date, Content-Type (unless type is NULL),
 * Content-Length, Connection, the wire's headers when wire is set, the
 * lines in extra (each ending CR LF), the --header lines, then the body. */
void send_reply(int fd, const struct ctx *c, int status, const char *type, int wire, const char *extra,
		const char *body, size_t len);

/* The providers' model lists (modellist.c): 1 OpenAI's GET .../models, 2
 * Anthropic's (an anthropic-version header), 3 Gemini's GET .../v1beta/models;
 * 0 for any other request. */
int modellist_match(const char *method, const char *route, jv headers);
/* Answer it with the names in list (comma-separated; NULL: a few of the format's own). */
void modellist_serve(int fd, const struct ctx *c, int kind, const char *list);

/* Answer with the recorded reply in file, cut as mode says (replay.c). */
void replay_serve(int fd, const struct ctx *c, const char *file, const char *mode);

/* obj[key] as a new reference, or jv_invalid() when obj is no object. */
jv jget(jv obj, const char *key);
/* Appends the dump of v (consumed) to b. */
void add_json(struct buf *b, jv v, int flags);
/* Total bytes of the strings inside v (borrowed): a rough prompt size. */
size_t text_bytes(jv v);
jv str_or_null(const char *s);
/* The request's string field key (a new reference), or def when missing. */
jv req_string(const struct ctx *c, const char *key, const char *def);

void out_flush(struct out *o);
/* --tool-call NAME=JSON split: the name and the arguments' JSON text. */
void tool_call_parts(const struct group *g, char *name, size_t cap, const char **args);
/* Queues one event; it goes out as one HTTP chunk unless batching. */
void out_event(struct out *o, const char *p, size_t n);

/* Adds a response header unless a --header of the same name replaces it. */
__attribute__((format(printf, 4, 5)))
void hdr(struct buf *h, const struct group *g, const char *name, const char *fmt, ...);
/* ms as seconds, "30" or "0.25"; dst has room for 32 bytes. */
const char *secs(char *dst, long ms);
/* Time t (seconds) as RFC 3339 UTC, "2026-04-05T10:23:55Z". */
void rfc3339(char *dst, size_t size, long long t);

#endif
