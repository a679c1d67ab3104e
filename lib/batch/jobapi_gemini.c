/* Gemini's batch mode: the requests go up as a JSONL file of
 * {"key","request"} lines through the Files API (resumable upload, see
 * gemini_files), a batch is made from it with POST
 * models/MODEL:batchGenerateContent, and the operation batches/ID is polled
 * (metadata.state BATCH_STATE_* or JOB_STATE_*, done once it has ended) and
 * cancelled with :cancel; the responses file (one {"key","response"|"error"}
 * line per request) is downloaded from /download/v1beta/FILE:download
 * ?alt=media. It is a Files API file, and those are deleted 48 hours after
 * they are made: a job's results are there for 48 hours after it ends.
 * One model per batch (it is in the path); input files up to 2 GB. */
#include "batch/jobapi.h"
#include "diag.h"
#include "net/gemini_files.h"
#include "jsonx.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void line(struct buf *out, const char *custom_id, const char *body, size_t len)
{
	jv id = jv_dump_string(jv_string(custom_id), 0);
	buf_addf(out, "{\"key\":%s,\"request\":", jv_string_value(id));
	jv_free(id);
	buf_add(out, body, len);
	buf_adds(out, "}\n");
}

static struct curl_slist *headers(const struct jobapi_conn *c, int json)
{
	struct curl_slist *h = NULL;
	if (provider_header(&h, "x-goog-api-key: %s", c->key) ||
	    (json && provider_header(&h, "Content-Type: application/json")) || provider_header(&h, "Expect:")) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

/* An int64 that Google sends as a string (or a number). */
static long count(jv o, const char *key)
{
	jv v = jx_get(o, key);
	char s[32];
	jobapi_text(v, s, sizeof s);
	jv_free(v);
	return strtol(s, NULL, 10);
}

/* Our word for a Gemini batch state (BATCH_STATE_* or the SDK's JOB_STATE_*)
 * while the operation is not done, and once it is; NULL for a state we do
 * not know. A finished state before done means the service is still
 * writing the job's end down. */
static const char *our_state(const char *google, int done)
{
	static const struct {
		const char *google, *running, *ended;
	} map[] = { { "PENDING", "validating", NULL }, { "RUNNING", "in_progress", NULL },
		    { "SUCCEEDED", "finalizing", "completed" }, { "FAILED", "finalizing", "failed" },
		    { "CANCELLED", "cancelling", "cancelled" }, { "EXPIRED", "finalizing", "expired" } };
	const char *s = strstr(google, "STATE_");
	s = s ? s + 6 : google;
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(s, map[i].google))
			return done ? map[i].ended : map[i].running;
	return NULL;
}

/* The request counts (int64s, which Google sends as strings). */
static void op_counts(jv b, struct jobapi_state *st)
{
	jv stats = jx_get(b, "batchStats");
	if (jv_get_kind(stats) == JV_KIND_OBJECT) {
		st->total = count(stats, "requestCount");
		st->done = count(stats, "successfulRequestCount");
		st->failed = count(stats, "failedRequestCount");
		st->counts = 1;
	}
	jv_free(stats);
}

/* An Operation (or a bare batch) into st: the job has ended only when the
 * operation says done, and has succeeded only when it also names its
 * responses file (in the operation's response, or the batch's output).
 * 0, or -1 with err when it says what we cannot read: a state we do not
 * know, or done with a state that has not ended, which no amount of
 * polling would settle. */
