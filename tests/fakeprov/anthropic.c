/* fakeprov_anthropic: the Anthropic Messages wire format of the fake
 * provider (POST .../v1/messages), byte for byte as the live API sends it:
 * `event:` + `data:` pairs, the ping, and the spaces the API pads its
 * events with before the final brace (WIRE-FORMATS.md §2). */
#include "fakeprov.h"
#include <stdio.h>
#include <string.h>

#define AN_MODEL "claude-sonnet-4-5-20250929"   /* when the request names none */
#define AN_ORG "5b0f3c2e-7a41-4d4e-9f6a-0fa4e0b1c2d3"

/* Seeded per request, so a reply's padding is the same on every run. */
static unsigned long long an_rng;

/* request-id, here rather than in c->reqid so that replies sent before
 * an_prepare (a body that is no JSON) carry it too. */
static void an_reqid(char *dst, size_t size, const struct ctx *c)
{
	snprintf(dst, size, "req_011Cfake%016ld", c->n);
}

static int an_match(const char *path)
{
	size_t n = strlen(path), k = strlen("/messages");
	return n >= k && !strcmp(path + n - k, "/messages");
}

static void an_prepare(struct ctx *c)
{
	snprintf(c->id, sizeof c->id, "msg_fake%ld", c->n);
	jv v = jget(c->req, "stream");
	c->stream = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	c->usage = c->g->usage != 0;    /* the API always reports usage */
	jv_free(c->model);
	c->model = c->g->model ? jv_string(c->g->model) : req_string(c, "model", AN_MODEL);
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
	jv sys = jget(c->req, "system");
	bytes += text_bytes(sys);
	jv_free(sys);
	c->prompt_tokens = bytes / 4 ? (long)(bytes / 4) : 1;
	an_rng = (unsigned long long)c->n * 0x9E3779B97F4A7C15ULL;
}

static void an_headers(struct buf *h, const struct ctx *c, const char *errkind)
{
	const struct group *g = c->g;
	int limited = errkind && !strcmp(errkind, "rate_limit");
	char now[32], later[32], reqid[64], s[32];
	an_reqid(reqid, sizeof reqid, c);
	rfc3339(now, sizeof now, c->created);
	rfc3339(later, sizeof later, c->created + (g->retry_ms + 999) / 1000);
	if (c->stream && !errkind)
		hdr(h, g, "Cache-Control", "no-cache");
	hdr(h, g, "anthropic-organization-id", AN_ORG);
	hdr(h, g, "anthropic-ratelimit-input-tokens-limit", "2000000");
	hdr(h, g, "anthropic-ratelimit-input-tokens-remaining", "%ld", 2000000 - c->prompt_tokens);
	hdr(h, g, "anthropic-ratelimit-input-tokens-reset", "%s", now);
	hdr(h, g, "anthropic-ratelimit-output-tokens-limit", "400000");
	hdr(h, g, "anthropic-ratelimit-output-tokens-remaining", "400000");
	hdr(h, g, "anthropic-ratelimit-output-tokens-reset", "%s", now);
	hdr(h, g, "anthropic-ratelimit-requests-limit", "20000");
	hdr(h, g, "anthropic-ratelimit-requests-remaining", "%s", limited ? "0" : "19999");
	hdr(h, g, "anthropic-ratelimit-requests-reset", "%s", limited ? later : now);
	hdr(h, g, "anthropic-ratelimit-tokens-limit", "2400000");
	hdr(h, g, "anthropic-ratelimit-tokens-remaining", "%ld", 2400000 - c->prompt_tokens);
	hdr(h, g, "anthropic-ratelimit-tokens-reset", "%s", now);
	hdr(h, g, "request-id", "%s", reqid);
	if (limited)
		hdr(h, g, "retry-after", "%s", secs(s, g->retry_ms));
	hdr(h, g, "strict-transport-security", "max-age=31536000; includeSubDomains; preload");
	hdr(h, g, "x-envoy-upstream-service-time", "528");
	hdr(h, g, "X-Robots-Tag", "none");
	hdr(h, g, "Server", "cloudflare");
}

