/* OpenAI Chat Completions (and servers that speak it): streaming with
 * stream_options.include_usage, deltas from choices[0].delta.content, usage
 * from whichever chunk carries it (the last one wins), [DONE] as the end. */
#include "providers/provider.h"
#include "attach.h"
#include "jsonx.h"
#include "models.h"
#include "providers/schema_provider.h"
#include <string.h>

static const char *const openai_env[] = { "OPENAI_API_KEY", NULL };

/* A data URL of an attachment's base64. */
static jv data_url(const struct attachment *a)
{
	struct buf u = BUF_INIT((size_t)1 << 31);
	buf_addf(&u, "data:%s;base64,", a->mime);
	buf_add(&u, a->data, a->data_len);
	jv url = jv_string_sized(buf_str(&u), (int)u.len);
	buf_free(&u);
	return url;
}

/* A PDF as a file part (its name and a data URL), audio as input_audio
 * (the bare base64 and "wav" or "mp3": provider_takes refused the rest),
 * per the Chat Completions content parts. */
static jv file_or_audio(const struct attachment *a)
{
	if (!strcmp(a->kind, "audio"))
		return JV_OBJECT(jv_string("type"), jv_string("input_audio"), jv_string("input_audio"),
				 JV_OBJECT(jv_string("data"), jv_string_sized(a->data, (int)a->data_len),
					   jv_string("format"), jv_string(a->mime + 6)));
	return JV_OBJECT(jv_string("type"), jv_string("file"), jv_string("file"),
			 JV_OBJECT(jv_string("filename"), jv_string(a->filename ? a->filename : "document.pdf"),
				   jv_string("file_data"), data_url(a)));
}

/* The new user turn with images: a text part, then image_url parts holding
 * data URLs (or the image's own URL), file parts and input_audio parts. */
