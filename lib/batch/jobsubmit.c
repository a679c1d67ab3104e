/* chat-batch submit: prompt records in, one job record out per provider
 * batch made. Each record becomes the request body chat-send would send
 * (the provider's own builder, less the streaming switches), framed the
 * way the provider's batch API wants it and appended to a temporary file
 * per job — one per provider, and per model where a job takes one model —
 * so the input is never held in memory; a job that reaches the provider's
 * limit on requests or bytes is sent and the next one begun. The records
 * are kept in the history beside the job, and a fingerprint of the
 * requests stops the same input from being sent twice. */
#include "batch/jobrun.h"
#include "attach.h"
#include "diag.h"
#include "tokens/fit.h"
#include "history/histlog.h"
#include "fdio.h"
#include "jsonx.h"
#include "promptrec.h"
#include "response.h"
#include "sha256.h"
#include "sig.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BUILDERS 16

struct builder {
	const struct jobapi *api;
	char provider[24], model[256];   /* model: "" for a job of many models */
	char job[STORE_ID_LEN + 1];
	int fd;
	long n;
	long long bytes;
	struct sha256 fp;
};

struct sub {
	struct jobrun *r;
	struct builder b[MAX_BUILDERS];
	int nb;
	struct jobtx tx;
	struct histlog h;          /* read-only: the context of named conversations */
	char model_asked[256];     /* what session_model was last given */
	int model_ok;
	struct buf line, body, url;
	jv *jobs;
	long skipped;
	int stop;
};

/* An error record for a record that cannot go: code, "line N: why". */
static void refuse(struct sub *u, jv id, long lineno, enum err_code code, const char *why, int say)
{
	struct chat_error e = { 0 };
	err_set(&e, code, 0, "line %ld: %s", lineno, why);
	if (say && !u->r->s->opts->quiet)
		warn("line %ld: %s", lineno, why);
	u->r->errors++;
	jobrun_emit(u->r, error_record(id, &e));
}

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

/* A new job for the provider (and model): a row in the history and an
 * unlinked temporary file for its input. NULL after a message. */
static struct builder *start(struct sub *u, const struct jobapi *api, const char *provider, const char *model)
{
	if (u->nb == MAX_BUILDERS)
		return NULL;
	struct builder *b = &u->b[u->nb];
	memset(b, 0, sizeof *b);
	char path[4200];
	snprintf(path, sizeof path, "%s/chat-batch-XXXXXX", tmpdir());
	b->fd = mkstemp(path);
	if (b->fd < 0) {
		error("cannot make a temporary file in %s: %s", tmpdir(), strerror(errno));
		u->r->status = EXIT_CANTCREAT;
		return NULL;
	}
	unlink(path); /* nothing is left behind, whatever happens */
	if (jobs_tx_end(&u->tx) < 0 || jobs_new(&u->r->db, provider, model, !u->r->no_log, b->job) < 0) {
		close(b->fd);
		u->r->status = EXIT_CANTCREAT;
		return NULL;
	}
	b->api = api;
	snprintf(b->provider, sizeof b->provider, "%s", provider);
	snprintf(b->model, sizeof b->model, "%s", model);
	sha256_init(&b->fp);
	sha256_update(&b->fp, provider, strlen(provider) + 1);
	sha256_update(&b->fp, model, strlen(model) + 1);
	u->nb++;
	return b;
}

static int put(int fd, const char *p, size_t n)
{
	return write_all(fd, p, n);
}

/* Send a finished job (or find it already sent), print its record and let
 * the builder go. */
