/* OpenAI Chat Completions (and servers that speak it): streaming with
 * stream_options.include_usage, deltas from choices[0].delta.content, usage
 * from whichever chunk carries it (the last one wins), [DONE] as the end. */
#include "provider.h"
#include "attach.h"
#include "jsonx.h"
#include <string.h>

static const char *const openai_env[] = { "OPENAI_API_KEY", NULL };

/* The new user turn with images: a text part, then image_url parts holding
 * data URLs (or the image's own URL). */
static jv content_parts(const struct chat_request *rq, const char *text)
{
	jv parts = JV_ARRAY(JV_OBJECT(jv_string("type"), jv_string("text"), jv_string("text"), jv_string(text)));
	for (size_t i = 0; i < rq->natts; i++) {
		const struct attachment *a = &rq->atts[i];
		jv url;
		if (a->data) {
			struct buf u = BUF_INIT((size_t)1 << 31);
			buf_addf(&u, "data:%s;base64,", a->mime);
			buf_add(&u, a->data, a->data_len);
			url = jv_string_sized(buf_str(&u), (int)u.len);
			buf_free(&u);
		} else {
			url = jv_string(a->uri);
		}
		parts = jv_array_append(parts, JV_OBJECT(jv_string("type"), jv_string("image_url"), jv_string("image_url"),
							 JV_OBJECT(jv_string("url"), url, jv_string("detail"), jv_string("auto"))));
	}
	return parts;
}

/* OpenAI proper takes max_completion_tokens (reasoning models refuse
 * max_tokens); Ollama, llama.cpp and vLLM read max_tokens. */
static int build(const struct chat_request *rq, const char *base, const char *key, const char *max_field,
		 struct buf *url, struct curl_slist **headers, struct buf *body, struct chat_error *err)
{
	provider_url(url, base, "/chat/completions");
	if (provider_no_video(rq, err) < 0)
		return -1;
	jv msgs = jv_array();
	if (rq->system && *rq->system)
		msgs = jv_array_append(msgs, JV_OBJECT(jv_string("role"), jv_string("system"),
						       jv_string("content"), jv_string(rq->system)));
	for (size_t i = 0; i < rq->nmsgs; i++)
		msgs = jv_array_append(msgs, JV_OBJECT(jv_string("role"), jv_string(rq->msgs[i].role),
						       jv_string("content"), i + 1 == rq->nmsgs && rq->natts
						       ? content_parts(rq, rq->msgs[i].text) : jv_string(rq->msgs[i].text)));
	jv o = JV_OBJECT(jv_string("model"), jv_string(rq->model), jv_string("messages"), msgs,
			 jv_string("stream"), jv_true(),
			 jv_string("stream_options"), JV_OBJECT(jv_string("include_usage"), jv_true()));
	if (rq->max_tokens > 0)
		o = jv_object_set(o, jv_string(max_field), jv_number((double)rq->max_tokens));
	if (rq->temperature >= 0)
		o = jv_object_set(o, jv_string("temperature"), jv_number(rq->temperature));
	if (rq->schema)
		o = jv_object_set(o, jv_string("response_format"),
				  JV_OBJECT(jv_string("type"), jv_string("json_schema"),
					    jv_string("json_schema"),
					    JV_OBJECT(jv_string("name"), jv_string(SCHEMA_NAME),
						      jv_string("schema"), jv_parse(rq->schema),
						      jv_string("strict"), jv_true())));
	provider_body(o, body);
	if ((key && *key && provider_header(headers, "Authorization: Bearer %s", key)) || provider_json_headers(headers)) {
		err_set(err, ERR_BAD_INPUT, 0, "out of memory building the request");
		return -1;
	}
	return 0;
}

static int openai_build(const struct chat_request *rq, const char *base, const char *key,
			struct buf *url, struct curl_slist **headers, struct buf *body, struct chat_error *err)
{
	return build(rq, base, key, "max_completion_tokens", url, headers, body, err);
}

static int ollama_build(const struct chat_request *rq, const char *base, const char *key,
			struct buf *url, struct curl_slist **headers, struct buf *body, struct chat_error *err)
{
	return build(rq, base, key, "max_tokens", url, headers, body, err);
}

static const char *finish_word(const char *f)
{
	if (!strcmp(f, "length"))
		return "length";
	if (!strcmp(f, "content_filter"))
		return "filtered";
	return "stop"; /* stop, tool_calls, function_call */
}

