/* openai: the OpenAI Chat Completions wire format of the fake provider
 * (POST .../chat/completions), streamed as `data:` events ending in
 * `data: [DONE]` or whole, with OpenAI's headers and error bodies
 * (WIRE-FORMATS.md §1). Its error kinds are the ones --error accepts. */
#include "fakeprov.h"
#include <stdio.h>
#include <string.h>

#define OA_FP "fp_fakeprov"
#define OA_500 "The server had an error while processing your request. Sorry about that!"

static int oa_match(const char *path)
{
	size_t n = strlen(path), k = strlen("/chat/completions");
	return n >= k && !strcmp(path + n - k, "/chat/completions");
}

static void oa_prepare(struct ctx *c)
{
	snprintf(c->id, sizeof c->id, "chatcmpl-fake%ld", c->n);
	jv v = jget(c->req, "stream");
	c->stream = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	jv so = jget(c->req, "stream_options");
	v = jget(so, "include_usage");
	c->usage = c->g->usage < 0 ? jv_get_kind(v) == JV_KIND_TRUE : c->g->usage;
	jv_free(v);
	jv_free(so);
	v = jget(c->req, "model");
	if (c->g->model || jv_get_kind(v) == JV_KIND_STRING) {
		jv_free(c->model);
		c->model = c->g->model ? jv_string(c->g->model) : jv_copy(v);
	}
	jv_free(v);
	size_t bytes = 0;
	jv msgs = jget(c->req, "messages");
	if (jv_get_kind(msgs) == JV_KIND_ARRAY) {
		jv_array_foreach(msgs, i, m) {
			jv content = jget(m, "content");
			bytes += text_bytes(content);
			jv_free(content);
			jv_free(m);
		}
	}
	jv_free(msgs);
	c->prompt_tokens = bytes / 4 ? (long)(bytes / 4) : 1;
	if (c->prompt_tokens < c->g->cached)
		c->prompt_tokens = c->g->cached;    /* cached tokens are part of the prompt */
}

static void oa_headers(struct buf *h, const struct ctx *c, const char *errkind)
{
	const struct group *g = c->g;
	int limited = errkind && !strcmp(errkind, "rate_limit");
	char s[32];
	hdr(h, g, "access-control-expose-headers", "X-Request-ID");
	hdr(h, g, "openai-organization", "user-fakeprov");
	hdr(h, g, "openai-processing-ms", "221");
	hdr(h, g, "openai-version", "2020-10-01");
	hdr(h, g, "x-ratelimit-limit-requests", "30000");
	hdr(h, g, "x-ratelimit-limit-tokens", "150000000");
	hdr(h, g, "x-ratelimit-remaining-requests", "%s", limited ? "0" : "29999");
	hdr(h, g, "x-ratelimit-remaining-tokens", "149999987");
	if (limited)
		hdr(h, g, "x-ratelimit-reset-requests", "%ss", secs(s, g->retry_ms));
	else
		hdr(h, g, "x-ratelimit-reset-requests", "2ms");
	hdr(h, g, "x-ratelimit-reset-tokens", "0s");
	hdr(h, g, "x-request-id", "%s", c->reqid);
	if (limited)
		hdr(h, g, "retry-after", "%s", secs(s, g->retry_ms));
	hdr(h, g, "X-Content-Type-Options", "nosniff");
}

/* Real bodies: WIRE-FORMATS.md §1.3 and recorded replies.  NULL message:
 * built in oa_error from the request. */
static const struct oa_err {
	const char *kind;
	int status;
	const char *type, *code, *param, *message;
} oa_errs[] = {
	{"context_length", 400, "invalid_request_error", "context_length_exceeded", "messages",
	 "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages."},
	{"auth", 401, "invalid_request_error", "invalid_api_key", NULL,
	 "Incorrect API key provided: sk-abc***xyz. You can find your API key at https://platform.openai.com/account/api-keys."},
	{"permission", 403, "invalid_request_error", "unsupported_country_region_territory", NULL,
	 "Country, region, or territory not supported"},
	{"not_found", 404, "invalid_request_error", "model_not_found", NULL, NULL},
	{"rate_limit", 429, "requests", "rate_limit_exceeded", NULL, NULL},
	{"quota", 429, "insufficient_quota", "insufficient_quota", NULL,
	 "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."},
	{"server", 500, "server_error", NULL, NULL, OA_500},
	{"unavailable", 503, "server_error", NULL, NULL, "The server is overloaded or not ready yet."},
	{"overloaded", 503, "server_error", NULL, NULL, "The server is overloaded or not ready yet."},
	{"bad_request", 400, "invalid_request_error", "unsupported_parameter", "max_tokens",
	 "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."},
	/* Raised by fakeprov itself, not by --error: */
	{"bad_json", 400, "invalid_request_error", NULL, NULL,
	 "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"},
	{"bad_url", 404, "invalid_request_error", NULL, NULL, NULL},
	{"bad_http", 400, "invalid_request_error", NULL, NULL, "Malformed HTTP request."},
	{"too_large", 413, "invalid_request_error", NULL, NULL, "Request body too large."},
	{"headers_too_large", 431, "invalid_request_error", NULL, NULL, "Request header fields too large."},
	{"bad_media", 400, "invalid_request_error", "invalid_value", "messages",
	 "Invalid content part: a file part takes file.filename and file.file_data (a data: URL of application/pdf); input_audio takes base64 data and format 'wav' or 'mp3'."},
};
#define OA_USER_KINDS 10    /* the first entries, the ones --error accepts */

