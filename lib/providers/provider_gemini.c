/* Google Gemini: streamGenerateContent?alt=sse with the key in
 * x-goog-api-key, a systemInstruction, contents with roles user and model,
 * one GenerateContentResponse per event, usageMetadata (the last one wins),
 * and no end marker: the reply is every chunk's text up to EOF. */
#include "providers/provider.h"
#include "attach.h"
#include "jsonx.h"
#include "providers/schema_provider.h"
#include <stdlib.h>
#include <string.h>

static const char *const gemini_env[] = { "GEMINI_API_KEY", "GOOGLE_API_KEY", NULL };

/* Attachments go inline (base64) or by Files API uri, before the text. */
static jv turn(const char *role, const char *text, const struct attachment *atts, size_t natts, void *ctx)
{
	jv parts = jv_array();
	for (size_t i = 0; i < natts; i++) {
		const struct attachment *a = &atts[i];
		parts = jv_array_append(parts, a->data
			? JV_OBJECT(jv_string("inline_data"), JV_OBJECT(jv_string("mime_type"), jv_string(a->mime),
					jv_string("data"), jv_string_sized(a->data, (int)a->data_len)))
			: JV_OBJECT(jv_string("file_data"), JV_OBJECT(jv_string("mime_type"), jv_string(a->mime),
					jv_string("file_uri"), jv_string(a->uri))));
	}
	parts = jv_array_append(parts, JV_OBJECT(jv_string("text"), jv_string(text)));
	return JV_OBJECT(jv_string("role"), jv_string(strcmp(role, "assistant") ? "user" : "model"),
			 jv_string("parts"), parts);
}

static int gemini_build(const struct chat_request *rq, const char *base, const char *key,
			struct buf *url, struct curl_slist **headers, struct buf *body, struct chat_error *err)
{
	provider_url(url, base, "/models/");
	/* the model goes in the path: keep it to characters a model name has */
	for (const char *p = rq->model; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p)) {
			err_set(err, ERR_BAD_INPUT, 0, "'%s' is not a Gemini model name", rq->model);
			return -1;
		}
	buf_adds(url, rq->model);
	buf_adds(url, ":streamGenerateContent?alt=sse");
	jv o = JV_OBJECT(jv_string("contents"), provider_turns(rq, turn, NULL));
	if (rq->system && *rq->system)
		o = jv_object_set(o, jv_string("systemInstruction"),
				  JV_OBJECT(jv_string("parts"), JV_ARRAY(JV_OBJECT(jv_string("text"), jv_string(rq->system)))));
	jv gen = jv_object();
	if (rq->max_tokens > 0)
		gen = jv_object_set(gen, jv_string("maxOutputTokens"), jv_number((double)rq->max_tokens));
	if (rq->temperature >= 0)
		gen = jv_object_set(gen, jv_string("temperature"), jv_number(rq->temperature));
	if (rq->schema) {
		/* Gemini 2.5 and later take the JSON Schema as written
		 * (responseJsonSchema); older models only the OpenAPI subset
		 * (responseSchema), which refuses additionalProperties, $ref
		 * and the like, so theirs is translated. The two never go
		 * together. */
		int json = gemini_takes_json_schema(rq->model);
		gen = jv_object_set(gen, jv_string("responseMimeType"), jv_string("application/json"));
		gen = jv_object_set(gen, jv_string(json ? "responseJsonSchema" : "responseSchema"),
				    json ? jv_parse(rq->schema) : schema_for_gemini(jv_parse(rq->schema)));
	}
	if (jv_object_length(jv_copy(gen)))
		o = jv_object_set(o, jv_string("generationConfig"), gen);
	else
		jv_free(gen);
	provider_body(o, body);
	if (provider_header(headers, "x-goog-api-key: %s", key) || provider_json_headers(headers)) {
		err_set(err, ERR_BAD_INPUT, 0, "out of memory building the request");
		return -1;
	}
	return 0;
}

