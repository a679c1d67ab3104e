#include "ask.h"
#include "diag.h"
#include "iox.h"
#include "jsonx.h"
#include "response.h"
#include "sig.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

struct sink {
	unsigned mode;
	jv id;
	const char *conversation;   /* the history's id, or NULL */
	struct buf out;      /* bytes waiting for the next write */
	struct buf text;     /* the whole reply so far, when anything needs it */
	int keep_text;
	int write_errno;
	size_t total;        /* bytes of reply text so far, and the last of them */
	char last;
};

static int emit(void *ctx, const char *t, size_t n)
{
	struct sink *k = ctx;
	if (k->keep_text && buf_add(&k->text, t, n) < 0)
		return -1;
	if (n) {
		k->total += n;
		k->last = t[n - 1];
	}
	if (!(k->mode & ASK_STREAM))
		return 0;
	if (!(k->mode & ASK_JSON))
		return buf_add(&k->out, t, n);
	jv rec = JV_OBJECT(jv_string("type"), jv_string("delta"));
	if (jv_is_valid(k->id) && jv_get_kind(k->id) != JV_KIND_NULL)
		rec = jv_object_set(rec, jv_string("id"), jv_copy(k->id));
	if (k->conversation)
		rec = jv_object_set(rec, jv_string("conversation"), jv_string(k->conversation));
	rec = jv_object_set(rec, jv_string("text"), jv_string_sized(t, (int)n));
	return jx_dump_line(rec, &k->out);
}

static int flush(void *ctx)
{
	struct sink *k = ctx;
	if (!k->out.len)
		return 0;
	int r = write_all(1, k->out.p, k->out.len);
	buf_reset(&k->out);
	if (r < 0) {
		k->write_errno = errno;
		if (errno == EPIPE)
			sig_note_pipe();
		return -1;
	}
	return 0;
}

static int report_write_error(struct sink *k)
{
	if (k->write_errno == EPIPE)
		return 0; /* the reader went away: quiet, the caller dies by SIGPIPE */
	error("cannot write output: %s", strerror(k->write_errno));
	return EXIT_CANTCREAT;
}

/* The end of the output: the whole reply (chat-send), a final newline on a
 * terminal (chat-stream), and the response and error records. */
static void finish_output(struct session *s, const struct ask *a, struct sink *k,
			  const struct chat_reply *reply, const struct exchange_timing *t)
{
	const struct chat_error *e = &reply->err;
	struct buf *o = &k->out;
	int json = a->mode & ASK_JSON, stream = a->mode & ASK_STREAM;
	int ends_nl = k->total && k->last == '\n';
	if (!json && !stream && !e->code) {
		buf_add(o, k->text.p, k->text.len);
		if (!ends_nl)
			buf_addc(o, '\n');
	} else if (!json && stream && k->total && !ends_nl && isatty(1)) {
		buf_addc(o, '\n'); /* leave the shell prompt on a line of its own */
	}
	if (!json)
		return;
	/* a reply that stopped part-way still gets its response record, so the
	 * text that arrived is never lost from a pipeline */
	if (!e->code || k->text.len || e->code == ERR_INTERRUPTED) {
		struct reply_info ri = { .id = a->id, .provider = s->prov->name, .model = s->model,
					 .conversation = s->hist.conv, .message = s->hist.logging ? s->hist.reply_msg : NULL,
					 .text = buf_str(&k->text), .text_len = k->text.len,
					 .reply = reply, .timing = t, .cost = reply->have_usage ?
					 model_cost(s->mi, reply->usage.input, reply->usage.cached, reply->usage.output) : -1 };
		jx_dump_line(response_record(&ri), o);
	}
	if (e->code && e->code != ERR_INTERRUPTED)
		jx_dump_line(error_record(a->id, e), o);
}