static const struct oa_err *oa_find(const char *kind, size_t nkinds)
{
	for (size_t i = 0; i < nkinds; i++)
		if (!strcmp(oa_errs[i].kind, kind))
			return &oa_errs[i];
	return NULL;
}

int error_kind_known(const char *kind) { return oa_find(kind, OA_USER_KINDS) != NULL; }

static int oa_error(struct buf *body, const struct ctx *c, const char *kind)
{
	const struct oa_err *e = oa_find(kind, sizeof oa_errs / sizeof *oa_errs);
	struct buf msg = BUF_INIT(HEAD_MAX);
	char s[32];
	if (!e)
		e = oa_find("server", OA_USER_KINDS);
	if (e->message)
		buf_adds(&msg, e->message);
	else if (!strcmp(kind, "bad_url"))
		buf_addf(&msg, "Invalid URL (%s %s)", c->method, c->path);
	else if (!strcmp(kind, "not_found"))
		buf_addf(&msg, "The model `%s` does not exist or you do not have access to it.",
			 jv_string_value(c->model));
	else
		buf_addf(&msg, "Rate limit reached for %s in organization org-fakeprov on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in %ss. Visit https://platform.openai.com/account/rate-limits to learn more.",
			 jv_string_value(c->model), secs(s, c->g->retry_ms));
	jv err = JV_OBJECT(S("message"), S(buf_str(&msg)), S("type"), S(e->type),
			   S("param"), str_or_null(e->param), S("code"), str_or_null(e->code));
	/* OpenAI pretty-prints error bodies with four spaces and a final newline. */
	add_json(body, JV_OBJECT(S("error"), err), JV_PRINT_INDENT_FLAGS(4));
	buf_adds(body, "\n");
	buf_free(&msg);
	return e->status;
}

/* Appends `data: <json>\n\n` (v consumed) as one event. */
static void add_data(struct buf *b, jv v)
{
	buf_adds(b, "data: ");
	add_json(b, v, 0);
	buf_adds(b, "\n\n");
}

static void emit_data(struct out *o, jv v)
{
	struct buf b = BUF_INIT(GEN_MAX);
	add_data(&b, v);
	out_event(o, b.p, b.len);
	buf_free(&b);
}

/* The fields every chunk starts with, in OpenAI's order. */
static jv oa_chunk(const struct ctx *c, jv choices)
{
	jv o = JV_OBJECT(S("id"), S(c->id), S("object"), S("chat.completion.chunk"),
			 S("created"), jv_number((double)c->created), S("model"), jv_copy(c->model),
			 S("service_tier"), S("default"), S("system_fingerprint"), S(OA_FP),
			 S("choices"), choices);
	/* "All other chunks will also include a usage field, but with a null value" */
	return c->usage ? jv_object_set(o, S("usage"), jv_null()) : o;
}

static jv oa_choice(jv delta, const char *finish)
{
	return JV_ARRAY(JV_OBJECT(S("index"), jv_number(0), S("delta"), delta,
				  S("logprobs"), jv_null(), S("finish_reason"), str_or_null(finish)));
}

static jv oa_usage(const struct ctx *c)
{
	return JV_OBJECT(S("prompt_tokens"), jv_number(c->prompt_tokens),
		S("completion_tokens"), jv_number(c->completion_tokens),
		S("total_tokens"), jv_number(c->prompt_tokens + c->completion_tokens),
		S("prompt_tokens_details"), JV_OBJECT(S("cached_tokens"), jv_number(c->g->cached),
						      S("audio_tokens"), jv_number(0)),
		S("completion_tokens_details"), JV_OBJECT(
			S("reasoning_tokens"), jv_number(c->g->reasoning), S("audio_tokens"), jv_number(0),
			S("accepted_prediction_tokens"), jv_number(0),
			S("rejected_prediction_tokens"), jv_number(0)));
}

static void oa_start(struct out *o, const struct ctx *c)
{
	/* a reply that is a refusal or a tool call starts with content null */
	jv content = c->g->refusal || (c->g->tool_call && !c->npieces) ? jv_null() : S("");
	jv d = JV_OBJECT(S("role"), S("assistant"), S("content"), content, S("refusal"), jv_null());
	emit_data(o, oa_chunk(c, oa_choice(d, NULL)));
}

