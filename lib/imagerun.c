#include "imagerun.h"
#include "clock.h"
#include "diag.h"
#include "iox.h"
#include "jsonx.h"
#include "response.h"
#include "sig.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Does the model's table entry say it makes images? */
static int makes_images(const struct model_info *mi)
{
	const char *p = mi->outputs;
	for (; (p = strstr(p, "image")); p += 5)
		if ((p == mi->outputs || p[-1] == ',') && (p[5] == 0 || p[5] == ','))
			return 1;
	return 0;
}

/* The models of the table that make images (and, with edit, edit them). */
static void image_models(const struct models *t, int edit, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	for (size_t i = 0; i < t->n && n < cap; i++) {
		const struct model_info *mi = &t->v[i];
		if (makes_images(mi) && (!edit || (model_accepts(mi, "image") && strncmp(mi->name, "dall-e-3", 8))))
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : "", mi->name);
	}
	if (!out[0])
		snprintf(out, cap, "none known");
}

/* Can the model make images, and with edit, edit one? 0, or an exit
 * status after saying which models can. */
static int capable(const struct session *s, const struct provider *p, const char *model, const char *name,
		   const struct model_info *mi, int edit)
{
	char list[1024];
	enum imagegen_api api = imagegen_api_for(p, model);
	if (api == IG_NONE || (mi && !makes_images(mi))) {
		image_models(&s->models, 0, list, sizeof list);
		error("%s makes no images; image models: %s", name, list);
		return EXIT_USAGE;
	}
	/* dall-e-3 has no edits endpoint; the table says which others take an image */
	if (edit && (api == IG_DALLE3 || (mi && !model_accepts(mi, "image")))) {
		image_models(&s->models, 1, list, sizeof list);
		error("%s cannot edit images (--image); models that can: %s", name, list);
		return EXIT_DATAERR;
	}
	return 0;
}

int imagerun_model(struct imagerun *r, const char *name, int edit)
{
	struct session *s = r->s;
	/* asked first, so a model that makes no images is said to be one
	 * before its provider's key is looked for */
	const char *full = models_alias(&s->cfg, name), *model = full;
	const struct model_info *mi = models_find(&s->models, full);
	const struct provider *p = mi ? provider_find(mi->provider) : provider_for_model(full, &model);
	if (!mi && p)
		mi = models_find(&s->models, model);
	int st = p ? capable(s, p, model, full, mi, edit) : 0;
	if (!st)
		st = session_model(s, name);
	if (!st)
		st = capable(s, s->prov, s->model, s->model_name, s->mi, edit);
	r->rq.api = st ? IG_NONE : imagegen_api_for(s->prov, s->model);
	r->rq.model = s->model;
	return st;
}

/* Write one line: a record (consumed) with --json, else text. 0, or -1
 * when stdout failed (EPIPE: quietly, as by SIGPIPE). */
static int out_line(struct imagerun *r, jv rec, const char *text)
{
	int rc;
	if (r->s->opts->json) {
		rc = jx_write_line(1, rec);
	} else {
		jv_free(rec);
		struct buf b = BUF_INIT(8192);
		buf_addf(&b, "%s\n", text);
		rc = write_all(1, buf_str(&b), b.len);
		buf_free(&b);
	}
	if (rc < 0 && errno == EPIPE) {
		sig_note_pipe();
	} else if (rc < 0) {
		error("cannot write output: %s", strerror(errno));
		r->local = EXIT_CANTCREAT;
	}
	if (rc < 0)
		r->dead = 1;
	return rc;
}

/* A failed request or image: said on stderr and, with --json, as an error record. */
static void failure(struct imagerun *r, const struct chat_error *e)
{
	if (!r->sum.err.code)
		r->sum.err = *e;
	if (e->code == ERR_INTERRUPTED)
		return;
	if (!r->s->opts->quiet)
		error("%s %s: %s", r->s->prov->name, r->s->model, e->message);
	if (r->s->opts->json)
		out_line(r, error_record(jv_invalid(), e), NULL);
}

int imagerun_budget(struct imagerun *r)
{
	const struct model_info *mi = r->s->mi;
	double max = r->s->opts->max_cost;
	struct chat_error e = { 0 };
	if (max < 0)
		return 0;
	if (!mi || mi->image_usd < 0)
		err_set(&e, ERR_BUDGET, 0, "no known price per image for %s, so --max-cost cannot be kept; "
			"add image_usd to the config (chat(5))", r->s->model_name);
	else if (r->count * mi->image_usd > max + 1e-12)
		err_set(&e, ERR_BUDGET, 0, "refused: %d image%s at $%g could cost $%g, over --max-cost $%g", r->count,
			r->count == 1 ? "" : "s", mi->image_usd, r->count * mi->image_usd, max);
	if (!e.code)
		return 0;
	failure(r, &e);
	return EXIT_GUARD;
}

