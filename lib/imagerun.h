/* imagerun: what chat-image does once the options are read — check that
 * the model makes images (and can edit one), keep to --max-cost, then ask
 * for the images (one request, or one per image where the model makes one
 * at a time), check and write each one, write a record or a path line for
 * each and an error record for each failure, and give the history its
 * account: the images, content-addressed, and their cost at the model
 * table's price per image. */
#ifndef CHAT_IMAGERUN_H
#define CHAT_IMAGERUN_H
#include "imagefile.h"
#include "imagegen.h"
#include "session.h"

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
	struct buf words;             /* revised prompts and the model's own words */
	int failed;                   /* images not written */
	int local;                    /* a file or stdout could not be written: its exit status */
	int dead;                     /* stdout is gone: stop */
};

/* Resolve the model name into s (session_model) once it is known to make
 * images and, with edit, to edit one; set rq.api and rq.model. 0, or an
 * exit status after a message (64: it makes no images, naming those that
 * do; 65: it cannot edit; those of session_model). */
int imagerun_model(struct imagerun *r, const char *name, int edit);
/* --max-cost (s->opts): the worst case is every image at the table's price.
 * 0, or 3 after an error (record) saying why. */
int imagerun_budget(struct imagerun *r);
/* Make, check, write and report the images and log the result. The exit
 * status: 0 all written; 1 some; else why none were (a failed request's
 * status, 69 for images that were not images, 73 when a file or stdout
 * could not be written, the history's failure). When a signal stopped it,
 * sig_caught is set and the caller re-raises it. */
int imagerun_go(struct imagerun *r);
void imagerun_free(struct imagerun *r);
#endif