static void finish(struct sub *u, struct builder *b)
{
	struct jobrun *r = u->r;
	struct jobrow j;
	int rc = jobs_tx_end(&u->tx) < 0 || put(b->fd, b->api->tail, strlen(b->api->tail)) < 0 ? -1 : 0;
	b->bytes += (long long)strlen(b->api->tail);
	if (rc < 0 || jobs_get(&r->db, b->job, &j) != 0) {
		error("job %s: cannot finish its input: %s", b->job, strerror(errno));
		r->status = EXIT_CANTCREAT;
		goto out;
	}
	unsigned char d[32];
	sha256_final(&b->fp, d);
	for (int i = 0; i < 32; i++)
		snprintf(j.fingerprint + 2 * i, 3, "%02x", d[i]);
	j.total = b->n;
	char same[STORE_ID_LEN + 1];
	if (!r->force && jobs_same_input(&r->db, j.fingerprint, j.id, same) == 0) {
		struct jobrow o;
		if (!r->s->opts->quiet)
			warn("this input is already job %s: nothing sent (--force sends it again)", same);
		jobs_delete(&r->db, j.id);
		if (jobs_get(&r->db, same, &o) == 0) {
			jobrun_emit(r, jobrun_record(r, &o));
			*u->jobs = jv_array_append(*u->jobs, jv_string(same));
		}
		goto out;
	}
	const struct jobapi_conn *c = jobrun_conn(r, b->provider);
	struct jobapi_state st;
	struct chat_error err = { 0 };
	memset(&st, 0, sizeof st);
	if (!c) {
		snprintf(j.status, sizeof j.status, "failed");
		snprintf(j.error, sizeof j.error, "no key for %s", b->provider);
	} else if (b->api->create(c, b->model, j.id, b->fd, b->bytes, j.remote, sizeof j.remote, j.input_file,
				  sizeof j.input_file, &st, &err) < 0) {
		snprintf(j.status, sizeof j.status, "failed");
		snprintf(j.error, sizeof j.error, "not sent: %s", err.message);
		error("job %s: %s: %s", j.id, b->provider, err.message);
		if (!r->status || r->status == EXIT_PARTIAL)
			r->status = err.code == ERR_INTERRUPTED ? sig_status()
								 : err_exit_status(err.code);
	} else if (c->dry_run) {
		goto out; /* the requests are printed; no job was made */
	} else {
		snprintf(j.status, sizeof j.status, "%s", st.status[0] ? st.status : "validating");
		if (st.error[0])
			scrub(j.error, sizeof j.error, st.error, strlen(st.error));
	}
	if (jobs_put(&r->db, &j) < 0)
		r->status = EXIT_CANTCREAT;
	jobrun_emit(r, jobrun_record(r, &j));
	*u->jobs = jv_array_append(*u->jobs, jv_string(j.id));
out:
	close(b->fd);
	/* the slot goes to the last builder */
	*b = u->b[--u->nb];
}

/* The request body chat-send would send for this record, without the
 * streaming switches a batch refuses, in u->body. 0, or -1 with why. */
static int build_body(struct sub *u, jv rec, const char *text, const struct attachments *atts, char *why, size_t cap)
{
	struct session *s = u->r->s;
	const struct cli_opts *o = s->opts;
	char ref[256] = "", found[STORE_ID_LEN + 1] = "";
	jv sys = jx_get(rec, "system");
	struct histlog_start hs = { .no_log = 1, .db_flag = u->r->dbpath, .prompt = text,
				    .system = jv_get_kind(sys) == JV_KIND_STRING ? jv_string_value(sys) : o->system };
	/* a conversation that does not exist yet is made when the reply is collected */
	if (jx_str(rec, "conversation", ref, sizeof ref) == 0 && ref[0] && store_conv_find(&u->r->db, ref, found) == 0)
		hs.conversation = found;
	int st = histlog_begin(&u->h, &hs);
	jv_free(sys);
	if (st) {
		snprintf(why, cap, "the conversation '%s' cannot be read", ref);
		return -1;
	}
	struct chat_request rq = {
		.model = s->model, .system = u->h.system, .msgs = u->h.msgs, .nmsgs = u->h.nmsgs,
		.max_tokens = o->max_tokens, .default_max_tokens = s->default_max_tokens,
		.atts = atts->v, .natts = atts->n, .temperature = o->temperature,
	};
	struct fit f;
	char fwhy[256];
	if (fit_request(s->mi, s->prov->name, &rq, 0, &f, fwhy, sizeof fwhy) < 0) {
		snprintf(why, cap, "cannot count tokens: %s", fwhy);
		return -1;
	}
	struct curl_slist *headers = NULL;
	struct chat_error err = { 0 };
	buf_reset(&u->url);
	buf_reset(&u->body);
	int b = s->prov->build(&rq, s->base, s->key, &u->url, &headers, &u->body, &err);
	curl_slist_free_all(headers);
	if (b < 0) {
		snprintf(why, cap, "%s", err.message);
		return -1;
	}
	jv v = jv_parse_sized(buf_str(&u->body), (int)u->body.len);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		snprintf(why, cap, "the request could not be built");
		return -1;
	}
	v = jv_object_delete(v, jv_string("stream"));
	v = jv_object_delete(v, jv_string("stream_options"));
	buf_reset(&u->body);
	provider_body(v, &u->body);
	return 0;
}