/* Bodies and statuses: WIRE-FORMATS.md §2.3.  NULL message: built in an_error. */
static const struct an_err {
	const char *kind;
	int status;
	const char *type, *message;
} an_errs[] = {
	{"context_length", 400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"},
	{"auth", 401, "authentication_error", "invalid x-api-key"},
	{"permission", 403, "permission_error",
	 "Your API key does not have permission to use the specified resource."},
	{"not_found", 404, "not_found_error", NULL},
	{"rate_limit", 429, "rate_limit_error",
	 "This request would exceed the rate limit for your organization (" AN_ORG ") of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase."},
	/* what Anthropic really answers when billing runs out */
	{"quota", 400, "invalid_request_error",
	 "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."},
	{"server", 500, "api_error", "Internal server error"},
	{"unavailable", 529, "overloaded_error", "Overloaded"},
	{"overloaded", 529, "overloaded_error", "Overloaded"},
	{"bad_request", 400, "invalid_request_error", "max_tokens: Field required"},
	{"bad_json", 400, "invalid_request_error",
	 "There was an issue with the format of your request: the body is not valid JSON"},
	{"bad_url", 404, "not_found_error", "Not Found"},
	{"bad_media", 400, "invalid_request_error",
	 "messages.0.content: a document block takes source {type: base64, media_type: application/pdf, data}; there is no audio block"},
};

static const struct an_err *an_find(const char *kind)
{
	for (size_t i = 0; i < sizeof an_errs / sizeof *an_errs; i++)
		if (!strcmp(an_errs[i].kind, kind))
			return &an_errs[i];
	return NULL;
}

static int an_error(struct buf *body, const struct ctx *c, const char *kind)
{
	const struct an_err *e = an_find(kind);
	struct buf msg = BUF_INIT(HEAD_MAX);
	char reqid[64];
	an_reqid(reqid, sizeof reqid, c);
	if (!e)
		e = an_find("server");
	if (e->message)
		buf_adds(&msg, e->message);
	else
		buf_addf(&msg, "model: %s", jv_string_value(c->model));
	add_json(body, JV_OBJECT(S("type"), S("error"),
		S("error"), JV_OBJECT(S("type"), S(e->type), S("message"), S(buf_str(&msg))),
		S("request_id"), S(reqid)), 0);
	buf_free(&msg);
	return e->status;
}

/* 0 to 15 spaces: the run the live API puts before an event's final brace. */
static int an_pad(void)
{
	an_rng = an_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (int)(an_rng >> 60);
}

/* Appends `event: NAME` and the data line of v (consumed), padded. */
static void an_add(struct buf *b, const char *name, jv v)
{
	jv s = jv_dump_string(v, 0);
	size_t len = (size_t)jv_string_length_bytes(jv_copy(s));
	buf_addf(b, "event: %s\ndata: ", name);
	buf_add(b, jv_string_value(s), len - 1);
	buf_addf(b, "%*s}\n\n", an_pad(), "");
	jv_free(s);
}

static void an_emit(struct out *o, const char *name, jv v)
{
	struct buf b = BUF_INIT(GEN_MAX);
	an_add(&b, name, v);
	out_event(o, b.p, b.len);
	buf_free(&b);
}

/* The usage in message_start (mode 1: output_tokens is a placeholder), in a
 * whole message (2) or in message_delta (0: the final counts, no breakdown). */
static jv an_usage(const struct ctx *c, int mode)
{
	jv u = JV_OBJECT(S("input_tokens"), jv_number(c->prompt_tokens),
			 S("cache_creation_input_tokens"), jv_number(0),
			 S("cache_read_input_tokens"), jv_number(c->g->cached));
	if (mode)
		u = jv_object_set(u, S("cache_creation"), JV_OBJECT(
			S("ephemeral_5m_input_tokens"), jv_number(0),
			S("ephemeral_1h_input_tokens"), jv_number(0)));
	return jv_object_set(u, S("output_tokens"), jv_number(mode == 1 ? 1 : c->completion_tokens));
}

static const char *an_stop_reason(const char *finish)
{
	static const char *const map[][2] = {
		{"stop", "end_turn"}, {"length", "max_tokens"}, {"tool_calls", "tool_use"},
		{"content_filter", "refusal"},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(finish, map[i][0]))
			return map[i][1];
	return finish;
}

/* The message object; start: as message_start carries it, before any content. */
static jv an_message(const struct ctx *c, int start, jv content)
{
	jv m = JV_OBJECT(S("id"), S(c->id), S("type"), S("message"), S("role"), S("assistant"),
			 S("model"), jv_copy(c->model), S("content"), content,
			 S("stop_reason"), start ? jv_null() : S(an_stop_reason(c->g->finish)),
			 S("stop_sequence"), jv_null());
	if (c->usage)
		m = jv_object_set(m, S("usage"), jv_object_set(an_usage(c, start ? 1 : 2),
							      S("service_tier"), S("standard")));
	return m;
}

/* The tool a request forces with tool_choice {"type":"tool","name":...}, or
 * NULL: then the reply is that tool's call, its input streamed as JSON. */
static jv an_forced_tool(const struct ctx *c)
{
	jv tc = jv_get_kind(c->req) == JV_KIND_OBJECT ? jv_object_get(jv_copy(c->req), S("tool_choice")) : jv_invalid();
	jv name = jv_invalid();
	if (jv_get_kind(tc) == JV_KIND_OBJECT) {
		jv type = jv_object_get(jv_copy(tc), S("type"));
		if (jv_get_kind(type) == JV_KIND_STRING && !strcmp(jv_string_value(type), "tool"))
			name = jv_object_get(jv_copy(tc), S("name"));
		jv_free(type);
	}
	jv_free(tc);
	if (jv_get_kind(name) != JV_KIND_STRING) {
		jv_free(name);
		return jv_invalid();
	}
	return name;
}

static void an_start(struct out *o, const struct ctx *c)
{
	an_emit(o, "message_start", JV_OBJECT(S("type"), S("message_start"),
		S("message"), an_message(c, 1, jv_array())));
	jv tool = an_forced_tool(c);
	if (jv_is_valid(tool)) {
		an_emit(o, "content_block_start", JV_OBJECT(S("type"), S("content_block_start"),
			S("index"), jv_number(0),
			S("content_block"), JV_OBJECT(S("type"), S("tool_use"), S("id"), S("toolu_01FakeToolUse0000000000"),
						      S("name"), tool, S("input"), jv_object())));
		/* the first fragment of a tool's input is empty, as the service sends it */
		an_emit(o, "content_block_delta", JV_OBJECT(S("type"), S("content_block_delta"), S("index"), jv_number(0),
			S("delta"), JV_OBJECT(S("type"), S("input_json_delta"), S("partial_json"), S(""))));
	} else {
		jv_free(tool);
		an_emit(o, "content_block_start", JV_OBJECT(S("type"), S("content_block_start"),
			S("index"), jv_number(0),
			S("content_block"), JV_OBJECT(S("type"), S("text"), S("text"), S(""))));
	}
	static const char ping[] = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
	out_event(o, ping, sizeof ping - 1);
}

static void an_delta(struct buf *ev, const struct ctx *c, long i, const char *p, size_t n)
{
	(void)i;
	jv tool = an_forced_tool(c);
	int forced = jv_is_valid(tool);
	jv_free(tool);
	an_add(ev, "content_block_delta", JV_OBJECT(S("type"), S("content_block_delta"),
		S("index"), jv_number(0),
		S("delta"), forced ? JV_OBJECT(S("type"), S("input_json_delta"), S("partial_json"), jv_string_sized(p, (int)n))
				   : JV_OBJECT(S("type"), S("text_delta"), S("text"), jv_string_sized(p, (int)n))));
}

/* --tool-call: a tool_use block after the text, its input in pieces */
static void an_tool_call(struct out *o, const struct ctx *c)
{
	char name[128];
	const char *args;
	tool_call_parts(c->g, name, sizeof name, &args);
	size_t half = strlen(args) / 2;
	an_emit(o, "content_block_start", JV_OBJECT(S("type"), S("content_block_start"), S("index"), jv_number(1),
		S("content_block"), JV_OBJECT(S("type"), S("tool_use"), S("id"), S("toolu_01FakeCall000000000000"),
					      S("name"), S(name), S("input"), jv_object())));
	for (int k = 0; k < 3; k++) {
		jv piece = k == 0 ? S("") : jv_string_sized(k == 1 ? args : args + half,
							    (int)(k == 1 ? half : strlen(args) - half));
		an_emit(o, "content_block_delta", JV_OBJECT(S("type"), S("content_block_delta"), S("index"), jv_number(1),
			S("delta"), JV_OBJECT(S("type"), S("input_json_delta"), S("partial_json"), piece)));
	}
	an_emit(o, "content_block_stop", JV_OBJECT(S("type"), S("content_block_stop"), S("index"), jv_number(1)));
}

static void an_finish(struct out *o, const struct ctx *c)
{
	jv tool = an_forced_tool(c);
	const char *reason = (jv_is_valid(tool) || c->g->tool_call) && !strcmp(c->g->finish, "stop")
		? "tool_use" : an_stop_reason(c->g->finish);
	jv_free(tool);
	jv md = JV_OBJECT(S("type"), S("message_delta"),
		S("delta"), JV_OBJECT(S("stop_reason"), S(reason),
				      S("stop_sequence"), jv_null()));
	an_emit(o, "content_block_stop", JV_OBJECT(S("type"), S("content_block_stop"),
						   S("index"), jv_number(0)));
	if (c->g->tool_call)
		an_tool_call(o, c);
	if (c->usage)   /* the final counts, which win over message_start's */
		md = jv_object_set(md, S("usage"), an_usage(c, 0));
	an_emit(o, "message_delta", md);
	if (!c->g->no_done)
		an_emit(o, "message_stop", JV_OBJECT(S("type"), S("message_stop")));
}

static void an_mid_error(struct out *o, const struct ctx *c)
{
	(void)c;
	an_emit(o, "error", JV_OBJECT(S("type"), S("error"), S("error"), JV_OBJECT(
		S("details"), jv_null(), S("type"), S("overloaded_error"), S("message"), S("Overloaded"))));
}

static void an_malformed(struct out *o, const struct ctx *c)
{
	static const char ev[] = "event: content_block_delta\n"
		"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_de\n\n";
	(void)c;
	out_event(o, ev, sizeof ev - 1);
}

static void an_full(struct buf *body, const struct ctx *c, const char *text, size_t n)
{
	jv block = JV_OBJECT(S("type"), S("text"), S("text"), jv_string_sized(text, (int)n));
	add_json(body, an_message(c, 0, JV_ARRAY(block)), 0);
}

const struct wire anthropic_wire = {
	"anthropic", "text/event-stream; charset=utf-8", "application/json",
	"application/json", an_match, an_prepare, an_headers, an_error,
	an_start, an_delta, an_finish, an_mid_error, an_malformed, an_full, NULL, NULL,
};
