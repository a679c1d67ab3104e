#include "imagegen/imagerun.h"
#include "providers/endpoint.h"
#include "net/dryrun.h"
#include "base64.h"
#include "clock.h"
#include "diag.h"
#include "media/image.h"
#include "fdio.h"
#include "jsonx.h"
#include "response.h"
#include "sig.h"
#include "media/upload.h"
#include "tokens/tokens.h"
#include <errno.h>
#include <math.h>
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

/* The most a dall-e-2 edit's image may weigh: the API says "less than 4MB";
 * this is under that whether it means 4,000,000 bytes or 4 MiB. */
#define DALLE2_EDIT_MAX 4000000

/* Has the (PNG) image in base64 any pixel that is not fully opaque? */
static int transparent(const char *b64, size_t len)
{
	struct buf bytes = BUF_INIT((size_t)64 << 20);
	struct image im = { 0 };
	char why[200];
	int t = base64_decode(b64, len, &bytes) == 0 &&
		image_decode((const unsigned char *)bytes.p, bytes.len, NULL, 0, &im, NULL, NULL, why, sizeof why) == 0 &&
		image_has_alpha(&im);
	image_free(&im);
	buf_free(&bytes);
	return t;
}

/* A dall-e-2 edit's image: what was done to it, and what that means. */
static void dalle2_notes(const struct imagerun *r, const struct attachments *atts, const char *path)
{
	const struct attachment *a = &atts->v[0];
	if (r->s->opts->quiet)
		return;
	jv rec = jv_array_get(jv_copy(atts->held), 0), orig = jx_get(rec, "original");
	int ow = (int)jx_num(orig, "width", 0), oh = (int)jx_num(orig, "height", 0);
	jv_free(orig);
	jv_free(rec);
	if (ow != oh)
		warn("%s: padded from %dx%d to a square (sent as %dx%d) with transparent borders: dall-e-2 edits "
		     "only square images, and paints in what is transparent, so the picture is kept whole and "
		     "extended rather than cropped", path, ow, oh, a->width, a->height);
	else if (!transparent(a->data, a->data_len))
		warn("%s has no transparent pixels, and dall-e-2 paints only those: the result will look much like it",
		     path);
}