/* Frame the body as request seq of b's job in u->line. */
static void frame(struct sub *u, struct builder *b)
{
	char cid[64];
	snprintf(cid, sizeof cid, "%s-%ld", b->job, b->n);
	buf_reset(&u->line);
	if (b->n)
		buf_adds(&u->line, b->api->sep);
	else
		buf_adds(&u->line, b->api->head);
	b->api->line(&u->line, cid, buf_str(&u->body), u->body.len);
}

/* Can the record's model (the default for "") be used? 0, or -1 with
 * why and the error code. The last answer is kept: records mostly share
 * one model. */
static int check_model(struct sub *u, const char *model, enum err_code *code, char *why, size_t cap)
{
	struct session *s = u->r->s;
	if (!u->model_ok || strcmp(model, u->model_asked)) {
		snprintf(u->model_asked, sizeof u->model_asked, "%s", model);
		int st = session_model(s, model[0] ? model : NULL);
		u->model_ok = !st;
		if (st == EXIT_NOPERM)
			*code = ERR_AUTH;
	}
	if (!u->model_ok) {
		snprintf(why, cap, "cannot use model %s", model[0] ? model : s->model_name);
		return -1;
	}
	return 0;
}

/* The builder the request framed in u->line goes to: the job of its
 * provider (and model, where a job takes one), a new one when that job
 * is full. NULL when none can be begun (u->stop is set). */
static struct builder *builder_for(struct sub *u, const struct jobapi *api)
{
	struct session *s = u->r->s;
	const char *jmodel = api->one_model ? s->model : "";
	struct builder *b = NULL;
	for (int i = 0; i < u->nb && !b; i++)
		if (!strcmp(u->b[i].provider, api->name) && !strcmp(u->b[i].model, jmodel))
			b = &u->b[i];
	long long tail = (long long)strlen(api->tail);
	if (b) {
		frame(u, b);
		if (b->n >= jobapi_max_requests(api) || b->bytes + (long long)u->line.len + tail > jobapi_max_bytes(api)) {
			finish(u, b);
			b = NULL;
		}
	}
	if (!b && u->nb == MAX_BUILDERS)
		finish(u, &u->b[0]);
	if (!b && !(b = start(u, api, api->name, jmodel))) {
		u->stop = 1;
		return NULL;
	}
	frame(u, b);
	return b;
}

/* Append the request in u->line, and the record as it will be logged, to
 * b's job. 0, or -1 when the input or the history cannot be written. */
static int append_request(struct sub *u, struct builder *b, jv rec, jv id)
{
	struct session *s = u->r->s;
	char cid[64];
	snprintf(cid, sizeof cid, "%s-%ld", b->job, b->n);
	/* the record as it will be logged: the system prompt in effect, and the
	 * model that prices it */
	jv keep = jv_copy(rec);
	jv sys = jx_get(rec, "system");
	if (jv_get_kind(sys) != JV_KIND_STRING && s->opts->system)
		keep = jv_object_set(keep, jv_string("system"), jv_string(s->opts->system));
	jv_free(sys);
	keep = jv_object_set(keep, jv_string("model"), jv_string(s->mi ? s->mi->name : s->model));
	int wr = put(b->fd, u->line.p, u->line.len);
	int werr = errno;
	int ir = wr < 0 ? -1 : jobs_add_item(&u->tx, b->job, b->n, cid, keep);
	jv_free(keep);
	if (wr < 0 || ir < 0) {
		if (wr < 0)
			error("cannot write the batch input: %s", strerror(werr));
		return -1;
	}
	/* the fingerprint: the records' ids and bodies, not the job's own ids */
	jv idt = jv_dump_string(jv_copy(id), 0);
	sha256_update(&b->fp, jv_string_value(idt), (size_t)jv_string_length_bytes(jv_copy(idt)) + 1);
	jv_free(idt);
	sha256_update(&b->fp, u->body.p, u->body.len + 1);
	b->bytes += (long long)u->line.len;
	b->n++;
	return 0;
}