static int op_state(jv op, struct jobapi_state *st, struct chat_error *err)
{
	memset(st, 0, sizeof *st);
	jv md = jx_get(op, "metadata");
	jv b = jv_get_kind(md) == JV_KIND_OBJECT ? md : (jv_free(md), jv_copy(op));
	jv done_v = jx_get(op, "done"), e = jx_get(op, "error"), resp = jx_get(op, "response"), out = jx_get(b, "output");
	int done = jv_get_kind(done_v) == JV_KIND_TRUE, rc = 0;
	char state[48] = "";
	jx_str(b, "state", state, sizeof state);
	if (jx_str(resp, "responsesFile", st->results[0], sizeof st->results[0]) < 0)
		jx_str(out, "responsesFile", st->results[0], sizeof st->results[0]);
	if (jv_get_kind(e) == JV_KIND_OBJECT && jx_str(e, "message", st->error, sizeof st->error) < 0)
		snprintf(st->error, sizeof st->error, "the batch failed (no reason given)");
	const char *ours = our_state(state, done);
	if (done && st->error[0] && (!ours || !jobapi_ended(ours)))
		ours = "failed"; /* done with an error and no end of its own: it failed */
	if (!ours && done && our_state(state, 0)) {
		err_set(err, ERR_BAD_OUTPUT, 0, "the operation says it is done, but the batch is still %s", state);
		rc = -1;
	} else if (!ours) {
		err_set(err, ERR_BAD_OUTPUT, 0, "the batch is in state '%s', which chat-batch does not know",
			state[0] ? state : "(none)");
		rc = -1;
	} else if (!strcmp(ours, "completed") && !st->results[0][0]) {
		/* nothing to collect: every record comes back as an error, and says why */
		ours = "failed";
		snprintf(st->error, sizeof st->error, "the batch succeeded but names no responses file");
	}
	snprintf(st->status, sizeof st->status, "%s", ours ? ours : "");
	if (jobapi_ended(st->status) && jx_str(b, "endTime", st->ended, sizeof st->ended) < 0)
		jx_str(b, "updateTime", st->ended, sizeof st->ended);
	op_counts(b, st);
	jv_free(out);
	jv_free(resp);
	jv_free(e);
	jv_free(done_v);
	jv_free(b);
	return rc;
}

