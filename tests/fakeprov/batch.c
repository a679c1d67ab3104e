/* fakeprov_batch: the providers' batch APIs in the fake provider, with
 * real state changes over time so a test runs a job's whole life in
 * seconds:
 *   OpenAI     POST .../files (multipart, purpose batch), GET
 *              .../files/ID/content, POST .../batches, GET .../batches/ID,
 *              POST .../batches/ID/cancel;
 *   Anthropic  POST .../messages/batches, GET .../messages/batches/ID,
 *              POST .../cancel, GET .../results;
 *   Gemini     POST .../models/M:batchGenerateContent (the input is a file
 *              of the Files API under --upload-dir), GET .../batches/ID,
 *              POST .../batches/ID:cancel, GET /download/.../files/ID:download.
 * A job moves on one phase every --batch-polls GETs (1): OpenAI validating,
 * in_progress, finalizing, then completed; Anthropic in_progress, then
 * ended; Gemini PENDING, RUNNING, then SUCCEEDED. Its results are made when
 * it ends: each request's reply is "echo: " and the start of its last user
 * text; --batch-fail-every K fails every Kth request, --batch-expire makes
 * jobs expire with half their requests done, --batch-fail fails whole jobs,
 * and a cancel ends a job with what it had done. The input is checked the
 * way the services check it (one model per OpenAI file, custom_id's form
 * and uniqueness, no "stream"), and a cancel that carries a body or a
 * Content-Type is refused (400): the services may well take one, but the
 * SDKs never send one, and neither must we. Everything lives in
 * --batch-dir, so every connection's process (and a restarted fake) sees
 * the same jobs. */
#include "fakeprov.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct batch_cfg batch_cfg = { NULL, 1, 0, 0, 0 };

enum { B_OPENAI = 1, B_ANTHROPIC, B_GEMINI };

/* o[key] as a number (0 when it is none), and as a string ("" likewise). */
static double num(jv o, const char *key)
{
	jv v = jget(o, key);
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : 0;
	jv_free(v);
	return d;
}

static const char *str(jv o, const char *key, char *out, size_t cap)
{
	jv v = jget(o, key);
	snprintf(out, cap, "%s", jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : "");
	jv_free(v);
	return out;
}

/* Is o[key] true? */
static int flag(jv o, const char *key)
{
	jv v = jget(o, key);
	int t = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	return t;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* The id after "/batches/" (up to the next '/' or ':'), into out. */
static int after(const char *route, const char *marker, char *out, size_t cap)
{
	const char *p = strstr(route, marker);
	if (!p)
		return 0;
	p += strlen(marker);
	size_t n = strcspn(p, "/:");
	if (!n || n >= cap)
		return 0;
	snprintf(out, cap, "%.*s", (int)n, p);
	return 1;
}

int batch_match(const char *method, const char *route)
{
	int get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
	char id[128];
	if (strstr(route, "/messages/batches"))
		return B_ANTHROPIC;
	if (get && !strncmp(route, "/download/", 10) && ends_with(route, ":download"))
		return B_GEMINI;
	if (post && ends_with(route, ":batchGenerateContent"))
		return B_GEMINI;
	if (after(route, "/batches/", id, sizeof id))
		return !strncmp(id, "batch_", 6) ? B_OPENAI : B_GEMINI;
	if (post && ends_with(route, "/batches"))
		return B_OPENAI;
	if (strncmp(route, "/upload/", 8) && ((post && ends_with(route, "/files")) ||
					      (get && strstr(route, "/files/") && ends_with(route, "/content"))))
		return B_OPENAI;
	return 0;
}

/* ---------- state on disk ---------- */

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", batch_cfg.dir, name);
}

static int safe(const char *s)
{
	return *s && strlen(s) < 100 && !s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")];
}

