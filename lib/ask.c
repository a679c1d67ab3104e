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
	struct buf out;      /* bytes waiting for the next write */
	struct buf text;     /* the whole reply so far */
	int write_errno;
};

static int emit(void *ctx, const char *t, size_t n)
{
	struct sink *k = ctx;
	if (buf_add(&k->text, t, n) < 0)
		return -1;
	if (!(k->mode & ASK_STREAM))
		return 0;
	if (!(k->mode & ASK_JSON))
		return buf_add(&k->out, t, n);
	jv rec = JV_OBJECT(jv_string("type"), jv_string("delta"));
	if (jv_is_valid(k->id) && jv_get_kind(k->id) != JV_KIND_NULL)
		rec = jv_object_set(rec, jv_string("id"), jv_copy(k->id));
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
	int ends_nl = k->text.len && k->text.p[k->text.len - 1] == '\n';
	if (!json && !stream && !e->code) {
		buf_add(o, k->text.p, k->text.len);
		if (!ends_nl)
			buf_addc(o, '\n');
	} else if (!json && stream && k->text.len && !ends_nl && isatty(1)) {
		buf_addc(o, '\n'); /* leave the shell prompt on a line of its own */
	}
	if (!json)
		return;
	/* a reply that stopped part-way still gets its response record, so the
	 * text that arrived is never lost from a pipeline */
	if (!e->code || k->text.len || e->code == ERR_INTERRUPTED) {
		struct reply_info ri = { .id = a->id, .provider = s->prov->name, .model = s->model,
					 .text = buf_str(&k->text), .text_len = k->text.len,
					 .reply = reply, .timing = t };
		jx_dump_line(response_record(&ri), o);
	}
	if (e->code && e->code != ERR_INTERRUPTED)
		jx_dump_line(error_record(a->id, e), o);
}

int ask_run(struct session *s, const struct ask *a)
{
	struct message m = { "user", a->prompt };
	struct chat_request rq = {
		.model = s->model,
		.system = a->system ? a->system : s->opts->system,
		.msgs = &m,
		.nmsgs = 1,
		.max_tokens = s->opts->max_tokens,
		.temperature = s->opts->temperature,
	};
	struct sink k = { .mode = a->mode, .id = a->id };
	buf_init(&k.out, 256u << 20);
	buf_init(&k.text, 256u << 20);
	struct chat_reply reply;
	struct exchange_timing t;
	exchange_run(s->prov, &rq, &s->xo, emit, flush, &k, &reply, &t);
	/* (the history hook: the reply, complete or partial, is saved here) */
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