static jv content_parts(const struct attachment *atts, size_t natts, const char *text)
{
	jv parts = JV_ARRAY(JV_OBJECT(jv_string("type"), jv_string("text"), jv_string("text"), jv_string(text)));
	for (size_t i = 0; i < natts; i++) {
		const struct attachment *a = &atts[i];
		if (strcmp(a->kind, "image")) {
			parts = jv_array_append(parts, file_or_audio(a));
			continue;
		}
		jv url;
		if (a->data) {
			url = data_url(a);
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
	if (provider_takes(rq, 1, err) < 0)
		return -1;
	jv msgs = jv_array();
	if (rq->system && *rq->system)
		msgs = jv_array_append(msgs, JV_OBJECT(jv_string("role"), jv_string("system"),
						       jv_string("content"), jv_string(rq->system)));
	for (size_t i = 0; i < rq->nmsgs; i++) {
		const struct attachment *atts;
		size_t natts = chat_msg_atts(rq, i, &atts);
		msgs = jv_array_append(msgs, JV_OBJECT(jv_string("role"), jv_string(rq->msgs[i].role),
						       jv_string("content"), natts ? content_parts(atts, natts, rq->msgs[i].text)
						       : jv_string(rq->msgs[i].text)));
	}
	jv o = JV_OBJECT(jv_string("model"), jv_string(rq->model), jv_string("messages"), msgs,
			 jv_string("stream"), jv_true(),
			 jv_string("stream_options"), JV_OBJECT(jv_string("include_usage"), jv_true()));
	if (rq->max_tokens > 0)
		o = jv_object_set(o, jv_string(max_field), jv_number((double)rq->max_tokens));
	if (rq->temperature >= 0)
		o = jv_object_set(o, jv_string("temperature"), jv_number(rq->temperature));
	if (rq->schema) {
		/* strict mode refuses a schema with an open object or an optional
		 * property; such a schema goes without it (the answer is still
		 * checked, and asked for again once) */
		int strict;
		jv sc = schema_for_openai(jv_parse(rq->schema), &strict);
		o = jv_object_set(o, jv_string("response_format"),
				  JV_OBJECT(jv_string("type"), jv_string("json_schema"),
					    jv_string("json_schema"),
					    JV_OBJECT(jv_string("name"), jv_string(SCHEMA_NAME),
						      jv_string("schema"), sc,
						      jv_string("strict"), jv_bool(strict))));
	}
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

/* An OpenAI error object to a chat_error: from an HTTP body (status is
 * the reply's), or mid-stream (in_stream; status is then the one the error
 * names, as OpenRouter's numeric code and Groq's status_code do, or 0). */
static void classify_error(long status, jv eobj, int in_stream, struct chat_error *err)
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
	else if (status == 402)
		c = ERR_QUOTA;
	else if (status == 409 || status >= 500 || status == 0)
		c = ERR_SERVER;
	else
		c = ERR_BAD_REQUEST;
	if (!in_stream)
		err_set(err, c, status, "HTTP %ld: %s", status, msg);
	else
		err_set(err, c, 0, "error in the reply stream: %s", msg);
}

static void map_error(long status, jv eobj, struct chat_error *err)
{
	classify_error(status, eobj, 0, err);
}

/* The HTTP status an error sent inside the stream names, or 0. */
static long stream_error_status(jv e)
{
	double code = jx_num(e, "code", 0), st = jx_num(e, "status_code", 0);
	double s = code >= 100 && code < 600 ? code : st >= 100 && st < 600 ? st : 0;
	return (long)s;
}

static void openai_http_error(long status, const char *body, size_t len, struct chat_error *err)
{
	provider_error_body(status, body, len, map_error, err);
}

/* Usage as OpenAI and the compatible servers report it. Output counts
 * every billed output token: OpenAI's completion_tokens already holds the
 * reasoning tokens, while xAI reports them beside it (its total is prompt +
 * completion + reasoning), so they are added there. DeepSeek reports cache
 * hits as prompt_cache_hit_tokens. */
void openai_usage(jv u, struct usage *out)
{
	jv pd = jx_get(u, "prompt_tokens_details"), cd = jx_get(u, "completion_tokens_details");
	double in = jx_num(u, "prompt_tokens", 0), comp = jx_num(u, "completion_tokens", 0);
	double reasoning = jx_num(cd, "reasoning_tokens", 0), total = jx_num(u, "total_tokens", -1);
	out->input = (long)in;
	out->output = (long)comp;
	out->cached = (long)jx_num(pd, "cached_tokens", jx_num(u, "prompt_cache_hit_tokens", 0));
	out->reasoning = (long)reasoning;
	if (reasoning > 0 && total == in + comp + reasoning)
		out->output += (long)reasoning;
	jv_free(pd);
	jv_free(cd);
}

static void read_usage(jv u, struct provider_event *d)
{
	openai_usage(u, &d->usage);
	d->usage_mask = USAGE_INPUT | USAGE_OUTPUT | USAGE_CACHED | USAGE_REASONING;
}

/* delta.tool_calls[] fragments (arguments arrive in pieces, keyed by
 * index) and the deprecated delta.function_call, as tool calls: never text. */
static void read_tool_calls(jv delta, struct provider_event *d, struct buf *arena)
{
	jv calls = jx_get(delta, "tool_calls"), legacy = jx_get(delta, "function_call"), out = jv_array();
	int n = jv_get_kind(calls) == JV_KIND_ARRAY ? jv_array_length(jv_copy(calls)) : 0;
	for (int i = 0; i < n; i++) {
		jv c = jv_array_get(jv_copy(calls), i), fn = jx_get(c, "function");
		jv id = jx_get(c, "id"), name = jx_get(fn, "name"), args = jx_get(fn, "arguments");
		out = jv_array_append(out, provider_tool_fragment((long)jx_num(c, "index", i), id, name, args));
		jv_free(args);
		jv_free(name);
		jv_free(id);
		jv_free(fn);
		jv_free(c);
	}
	if (jv_get_kind(legacy) == JV_KIND_OBJECT) {
		jv name = jx_get(legacy, "name"), args = jx_get(legacy, "arguments");
		out = jv_array_append(out, provider_tool_fragment(1L << 20, jv_null(), name, args));
		jv_free(args);
		jv_free(name);
	}
	provider_tools(out, arena, &d->tools_off, &d->tools_len);
	jv_free(legacy);
	jv_free(calls);
}

static void openai_decode(const struct sse_event *ev, jv v, struct provider_event *d, struct buf *arena)
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
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		err_set(&d->err, ERR_BAD_OUTPUT, 0, "the provider sent a chunk that is not an object");
		jv_free(v);
		return;
	}
	jv e = jx_get(v, "error");
	jv_kind ek = jv_get_kind(e);
	if (ek != JV_KIND_INVALID && ek != JV_KIND_NULL) {
		/* OpenAI and compatible servers report failures after the 200 this way */
		if (ek == JV_KIND_OBJECT) {
			classify_error(stream_error_status(e), e, 1, &d->err);
		} else {
			jv probe = JV_OBJECT(jv_string("message"), jv_copy(e));
			classify_error(0, probe, 1, &d->err);
			jv_free(probe);
		}
	} else if (!strcmp(ev->type, "error")) {
		err_set(&d->err, ERR_SERVER, 0, "error event in the reply stream");
	} else {
		if (!d->model_known) {
			jv model = jx_get(v, "model");
			provider_text(model, arena, &d->model_off, &d->model_len);
			jv_free(model);
		}
		jv c0 = provider_first_choice(jx_get(v, "choices"));
		if (jv_is_valid(c0)) {
			jv delta = jx_get(c0, "delta");
			jv content = jx_get(delta, "content");
			/* the usual chunk's delta holds its content alone: then
			 * there is nothing else to look up */
			int more = jv_get_kind(delta) == JV_KIND_OBJECT &&
				   jv_object_length(jv_copy(delta)) > jv_is_valid(content);
			provider_text(content, arena, &d->text_off, &d->text_len);
			jv_free(content);
			if (more) {
				jv refusal = jx_get(delta, "refusal");
				if (jv_get_kind(refusal) == JV_KIND_STRING) {
					/* a refusal is the reply's text, and the reply was filtered */
					provider_text(refusal, arena, &d->text_off, &d->text_len);
					d->refusal = 1;
				}
				jv_free(refusal);
				read_tool_calls(delta, d, arena);
			}
			jv_free(delta);
			jv fr = jx_take(c0, "finish_reason");
			if (jv_get_kind(fr) == JV_KIND_STRING)
				snprintf(d->finish, sizeof d->finish, "%s", finish_word(jv_string_value(fr)));
			jv_free(fr);
		} else {
			jv_free(c0);
		}
		jv u = jx_take(v, "usage");
		v = jv_invalid();
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
	.default_model = MODEL_DEFAULT,
	.default_image_model = "gpt-image-1",
	.build = openai_build,
	.decode = openai_decode,
	.http_error = openai_http_error,
};
