/* Anthropic's Message Batches: one POST /v1/messages/batches with
 * {"requests":[{"custom_id","params"}]} (streamed from the file it was
 * built in), polled at /v1/messages/batches/ID until processing_status is
 * "ended", cancelled with .../cancel; the results are JSONL from its
 * results_url, each {"custom_id","result":{"type":"succeeded"|"errored"|
 * "canceled"|"expired",...}}, in no particular order. Models may be mixed;
 * 100,000 requests and 256 MB; custom_id is [a-zA-Z0-9_-]{1,64}. */
#include "batch/jobapi.h"
#include "jsonx.h"
#include <stdio.h>
#include <string.h>

static void line(struct buf *out, const char *custom_id, const char *body, size_t len)
{
	jv id = jv_dump_string(jv_string(custom_id), 0);
	buf_addf(out, "{\"custom_id\":%s,\"params\":", jv_string_value(id));
	jv_free(id);
	buf_add(out, body, len);
	buf_adds(out, "}");
}

static struct curl_slist *headers(const struct jobapi_conn *c, int json)
{
	struct curl_slist *h = NULL;
	if (provider_header(&h, "x-api-key: %s", c->key) || provider_header(&h, "anthropic-version: 2023-06-01") ||
	    (json && provider_header(&h, "Content-Type: application/json")) || provider_header(&h, "Expect:")) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

/* A message_batch object into st; the results' URL when they are ready. */
static void batch_state(const struct jobapi_conn *c, const char *remote, jv b, struct jobapi_state *st)
{
	memset(st, 0, sizeof *st);
	char ps[32] = "", cancel[64] = "";
	jx_str(b, "processing_status", ps, sizeof ps);
	int cancelled = jx_str(b, "cancel_initiated_at", cancel, sizeof cancel) == 0 && cancel[0];
	jv rc = jx_get(b, "request_counts");
	long processing = (long)jx_num(rc, "processing", 0), ok = (long)jx_num(rc, "succeeded", 0),
	     errored = (long)jx_num(rc, "errored", 0), canceled = (long)jx_num(rc, "canceled", 0),
	     expired = (long)jx_num(rc, "expired", 0);
	jv_free(rc);
	st->total = processing + ok + errored + canceled + expired;
	st->done = ok;
	st->failed = errored + canceled + expired;
	st->counts = !strcmp(ps, "ended"); /* the counts stay 0 until the whole batch ends */
	if (!strcmp(ps, "in_progress"))
		snprintf(st->status, sizeof st->status, "in_progress");
	else if (!strcmp(ps, "canceling"))
		snprintf(st->status, sizeof st->status, "cancelling");
	else if (!strcmp(ps, "ended"))
		snprintf(st->status, sizeof st->status, "%s", cancelled ? "cancelled" : expired ? "expired" : "completed");
	else
		snprintf(st->status, sizeof st->status, "%.15s", ps[0] ? ps : "in_progress");
	if (strcmp(ps, "ended"))
		return;
	/* the key goes only where it was meant to go: the results on another
	 * host are fetched from the documented path instead */
	char url[1024] = "", origin[512], uorigin[512];
	jx_str(b, "results_url", url, sizeof url);
	if (!url[0] || jobapi_origin(url, uorigin, sizeof uorigin) < 0 || jobapi_origin(c->base, origin, sizeof origin) < 0 ||
	    strcmp(origin, uorigin)) {
		struct buf u = BUF_INIT(2048);
		provider_url(&u, c->base, "/v1/messages/batches/");
		buf_adds(&u, remote);
		buf_adds(&u, "/results");
		snprintf(url, sizeof url, "%s", buf_str(&u));
		buf_free(&u);
	}
	snprintf(st->results[0], sizeof st->results[0], "%s", url);
}

static int call(const struct jobapi_conn *c, const char *remote, const char *suffix, const char *body, int fd,
		long long size, char *id_out, size_t idcap, struct jobapi_state *st, struct chat_error *err)
{
	struct buf url = BUF_INIT(4096);
	struct curl_slist *h = headers(c, (body && *body) || fd >= 0);
	jv reply = jv_invalid();
	provider_url(&url, c->base, "/v1/messages/batches");
	if (remote) {
		buf_addc(&url, '/');
		buf_adds(&url, remote);
	}
	buf_adds(&url, suffix);
	int rc = h ? jobapi_http(c, buf_str(&url), h, body, body ? strlen(body) : (size_t)size, fd, NULL, NULL, &reply, err)
		   : (err_set(err, ERR_BAD_INPUT, 0, "out of memory"), -1);
	char id[256] = "";
	if (rc == 0 && (jx_str(reply, "id", id, sizeof id) < 0 || !id[0])) {
		err_set(err, ERR_BAD_OUTPUT, 0, "the reply names no message batch");
		rc = -1;
	}
	if (rc == 0) {
		if (id_out)
			snprintf(id_out, idcap, "%s", id);
		batch_state(c, id, reply, st);
	}
	jv_free(reply);
	curl_slist_free_all(h);
	buf_free(&url);
	return rc;
}

static int create(const struct jobapi_conn *c, const char *model, const char *label, int fd, long long size,
		  char *remote, size_t rcap, char *input_file, size_t fcap, struct jobapi_state *st,
		  struct chat_error *err)
{
	(void)model;
	(void)label;
	if (fcap)
		input_file[0] = 0;
	return call(c, NULL, "", NULL, fd, size, remote, rcap, st, err);
}

static int poll(const struct jobapi_conn *c, const char *remote, struct jobapi_state *st, struct chat_error *err)
{
	return call(c, remote, "", NULL, -1, 0, NULL, 0, st, err);
}

static int cancel(const struct jobapi_conn *c, const char *remote, struct jobapi_state *st, struct chat_error *err)
{
	return call(c, remote, "/cancel", "", -1, 0, NULL, 0, st, err);
}

static int download(const struct jobapi_conn *c, const char *what, int fd, struct chat_error *err)
{
	struct curl_slist *h = headers(c, 0);
	int rc = h ? jobapi_fetch(c, what, h, fd, err) : (err_set(err, ERR_BAD_INPUT, 0, "out of memory"), -1);
	curl_slist_free_all(h);
	return rc;
}

static const char *finish_word(const char *r)
{
	return !strcmp(r, "max_tokens") ? "length" : !strcmp(r, "refusal") ? "filtered" : "stop";
}

/* An errored result's error: {"type":"error","error":{"type","message"}}. */
static void errored(jv e, struct chat_error *err)
{
	jv inner = jx_get(e, "error");
	jv o = jv_get_kind(inner) == JV_KIND_OBJECT ? inner : jv_copy(e);
	if (jv_get_kind(inner) != JV_KIND_OBJECT)
		jv_free(inner);
	char type[64] = "", msg[300] = "";
	jx_str(o, "type", type, sizeof type);
	jx_str(o, "message", msg, sizeof msg);
	enum err_code code = !strcmp(type, "invalid_request_error") || !strcmp(type, "not_found_error") ? ERR_BAD_REQUEST
		: !strcmp(type, "authentication_error") || !strcmp(type, "permission_error") ? ERR_AUTH
		: !strcmp(type, "rate_limit_error") ? ERR_RATE_LIMITED
		: strstr(msg, "prompt is too long") ? ERR_CONTEXT_LENGTH : ERR_SERVER;
	err_set(err, code, 0, "%s%s%s", type, type[0] ? ": " : "", msg[0] ? msg : "the request failed");
	jv_free(o);
}

static int result(jv l, struct jobapi_result *r, struct buf *text)
{
	memset(r, 0, sizeof *r);
	if (jx_str(l, "custom_id", r->custom_id, sizeof r->custom_id) < 0)
		return -1;
	struct chat_error *e = &r->reply.err;
	jv res = jx_get(l, "result");
	char type[32] = "";
	jx_str(res, "type", type, sizeof type);
	if (!strcmp(type, "succeeded")) {
		jv m = jx_get(res, "message"), content = jx_get(m, "content"), u = jx_get(m, "usage");
		int n = jv_get_kind(content) == JV_KIND_ARRAY ? jv_array_length(jv_copy(content)) : 0;
		for (int i = 0; i < n; i++) {
			jv b = jv_array_get(jv_copy(content), i), t = jx_get(b, "text");
			char bt[32] = "";
			jx_str(b, "type", bt, sizeof bt);
			if (!strcmp(bt, "text") && jv_get_kind(t) == JV_KIND_STRING)
				buf_add(text, jv_string_value(t), (size_t)jv_string_length_bytes(jv_copy(t)));
			jv_free(t);
			jv_free(b);
		}
		char reason[32] = "end_turn";
		jx_str(m, "stop_reason", reason, sizeof reason);
		snprintf(r->reply.finish, sizeof r->reply.finish, "%s", finish_word(reason));
		jx_str(m, "model", r->reply.model, sizeof r->reply.model);
		if (jv_get_kind(u) == JV_KIND_OBJECT) {
			/* input counts every prompt token: cache reads and writes are reported beside it */
			double cread = jx_num(u, "cache_read_input_tokens", 0), cwrite = jx_num(u, "cache_creation_input_tokens", 0);
			r->reply.usage.input = (long)(jx_num(u, "input_tokens", 0) + cread + cwrite);
			r->reply.usage.cached = (long)cread;
			r->reply.usage.output = (long)jx_num(u, "output_tokens", 0);
			r->reply.have_usage = 1;
		}
		if (jv_get_kind(m) != JV_KIND_OBJECT)
			err_set(e, ERR_BAD_OUTPUT, 0, "the result has no message");
		jv_free(u);
		jv_free(content);
		jv_free(m);
	} else if (!strcmp(type, "errored")) {
		jv er = jx_get(res, "error");
		errored(er, e);
		jv_free(er);
	} else if (!strcmp(type, "canceled")) {
		err_set(e, ERR_INTERRUPTED, 0, "the job was cancelled before this request ran");
	} else if (!strcmp(type, "expired")) {
		err_set(e, ERR_TIMEOUT, 0, "the job's 24-hour window ended before this request ran");
	} else {
		err_set(e, ERR_BAD_OUTPUT, 0, "a result of an unknown type '%s'", type);
	}
	if (e->code)
		snprintf(r->reply.finish, sizeof r->reply.finish, "error");
	jv_free(res);
	return 0;
}

const struct jobapi jobapi_anthropic = {
	.name = "anthropic",
	.max_requests = 100000,
	.max_bytes = 256LL * 1000 * 1000,
	.one_model = 0,
	.head = "{\"requests\":[\n", .sep = ",\n", .tail = "\n]}\n",
	.line = line,
	.create = create,
	.poll = poll,
	.cancel = cancel,
	.download = download,
	.result = result,
};