/* An OpenAI error object (from an HTTP body or mid-stream) to a chat_error. */
static void map_error(long status, jv eobj, struct chat_error *err)
{
	char msg[400] = "", type[64] = "", code[64] = "";
	jx_str(eobj, "message", msg, sizeof msg);
	jx_str(eobj, "type", type, sizeof type);
	jx_str(eobj, "code", code, sizeof code);
	if (!msg[0])
		snprintf(msg, sizeof msg, "%s", type[0] ? type : "unknown error");
	enum err_code c;
	if (!strcmp(code, "insufficient_quota") || !strcmp(type, "insufficient_quota"))
		c = ERR_QUOTA;
	else if (!strcmp(code, "context_length_exceeded"))
		c = ERR_CONTEXT_LENGTH;
	else if (status == 401 || status == 403 || !strcmp(code, "invalid_api_key"))
		c = ERR_AUTH;
	else if (status == 429 || !strcmp(code, "rate_limit_exceeded"))
		c = ERR_RATE_LIMITED;
	else if (status == 408)
		c = ERR_TIMEOUT;
	else if (status == 409 || status >= 500 || status == 0)
		c = ERR_SERVER;
	else
		c = ERR_BAD_REQUEST;
	if (status)
		err_set(err, c, status, "HTTP %ld: %s", status, msg);
	else
		err_set(err, c, 0, "error in the reply stream: %s", msg);
}

static void openai_http_error(long status, const char *body, size_t len, struct chat_error *err)
{
	provider_error_body(status, body, len, map_error, err);
}

static void read_usage(jv u, struct decoded *d)
{
	d->usage.input = (long)jx_num(u, "prompt_tokens", 0);
	d->usage.output = (long)jx_num(u, "completion_tokens", 0);
	jv pd = jx_get(u, "prompt_tokens_details"), cd = jx_get(u, "completion_tokens_details");
	d->usage.cached = (long)jx_num(pd, "cached_tokens", 0);
	d->usage.reasoning = (long)jx_num(cd, "reasoning_tokens", 0);
	jv_free(pd);
	jv_free(cd);
	d->usage_mask = USAGE_INPUT | USAGE_OUTPUT | USAGE_CACHED | USAGE_REASONING;
}

static void openai_decode(const struct sse_event *ev, jv v, struct decoded *d, struct buf *arena)
{
	if (!strncmp(ev->data, "[DONE]", 6)) {
		d->done = 1;
		jv_free(v);
		return;
	}
	if (!jv_is_valid(v)) {
		jv m = jv_invalid_get_msg(v);
		err_set(&d->err, ERR_BAD_OUTPUT, 0, "the provider sent a malformed chunk (%s)",
			jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "not JSON");
		jv_free(m);
		return;
	}
	jv e = jx_get(v, "error");
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		err_set(&d->err, ERR_BAD_OUTPUT, 0, "the provider sent a chunk that is not an object");
	} else if (jv_is_valid(e) && jv_get_kind(e) != JV_KIND_NULL) {
		/* OpenAI and compatible servers report failures after the 200 this way */
		if (jv_get_kind(e) == JV_KIND_OBJECT) {
			map_error(0, e, &d->err);
		} else {
			jv probe = JV_OBJECT(jv_string("message"), jv_copy(e));
			map_error(0, probe, &d->err);
			jv_free(probe);
		}
		d->err.retryable = 0;
	} else if (!strcmp(ev->type, "error")) {
		err_set(&d->err, ERR_SERVER, 0, "error event in the reply stream");
	} else {
		jv model = jx_get(v, "model");
		provider_text(model, arena, &d->model_off, &d->model_len);
		jv_free(model);
		jv choices = jx_get(v, "choices");
		if (jv_get_kind(choices) == JV_KIND_ARRAY && jv_array_length(jv_copy(choices)) > 0) {
			jv c0 = jv_array_get(jv_copy(choices), 0);
			jv delta = jx_get(c0, "delta");
			jv content = jx_get(delta, "content"), refusal = jx_get(delta, "refusal");
			provider_text(content, arena, &d->text_off, &d->text_len);
			provider_text(refusal, arena, &d->text_off, &d->text_len);
			char fr[32];
			if (jx_str(c0, "finish_reason", fr, sizeof fr) == 0)
				snprintf(d->finish, sizeof d->finish, "%s", finish_word(fr));
			jv_free(content);
			jv_free(refusal);
			jv_free(delta);
			jv_free(c0);
		}
		jv_free(choices);
		jv u = jx_get(v, "usage");
		if (jv_get_kind(u) == JV_KIND_OBJECT)
			read_usage(u, d);
		jv_free(u);
	}
	jv_free(e);
	jv_free(v);
}

static const char *const ollama_env[] = { "OLLAMA_API_KEY", NULL };

/* Ollama's OpenAI-compatible endpoint: no key needed, max_tokens. */
const struct provider provider_ollama = {
	.name = "ollama",
	.key_env = ollama_env,
	.key_optional = 1,
	.base_env = "OLLAMA_BASE_URL",
	.default_base = "http://127.0.0.1:11434/v1",
	.build = ollama_build,
	.decode = openai_decode,
	.http_error = openai_http_error,
};

const struct provider provider_openai = {
	.name = "openai",
	.key_env = openai_env,
	.base_env = "OPENAI_BASE_URL",
	.default_base = "https://api.openai.com/v1",
	.build = openai_build,
	.decode = openai_decode,
	.http_error = openai_http_error,
};