/* The images of one reply: checked, written, reported. */
static void take(struct imagerun *r, const struct imagegen_reply *rep, int asked)
{
	for (size_t i = 0; i < rep->n && !sig_caught && !r->dead; i++) {
		const struct imagegen_image *im = &rep->v[i];
		struct chat_error e = { 0 };
		char why[600] = "";
		struct imagefile f;
		int idx = (int)r->nfiles + r->failed + 1;
		int st = im->bad[0] ? (snprintf(why, sizeof why, "%s", im->bad), IMAGEFILE_BAD)
				    : imagefile_save(&r->fo, idx, im->bytes.p, im->bytes.len, &f, why, sizeof why);
		if (st == IMAGEFILE_BAD) {
			err_set(&e, ERR_BAD_OUTPUT, 0, "image %d: %s", idx, why);
			r->failed++;
			failure(r, &e);
		} else if (st) {
			if (st < 128 && !r->s->opts->quiet)
				error("%s", why);
			r->failed++;
			if (st < 128)
				r->local = st;
		} else {
			if (verbose)
				warn("%s: %s, %dx%d, %zu bytes", f.path, f.mime, f.width, f.height, f.data.len);
			if (im->revised)
				buf_addf(&r->words, "%s\n\n", im->revised);
			r->files[r->nfiles] = f;
			r->media[r->nfiles] = (struct histlog_media){ f.mime, f.data.p, f.data.len };
			r->nfiles++;
			if (out_line(r, imagefile_record(&f, im->revised), f.path) < 0)
				return;
		}
	}
	if ((int)rep->n < asked && !sig_caught && !r->dead) {
		struct chat_error e = { 0 };
		err_set(&e, ERR_BAD_OUTPUT, 0, "the provider made %zu of the %d images asked for", rep->n, asked);
		r->failed += asked - (int)rep->n;
		failure(r, &e);
	}
}

/* Ask for the images until all are made or a request fails. */
static void generate(struct imagerun *r)
{
	const struct session *s = r->s;
	const struct cli_opts *o = s->opts;
	struct imagegen_conn cn = { .prov = s->prov, .base = s->base, .key = s->key, .connect_timeout = o->connect_timeout,
				    .idle_timeout = o->idle_timeout, .total_timeout = o->timeout, .retries = o->retries,
				    .rl = s->rl };
	int per = imagegen_max_per_request(r->rq.api);
	for (int left = r->count; left > 0 && !sig_caught && !r->dead;) {
		struct imagegen_reply rep;
		r->rq.n = left < per ? left : per;
		int rc = imagegen_run(&cn, &r->rq, &rep);
		r->received += rep.n;
		if (rep.have_usage) {
			r->sum.usage.input += rep.usage.input;
			r->sum.usage.output += rep.usage.output;
			r->sum.usage.reasoning += rep.usage.reasoning;
			r->sum.have_usage = 1;
		}
		if (rep.model[0])
			snprintf(r->sum.model, sizeof r->sum.model, "%s", rep.model);
		if (rep.text.len)
			buf_addf(&r->words, "%s\n\n", buf_str(&rep.text));
		if (rc < 0) {
			if (rep.refused)
				snprintf(r->sum.finish, sizeof r->sum.finish, "filtered");
			r->failed += left;
			failure(r, &rep.err);
			imagegen_reply_free(&rep);
			break;
		}
		take(r, &rep, r->rq.n);
		left -= r->rq.n;
		imagegen_reply_free(&rep);
	}
}

/* The history's account of the run: the images and what they cost. */
static void log_result(struct imagerun *r, long started)
{
	struct chat_reply *sum = &r->sum;
	if (sig_caught && !sum->err.code)
		err_set(&sum->err, ERR_INTERRUPTED, 0, "interrupted");
	if (!sum->finish[0])
		snprintf(sum->finish, sizeof sum->finish, "%s", !sum->err.code ? "stop"
			 : sum->err.code == ERR_INTERRUPTED ? "interrupted" : "error");
	if (r->nfiles) {
		buf_addf(&r->words, "%zu image%s:", r->nfiles, r->nfiles == 1 ? "" : "s");
		for (size_t i = 0; i < r->nfiles; i++)
			buf_addf(&r->words, " %s", r->files[i].path);
	}
	while (r->words.len && r->words.p[r->words.len - 1] == '\n')
		r->words.p[--r->words.len] = 0;
	/* priced per image from the model table: every image the provider sent is billed */
	const struct model_info *mi = r->s->mi;
	double cost = mi && mi->image_usd >= 0 ? (double)r->received * mi->image_usd : -1;
	struct exchange_timing t = { .ttft_ms = -1, .total_ms = now_ms() - started };
	histlog_reply_media(&r->s->hist, r->media, r->nfiles);
	histlog_end(&r->s->hist, buf_str(&r->words), r->words.len, sum, &t, r->s->prov->name, r->s->model, cost);
}

int imagerun_go(struct imagerun *r)
{
	long started = now_ms();
	buf_init(&r->words, 1 << 20);
	r->media = calloc((size_t)r->count, sizeof *r->media);
	r->files = calloc((size_t)r->count, sizeof *r->files);
	if (!r->media || !r->files) {
		error("out of memory");
		return EXIT_SOFTWARE;
	}
	generate(r);
	log_result(r, started);
	/* some images and not others: 1, as for a batch; none: why not */
	int st = 0;
	if (r->local)
		st = r->local;
	else if (r->failed)
		st = r->nfiles ? EXIT_PARTIAL : r->sum.err.code ? err_exit_status(r->sum.err.code) : EXIT_UNAVAILABLE;
	return st ? st : r->s->hist.status;
}

void imagerun_free(struct imagerun *r)
{
	for (size_t i = 0; r->files && i < r->nfiles; i++)
		imagefile_free(&r->files[i]);
	free(r->files);
	free(r->media);
	buf_free(&r->words);
	r->files = NULL;
	r->media = NULL;
	r->nfiles = 0;
}