/* --other-choice: choice 1 of n=2, interleaved with choice 0 as the service does */
static void oa_other(struct buf *ev, const struct ctx *c, const char *finish)
{
	jv d = finish ? jv_object() : JV_OBJECT(S("content"), S(c->g->other_choice));
	add_data(ev, oa_chunk(c, JV_ARRAY(JV_OBJECT(S("index"), jv_number(1), S("delta"), d,
		S("logprobs"), jv_null(), S("finish_reason"), str_or_null(finish)))));
}

static void oa_delta(struct buf *ev, const struct ctx *c, long i, const char *p, size_t n)
{
	(void)i;
	jv d = c->g->refusal ? JV_OBJECT(S("content"), jv_null(), S("refusal"), jv_string_sized(p, (int)n))
			     : JV_OBJECT(S("content"), jv_string_sized(p, (int)n));
	if (c->g->other_choice)
		oa_other(ev, c, NULL);
	add_data(ev, oa_chunk(c, oa_choice(d, NULL)));
}

/* --tool-call: the call's name and id first, then its arguments in two pieces */
static void oa_tool_call(struct out *o, const struct ctx *c)
{
	char name[128];
	const char *args;
	tool_call_parts(c->g, name, sizeof name, &args);
	size_t half = strlen(args) / 2;
	jv first = JV_OBJECT(S("index"), jv_number(0), S("id"), S("call_fake0000000000000001"), S("type"), S("function"),
			     S("function"), JV_OBJECT(S("name"), S(name), S("arguments"), S("")));
	emit_data(o, oa_chunk(c, oa_choice(JV_OBJECT(S("tool_calls"), JV_ARRAY(first)), NULL)));
	for (int k = 0; k < 2; k++) {
		jv piece = jv_string_sized(k ? args + half : args, (int)(k ? strlen(args) - half : half));
		jv frag = JV_OBJECT(S("index"), jv_number(0), S("function"), JV_OBJECT(S("arguments"), piece));
		emit_data(o, oa_chunk(c, oa_choice(JV_OBJECT(S("tool_calls"), JV_ARRAY(frag)), NULL)));
	}
}

static void oa_finish(struct out *o, const struct ctx *c)
{
	const char *finish = c->g->finish;
	if (c->g->tool_call) {
		oa_tool_call(o, c);
		if (!strcmp(finish, "stop"))
			finish = "tool_calls";
	}
	if (c->g->other_choice) {
		/* both choices' finish in one chunk, choice 1 first */
		struct buf b = BUF_INIT(GEN_MAX);
		jv ch = JV_ARRAY(JV_OBJECT(S("index"), jv_number(1), S("delta"), jv_object(), S("logprobs"), jv_null(),
					   S("finish_reason"), S("length")),
				 JV_OBJECT(S("index"), jv_number(0), S("delta"), jv_object(), S("logprobs"), jv_null(),
					   S("finish_reason"), S(finish)));
		add_data(&b, oa_chunk(c, ch));
		out_event(o, b.p, b.len);
		buf_free(&b);
	} else {
		emit_data(o, oa_chunk(c, oa_choice(jv_object(), finish)));
	}
	if (c->usage)
		emit_data(o, jv_object_set(oa_chunk(c, jv_array()), S("usage"), oa_usage(c)));
	if (!c->g->no_done)
		out_event(o, "data: [DONE]\n\n", 14);
}

static void oa_mid_error(struct out *o, const struct ctx *c)
{
	(void)c;
	emit_data(o, JV_OBJECT(S("error"), JV_OBJECT(S("message"), S(OA_500), S("type"),
		S("server_error"), S("param"), jv_null(), S("code"), jv_null())));
}

static void oa_malformed(struct out *o, const struct ctx *c)
{
	struct buf b = BUF_INIT(HEAD_MAX);
	buf_addf(&b, "data: {\"id\":\"%s\",\"object\":\"chat.co\n\n", c->id);
	out_event(o, b.p, b.len);
	buf_free(&b);
}

static void oa_full(struct buf *body, const struct ctx *c, const char *text, size_t n)
{
	jv m = JV_OBJECT(S("role"), S("assistant"), S("content"), jv_string_sized(text, (int)n),
			 S("refusal"), jv_null(), S("annotations"), jv_array());
	jv ch = JV_OBJECT(S("index"), jv_number(0), S("message"), m, S("logprobs"), jv_null(),
			  S("finish_reason"), S(c->g->finish));
	jv o = JV_OBJECT(S("id"), S(c->id), S("object"), S("chat.completion"),
			 S("created"), jv_number((double)c->created), S("model"), jv_copy(c->model),
			 S("choices"), JV_ARRAY(ch), S("usage"), oa_usage(c),
			 S("service_tier"), S("default"), S("system_fingerprint"), S(OA_FP));
	add_json(body, o, JV_PRINT_INDENT_FLAGS(2));    /* as OpenAI sends it */
	buf_adds(body, "\n");
}

const struct wire openai_wire = {
	"openai", "text/event-stream; charset=utf-8", "application/json",
	"application/json; charset=utf-8", oa_match, oa_prepare, oa_headers, oa_error,
	oa_start, oa_delta, oa_finish, oa_mid_error, oa_malformed, oa_full, NULL, NULL,
};