static int valid_model(const char *m)
{
	return *m && !m[strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")];
}

static int valid_name(const char *n, const char *prefix)
{
	size_t pl = strlen(prefix);
	return !strncmp(n, prefix, pl) && valid_model(n + pl);
}

static enum err_code code_for(int status)
{
	switch (status) {
	case EXIT_NOPERM: return ERR_AUTH;
	case EXIT_TEMPFAIL: return ERR_TIMEOUT;
	case EXIT_UNAVAILABLE: return ERR_SERVER;
	case EXIT_DATAERR: return ERR_BAD_REQUEST;
	default: return status > 128 ? ERR_INTERRUPTED : ERR_BAD_INPUT;
	}
}

static int create(const struct jobapi_conn *c, const char *model, const char *label, int fd, long long size,
		  char *remote, size_t rcap, char *input_file, size_t fcap, struct jobapi_state *st,
		  struct chat_error *err)
{
	if (!valid_model(model)) {
		err_set(err, ERR_BAD_INPUT, 0, "'%s' is not a Gemini model name", model);
		return -1;
	}
	char display[64], why[600];
	snprintf(display, sizeof display, "chat-batch-%s", label);
	struct gfiles_opts fo = { .base = c->base, .key = c->key, .connect_timeout = c->connect_timeout,
				  .idle_timeout = c->idle_timeout, .retries = c->retries,
				  .retries_given = c->retries_given, .progress = c->progress, .label = "batch input" };
	struct gfile gf;
	int r = c->dry_run ? gfiles_dry_upload(size, "application/jsonl", display, &fo, &gf, why, sizeof why)
			   : gfiles_upload(fd, size, "application/jsonl", display, &fo, &gf, why, sizeof why);
	if (r) {
		err_set(err, code_for(r), 0, "%s", why);
		return -1;
	}
	snprintf(input_file, fcap, "%s", gf.name);
	struct buf url = BUF_INIT(4096), body = BUF_INIT(8192);
	struct curl_slist *h = headers(c, 1);
	jv reply = jv_invalid();
	int rc = -1;
	provider_url(&url, c->base, "/models/");
	buf_adds(&url, model);
	buf_adds(&url, ":batchGenerateContent");
	provider_body(JV_OBJECT(jv_string("batch"), JV_OBJECT(jv_string("display_name"), jv_string(display),
			jv_string("input_config"), JV_OBJECT(jv_string("file_name"), jv_string(gf.name)))), &body);
	if (!h)
		err_set(err, ERR_BAD_INPUT, 0, "out of memory");
	else if (jobapi_http(c, buf_str(&url), h, buf_str(&body), body.len, -1, NULL, NULL, &reply, err) == 0) {
		struct chat_error ignored = { 0 };
		if (jx_str(reply, "name", remote, rcap) < 0 || !valid_name(remote, "batches/")) {
			err_set(err, ERR_BAD_OUTPUT, 0, "the reply names no batch (or a strange one)");
		} else {
			/* the batch exists now: a first state we cannot read is
			 * the next poll's to report, not a reason to lose it */
			if (op_state(reply, st, &ignored) < 0)
				snprintf(st->status, sizeof st->status, "validating");
			rc = 0;
		}
	}
	jv_free(reply);
	curl_slist_free_all(h);
	buf_free(&url);
	buf_free(&body);
	return rc;
}

static int op_call(const struct jobapi_conn *c, const char *remote, int cancel, struct jobapi_state *st,
		   struct chat_error *err)
{
	if (!valid_name(remote, "batches/")) {
		err_set(err, ERR_BAD_INPUT, 0, "'%s' is not a Gemini batch name", remote);
		return -1;
	}
	struct buf url = BUF_INIT(4096);
	struct curl_slist *h = headers(c, 0);
	jv reply = jv_invalid();
	provider_url(&url, c->base, "/");
	buf_adds(&url, remote);
	if (cancel)
		buf_adds(&url, ":cancel");
	/* a cancel is a POST of nothing, as the REST docs send it */
	int rc = h ? jobapi_http(c, buf_str(&url), h, cancel ? "" : NULL, 0, -1, NULL, NULL, &reply, err)
		   : (err_set(err, ERR_BAD_INPUT, 0, "out of memory"), -1);
	if (rc == 0 && !cancel)
		rc = op_state(reply, st, err);
	jv_free(reply);
	curl_slist_free_all(h);
	buf_free(&url);
	return rc;
}

static int poll(const struct jobapi_conn *c, const char *remote, struct jobapi_state *st, struct chat_error *err)
{
	return op_call(c, remote, 0, st, err);
}

static int cancel(const struct jobapi_conn *c, const char *remote, struct jobapi_state *st, struct chat_error *err)
{
	/* the reply is empty: the batch's state comes from a poll */
	return op_call(c, remote, 1, st, err) < 0 ? -1 : op_call(c, remote, 0, st, err);
}

static int download(const struct jobapi_conn *c, const char *what, int fd, struct chat_error *err)
{
	char origin[1024];
	if (!valid_name(what, "files/") || jobapi_origin(c->base, origin, sizeof origin) < 0) {
		err_set(err, ERR_BAD_OUTPUT, 0, "cannot download the responses file '%s'", what);
		return -1;
	}
	const char *path = c->base + strlen(origin);
	size_t pl = strlen(path);
	while (pl && path[pl - 1] == '/')
		pl--;
	struct buf url = BUF_INIT(4096);
	buf_addf(&url, "%s/download%.*s/%s:download?alt=media", origin, (int)pl, path, what);
	struct curl_slist *h = headers(c, 0);
	int rc = h ? jobapi_fetch(c, buf_str(&url), h, fd, err) : (err_set(err, ERR_BAD_INPUT, 0, "out of memory"), -1);
	curl_slist_free_all(h);
	buf_free(&url);
	return rc;
}

static const char *finish_word(const char *r)
{
	if (!strcmp(r, "MAX_TOKENS"))
		return "length";
	if (!strcmp(r, "STOP") || !strcmp(r, "OTHER") || !strcmp(r, "FINISH_REASON_UNSPECIFIED") ||
	    !strcmp(r, "MALFORMED_FUNCTION_CALL"))
		return "stop";
	return "filtered";
}

static int result(jv l, struct jobapi_result *r, struct buf *text)
{
	memset(r, 0, sizeof *r);
	if (jx_str(l, "key", r->custom_id, sizeof r->custom_id) < 0)
		return -1;
	struct chat_error *e = &r->reply.err;
	jv resp = jx_get(l, "response"), er = jx_get(l, "error");
	if (jv_get_kind(resp) == JV_KIND_OBJECT) {
		jv cands = jx_get(resp, "candidates"), u = jx_get(resp, "usageMetadata");
		jv c0 = jv_get_kind(cands) == JV_KIND_ARRAY && jv_array_length(jv_copy(cands)) > 0
			? jv_array_get(jv_copy(cands), 0) : jv_invalid();
		jv content = jx_get(c0, "content"), parts = jx_get(content, "parts");
		int n = jv_get_kind(parts) == JV_KIND_ARRAY ? jv_array_length(jv_copy(parts)) : 0;
		for (int i = 0; i < n; i++) {
			jv p = jv_array_get(jv_copy(parts), i), t = jx_get(p, "text"), th = jx_get(p, "thought");
			if (jv_get_kind(t) == JV_KIND_STRING && jv_get_kind(th) != JV_KIND_TRUE)
				buf_add(text, jv_string_value(t), (size_t)jv_string_length_bytes(jv_copy(t)));
			jv_free(th);
			jv_free(t);
			jv_free(p);
		}
		char reason[48] = "";
		if (jx_str(c0, "finishReason", reason, sizeof reason) == 0)
			snprintf(r->reply.finish, sizeof r->reply.finish, "%s", finish_word(reason));
		else
			snprintf(r->reply.finish, sizeof r->reply.finish, "%s", jv_is_valid(c0) ? "stop" : "filtered");
		jx_str(resp, "modelVersion", r->reply.model, sizeof r->reply.model);
		if (jv_get_kind(u) == JV_KIND_OBJECT) {
			double thoughts = jx_num(u, "thoughtsTokenCount", 0);
			r->reply.usage.input = (long)jx_num(u, "promptTokenCount", 0);
			r->reply.usage.output = (long)(jx_num(u, "candidatesTokenCount", 0) + thoughts);
			r->reply.usage.cached = (long)jx_num(u, "cachedContentTokenCount", 0);
			r->reply.usage.reasoning = (long)thoughts;
			r->reply.have_usage = 1;
		}
		jv_free(parts);
		jv_free(content);
		jv_free(c0);
		jv_free(u);
		jv_free(cands);
	} else {
		char msg[300] = "", st[48] = "";
		long code = (long)jx_num(er, "code", 0);
		jx_str(er, "message", msg, sizeof msg);
		jx_str(er, "status", st, sizeof st);
		enum err_code c = code == 400 || code == 404 ? ERR_BAD_REQUEST : code == 401 || code == 403 ? ERR_AUTH
			: code == 429 ? ERR_RATE_LIMITED : code == 504 ? ERR_TIMEOUT : ERR_SERVER;
		err_set(e, c, 0, "%s%s%s", st, st[0] ? ": " : "", msg[0] ? msg : "the request failed");
		snprintf(r->reply.finish, sizeof r->reply.finish, "error");
	}
	jv_free(er);
	jv_free(resp);
	return 0;
}

const struct jobapi jobapi_gemini = {
	.name = "gemini",
	.max_requests = 1000000,
	.max_bytes = 2000LL * 1000 * 1000,
	.one_model = 1,
	.results_keep = 48 * 3600,
	.head = "", .sep = "", .tail = "",
	.line = line,
	.create = create,
	.poll = poll,
	.cancel = cancel,
	.download = download,
	.result = result,
};
