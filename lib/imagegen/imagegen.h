/* imagegen: one request for generated images — OpenAI's Images API
 * (generations as JSON, edits as multipart/form-data) or a Gemini image
 * model's generateContent with the IMAGE modality — sent with the suite's
 * retries and shared rate limits, and its reply read into the images it
 * carries (the bytes as sent, not yet checked), its usage and any refusal.
 * It owns the request and the reply; checking and saving the images is
 * imagefile's job. */
#ifndef CHAT_IMAGEGEN_H
#define CHAT_IMAGEGEN_H
#include <jv.h>
#include "buf.h"
#include "errcode.h"
#include "providers/provider.h"
#include "net/ratelimit.h"

enum imagegen_api {
	IG_NONE,          /* the provider makes no images */
	IG_GPT_IMAGE,     /* gpt-image-1 and its kin: base64 always, n up to 10 */
	IG_DALLE3,        /* n must be 1, response_format b64_json, style; no edits */
	IG_DALLE2,        /* n up to 10, response_format b64_json */
	IG_GEMINI,        /* generateContent, responseModalities TEXT and IMAGE */
};

struct imagegen_req {
	enum imagegen_api api;
	const char *model;            /* the provider's own name */
	const char *prompt;
	int n;                        /* images this request asks for */
	const char *size;             /* NULL: the model's default; Gemini: an aspect ratio */
	const char *quality, *style;  /* NULL: not sent */
	const char *format;           /* "png" or "jpeg" where the API can be asked (gpt-image), or NULL */
	const char *edit_mime;        /* an edit's input image, or NULL */
	const char *edit_b64;         /* its bytes, in base64 */
	size_t edit_b64_len;
	int edit_w, edit_h;           /* its size in pixels (0: unknown) */
};

/* Where and how requests go. */
struct imagegen_conn {
	const struct provider *prov;
	const char *base, *key;
	long connect_timeout, idle_timeout, total_timeout;   /* seconds; 0: none or the default */
	int retries;                  /* extra attempts after the first */
	struct ratelimit *rl;         /* the machine's shared limits, or NULL */
};

struct imagegen_image {
	struct buf bytes;             /* as the provider sent them, base64 decoded */
	char mime[48];                /* what the provider says they are */
	char *revised;                /* the prompt as the provider rewrote it, or NULL */
	char bad[200];                /* not "": this item of the reply could not be read */
};

struct imagegen_reply {
	struct imagegen_image *v;
	size_t n;
	struct buf text;              /* words beside the images (Gemini) */
	struct usage usage;           /* input: text and image tokens together */
	long image_in;                /* of usage.input, the image tokens (gpt-image edits) */
	int have_usage;
	char model[128];              /* as the reply names it, or "" */
	int refused;                  /* the provider refused the prompt (err says how) */
	struct chat_error err;        /* err.code: the request failed */
	int attempts;
};

/* The API behind a provider's model: OpenAI's names pick the variant of
 * the Images API; IG_NONE for providers without one (Anthropic, Ollama). */
enum imagegen_api imagegen_api_for(const struct provider *p, const char *model);
/* The most images one request may ask for (dall-e-3 and Gemini: 1). */
int imagegen_max_per_request(enum imagegen_api api);
/* The image tokens a gpt-image model bills for one image of this quality
 * and size (OpenAI's published figures); for auto or none, the most it may
 * be; for another size (gpt-image-2), in proportion to its area. */
long imagegen_output_tokens(const char *quality, const char *size);
/* Check rq's size, quality, style and prompt length against what its API
 * takes; a Gemini --size (WxH or W:H) becomes an aspect ratio in ratio.
 * 0, or an exit status with why (one line naming what is allowed): 64 for
 * an option the model does not take, 65 for a prompt too long for it. */
int imagegen_check(const struct imagegen_req *rq, char *ratio, size_t ratio_cap, char *why, size_t cap);
/* Send rq, retrying what may be retried, and read the reply into r (which
 * the caller frees with imagegen_reply_free, whatever the result).
 * 0 when the request succeeded (r->n images, some perhaps bad), -1 with
 * r->err set (ERR_INTERRUPTED after a signal). */
int imagegen_run(const struct imagegen_conn *c, const struct imagegen_req *rq, struct imagegen_reply *r);
void imagegen_reply_free(struct imagegen_reply *r);
/* --dry-run: the request imagegen_run would send for rq, as a request
 * record (net/dryrun.h) in *rec. 0, or -1 with err set. */
int imagegen_describe(const struct imagegen_conn *cn, const struct imagegen_req *rq, jv *rec, struct chat_error *err);
#endif