static jv load(const char *name)
{
	char path[4200];
	path_of(path, sizeof path, name);
	struct buf b = BUF_INIT(GEN_MAX);
	char tmp[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return jv_invalid();
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	jv v = jv_parse_sized(buf_str(&b), (int)b.len);
	buf_free(&b);
	return v;
}

static void save(const char *name, jv v)
{
	char path[4200], tmp[4300];
	struct buf b = BUF_INIT(GEN_MAX);
	add_json(&b, v, 0);
	path_of(path, sizeof path, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len || close(fd) < 0 || rename(tmp, path) < 0)
		_exit(1);
	buf_free(&b);
}

static void new_id(char *out, size_t cap, const char *prefix)
{
	unsigned char r[8] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, r, sizeof r) != (ssize_t)sizeof r)
		_exit(1);
	close(fd);
	snprintf(out, cap, "%s%02x%02x%02x%02x%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

static int write_file(const char *name, const char *p, size_t n)
{
	char path[4200];
	path_of(path, sizeof path, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return close(fd);
}

/* ---------- replies ---------- */

static void reply_json(int fd, const struct ctx *c, int status, jv v)
{
	struct buf b = BUF_INIT(GEN_MAX);
	add_json(&b, v, JV_PRINT_INDENT_FLAGS(2));
	buf_adds(&b, "\n");
	send_reply(fd, c, status, "application/json", 0, NULL, b.p, b.len);
	buf_free(&b);
}

static void oa_err(int fd, const struct ctx *c, int status, const char *msg)
{
	reply_json(fd, c, status, JV_OBJECT(S("error"), JV_OBJECT(S("message"), S(msg), S("type"),
		   S("invalid_request_error"), S("param"), jv_null(), S("code"), jv_null())));
}

static void an_err(int fd, const struct ctx *c, int status, const char *msg)
{
	reply_json(fd, c, status, JV_OBJECT(S("type"), S("error"), S("error"),
		   JV_OBJECT(S("type"), S(status == 404 ? "not_found_error" : "invalid_request_error"), S("message"), S(msg))));
}

static void gm_err(int fd, const struct ctx *c, int status, const char *msg)
{
	reply_json(fd, c, status, JV_OBJECT(S("error"), JV_OBJECT(S("code"), jv_number(status), S("message"), S(msg),
		   S("status"), S(status == 404 ? "NOT_FOUND" : "INVALID_ARGUMENT"))));
}

static void refuse(int fd, const struct ctx *c, int kind, int status, const char *msg)
{
	if (kind == B_OPENAI)
		oa_err(fd, c, status, msg);
	else if (kind == B_ANTHROPIC)
		an_err(fd, c, status, msg);
	else
		gm_err(fd, c, status, msg);
}

/* ---------- what a request says, and its answer ---------- */

/* The text of a content value: a string, or the first text part. */
static jv text_of(jv content)
{
	if (jv_get_kind(content) == JV_KIND_STRING)
		return jv_copy(content);
	if (jv_get_kind(content) == JV_KIND_ARRAY) {
		jv_array_foreach(content, i, part) {
			jv t = jget(part, "text");
			jv_free(part);
			if (jv_get_kind(t) == JV_KIND_STRING)
				return t;
			jv_free(t);
		}
	}
	return jv_string("");
}

/* The last user text of a request body: OpenAI and Anthropic messages,
 * Gemini contents. */
static jv last_text(jv body)
{
	jv list = jget(body, "messages");
	int gemini = jv_get_kind(list) != JV_KIND_ARRAY;
	if (gemini) {
		jv_free(list);
		list = jget(body, "contents");
	}
	int n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;
	jv last = n ? jv_array_get(jv_copy(list), n - 1) : jv_invalid();
	jv content = jget(last, gemini ? "parts" : "content");
	jv t = text_of(content);
	jv_free(content);
	jv_free(last);
	jv_free(list);
	return t;
}

/* The reply to one request: "echo: " and up to 64 bytes of its last text. */
static jv answer(jv body, long *in, long *out)
{
	jv t = last_text(body);
	int n = jv_string_length_bytes(jv_copy(t));
	const char *s = jv_string_value(t);
	int k = n < 64 ? n : 64;
	while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	jv r = jv_string_fmt("echo: %.*s", k, s);
	*in = (long)(text_bytes(body) / 4) ? (long)(text_bytes(body) / 4) : 1;
	*out = jv_string_length_bytes(jv_copy(r)) / 4 ? jv_string_length_bytes(jv_copy(r)) / 4 : 1;
	jv_free(t);
	return r;
}

/* ---------- a job's life ---------- */

/* The index of the phase a job is in after polls GETs; 3: it has ended. */
static long phase(long polls)
{
	long p = batch_cfg.polls;
	return p <= 0 ? 3 : polls / p >= 3 ? 3 : polls / p;
}

/* How request i of n fares: 'd' done, 'f' failed, 'x' never run. */
static int fate(jv st, long i, long n)
{
	jv cancel = jget(st, "cancel_phase"), end = jget(st, "end");
	const char *e = jv_get_kind(end) == JV_KIND_STRING ? jv_string_value(end) : "completed";
	int r;
	if (!strcmp(e, "failed"))
		r = 'x';
	else if (!strcmp(e, "expired") || !strcmp(e, "cancelled"))
		r = !strcmp(e, "cancelled") && jv_get_kind(cancel) == JV_KIND_NUMBER && jv_number_value(cancel) < 1 ? 'x'
			: i < n / 2 ? 'd' : 'x';
	else
		r = 'd';
	if (r == 'd' && batch_cfg.fail_every > 0 && (i + 1) % batch_cfg.fail_every == 0)
		r = 'f';
	jv_free(cancel);
	jv_free(end);
	return r;
}

static const char *wire_of(jv st)
{
	jv w = jget(st, "wire");
	static char name[16];
	snprintf(name, sizeof name, "%s", jv_get_kind(w) == JV_KIND_STRING ? jv_string_value(w) : "");
	jv_free(w);
	return name;
}

/* The requests of a job, one JSON line each, from its input file. */
static FILE *requests(jv st)
{
	char path[4200], name[128];
	jv id = jget(st, "id");
	snprintf(name, sizeof name, "b-%s.in", jv_string_value(id));
	jv_free(id);
	path_of(path, sizeof path, name);
	return fopen(path, "re");
}

static long long now_s(const struct ctx *c)
{
	return c->created;
}

/* OpenAI: every line of the input file must be a chat completion request
 * for one model, without stream, with a custom_id of its own. */
static const char *oa_check(jv st, long *n)
{
	FILE *f = requests(st);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	static char why[256];
	const char *bad = NULL;
	jv model = jv_null(), seen = jv_object();
	*n = 0;
	while (f && !bad && (len = getline(&line, &cap, f)) > 0) {
		if (len == 1)
			continue;
		jv l = jv_parse_sized(line, (int)len), body = jget(l, "body"), url = jget(l, "url"), cid = jget(l, "custom_id");
		jv m = jget(body, "model"), stream = jget(body, "stream");
		(*n)++;
		if (jv_get_kind(l) != JV_KIND_OBJECT || jv_get_kind(cid) != JV_KIND_STRING)
			bad = "invalid_json_line";
		else if (jv_get_kind(url) != JV_KIND_STRING || strcmp(jv_string_value(url), "/v1/chat/completions"))
			bad = "invalid_url";
		else if (jv_get_kind(stream) == JV_KIND_TRUE)
			bad = "stream_not_supported";
		else if (jv_get_kind(m) != JV_KIND_STRING)
			bad = "missing_model";
		else if (jv_get_kind(model) == JV_KIND_STRING && strcmp(jv_string_value(model), jv_string_value(m)))
			bad = "mismatched_model";
		else {
			jv had = jv_object_get(jv_copy(seen), jv_copy(cid));
			if (jv_is_valid(had))
				bad = "duplicate_custom_id";
			jv_free(had);
			seen = jv_object_set(seen, jv_copy(cid), jv_true());
			jv_free(model);
			model = jv_copy(m);
		}
		if (bad)
			snprintf(why, sizeof why, "%s", bad);
		jv_free(m);
		jv_free(stream);
		jv_free(cid);
		jv_free(url);
		jv_free(body);
		jv_free(l);
	}
	free(line);
	if (f)
		fclose(f);
	jv_free(model);
	jv_free(seen);
	return bad ? why : NULL;
}

static jv oa_completion(jv body, const char *reqid)
{
	long in, out;
	jv text = answer(body, &in, &out), model = jget(body, "model");
	jv m = JV_OBJECT(S("role"), S("assistant"), S("content"), text, S("refusal"), jv_null(), S("annotations"), jv_array());
	jv ch = JV_OBJECT(S("index"), jv_number(0), S("message"), m, S("logprobs"), jv_null(), S("finish_reason"), S("stop"));
	jv usage = JV_OBJECT(S("prompt_tokens"), jv_number(in), S("completion_tokens"), jv_number(out),
			     S("total_tokens"), jv_number(in + out),
			     S("prompt_tokens_details"), JV_OBJECT(S("cached_tokens"), jv_number(0), S("audio_tokens"), jv_number(0)),
			     S("completion_tokens_details"), JV_OBJECT(S("reasoning_tokens"), jv_number(0),
					S("audio_tokens"), jv_number(0), S("accepted_prediction_tokens"), jv_number(0),
					S("rejected_prediction_tokens"), jv_number(0)));
	jv o = JV_OBJECT(S("id"), jv_string_fmt("chatcmpl-%s", reqid), S("object"), S("chat.completion"),
			 S("created"), jv_number(1764000000), S("model"), model, S("choices"), JV_ARRAY(ch),
			 S("usage"), usage, S("service_tier"), S("default"), S("system_fingerprint"), S("fp_fakeprov"));
	return o;
}

/* The results of an ended job, written once, in no particular order (last
 * request first). */
static void make_results(jv *st, const struct ctx *c)
{
	const char *w = wire_of(*st);
	jv idv = jget(*st, "id");
	char id[128], name[160], oid[64], eid[64];
	snprintf(id, sizeof id, "%s", jv_string_value(idv));
	jv_free(idv);
	long n = (long)num(*st, "n"), done = 0, failed = 0, skipped = 0;
	/* gather the lines, then write them backwards */
	jv outs = jv_array(), errs = jv_array();
	FILE *f = requests(*st);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long i = 0;
	while (f && (len = getline(&line, &cap, f)) > 0) {
		if (len == 1)
			continue;
		jv l = jv_parse_sized(line, (int)len);
		int k = fate(*st, i, n);
		char reqid[64];
		snprintf(reqid, sizeof reqid, "fake%s%06ld", id + strcspn(id, "_") + (id[strcspn(id, "_")] ? 1 : 0), i);
		if (!strcmp(w, "openai")) {
			jv cid = jget(l, "custom_id"), body = jget(l, "body");
			jv o = JV_OBJECT(S("id"), jv_string_fmt("batch_req_%06ld", i), S("custom_id"), cid);
			if (k == 'd') {
				o = jv_object_set(o, S("response"), JV_OBJECT(S("status_code"), jv_number(200),
					S("request_id"), jv_string_fmt("req_%s", reqid), S("body"), oa_completion(body, reqid)));
				outs = jv_array_append(outs, jv_object_set(o, S("error"), jv_null()));
			} else if (k == 'f') {
				jv e = JV_OBJECT(S("error"), JV_OBJECT(S("message"),
					S("The server had an error while processing your request. Sorry about that!"),
					S("type"), S("server_error"), S("param"), jv_null(), S("code"), jv_null()));
				o = jv_object_set(o, S("response"), JV_OBJECT(S("status_code"), jv_number(500),
					S("request_id"), jv_string_fmt("req_%s", reqid), S("body"), e));
				errs = jv_array_append(errs, jv_object_set(o, S("error"), jv_null()));
			} else {
				char e[32];
				int exp = !strcmp(str(*st, "end", e, sizeof e), "expired");
				o = jv_object_set(o, S("response"), jv_null());
				errs = jv_array_append(errs, jv_object_set(o, S("error"), JV_OBJECT(S("code"),
					S(exp ? "batch_expired" : "batch_cancelled"), S("message"),
					S(exp ? "This request could not be executed before the completion window expired."
					      : "This request was not executed because the batch was cancelled."))));
			}
			jv_free(body);
		} else if (!strcmp(w, "anthropic")) {
			jv cid = jget(l, "custom_id"), params = jget(l, "params"), r;
			if (k == 'd') {
				long in, out;
				jv text = answer(params, &in, &out);
				jv msg = JV_OBJECT(S("id"), jv_string_fmt("msg_%s", reqid), S("type"), S("message"),
					S("role"), S("assistant"), S("model"), jget(params, "model"),
					S("content"), JV_ARRAY(JV_OBJECT(S("type"), S("text"), S("text"), text)),
					S("stop_reason"), S("end_turn"), S("stop_sequence"), jv_null(),
					S("usage"), JV_OBJECT(S("input_tokens"), jv_number(in),
						S("cache_creation_input_tokens"), jv_number(0),
						S("cache_read_input_tokens"), jv_number(0), S("output_tokens"), jv_number(out)));
				r = JV_OBJECT(S("type"), S("succeeded"), S("message"), msg);
			} else if (k == 'f') {
				r = JV_OBJECT(S("type"), S("errored"), S("error"), JV_OBJECT(S("type"), S("error"),
					S("error"), JV_OBJECT(S("type"), S("api_error"), S("message"), S("Internal server error"))));
			} else {
				char e[32];
				r = JV_OBJECT(S("type"), S(!strcmp(str(*st, "end", e, sizeof e), "expired") ? "expired" : "canceled"));
			}
			outs = jv_array_append(outs, JV_OBJECT(S("custom_id"), cid, S("result"), r));
			jv_free(params);
		} else {
			jv key = jget(l, "key"), req = jget(l, "request");
			if (k == 'd') {
				long in, out;
				jv text = answer(req, &in, &out);
				jv cand = JV_OBJECT(S("content"), JV_OBJECT(S("parts"), JV_ARRAY(JV_OBJECT(S("text"), text)),
					S("role"), S("model")), S("finishReason"), S("STOP"), S("index"), jv_number(0));
				jv resp = JV_OBJECT(S("candidates"), JV_ARRAY(cand), S("usageMetadata"),
					JV_OBJECT(S("promptTokenCount"), jv_number(in), S("candidatesTokenCount"), jv_number(out),
						  S("totalTokenCount"), jv_number(in + out)),
					S("modelVersion"), jget(*st, "model"), S("responseId"), S(reqid));
				outs = jv_array_append(outs, JV_OBJECT(S("key"), key, S("response"), resp));
			} else if (k == 'f') {
				outs = jv_array_append(outs, JV_OBJECT(S("key"), key, S("error"), JV_OBJECT(S("code"),
					jv_number(500), S("message"), S("Internal error encountered."), S("status"), S("INTERNAL"))));
			} else {
				jv_free(key);
			}
			jv_free(req);
		}
		done += k == 'd';
		failed += k == 'f';
		skipped += k == 'x';
		jv_free(l);
		i++;
	}
	free(line);
	if (f)
		fclose(f);
	/* Gemini keeps no results of a job that did not succeed */
	char e[32];
	int gm_keep = strcmp(w, "gemini") || !strcmp(str(*st, "end", e, sizeof e), "completed");
	for (int pass = 0; pass < 2; pass++) {
		jv list = pass ? errs : outs;
		int m = jv_array_length(jv_copy(list));
		if (!m || (!strcmp(w, "gemini") && !gm_keep)) {
			jv_free(list);
			continue;
		}
		struct buf b = BUF_INIT(GEN_MAX);
		for (int j = m - 1; j >= 0; j--) {
			add_json(&b, jv_array_get(jv_copy(list), j), 0);
			buf_addc(&b, '\n');
		}
		jv_free(list);
		if (!strcmp(w, "openai")) {
			char *fid = pass ? eid : oid;
			new_id(fid, 64, "file-");
			snprintf(name, sizeof name, "of-%s.data", fid);
			write_file(name, b.p, b.len);
			*st = jv_object_set(*st, S(pass ? "error_file_id" : "output_file_id"), S(fid));
		} else if (!strcmp(w, "anthropic")) {
			snprintf(name, sizeof name, "b-%s.results", id);
			write_file(name, b.p, b.len);
		} else {
			snprintf(name, sizeof name, "gf-batch-%s.data", id);
			write_file(name, b.p, b.len);
			*st = jv_object_set(*st, S("responses_file"), jv_string_fmt("files/batch-%s", id));
		}
		buf_free(&b);
	}
	*st = jv_object_set(*st, S("done"), jv_number(done));
	*st = jv_object_set(*st, S("failed"), jv_number(failed));
	*st = jv_object_set(*st, S("skipped"), jv_number(skipped));
	*st = jv_object_set(*st, S("ended_at"), jv_number((double)now_s(c)));
}

/* Move a job on by one poll (or a cancel) and decide its end. */
static void advance(jv *st, const struct ctx *c, int poll)
{
	jv endv = jget(*st, "end");
	int ended = jv_get_kind(endv) == JV_KIND_STRING;
	jv_free(endv);
	if (ended)
		return;
	long polls = (long)num(*st, "polls") + poll;
	*st = jv_object_set(*st, S("polls"), jv_number(polls));
	jv cp = jget(*st, "cancel_phase");
	int cancelling = jv_get_kind(cp) == JV_KIND_NUMBER;
	jv_free(cp);
	const char *w = wire_of(*st);
	const char *end = NULL;
	if (!strcmp(w, "openai") && polls >= 1) {
		long n = 0;
		const char *why = oa_check(*st, &n);
		if (why) {
			*st = jv_object_set(*st, S("why"), S(why));
			end = "failed";
		}
	}
	if (!end && batch_cfg.fail && strcmp(w, "anthropic") && polls >= 1)
		end = "failed";
	if (!end && cancelling && poll)
		end = "cancelled";
	if (!end && phase(polls) >= 3)
		end = batch_cfg.expire ? "expired" : batch_cfg.fail ? "failed" : "completed";
	if (end) {
		*st = jv_object_set(*st, S("end"), S(end));
		make_results(st, c);
	}
}

/* ---------- the three APIs' objects ---------- */

static void ts(char *out, size_t cap, long long t)
{
	rfc3339(out, cap, t);
}

static jv oa_batch(jv st)
{
	jv end = jget(st, "end"), cp = jget(st, "cancel_phase");
	long polls = (long)num(st, "polls");
	long n = (long)num(st, "n");
	const char *status = jv_get_kind(end) == JV_KIND_STRING ? jv_string_value(end)
		: jv_get_kind(cp) == JV_KIND_NUMBER ? "cancelling"
		: phase(polls) == 0 ? "validating" : phase(polls) == 1 ? "in_progress" : "finalizing";
	jv o = JV_OBJECT(S("id"), jget(st, "id"), S("object"), S("batch"), S("endpoint"), S("/v1/chat/completions"));
	jv why = jget(st, "why");
	if (!strcmp(status, "failed"))
		o = jv_object_set(o, S("errors"), JV_OBJECT(S("object"), S("list"), S("data"), JV_ARRAY(JV_OBJECT(
			S("code"), jv_get_kind(why) == JV_KIND_STRING ? jv_copy(why) : S("invalid_request"),
			S("message"), S("The batch input file is not valid."), S("param"), jv_null(), S("line"), jv_null()))));
	else
		o = jv_object_set(o, S("errors"), jv_null());
	jv_free(why);
	o = jv_object_set(o, S("input_file_id"), jget(st, "input_file_id"));
	o = jv_object_set(o, S("completion_window"), S("24h"));
	o = jv_object_set(o, S("status"), S(status));
	jv ofid = jget(st, "output_file_id"), efid = jget(st, "error_file_id");
	o = jv_object_set(o, S("output_file_id"), jv_get_kind(ofid) == JV_KIND_STRING ? ofid : (jv_free(ofid), jv_null()));
	o = jv_object_set(o, S("error_file_id"), jv_get_kind(efid) == JV_KIND_STRING ? efid : (jv_free(efid), jv_null()));
	double created = num(st, "created");
	o = jv_object_set(o, S("created_at"), jv_number(created));
	o = jv_object_set(o, S("expires_at"), jv_number(created + 86400));
	int ended = jv_get_kind(end) == JV_KIND_STRING;
	long done = ended ? (long)num(st, "done") : 0, failed = ended ? (long)num(st, "failed") : 0;
	o = jv_object_set(o, S("request_counts"), JV_OBJECT(S("total"), jv_number(n), S("completed"), jv_number(done),
							   S("failed"), jv_number(failed)));
	o = jv_object_set(o, S("metadata"), jget(st, "metadata"));
	jv_free(end);
	jv_free(cp);
	return o;
}

static jv an_batch(jv st, const struct ctx *c, jv headers)
{
	jv end = jget(st, "end"), cp = jget(st, "cancel_phase"), id = jget(st, "id");
	int ended = jv_get_kind(end) == JV_KIND_STRING;
	long n = (long)num(st, "n");
	char t[64], e[64];
	double created = num(st, "created");
	ts(t, sizeof t, (long long)created);
	ts(e, sizeof e, (long long)created + 86400);
	const char *ps = ended ? "ended" : jv_get_kind(cp) == JV_KIND_NUMBER ? "canceling" : "in_progress";
	long done = ended ? (long)num(st, "done") : 0, failed = ended ? (long)num(st, "failed") : 0,
	     skipped = ended ? (long)num(st, "skipped") : 0;
	int expired = ended && !strcmp(jv_string_value(end), "expired");
	jv counts = JV_OBJECT(S("processing"), jv_number(ended ? 0 : n), S("succeeded"), jv_number(done),
			      S("errored"), jv_number(failed), S("canceled"), jv_number(expired ? 0 : skipped),
			      S("expired"), jv_number(expired ? skipped : 0));
	jv o = JV_OBJECT(S("id"), jv_copy(id), S("type"), S("message_batch"), S("processing_status"), S(ps),
			 S("request_counts"), counts);
	char et[64];
	ts(et, sizeof et, ended ? (long long)num(st, "ended_at") : 0);
	o = jv_object_set(o, S("ended_at"), ended ? S(et) : jv_null());
	o = jv_object_set(o, S("created_at"), S(t));
	o = jv_object_set(o, S("expires_at"), S(e));
	o = jv_object_set(o, S("archived_at"), jv_null());
	o = jv_object_set(o, S("cancel_initiated_at"), jv_get_kind(cp) == JV_KIND_NUMBER ? S(t) : jv_null());
	if (ended) {
		const char *host = header_get(headers, "host");
		char *route = strndup(c->path, strcspn(c->path, "?"));
		const char *mb = strstr(route, "/messages/batches");
		o = jv_object_set(o, S("results_url"), jv_string_fmt("http://%s%.*s/messages/batches/%s/results",
			host ? host : "127.0.0.1", (int)(mb - route), route, jv_string_value(id)));
		free(route);
	} else {
		o = jv_object_set(o, S("results_url"), jv_null());
	}
	jv_free(end);
	jv_free(cp);
	jv_free(id);
	return o;
}

/* A job's operation. A test may edit the job's file to make it say what
 * the service could: "gm_state" replaces the state, "gm_undone" leaves out
 * done (and the responses) of an ended job, "gm_no_file" leaves out the
 * responses file of a done one. */
static jv gm_op(jv st)
{
	jv end = jget(st, "end"), cp = jget(st, "cancel_phase"), id = jget(st, "id");
	char forced[64];
	int ended = jv_get_kind(end) == JV_KIND_STRING;
	long polls = (long)num(st, "polls"), n = (long)num(st, "n");
	const char *e = ended ? jv_string_value(end) : "";
	const char *state = !strcmp(e, "completed") ? "BATCH_STATE_SUCCEEDED" : !strcmp(e, "failed") ? "BATCH_STATE_FAILED"
		: !strcmp(e, "expired") ? "BATCH_STATE_EXPIRED" : !strcmp(e, "cancelled") ? "BATCH_STATE_CANCELLED"
		: phase(polls) == 0 ? "BATCH_STATE_PENDING" : "BATCH_STATE_RUNNING";
	if (*str(st, "gm_state", forced, sizeof forced))
		state = forced;
	int undone = flag(st, "gm_undone"), no_file = flag(st, "gm_no_file");
	char t[64], et[64];
	ts(t, sizeof t, (long long)num(st, "created"));
	ts(et, sizeof et, (long long)num(st, "ended_at"));
	long done = ended ? (long)num(st, "done") : 0, failed = ended ? (long)num(st, "failed") : 0;
	jv stats = JV_OBJECT(S("requestCount"), jv_string_fmt("%ld", n),
			     S("pendingRequestCount"), jv_string_fmt("%ld", ended ? 0 : n));
	if (done)
		stats = jv_object_set(stats, S("successfulRequestCount"), jv_string_fmt("%ld", done));
	if (failed)
		stats = jv_object_set(stats, S("failedRequestCount"), jv_string_fmt("%ld", failed));
	jv name = jv_string_fmt("batches/%s", jv_string_value(id));
	char mbuf[128];
	jv md = JV_OBJECT(S("@type"), S("type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"),
			  S("model"), jv_string_fmt("models/%s", str(st, "model", mbuf, sizeof mbuf)),
			  S("displayName"), jget(st, "display_name"), S("createTime"), S(t), S("updateTime"), S(t),
			  S("batchStats"), stats, S("state"), S(state), S("name"), jv_copy(name));
	jv rf = undone || no_file ? jv_null() : jget(st, "responses_file");
	if (ended && !undone)
		md = jv_object_set(md, S("endTime"), S(et));
	if (jv_get_kind(rf) == JV_KIND_STRING)
		md = jv_object_set(md, S("output"), JV_OBJECT(S("responsesFile"), jv_copy(rf)));
	jv o = JV_OBJECT(S("name"), name, S("metadata"), md);
	if (ended && !undone)
		o = jv_object_set(o, S("done"), jv_true());
	if (jv_get_kind(rf) == JV_KIND_STRING)
		o = jv_object_set(o, S("response"), JV_OBJECT(S("@type"),
			S("type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"),
			S("responsesFile"), jv_copy(rf)));
	else if (!strcmp(e, "failed") && !undone)
		o = jv_object_set(o, S("error"), JV_OBJECT(S("code"), jv_number(3), S("message"),
			S("The batch could not be processed."), S("details"), jv_array()));
	jv_free(rf);
	jv_free(end);
	jv_free(cp);
	jv_free(id);
	return o;
}

/* ---------- requests ---------- */

static const char *find(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	for (; p && p + n <= end; p++)
		if (!memcmp(p, s, n))
			return p;
	return NULL;
}

/* POST .../files: a multipart form with purpose=batch and the file. */
static void oa_upload(int fd, const struct ctx *c, jv headers, const struct buf *body)
{
	const char *ct = header_get(headers, "content-type"), *b;
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) || !(b = strstr(ct, "boundary="))) {
		oa_err(fd, c, 400, "The request must be multipart/form-data.");
		return;
	}
	char delim[256];
	snprintf(delim, sizeof delim, "\r\n--%.*s", (int)strcspn(b + 9, "; "), b + 9);
	const char *p = buf_str(body), *end = p + body->len, *purpose = NULL, *data = NULL, *dend = NULL;
	size_t plen = 0;
	char filename[256] = "upload.jsonl";
	p = find(p, end, delim + 2);
	while (p && (p = find(p, end, "\r\n")) && p + 2 < end) {
		const char *hs = p + 2, *he = find(hs, end, "\r\n\r\n");
		if (!he)
			break;
		const char *next = find(he + 4, end, delim);
		if (!next)
			break;
		const char *disp = find(hs, he, "name=\"");
		if (disp && !strncmp(disp, "name=\"purpose\"", 14)) {
			purpose = he + 4;
			plen = (size_t)(next - purpose);
		} else if (disp && !strncmp(disp, "name=\"file\"", 11)) {
			const char *fn = find(hs, he, "filename=\"");
			if (fn)
				snprintf(filename, sizeof filename, "%.*s", (int)strcspn(fn + 10, "\""), fn + 10);
			data = he + 4;
			dend = next;
		}
		p = next + 2;
	}
	if (!purpose || plen != 5 || strncmp(purpose, "batch", 5) || !data) {
		oa_err(fd, c, 400, "'purpose' must be 'batch' and 'file' must be given.");
		return;
	}
	char id[64], name[128];
	new_id(id, sizeof id, "file-");
	snprintf(name, sizeof name, "of-%s.data", id);
	if (write_file(name, data, (size_t)(dend - data)) < 0)
		_exit(1);
	jv f = JV_OBJECT(S("object"), S("file"), S("id"), S(id), S("purpose"), S("batch"), S("filename"), S(filename),
			 S("bytes"), jv_number((double)(dend - data)), S("created_at"), jv_number((double)now_s(c)),
			 S("expires_at"), jv_null(), S("status"), S("processed"), S("status_details"), jv_null());
	reply_json(fd, c, 200, f);
}