/* A daily quota is not worth retrying today; a per-minute limit is. */
static int daily_quota(jv details)
{
	int daily = 0, n = jv_get_kind(details) == JV_KIND_ARRAY ? jv_array_length(jv_copy(details)) : 0;
	for (int i = 0; i < n && !daily; i++) {
		jv d = jv_array_get(jv_copy(details), i), vs = jx_get(d, "violations");
		int m = jv_get_kind(vs) == JV_KIND_ARRAY ? jv_array_length(jv_copy(vs)) : 0;
		for (int k = 0; k < m && !daily; k++) {
			jv viol = jv_array_get(jv_copy(vs), k);
			char id[160] = "";
			jx_str(viol, "quotaId", id, sizeof id);
			daily = strstr(id, "PerDay") || strstr(id, "Daily");
			jv_free(viol);
		}
		jv_free(vs);
		jv_free(d);
	}
	return daily;
}

/* RetryInfo.retryDelay ("34.4s", "900ms") in ms, or -1. */
static long retry_delay(jv details)
{
	int n = jv_get_kind(details) == JV_KIND_ARRAY ? jv_array_length(jv_copy(details)) : 0;
	for (int i = 0; i < n; i++) {
		jv d = jv_array_get(jv_copy(details), i);
		char delay[32] = "";
		jx_str(d, "retryDelay", delay, sizeof delay);
		jv_free(d);
		if (delay[0]) {
			char *end;
			double x = strtod(delay, &end);
			if (end != delay)
				return (long)(!strcmp(end, "ms") ? x : x * 1000);
		}
	}
	return -1;
}

static void gemini_http_error(long status, const char *body, size_t len, struct chat_error *err)
{
	jv v = jv_parse_sized(body, (int)len);
	/* a streamed error may come wrapped in an array */
	if (jv_get_kind(v) == JV_KIND_ARRAY && jv_array_length(jv_copy(v)) > 0)
		v = jv_array_get(v, 0);
	jv e = jx_get(v, "error"), details = jx_get(e, "details");
	char msg[400] = "", st[48] = "";
	jx_str(e, "message", msg, sizeof msg);
	jx_str(e, "status", st, sizeof st);
	if (!msg[0])
		provider_snippet(body, len, msg, sizeof msg);
	enum err_code c;
	if (status == 401 || status == 403 || strstr(body, "API_KEY_INVALID"))
		c = ERR_AUTH;
	else if (status == 429)
		c = daily_quota(details) ? ERR_QUOTA : ERR_RATE_LIMITED;
	else if (strstr(msg, "exceeds the maximum number of tokens"))
		c = ERR_CONTEXT_LENGTH;
	else if (status >= 500 || status == 409)
		c = ERR_SERVER;
	else if (status == 408)
		c = ERR_TIMEOUT;
	else
		c = ERR_BAD_REQUEST;
	err_set(err, c, status, "HTTP %ld%s%s: %s", status, st[0] ? " " : "", st, msg);
	err->retry_after_ms = c == ERR_QUOTA ? -1 : retry_delay(details);
	jv_free(details);
	jv_free(e);
	jv_free(v);
}

static const char *finish_word(const char *r)
{
	if (!strcmp(r, "STOP") || !strcmp(r, "OTHER") || !strcmp(r, "FINISH_REASON_UNSPECIFIED") ||
	    !strcmp(r, "MALFORMED_FUNCTION_CALL"))
		return "stop";
	if (!strcmp(r, "MAX_TOKENS"))
		return "length";
	return "filtered"; /* SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY, ... */
}

/* usageMetadata, the running total every chunk repeats: the decoder
 * leaves it unread and only the last one of a batch is read. */
static void read_usage(jv u, struct usage *out, unsigned *mask)
{
	double thoughts = jx_num(u, "thoughtsTokenCount", 0);
	out->input = (long)jx_num(u, "promptTokenCount", 0);
	/* thoughts are billed as output but not counted in candidatesTokenCount */
	out->output = (long)(jx_num(u, "candidatesTokenCount", 0) + thoughts);
	out->cached = (long)jx_num(u, "cachedContentTokenCount", 0);
	out->reasoning = (long)thoughts;
	*mask = USAGE_INPUT | USAGE_OUTPUT | USAGE_CACHED | USAGE_REASONING;
	jv_free(u);
}

/* One part of the first candidate: its text unless it is a thought
 * summary, and a function call (whole, its args an object) as a tool call. */
