/* Anthropic Messages: x-api-key and anthropic-version headers, a top-level
 * system prompt, a required max_tokens, and named events — message_start,
 * content_block_delta, message_delta (final usage and stop reason),
 * message_stop, ping, and error (overloaded_error even after the 200). */
#include "providers/provider.h"
#include "attach.h"
#include "jsonx.h"
#include <string.h>

static const char *const anthropic_env[] = { "ANTHROPIC_API_KEY", NULL };

/* A turn with attachments carries them as image blocks, and PDFs as
 * document blocks, before its text, as Anthropic's docs suggest. */
static jv turn(const char *role, const char *text, const struct attachment *atts, size_t natts, void *ctx)
{
	if (!natts)
		return JV_OBJECT(jv_string("role"), jv_string(role), jv_string("content"), jv_string(text));
	jv blocks = jv_array();
	for (size_t i = 0; i < natts; i++) {
		const struct attachment *a = &atts[i];
		jv src = a->data ? JV_OBJECT(jv_string("type"), jv_string("base64"), jv_string("media_type"), jv_string(a->mime),
					     jv_string("data"), jv_string_sized(a->data, (int)a->data_len))
				 : JV_OBJECT(jv_string("type"), jv_string("url"), jv_string("url"), jv_string(a->uri));
		blocks = jv_array_append(blocks, JV_OBJECT(jv_string("type"),
							   jv_string(strcmp(a->kind, "pdf") ? "image" : "document"),
							   jv_string("source"), src));
	}
	blocks = jv_array_append(blocks, JV_OBJECT(jv_string("type"), jv_string("text"), jv_string("text"), jv_string(text)));
	return JV_OBJECT(jv_string("role"), jv_string(role), jv_string("content"), blocks);
}

static int anthropic_build(const struct chat_request *rq, const char *base, const char *key,
			   struct buf *url, struct curl_slist **headers, struct buf *body, struct chat_error *err)
{
	provider_url(url, base, "/v1/messages");
	if (provider_takes(rq, 0, err) < 0)
		return -1;
	long max = rq->max_tokens > 0 ? rq->max_tokens : rq->default_max_tokens > 0 ? rq->default_max_tokens : 4096;
	jv o = JV_OBJECT(jv_string("model"), jv_string(rq->model), jv_string("max_tokens"), jv_number((double)max));
	if (rq->system && *rq->system)
		o = jv_object_set(o, jv_string("system"), jv_string(rq->system));
	o = jv_object_set(o, jv_string("messages"), provider_turns(rq, turn, NULL));
	o = jv_object_set(o, jv_string("stream"), jv_true());
	if (rq->temperature >= 0)
		o = jv_object_set(o, jv_string("temperature"), jv_number(rq->temperature > 1 ? 1 : rq->temperature));
	if (rq->schema) {
		/* structured output: one tool whose input is the schema, and its use forced */
		o = jv_object_set(o, jv_string("tools"),
				  JV_ARRAY(JV_OBJECT(jv_string("name"), jv_string(SCHEMA_NAME),
						     jv_string("description"), jv_string("Give the answer in this form."),
						     jv_string("input_schema"), jv_parse(rq->schema))));
		o = jv_object_set(o, jv_string("tool_choice"),
				  JV_OBJECT(jv_string("type"), jv_string("tool"), jv_string("name"), jv_string(SCHEMA_NAME)));
	}
	provider_body(o, body);
	if (provider_header(headers, "x-api-key: %s", key) || provider_header(headers, "anthropic-version: 2023-06-01") ||
	    provider_json_headers(headers)) {
		err_set(err, ERR_BAD_INPUT, 0, "out of memory building the request");
		return -1;
	}
	return 0;
}

/* An Anthropic error object (HTTP body or error event) to a chat_error. */
static void map_error(long status, jv e, struct chat_error *err)
{
	char type[64] = "", msg[400] = "";
	jx_str(e, "type", type, sizeof type);
	jx_str(e, "message", msg, sizeof msg);
	if (!msg[0])
		snprintf(msg, sizeof msg, "%s", type[0] ? type : "unknown error");
	enum err_code c;
	if (!strcmp(type, "authentication_error") || !strcmp(type, "permission_error") || status == 401 || status == 403)
		c = ERR_AUTH;
	else if (!strcmp(type, "rate_limit_error") || status == 429)
		c = ERR_RATE_LIMITED;
	else if (strstr(msg, "credit balance"))
		c = ERR_QUOTA;
	else if (strstr(msg, "prompt is too long") || strstr(msg, "context window"))
		c = ERR_CONTEXT_LENGTH;
	else if (!strcmp(type, "overloaded_error") || !strcmp(type, "api_error") || status >= 500 || status == 409)
		c = ERR_SERVER;
	else if (status == 408)
		c = ERR_TIMEOUT;
	else
		c = ERR_BAD_REQUEST;
	if (status)
		err_set(err, c, status, "HTTP %ld: %s", status, msg);
	else
		err_set(err, c, 0, "error in the reply stream: %s (%s)", msg, type);
}

static void anthropic_http_error(long status, const char *body, size_t len, struct chat_error *err)
{
	provider_error_body(status, body, len, map_error, err);
}

static const char *finish_word(const char *r)
{
	if (!strcmp(r, "max_tokens"))
		return "length";
	if (!strcmp(r, "refusal"))
		return "filtered";
	return "stop"; /* end_turn, stop_sequence, tool_use, pause_turn */
}