static void oa_content(int fd, const struct ctx *c, const char *route)
{
	char id[128], name[160], path[4200];
	if (!after(route, "/files/", id, sizeof id) || !safe(id)) {
		oa_err(fd, c, 404, "No such File object.");
		return;
	}
	snprintf(name, sizeof name, "of-%s.data", id);
	path_of(path, sizeof path, name);
	struct buf b = BUF_INIT(GEN_MAX);
	char tmp[65536];
	ssize_t n;
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0) {
		oa_err(fd, c, 404, "No such File object.");
		return;
	}
	while ((n = read(f, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(f);
	send_reply(fd, c, 200, "application/octet-stream", 0, NULL, buf_str(&b), b.len);
	buf_free(&b);
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	long n = 0;
	int ch, last = '\n';
	while (f && (ch = getc(f)) != EOF) {
		if (ch == '\n' && last != '\n')
			n++;
		last = ch;
	}
	if (last != '\n')
		n++;
	if (f)
		fclose(f);
	return n;
}

static void oa_create(int fd, const struct ctx *c)
{
	jv fid = jget(c->req, "input_file_id"), ep = jget(c->req, "endpoint"), win = jget(c->req, "completion_window");
	char src[4200], dst[4200], name[160], id[64];
	if (jv_get_kind(fid) != JV_KIND_STRING || !safe(jv_string_value(fid)) ||
	    jv_get_kind(ep) != JV_KIND_STRING || strcmp(jv_string_value(ep), "/v1/chat/completions") ||
	    jv_get_kind(win) != JV_KIND_STRING || strcmp(jv_string_value(win), "24h")) {
		oa_err(fd, c, 400, "input_file_id, endpoint /v1/chat/completions and completion_window 24h are required.");
		goto out;
	}
	snprintf(name, sizeof name, "of-%s.data", jv_string_value(fid));
	path_of(src, sizeof src, name);
	new_id(id, sizeof id, "batch_");
	snprintf(name, sizeof name, "b-%s.in", id);
	path_of(dst, sizeof dst, name);
	if (link(src, dst) < 0) {
		oa_err(fd, c, 400, "No such File object.");
		goto out;
	}
	jv md = jget(c->req, "metadata");
	jv st = JV_OBJECT(S("wire"), S("openai"), S("id"), S(id), S("input_file_id"), jv_copy(fid),
			  S("n"), jv_number((double)count_lines(dst)), S("polls"), jv_number(0),
			  S("created"), jv_number((double)now_s(c)), S("metadata"),
			  jv_get_kind(md) == JV_KIND_OBJECT ? md : (jv_free(md), jv_null()));
	snprintf(name, sizeof name, "b-%s.json", id);
	save(name, jv_copy(st));
	reply_json(fd, c, 200, oa_batch(st));
	jv_free(st);
out:
	jv_free(fid);
	jv_free(ep);
	jv_free(win);
}

/* POST .../messages/batches: the requests, checked as the service does. */
static void an_create(int fd, const struct ctx *c)
{
	jv reqs = jget(c->req, "requests");
	if (jv_get_kind(reqs) != JV_KIND_ARRAY || !jv_array_length(jv_copy(reqs))) {
		jv_free(reqs);
		an_err(fd, c, 400, "requests: Field required");
		return;
	}
	jv seen = jv_object();
	const char *bad = NULL;
	char why[300] = "";
	struct buf in = BUF_INIT(GEN_MAX);
	jv model = jv_null();
	jv_array_foreach(reqs, i, r) {
		jv cid = jget(r, "custom_id"), params = jget(r, "params");
		jv stream = jget(params, "stream"), m = jget(params, "model"), mt = jget(params, "max_tokens");
		const char *s = jv_get_kind(cid) == JV_KIND_STRING ? jv_string_value(cid) : "";
		jv had = jv_get_kind(cid) == JV_KIND_STRING ? jv_object_get(jv_copy(seen), jv_copy(cid)) : jv_invalid();
		if (!bad && (!*s || strlen(s) > 64 || s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")]))
			bad = "custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'";
		else if (!bad && jv_is_valid(had))
			bad = "custom_id must be unique within a batch";
		else if (!bad && jv_get_kind(stream) == JV_KIND_TRUE)
			bad = "params.stream: streaming is not supported in a message batch";
		else if (!bad && (jv_get_kind(m) != JV_KIND_STRING || jv_get_kind(mt) != JV_KIND_NUMBER))
			bad = "params: model and max_tokens are required";
		if (bad && !why[0])
			snprintf(why, sizeof why, "requests.%d.%s", i, bad);
		if (jv_get_kind(cid) == JV_KIND_STRING)
			seen = jv_object_set(seen, jv_copy(cid), jv_true());
		if (jv_get_kind(model) == JV_KIND_NULL && jv_get_kind(m) == JV_KIND_STRING) {
			jv_free(model);
			model = jv_copy(m);
		}
		add_json(&in, r, 0);
		buf_addc(&in, '\n');
		jv_free(had);
		jv_free(mt);
		jv_free(m);
		jv_free(stream);
		jv_free(params);
		jv_free(cid);
	}
	jv_free(seen);
	if (bad) {
		an_err(fd, c, 400, why);
		goto out;
	}
	char id[64], name[160];
	new_id(id, sizeof id, "msgbatch_");
	snprintf(name, sizeof name, "b-%s.in", id);
	write_file(name, in.p, in.len);
	jv st = JV_OBJECT(S("wire"), S("anthropic"), S("id"), S(id), S("n"), jv_number(jv_array_length(jv_copy(reqs))),
			  S("polls"), jv_number(0), S("created"), jv_number((double)now_s(c)), S("model"), jv_copy(model));
	snprintf(name, sizeof name, "b-%s.json", id);
	save(name, jv_copy(st));
	reply_json(fd, c, 200, an_batch(st, c, jv_null()));
	jv_free(st);
out:
	jv_free(model);
	jv_free(reqs);
	buf_free(&in);
}

/* POST .../models/M:batchGenerateContent: the input is a Files API file. */
static void gm_create(int fd, const struct ctx *c, const char *route)
{
	jv batch = jget(c->req, "batch"), ic = jget(batch, "input_config"), fname = jget(ic, "file_name");
	jv dn = jget(batch, "display_name");
	char model[128] = "", fid[128] = "", src[4200] = "", name[160], id[64];
	const char *m = strstr(route, "/models/");
	if (m)
		snprintf(model, sizeof model, "%.*s", (int)(strcspn(m + 8, ":")), m + 8);
	if (jv_get_kind(fname) == JV_KIND_STRING && !strncmp(jv_string_value(fname), "files/", 6))
		snprintf(fid, sizeof fid, "%s", jv_string_value(fname) + 6);
	/* the upload session whose file this is holds its bytes */
	DIR *dir = fid[0] && safe(fid) && files_cfg.dir ? opendir(files_cfg.dir) : NULL;
	struct dirent *de;
	while (dir && !src[0] && (de = readdir(dir))) {
		if (!ends_with(de->d_name, ".json") || !strncmp(de->d_name, "file-", 5))
			continue;
		char p[4200], f[128];
		snprintf(p, sizeof p, "%s/%s", files_cfg.dir, de->d_name);
		struct buf b = BUF_INIT(1 << 20);
		char tmp[4096];
		ssize_t n;
		int sfd = open(p, O_RDONLY | O_CLOEXEC);
		while (sfd >= 0 && (n = read(sfd, tmp, sizeof tmp)) > 0)
			buf_add(&b, tmp, (size_t)n);
		if (sfd >= 0)
			close(sfd);
		jv sess = jv_parse_sized(buf_str(&b), (int)b.len);
		if (!strcmp(str(sess, "file", f, sizeof f), fid))
			snprintf(src, sizeof src, "%s", p);
		jv_free(sess);
		buf_free(&b);
	}
	if (dir)
		closedir(dir);
	if (!model[0] || !src[0] || !ends_with(src, ".json")) {
		gm_err(fd, c, 400, "input_config.file_name must name an uploaded file.");
		goto out;
	}
	snprintf(src + strlen(src) - 5, 6, ".bin");
	new_id(id, sizeof id, "");
	char dst[4200];
	snprintf(name, sizeof name, "b-%s.in", id);
	path_of(dst, sizeof dst, name);
	if (link(src, dst) < 0) {
		gm_err(fd, c, 400, "The input file cannot be read.");
		goto out;
	}
	/* every line needs a key and a request */
	FILE *f = fopen(dst, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int bad = 0;
	while (f && !bad && (len = getline(&line, &cap, f)) > 0) {
		if (len == 1)
			continue;
		jv l = jv_parse_sized(line, (int)len), k = jget(l, "key"), r = jget(l, "request");
		bad = jv_get_kind(k) != JV_KIND_STRING || jv_get_kind(r) != JV_KIND_OBJECT;
		jv_free(k);
		jv_free(r);
		jv_free(l);
	}
	free(line);
	if (f)
		fclose(f);
	if (bad) {
		unlink(dst);
		gm_err(fd, c, 400, "Each line of the input file must have a key and a request.");
		goto out;
	}
	jv st = JV_OBJECT(S("wire"), S("gemini"), S("id"), S(id), S("n"), jv_number((double)count_lines(dst)),
			  S("polls"), jv_number(0), S("created"), jv_number((double)now_s(c)), S("model"), S(model),
			  S("display_name"), jv_get_kind(dn) == JV_KIND_STRING ? jv_copy(dn) : S(""));
	snprintf(name, sizeof name, "b-%s.json", id);
	save(name, jv_copy(st));
	reply_json(fd, c, 200, gm_op(st));
	jv_free(st);
out:
	jv_free(dn);
	jv_free(fname);
	jv_free(ic);
	jv_free(batch);
}

static void send_file(int fd, const struct ctx *c, const char *name, const char *type)
{
	char path[4200];
	path_of(path, sizeof path, name);
	struct buf b = BUF_INIT(GEN_MAX);
	char tmp[65536];
	ssize_t n;
	int f = open(path, O_RDONLY | O_CLOEXEC);
	while (f >= 0 && (n = read(f, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	if (f >= 0)
		close(f);
	send_reply(fd, c, 200, type, 0, NULL, buf_str(&b), b.len);
	buf_free(&b);
}

/* Does a request carry a body, or say it does? The SDKs send a cancel
 * with neither (Content-Length: 0 is nothing). */
static int carries_body(jv headers, const struct buf *body)
{
	const char *cl = header_get(headers, "content-length");
	return body->len || header_get(headers, "content-type") || header_get(headers, "transfer-encoding") ||
	       (cl && strtol(cl, NULL, 10) != 0);
}

void batch_serve(int fd, struct ctx *c, jv headers, const struct buf *body)
{
	char *route = strndup(c->path, strcspn(c->path, "?"));
	char lockpath[4200], id[128] = "", name[200];
	int kind = batch_match(c->method, route), post = !strcmp(c->method, "POST");
	path_of(lockpath, sizeof lockpath, ".lock");
	int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		_exit(1);
	jv req = jv_parse_sized(buf_str(body), (int)body->len);
	c->req = jv_get_kind(req) == JV_KIND_OBJECT ? req : (jv_free(req), jv_null());
	int is_anthropic = kind == B_ANTHROPIC;
	int has_id = after(route, is_anthropic ? "/messages/batches/" : "/batches/", id, sizeof id);
	if (kind == B_GEMINI && !strncmp(route, "/download/", 10)) {
		char fid[128];
		if (after(route, "/files/", fid, sizeof fid) && safe(fid)) {
			snprintf(name, sizeof name, "gf-%s.data", fid);
			char path[4200];
			path_of(path, sizeof path, name);
			if (access(path, R_OK) == 0)
				send_file(fd, c, name, "application/octet-stream");
			else
				gm_err(fd, c, 404, "Requested entity was not found.");
		} else {
			gm_err(fd, c, 404, "Requested entity was not found.");
		}
	} else if (kind == B_OPENAI && post && ends_with(route, "/files")) {
		oa_upload(fd, c, headers, body);
	} else if (kind == B_OPENAI && ends_with(route, "/content")) {
		oa_content(fd, c, route);
	} else if (kind == B_OPENAI && post && ends_with(route, "/batches")) {
		oa_create(fd, c);
	} else if (kind == B_ANTHROPIC && post && ends_with(route, "/messages/batches")) {
		an_create(fd, c);
	} else if (kind == B_GEMINI && post && ends_with(route, ":batchGenerateContent")) {
		gm_create(fd, c, route);
	} else if (has_id && safe(id)) {
		snprintf(name, sizeof name, "b-%s.json", id);
		jv st = load(name);
		int cancel = post && (ends_with(route, "/cancel") || ends_with(route, ":cancel"));
		int results = is_anthropic && ends_with(route, "/results");
		if (cancel && carries_body(headers, body)) {
			refuse(fd, c, kind, 400, "A cancel request takes no body and no Content-Type (the fake provider "
			       "holds clients to what the official SDKs send).");
		} else if (!jv_is_valid(st)) {
			refuse(fd, c, kind, 404, is_anthropic ? "Message batch not found." : "No such batch.");
		} else if (results) {
			jv end = jget(st, "end");
			snprintf(name, sizeof name, "b-%s.results", id);
			if (jv_get_kind(end) != JV_KIND_STRING)
				an_err(fd, c, 400, "The message batch has not ended yet.");
			else
				send_file(fd, c, name, "application/binary");
			jv_free(end);
		} else {
			if (cancel) {
				jv endv = jget(st, "end"), cp = jget(st, "cancel_phase");
				if (jv_get_kind(endv) != JV_KIND_STRING && jv_get_kind(cp) != JV_KIND_NUMBER)
					st = jv_object_set(st, S("cancel_phase"),
							   jv_number((double)phase((long)num(st, "polls"))));
				jv_free(endv);
				jv_free(cp);
			} else {
				advance(&st, c, 1);
			}
			snprintf(name, sizeof name, "b-%s.json", id);
			save(name, jv_copy(st));
			const char *w = wire_of(st);
			if (!strcmp(w, "openai"))
				reply_json(fd, c, 200, oa_batch(st));
			else if (!strcmp(w, "anthropic"))
				reply_json(fd, c, 200, an_batch(st, c, headers));
			else if (cancel)
				reply_json(fd, c, 200, jv_object());
			else
				reply_json(fd, c, 200, gm_op(st));
		}
		jv_free(st);
	} else {
		refuse(fd, c, kind, 404, "Not found.");
	}
	free(route);
	close(lock);
}
