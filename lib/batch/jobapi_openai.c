/* OpenAI's Batch API: the requests go up as a JSONL file through the Files
 * API (multipart, purpose "batch"), one line per request
 * {"custom_id","method":"POST","url":"/v1/chat/completions","body"}; a
 * batch on /v1/chat/completions is made from the file, polled, cancelled;
 * its output and error files are JSONL, one line per request, in no
 * particular order. One model per input file; 50,000 requests and 200 MB. */
#include "batch/jobapi.h"
#include "jsonx.h"
#include "sha256.h"
#include <stdio.h>
#include <string.h>

#define ENDPOINT "/v1/chat/completions"

static void line(struct buf *out, const char *custom_id, const char *body, size_t len)
{
	jv id = jv_dump_string(jv_string(custom_id), 0);
	buf_addf(out, "{\"custom_id\":%s,\"method\":\"POST\",\"url\":\"" ENDPOINT "\",\"body\":", jv_string_value(id));
	jv_free(id);
	buf_add(out, body, len);
	buf_adds(out, "}\n");
}

static struct curl_slist *headers(const struct jobapi_conn *c, const char *type)
{
	struct curl_slist *h = NULL;
	if ((c->key && *c->key && provider_header(&h, "Authorization: Bearer %s", c->key)) ||
	    (type && provider_header(&h, "Content-Type: %s", type)) || provider_header(&h, "Expect:")) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

/* A Batch object into st. */
static void batch_state(jv b, struct jobapi_state *st)
{
	memset(st, 0, sizeof *st);
	jx_str(b, "status", st->status, sizeof st->status);
	jv rc = jx_get(b, "request_counts");
	if (jv_get_kind(rc) == JV_KIND_OBJECT) {
		st->total = (long)jx_num(rc, "total", 0);
		st->done = (long)jx_num(rc, "completed", 0);
		st->failed = (long)jx_num(rc, "failed", 0);
		st->counts = 1;
	}
	jv_free(rc);
	jx_str(b, "output_file_id", st->results[0], sizeof st->results[0]);
	jx_str(b, "error_file_id", st->results[1], sizeof st->results[1]);
	jv errs = jx_get(b, "errors"), data = jx_get(errs, "data");
	if (jv_get_kind(data) == JV_KIND_ARRAY && jv_array_length(jv_copy(data)) > 0) {
		jv e = jv_array_get(jv_copy(data), 0);
		char msg[300] = "", code[64] = "";
		jx_str(e, "message", msg, sizeof msg);
		jx_str(e, "code", code, sizeof code);
		snprintf(st->error, sizeof st->error, "%s%s%s", code, code[0] && msg[0] ? ": " : "", msg);
		jv_free(e);
	}
	jv_free(data);
	jv_free(errs);
}

static int create(const struct jobapi_conn *c, const char *model, const char *label, int fd, long long size,
		  char *remote, size_t rcap, char *input_file, size_t fcap, struct jobapi_state *st,
		  struct chat_error *err)
{
	(void)model;
	char boundary[64], pre[512], post[96], ctype[128], hex[65];
	struct buf url = BUF_INIT(4096);
	sha256_hex(label, strlen(label), hex);
	snprintf(boundary, sizeof boundary, "chat-batch-%.24s", hex);
	snprintf(pre, sizeof pre,
		 "--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
		 "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chat-batch-%s.jsonl\"\r\n"
		 "Content-Type: application/jsonl\r\n\r\n", boundary, boundary, label);
	snprintf(post, sizeof post, "\r\n--%s--\r\n", boundary);
	snprintf(ctype, sizeof ctype, "multipart/form-data; boundary=%s", boundary);
	struct curl_slist *h = headers(c, ctype), *hj = headers(c, "application/json");
	jv reply = jv_invalid();
	int rc = -1;
	if (!h || !hj) {
		err_set(err, ERR_BAD_INPUT, 0, "out of memory");
		goto out;
	}
	provider_url(&url, c->base, "/files");
	if (jobapi_http(c, buf_str(&url), h, NULL, (size_t)size, fd, pre, post, &reply, err) < 0)
		goto out;
	if (jx_str(reply, "id", input_file, fcap) < 0 || !input_file[0]) {
		err_set(err, ERR_BAD_OUTPUT, 0, "the Files API gave the upload no id");
		goto out;
	}
	jv_free(reply);
	jv req = JV_OBJECT(jv_string("input_file_id"), jv_string(input_file), jv_string("endpoint"), jv_string(ENDPOINT),
			   jv_string("completion_window"), jv_string("24h"),
			   jv_string("metadata"), JV_OBJECT(jv_string("chat_batch_job"), jv_string(label)));
	struct buf body = BUF_INIT(1 << 20);
	provider_body(req, &body);
	buf_reset(&url);
	provider_url(&url, c->base, "/batches");
	int r = jobapi_http(c, buf_str(&url), hj, buf_str(&body), body.len, -1, NULL, NULL, &reply, err);
	buf_free(&body);
	if (r < 0)
		goto out;
	if (jx_str(reply, "id", remote, rcap) < 0 || !remote[0]) {
		err_set(err, ERR_BAD_OUTPUT, 0, "the Batch API gave the batch no id");
		goto out;
	}
	batch_state(reply, st);
	rc = 0;
out:
	jv_free(reply);
	curl_slist_free_all(h);
	curl_slist_free_all(hj);
	buf_free(&url);
	return rc;
}

/* GET .../batches/ID, or POST .../batches/ID/cancel (with no body). */
static int batch_call(const struct jobapi_conn *c, const char *remote, int cancel, struct jobapi_state *st,
		      struct chat_error *err)
{
	struct buf url = BUF_INIT(4096);
	struct curl_slist *h = headers(c, NULL);
	jv reply = jv_invalid();
	provider_url(&url, c->base, "/batches/");
	buf_adds(&url, remote);
	if (cancel)
		buf_adds(&url, "/cancel");
	int rc = h ? jobapi_http(c, buf_str(&url), h, cancel ? "" : NULL, 0, -1, NULL, NULL, &reply, err) : -1;
	if (!h)
		err_set(err, ERR_BAD_INPUT, 0, "out of memory");
	if (rc == 0)
		batch_state(reply, st);
	jv_free(reply);
	curl_slist_free_all(h);
	buf_free(&url);
	return rc;
}

static int poll(const struct jobapi_conn *c, const char *remote, struct jobapi_state *st, struct chat_error *err)
{
	return batch_call(c, remote, 0, st, err);
}

static int cancel(const struct jobapi_conn *c, const char *remote, struct jobapi_state *st, struct chat_error *err)
{
	return batch_call(c, remote, 1, st, err);
}

static int download(const struct jobapi_conn *c, const char *what, int fd, struct chat_error *err)
{
	struct buf url = BUF_INIT(4096);
	struct curl_slist *h = headers(c, NULL);
	provider_url(&url, c->base, "/files/");
	buf_adds(&url, what);
	buf_adds(&url, "/content");
	int rc = h ? jobapi_fetch(c, buf_str(&url), h, fd, err) : -1;
	if (!h)
		err_set(err, ERR_BAD_INPUT, 0, "out of memory");
	curl_slist_free_all(h);
	buf_free(&url);
	return rc;
}

static const char *finish_word(const char *f)
{
	return !strcmp(f, "length") ? "length" : !strcmp(f, "content_filter") ? "filtered" : "stop";
}

static int result(jv l, struct jobapi_result *r, struct buf *text)
{
	memset(r, 0, sizeof *r);
	if (jx_str(l, "custom_id", r->custom_id, sizeof r->custom_id) < 0)
		return -1;
	struct chat_error *e = &r->reply.err;
	jv err = jx_get(l, "error"), resp = jx_get(l, "response"), body = jx_get(resp, "body");
	long status = (long)jx_num(resp, "status_code", 0);
	if (jv_get_kind(err) == JV_KIND_OBJECT) {
		char code[64] = "", msg[300] = "";
		jx_str(err, "code", code, sizeof code);
		jx_str(err, "message", msg, sizeof msg);
		if (!strcmp(code, "batch_expired"))
			err_set(e, ERR_TIMEOUT, 0, "the job's 24-hour window ended before this request ran");
		else if (!strcmp(code, "batch_cancelled"))
			err_set(e, ERR_INTERRUPTED, 0, "the job was cancelled before this request ran");
		else
			err_set(e, ERR_SERVER, 0, "%s%s%s", code, code[0] ? ": " : "", msg[0] ? msg : "failed");
	} else if (status != 200) {
		jv s = jv_dump_string(jv_copy(body), 0);
		provider_openai.http_error(status, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)), e);
		jv_free(s);
	} else {
		jv choices = jx_get(body, "choices");
		jv c0 = jv_get_kind(choices) == JV_KIND_ARRAY && jv_array_length(jv_copy(choices)) > 0
			? jv_array_get(jv_copy(choices), 0) : jv_invalid();
		jv msg = jx_get(c0, "message"), content = jx_get(msg, "content"), refusal = jx_get(msg, "refusal");
		if (jv_get_kind(content) == JV_KIND_STRING)
			buf_add(text, jv_string_value(content), (size_t)jv_string_length_bytes(jv_copy(content)));
		else if (jv_get_kind(refusal) == JV_KIND_STRING)
			buf_add(text, jv_string_value(refusal), (size_t)jv_string_length_bytes(jv_copy(refusal)));
		char fr[32] = "stop";
		jx_str(c0, "finish_reason", fr, sizeof fr);
		snprintf(r->reply.finish, sizeof r->reply.finish, "%s", finish_word(fr));
		jx_str(body, "model", r->reply.model, sizeof r->reply.model);
		jv u = jx_get(body, "usage");
		jobapi_openai_usage(u, &r->reply);
		jv_free(u);
		jv_free(content);
		jv_free(refusal);
		jv_free(msg);
		jv_free(c0);
		jv_free(choices);
		if (jv_get_kind(body) != JV_KIND_OBJECT)
			err_set(e, ERR_BAD_OUTPUT, 0, "the result has no reply");
	}
	if (e->code)
		snprintf(r->reply.finish, sizeof r->reply.finish, "error");
	jv_free(body);
	jv_free(resp);
	jv_free(err);
	return 0;
}

const struct jobapi jobapi_openai = {
	.name = "openai",
	.max_requests = 50000,
	.max_bytes = 200LL * 1000 * 1000,
	.one_model = 1,
	.head = "", .sep = "", .tail = "",
	.line = line,
	.create = create,
	.poll = poll,
	.cancel = cancel,
	.download = download,
	.result = result,
};