/* Input counts every prompt token: Anthropic reports cache reads and
 * writes beside input_tokens, not inside it. */
static void read_usage(jv u, struct provider_event *d)
{
	double in = jx_num(u, "input_tokens", -1), out = jx_num(u, "output_tokens", -1);
	double cread = jx_num(u, "cache_read_input_tokens", 0), cwrite = jx_num(u, "cache_creation_input_tokens", 0);
	if (in >= 0) {
		d->usage.input = (long)(in + cread + cwrite);
		d->usage.cached = (long)cread;
		d->usage_mask |= USAGE_INPUT | USAGE_CACHED;
	}
	if (out >= 0) {
		d->usage.output = (long)out;
		d->usage_mask |= USAGE_OUTPUT;
	}
}

/* A content_block_delta: text, or a piece of a tool's input. Of the
 * deltas (text, input_json, thinking, signature, citations) only a
 * text_delta has a text field, so the usual one is known by it without
 * looking up its type. */
static void read_delta(jv v, struct provider_event *d, struct buf *arena)
{
	jv delta = jx_get(v, "delta"), text = jx_get(delta, "text");
	if (jv_get_kind(text) == JV_KIND_STRING) {
		provider_text(text, arena, &d->text_off, &d->text_len);
		jv_free(text);
		jv_free(delta);
		return;
	}
	jv_free(text);
	jv dt = jx_get(delta, "type");
	if (jv_get_kind(dt) == JV_KIND_STRING && !strcmp(jv_string_value(dt), "input_json_delta")) {
		/* a tool's input, never text (but see exchange.c: the tool
		 * forced for --schema gives the answer) */
		jv part = jx_get(delta, "partial_json");
		provider_tools(JV_ARRAY(provider_tool_fragment((long)jx_num(v, "index", 0), jv_null(), jv_null(), part)),
			       arena, &d->tools_off, &d->tools_len);
		jv_free(part);
	}
	jv_free(dt);
	jv_free(delta);
}

static void anthropic_decode(const struct sse_event *ev, jv v, struct provider_event *d, struct buf *arena)
{
	if (!strcmp(ev->type, "ping")) {
		jv_free(v);
		return;
	}
	if (!jv_is_valid(v) || jv_get_kind(v) != JV_KIND_OBJECT) {
		jv m = jv_is_valid(v) ? jv_invalid() : jv_invalid_get_msg(jv_copy(v));
		err_set(&d->err, ERR_BAD_OUTPUT, 0, "the provider sent a malformed event (%s)",
			jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "not a JSON object");
		jv_free(m);
		jv_free(v);
		return;
	}
	/* nearly every event: first, known by its SSE name, which Anthropic
	 * always gives as its data's type, so that is not looked up */
	if (!strcmp(ev->type, "content_block_delta")) {
		read_delta(v, d, arena);
		jv_free(v);
		return;
	}
	jv tv = jx_get(v, "type");
	const char *type = jv_get_kind(tv) == JV_KIND_STRING ? jv_string_value(tv) : "";
	if (!strcmp(type, "content_block_delta") && strcmp(ev->type, "error")) {
		read_delta(v, d, arena); /* a server that names no events */
	} else if (!strcmp(type, "error") || !strcmp(ev->type, "error")) {
		jv e = jx_get(v, "error");
		map_error(0, e, &d->err);
		jv_free(e);
	} else if (!strcmp(type, "message_start")) {
		jv m = jx_get(v, "message"), u = jx_get(m, "usage"), model = jx_get(m, "model");
		provider_text(model, arena, &d->model_off, &d->model_len);
		read_usage(u, d);
		jv_free(model);
		jv_free(u);
		jv_free(m);
	} else if (!strcmp(type, "content_block_start")) {
		/* a tool_use block: its input follows as input_json_delta pieces */
		jv block = jx_get(v, "content_block");
		char bt[32] = "";
		jx_str(block, "type", bt, sizeof bt);
		if (!strcmp(bt, "tool_use")) {
			jv id = jx_get(block, "id"), name = jx_get(block, "name");
			provider_tools(JV_ARRAY(provider_tool_fragment((long)jx_num(v, "index", 0), id, name, jv_null())),
				       arena, &d->tools_off, &d->tools_len);
			jv_free(name);
			jv_free(id);
		}
		jv_free(block);
	} else if (!strcmp(type, "message_delta")) {
		jv delta = jx_get(v, "delta"), u = jx_get(v, "usage");
		char reason[32];
		if (jx_str(delta, "stop_reason", reason, sizeof reason) == 0)
			snprintf(d->finish, sizeof d->finish, "%s", finish_word(reason));
		read_usage(u, d);
		jv_free(u);
		jv_free(delta);
	} else if (!strcmp(type, "message_stop")) {
		d->done = 1;
	}
	jv_free(tv);
	jv_free(v);
}

const struct provider provider_anthropic = {
	.name = "anthropic",
	.key_env = anthropic_env,
	.base_env = "ANTHROPIC_BASE_URL",
	.default_base = "https://api.anthropic.com",
	.default_model = "claude-haiku-4-5",
	.build = anthropic_build,
	.decode = anthropic_decode,
	.http_error = anthropic_http_error,
};