static void read_part(jv part, struct provider_event *d, struct buf *arena, jv *calls)
{
	jv text = jx_get(part, "text");
	/* the usual part holds its text alone: nothing else to look up */
	if (jv_get_kind(part) == JV_KIND_OBJECT && jv_object_length(jv_copy(part)) == jv_is_valid(text)) {
		provider_text(text, arena, &d->text_off, &d->text_len);
		jv_free(text);
		return;
	}
	jv thought = jx_get(part, "thought"), call = jx_get(part, "functionCall");
	if (jv_get_kind(thought) != JV_KIND_TRUE) /* thought summaries are not the answer */
		provider_text(text, arena, &d->text_off, &d->text_len);
	if (jv_get_kind(call) == JV_KIND_OBJECT) {
		jv id = jx_get(call, "id"), name = jx_get(call, "name"), args = jx_get(call, "args");
		jv args_text = jv_is_valid(args) && jv_get_kind(args) != JV_KIND_NULL
			? jv_dump_string(jv_copy(args), 0) : jv_string("{}");
		*calls = jv_array_append(jv_is_valid(*calls) ? *calls : jv_array(),
					 provider_tool_fragment(-1, id, name, args_text));
		jv_free(args_text);
		jv_free(args);
		jv_free(name);
		jv_free(id);
	}
	jv_free(call);
	jv_free(thought);
	jv_free(text);
}

static void gemini_decode(const struct sse_event *ev, jv v, struct provider_event *d, struct buf *arena)
{
	if (!jv_is_valid(v) || jv_get_kind(v) != JV_KIND_OBJECT) {
		jv m = jv_is_valid(v) ? jv_invalid() : jv_invalid_get_msg(jv_copy(v));
		err_set(&d->err, ERR_BAD_OUTPUT, 0, "the provider sent a malformed chunk (%s)",
			jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "not a JSON object");
		jv_free(m);
		jv_free(v);
		return;
	}
	jv e = jx_get(v, "error");
	if (jv_get_kind(e) == JV_KIND_OBJECT) {
		char msg[400] = "";
		jx_str(e, "message", msg, sizeof msg);
		err_set(&d->err, ERR_SERVER, 0, "error in the reply stream: %s", msg[0] ? msg : "unknown error");
		jv_free(e);
		jv_free(v);
		return;
	}
	jv_free(e);
	if (!d->model_known) {
		jv model = jx_get(v, "modelVersion");
		provider_text(model, arena, &d->model_off, &d->model_len);
		jv_free(model);
	}
	jv c0 = provider_first_choice(jx_get(v, "candidates"));
	if (jv_is_valid(c0)) {
		/* the calls' array is made by the first call (a chunk seldom has one) */
		jv parts = jx_take(jx_get(c0, "content"), "parts"), calls = jv_invalid();
		int n = jv_get_kind(parts) == JV_KIND_ARRAY ? jv_array_length(jv_copy(parts)) : 0;
		for (int i = 0; i < n; i++) {
			jv part = jv_array_get(jv_copy(parts), i);
			read_part(part, d, arena, &calls);
			jv_free(part);
		}
		jv_free(parts);
		provider_tools(calls, arena, &d->tools_off, &d->tools_len);
		/* not the end: older models and Vertex AI put a finishReason on
		 * every chunk, and the text of every chunk up to EOF is the reply */
		jv fr = jx_take(c0, "finishReason");
		if (jv_get_kind(fr) == JV_KIND_STRING)
			snprintf(d->finish, sizeof d->finish, "%s", finish_word(jv_string_value(fr)));
		jv_free(fr);
	} else {
		jv_free(c0);
		jv fb = jx_get(v, "promptFeedback");
		if (jx_kind_is(fb, "blockReason", JV_KIND_STRING))
			snprintf(d->finish, sizeof d->finish, "filtered"); /* the prompt itself was blocked */
		jv_free(fb);
	}
	jv u = jx_take(v, "usageMetadata");
	if (jv_get_kind(u) == JV_KIND_OBJECT)
		d->usage_later = u;
	else
		jv_free(u);
}

const struct provider provider_gemini = {
	.name = "gemini",
	.key_env = gemini_env,
	.base_env = "GEMINI_BASE_URL",
	.default_base = "https://generativelanguage.googleapis.com/v1beta",
	.default_model = "gemini-2.5-flash",
	.default_image_model = "gemini-2.5-flash-image",
	.build = gemini_build,
	.decode = gemini_decode,
	.read_usage = read_usage,
	.http_error = gemini_http_error,
};