/* --only-failed: is this record's id one to send again? 1 yes, 0 skip it
 * (u->stop set when the history cannot be read). */
static int wanted(struct sub *u, jv id)
{
	if (!u->r->only_failed)
		return 1;
	char rid[256];
	jobs_request_id(id, rid, sizeof rid);
	int f = jobs_only_failed(&u->r->db, rid);
	if (f < 0)
		u->r->status = EXIT_CANTCREAT, u->stop = 1;
	if (f <= 0)
		u->skipped++;
	return f > 0;
}

/* One record into its job's input, or its error record out. */
static int submit_record(void *ctx, long lineno, jv rec, const char *why)
{
	struct sub *u = ctx;
	struct session *s = u->r->s;
	if (sig_caught || u->stop) {
		jv_free(rec);
		return 1;
	}
	if (!jv_is_valid(rec)) {
		refuse(u, jv_invalid(), lineno, ERR_BAD_INPUT, why, 0); /* the record loop said why */
		return 0;
	}
	char bad[320];
	enum err_code code = ERR_BAD_INPUT;
	struct prompt_rec p;
	const struct jobapi *api = NULL;
	int parsed = prompt_record_parse(rec, &p, bad, sizeof bad) == 0;
	if (parsed && !wanted(u, p.id))
		goto out;
	if (parsed && check_model(u, p.model, &code, bad, sizeof bad) == 0) {
		if (!(api = jobapi_for(s->prov->name)))
			snprintf(bad, sizeof bad, "%s has no batch API: only openai, anthropic and gemini models go in batch jobs",
				 s->model_name);
		else if (attachments_check(&p.atts, s->model_name, s->mi, &s->models))
			snprintf(bad, sizeof bad, "%s cannot take this attachment", s->model_name);
		else
			build_body(u, rec, jv_string_value(p.text), &p.atts, bad, sizeof bad);
	}
	if (bad[0]) {
		refuse(u, p.id, lineno, code, bad, 1);
		goto out;
	}
	struct builder *b = builder_for(u, api);
	if (!b)
		goto out;
	if (b->bytes + (long long)u->line.len + (long long)strlen(api->tail) > jobapi_max_bytes(api)) {
		char msg[160];
		snprintf(msg, sizeof msg, "the request (%zu bytes) is larger than one %s batch job may be", u->line.len,
			 api->name);
		refuse(u, p.id, lineno, ERR_BAD_INPUT, msg, 1);
		goto out;
	}
	if (append_request(u, b, rec, p.id) < 0) {
		u->r->status = EXIT_CANTCREAT;
		u->stop = 1;
	}
out:
	prompt_record_free(&p);
	jv_free(rec);
	return u->stop;
}

int jobrun_submit(struct jobrun *r, struct line_reader *lr, jv *jobs)
{
	struct sub u = { .r = r, .tx = { .s = &r->db }, .jobs = jobs };
	buf_init(&u.line, (size_t)1 << 31);
	buf_init(&u.body, (size_t)1 << 31);
	buf_init(&u.url, 1 << 16);
	int rc = records_each(lr, submit_record, &u);
	if (rc == -1) {
		error("reading stdin: %s", strerror(errno));
		if (!r->status)
			r->status = EXIT_NOINPUT;
	}
	if (sig_caught || u.stop) {
		/* nothing half-built goes out: the jobs begun are forgotten */
		jobs_tx_abort(&u.tx);
		for (int i = 0; i < u.nb; i++) {
			jobs_delete(&r->db, u.b[i].job);
			close(u.b[i].fd);
		}
		u.nb = 0;
	}
	while (u.nb && !sig_caught)
		finish(&u, &u.b[0]);
	jobs_tx_end(&u.tx);
	if (u.skipped && !r->s->opts->quiet && verbose)
		warn("--only-failed: %ld records skipped", u.skipped);
	histlog_close(&u.h);
	buf_free(&u.line);
	buf_free(&u.body);
	buf_free(&u.url);
	if (sig_caught)
		return sig_status();
	if (r->status)
		return r->status;
	return r->errors ? EXIT_PARTIAL : 0;
}