int imagerun_edit_image(struct imagerun *r, struct attachments *atts, const char *path)
{
	const struct model_info *mi = r->s->mi;
	int st;
	if (r->rq.api == IG_DALLE2) {
		struct upload_opts uo;
		upload_defaults(&uo);
		uo.max_side = mi && mi->max_side ? (int)mi->max_side : 1024;
		uo.square = 1;
		uo.max_out = DALLE2_EDIT_MAX;
		st = attachments_upload(atts, &path, 1, &uo);
	} else {
		st = attachments_files(atts, &path, 1, mi, NULL, "only an image can be edited");
	}
	if (st)
		return st;
	const struct attachment *a = &atts->v[0];
	if (strcmp(a->kind, "image") || !a->data) {
		error("%s: only an image can be edited, not %s", path, a->mime);
		return EXIT_DATAERR;
	}
	if (r->rq.api == IG_DALLE2)
		dalle2_notes(r, atts, path);
	r->rq.edit_mime = a->mime;
	r->rq.edit_b64 = a->data;
	r->rq.edit_b64_len = a->data_len;
	r->rq.edit_w = a->width;
	r->rq.edit_h = a->height;
	return 0;
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
		scrub_buf(&b, text, strlen(text), 0); /* a path with a newline would be two lines */
		buf_addc(&b, '\n');
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
static void failure(struct imagerun *r, const struct chat_error *err)
{
	struct chat_error noted = *err;
	const struct chat_error *e = &noted;
	err_note_key(&noted, r->s->key_source);
	if (!r->sum.err.code)
		r->sum.err = *e;
	if (e->code == ERR_INTERRUPTED)
		return;
	if (!r->s->opts->quiet)
		error("%s %s: %s", r->s->prov->name, r->s->model, e->message);
	if (r->s->opts->json)
		out_line(r, error_record(jv_invalid(), e), NULL);
}

/* The size an image is priced at: the one asked for, else the default of
 * OpenAI's models (a Gemini model's price takes no size). */
static const char *priced_size(const struct imagerun *r)
{
	return r->rq.size ? r->rq.size : "1024x1024";
}

/* The most a gpt-image run may cost: each request's prompt and edit image
 * in, the most image tokens each image may take out. < 0 when a token
 * price it needs is unknown. */
static double worst_tokens(const struct imagerun *r)
{
	const struct model_info *mi = r->s->mi;
	struct token_counter tc;
	char why[256];
	long text = (long)strlen(r->rq.prompt); /* a token is never less than a byte */
	if (tokens_for(&tc, r->s->model, mi, NULL, why, sizeof why) == 0)
		text = tokens_count(&tc, r->rq.prompt, strlen(r->rq.prompt));
	long image = r->rq.edit_b64 ? tokens_image("openai", r->rq.edit_w, r->rq.edit_h) : 0;
	int per = imagegen_max_per_request(r->rq.api), requests = (r->count + per - 1) / per;
	long out = (long)r->count * imagegen_output_tokens(r->rq.quality, r->rq.size);
	return model_image_cost(mi, text * requests, image * requests, out);
}

int imagerun_budget(struct imagerun *r)
{
	const struct model_info *mi = r->s->mi;
	double max = r->s->opts->max_cost;
	struct chat_error e = { 0 };
	if (max < 0)
		return 0;
	int tokens = r->rq.api == IG_GPT_IMAGE;
	double each = tokens ? -1 : model_image_price(mi, r->rq.quality, priced_size(r));
	double worst = tokens ? worst_tokens(r) : each >= 0 ? r->count * each : -1;
	if (worst < 0 && tokens)
		err_set(&e, ERR_BUDGET, 0, "no known token prices for %s (in_usd, out_usd%s), so --max-cost cannot be "
			"kept; add them to the config (chat(5))", r->s->model_name, r->rq.edit_b64 ? ", img_in_usd" : "");
	else if (worst < 0)
		err_set(&e, ERR_BUDGET, 0, "no known price per image for %s%s%s%s%s, so --max-cost cannot be kept; "
			"add image_usd to the config (chat(5))", r->s->model_name, r->rq.api == IG_GEMINI ? "" : " at ",
			r->rq.api == IG_GEMINI ? "" : priced_size(r), r->rq.quality ? " " : "",
			r->rq.quality ? r->rq.quality : "");
	else if (worst > max + 1e-12 && tokens)
		err_set(&e, ERR_BUDGET, 0, "refused: %d image%s could cost up to $%.4g at %s's token prices "
			"(%ld image tokens each at most), over --max-cost $%g", r->count, r->count == 1 ? "" : "s",
			worst, r->s->model_name, imagegen_output_tokens(r->rq.quality, r->rq.size), max);
	else if (worst > max + 1e-12)
		err_set(&e, ERR_BUDGET, 0, "refused: %d image%s at $%g could cost $%g, over --max-cost $%g", r->count,
			r->count == 1 ? "" : "s", each, worst, max);
	r->worst = worst;
	if (!e.code)
		return 0;
	failure(r, &e);
	return EXIT_GUARD;
}

/* What one reply costs: its tokens at the token prices (gpt-image), else
 * its images at the price per image; < 0 when unknown. */
static double reply_cost(const struct imagerun *r, const struct imagegen_reply *rep)
{
	const struct model_info *mi = r->s->mi;
	if (r->rq.api == IG_GPT_IMAGE && rep->have_usage) {
		double c = model_image_cost(mi, rep->usage.input - rep->image_in, rep->image_in, rep->usage.output);
		if (c >= 0)
			return c;
	}
	if (!rep->n)
		return 0; /* nothing made, nothing billed */
	double each = model_image_price(mi, r->rq.quality, priced_size(r));
	return each >= 0 ? round(rep->n * each * 1e10) / 1e10 : -1;
}

/* The images of one reply: checked, written, reported, each record with
 * its share of the reply's cost (null when unknown). */
static void take(struct imagerun *r, const struct imagegen_reply *rep, int asked, double cost)
{
	double share = cost >= 0 && rep->n ? round(cost / (double)rep->n * 1e10) / 1e10 : -1;
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
			jv rec = jv_object_set(imagefile_record(&f, im->revised), jv_string("cost_usd"),
					       share >= 0 ? jv_number(share) : jv_null());
			if (out_line(r, rec, f.path) < 0)
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

static struct imagegen_conn conn_of(const struct session *s)
{
	const struct cli_opts *o = s->opts;
	return (struct imagegen_conn){ .prov = s->prov, .base = s->base, .key = s->key,
				       .connect_timeout = o->connect_timeout, .idle_timeout = o->idle_timeout,
				       .total_timeout = o->timeout, .retries = o->retries, .rl = s->rl };
}

int imagerun_describe(struct imagerun *r)
{
	struct imagegen_conn cn = conn_of(r->s);
	int per = imagegen_max_per_request(r->rq.api), requests = (r->count + per - 1) / per;
	for (int left = r->count; left > 0 && !r->dead;) {
		struct chat_error err = { 0 };
		jv rec;
		r->rq.n = left < per ? left : per;
		if (imagegen_describe(&cn, &r->rq, &rec, &err) < 0) {
			failure(r, &err);
			return err_exit_status(err.code);
		}
		rec = dryrun_with(rec, jv_invalid(), r->s->opts->max_cost >= 0 ? r->worst / requests : -1);
		if (jx_write_line(1, rec) < 0) {
			if (errno != EPIPE)
				return error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT;
			sig_note_pipe();
			break;
		}
		left -= r->rq.n;
	}
	return 0;
}

/* Ask for the images until all are made or a request fails. */
static void generate(struct imagerun *r)
{
	struct imagegen_conn cn = conn_of(r->s);
	int per = imagegen_max_per_request(r->rq.api);
	for (int left = r->count; left > 0 && !sig_caught && !r->dead;) {
		struct imagegen_reply rep;
		r->rq.n = left < per ? left : per;
		int rc = imagegen_run(&cn, &r->rq, &rep);
		double cost = reply_cost(r, &rep);
		r->cost = r->cost < 0 || cost < 0 ? -1 : r->cost + cost;
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
		take(r, &rep, r->rq.n, cost);
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
	/* every image the provider sent is billed, written or not */
	double cost = r->cost >= 0 ? round(r->cost * 1e10) / 1e10 : -1;
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

const char *imagerun_pick_model(const char *flag, const struct config *cfg)
{
	const char *m = flag;
	if (!m || !*m)
		m = getenv("CHAT_IMAGE_MODEL");
	if (!m || !*m)
		m = config_get(cfg, "", "image_model");
	if (m && *m)
		return m;
	m = provider_default_model(cfg, 1);
	return m ? m : provider_openai.default_image_model;
}
