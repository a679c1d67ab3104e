/* imagerun: what chat-image does once the options are read — check that
 * the model makes images (and can edit one), keep to --max-cost, then ask
 * for the images (one request, or one per image where the model makes one
 * at a time), check and write each one, write a record or a path line for
 * each and an error record for each failure, and give the history its
 * account: the images, content-addressed, and their cost — by the tokens
 * a gpt-image reply reports, at the model table's token prices, or at its
 * price per image of the size and quality asked for (dall-e, Gemini). */
#ifndef CHAT_IMAGERUN_H
#define CHAT_IMAGERUN_H
#include "attach.h"
#include "imagegen/imagefile.h"
#include "imagegen/imagegen.h"
#include "ask/session.h"

struct imagerun {
	/* in */
	struct session *s;            /* with the model resolved and the prompt logged */
	struct imagegen_req rq;       /* everything but api and model (imagerun_model) and n */
	struct imagefile_opts fo;
	int count;                    /* images in all, 1 to 10 */
	/* out, and the run's state */
	struct imagefile *files;      /* the images written */
	struct histlog_media *media;  /* the same, for the history */
	size_t nfiles, received;      /* written; sent by the provider (so billed) */
	struct chat_reply sum;        /* usage, and the first failure */
	double cost;                  /* of the replies so far, in dollars; < 0: a price was unknown */
	struct buf words;             /* revised prompts and the model's own words */
	int failed;                   /* images not written */
	int local;                    /* a file or stdout could not be written: its exit status */
	int dead;                     /* stdout is gone: stop */
	double worst;                 /* --max-cost: the run's worst case, from imagerun_budget */
};

/* The image model: flag (-m) when given, else $CHAT_IMAGE_MODEL, else
 * image_model in the config, else the image model of a provider whose key
 * is set, else OpenAI's. */
const char *imagerun_pick_model(const char *flag, const struct config *cfg);
/* Resolve the model name into s (session_model) once it is known to make
 * images and, with edit, to edit one; set rq.api and rq.model. 0, or an
 * exit status after a message (64: it makes no images, naming those that
 * do; 65: it cannot edit; those of session_model). */
int imagerun_model(struct imagerun *r, const char *name, int edit);
/* The image to edit (path, "-" for stdin), read into atts through
 * chat-upload's code — upright, shrunk to the model's largest side,
 * stripped of metadata — and set in rq. For dall-e-2, whose edits take only
 * a square PNG with transparency under 4 MB, it is padded to a square with
 * transparent borders (the parts dall-e-2 paints) and kept PNG, shrunk until
 * it fits; a note says so. 0, or an exit status after a message (65: not an
 * image, or one that cannot be made to fit; those of chat-upload). */
int imagerun_edit_image(struct imagerun *r, struct attachments *atts, const char *path);
/* --max-cost (s->opts), before anything is sent: the worst case is every
 * image at the table's price for its size and quality or, for a gpt-image
 * model, the prompt's tokens, the edit's image tokens (OpenAI's vision
 * formula) and the most image tokens the size and quality may take, at its
 * token prices. 0, or 3 after an error (record) saying why. */
int imagerun_budget(struct imagerun *r);
/* Make, check, write and report the images and log the result. The exit
 * status: 0 all written; 1 some; else why none were (a failed request's
 * status, 69 for images that were not images, 73 when a file or stdout
 * could not be written, the history's failure). When a signal stopped it,
 * sig_caught is set and the caller re-raises it. */
int imagerun_go(struct imagerun *r);
/* --dry-run, in place of imagerun_go: a request record for each request
 * the run would send (with --max-cost, each request's share of the worst
 * case), nothing sent or logged. 0 or an exit status. */
int imagerun_describe(struct imagerun *r);
void imagerun_free(struct imagerun *r);
#endif