int ask_run(struct session *s, const struct ask *a)
{
	const struct cli_opts *o = s->opts;
	char request_id[256] = "";
	if (jv_get_kind(a->id) == JV_KIND_STRING)
		snprintf(request_id, sizeof request_id, "%s", jv_string_value(a->id));
	else if (jv_get_kind(a->id) == JV_KIND_NUMBER)
		snprintf(request_id, sizeof request_id, "%.17g", jv_number_value(a->id));
	struct histlog_start hs = {
		.db_flag = o->db, .no_log = o->no_log, .cont = o->cont,
		.conversation = a->conversation ? a->conversation : o->conversation,
		.prompt = a->prompt, .system = a->system ? a->system : o->system,
		.request_id = request_id[0] ? request_id : NULL,
		.atts = a->atts,
	};
	int ast = a->atts ? attachments_check(a->atts, s->model_name, s->mi, &s->models) : 0;
	if (ast) {
		if (a->mode & ASK_BATCH) {
			struct chat_error e = { 0 };
			err_set(&e, ERR_BAD_INPUT, 0, "%s cannot take this attachment", s->model_name);
			if (jx_write_line(1, error_record(a->id, &e)) < 0)
				return EXIT_CANTCREAT;
		}
		return ast;
	}
	int hst = histlog_begin(&s->hist, &hs);
	if (hst) {
		if (a->mode & ASK_BATCH) {
			struct chat_error e = { 0 };
			err_set(&e, ERR_BAD_INPUT, 0, "the conversation cannot be read from the history");
			if (jx_write_line(1, error_record(a->id, &e)) < 0)
				return EXIT_CANTCREAT;
		}
		return hst;
	}
	struct chat_request rq = {
		.model = s->model,
		.system = s->hist.system,
		.msgs = s->hist.msgs,
		.nmsgs = s->hist.nmsgs,
		.max_tokens = s->opts->max_tokens,
		.default_max_tokens = s->default_max_tokens,
		.atts = a->atts ? a->atts->v : NULL,
		.natts = a->atts ? a->atts->n : 0,
		.temperature = s->opts->temperature,
	};
	/* a streamed reply nobody will read back (no history, no records) is
	 * not kept, so memory stays flat however long the reply */
	struct sink k = { .mode = a->mode, .id = a->id, .conversation = s->hist.logging ? s->hist.conv : NULL,
			  .keep_text = s->hist.logging || (a->mode & (ASK_JSON | ASK_STREAM)) != ASK_STREAM };
	buf_init(&k.out, 256u << 20);
	buf_init(&k.text, 256u << 20);
	struct chat_reply reply;
	struct exchange_timing t;
	exchange_run(s->prov, &rq, &s->xo, emit, flush, &k, &reply, &t);
	/* saved before anything else can go wrong: the reply, complete or cut off */
	double cost = reply.have_usage ? model_cost(s->mi, reply.usage.input, reply.usage.cached, reply.usage.output) : -1;
	histlog_end(&s->hist, buf_str(&k.text), k.text.len, &reply, &t, s->prov->name, s->model, cost);
	int status = 0;
	const struct chat_error *e = &reply.err;
	int reader_gone = k.write_errno == EPIPE || sig_caught == SIGPIPE;
	if (k.write_errno) {
		status = report_write_error(&k);
	} else if (!reader_gone) {
		finish_output(s, a, &k, &reply, &t);
		if (flush(&k) < 0)
			status = report_write_error(&k);
		if (e->code && e->code != ERR_INTERRUPTED) {
			if (!s->opts->quiet || !(a->mode & ASK_BATCH))
				error("%s %s: %s", s->prov->name, s->model, e->message);
			if (!status)
				status = err_exit_status(e->code);
		}
	}
	if (e->code == ERR_INTERRUPTED && !status)
		status = 128 + (sig_caught ? sig_caught : SIGINT);
	buf_free(&k.out);
	buf_free(&k.text);
	return status;
}

int ask_words(struct session *s, const char *prompt, struct attachments *atts, unsigned mode)
{
	const struct cli_opts *o = s->opts;
	int st = session_model(s, NULL);
	if (!st && o->nattach)
		st = attachments_files(atts, o->attach, o->nattach, s->mi);
	if (!st) {
		struct ask a = { .prompt = prompt, .id = jv_invalid(), .atts = atts, .mode = mode };
		st = ask_run(s, &a);
		if (!st)
			st = s->hist.status; /* the reply is out; the history failed */
	}
	return st;
}
