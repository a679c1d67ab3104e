/* fakeprov_gemini: the Gemini API wire format of the fake provider
 * (POST .../models/MODEL:streamGenerateContent?alt=sse and :generateContent),
 * as the Developer API sends it: one whole GenerateContentResponse per event,
 * CRLF framing, `": "`-spaced JSON, no end marker (WIRE-FORMATS.md §3). */
#include "fakeprov.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define GM_MODEL "gemini-2.5-flash"     /* when the path names none */
#define GM_RATE_DOC "https://ai.google.dev/gemini-api/docs/rate-limits"

enum { GM_SSE = 1, GM_ARRAY = 2 };      /* c->stream: with and without alt=sse */

static int gm_match(const char *path)
{
	return strstr(path, ":streamGenerateContent") || strstr(path, ":generateContent");
}

/* Does the query (after '?') hold alt=sse? */
static int gm_alt_sse(const char *path)
{
	const char *q = strchr(path, '?');
	while (q) {
		q++;
		size_t n = strcspn(q, "&");
		if (n == 7 && !strncmp(q, "alt=sse", 7))
			return 1;
		q = strchr(q, '&');
	}
	return 0;
}

static void gm_prepare(struct ctx *c)
{
	size_t rlen = strcspn(c->path, "?");
	const char *colon = c->path + rlen, *name;
	while (colon > c->path && *colon != ':')
		colon--;
	for (name = colon; name > c->path && name[-1] != '/'; name--)
		;
	snprintf(c->id, sizeof c->id, "fakeprov%015ld", c->n);     /* responseId */
	if (!strncmp(colon, ":streamGenerateContent", 22))
		c->stream = gm_alt_sse(c->path) ? GM_SSE : GM_ARRAY;
	if (c->stream == GM_ARRAY)
		c->stream_type = c->w->json_type;
	c->usage = c->g->usage != 0;    /* the API always reports usage */
	jv_free(c->model);
	if (c->g->model)
		c->model = jv_string(c->g->model);
	else if (colon > name)
		c->model = jv_string_sized(name, (int)(colon - name));
	else
		c->model = jv_string(GM_MODEL);
	size_t bytes = 0;
	jv contents = jget(c->req, "contents");
	if (jv_get_kind(contents) == JV_KIND_ARRAY) {
		jv_array_foreach(contents, i, m) {
			jv parts = jget(m, "parts");
			bytes += text_bytes(parts);
			jv_free(parts);
			jv_free(m);
		}
	}
	jv_free(contents);
	jv sys = jget(c->req, "systemInstruction");
	bytes += text_bytes(sys);
	jv_free(sys);
	c->prompt_tokens = bytes / 4 ? (long)(bytes / 4) : 1;
	if (c->prompt_tokens < c->g->cached)
		c->prompt_tokens = c->g->cached;    /* cached tokens are part of the prompt */
}

static void gm_headers(struct buf *h, const struct ctx *c, const char *errkind)
{
	const struct group *g = c->g;
	hdr(h, g, "Vary", "Origin");
	hdr(h, g, "Vary", "X-Origin");
	hdr(h, g, "Vary", "Referer");
	if (c->stream == GM_SSE && !errkind)
		hdr(h, g, "Content-Disposition", "attachment");
	hdr(h, g, "Server", "scaffolding on HTTPServer2");
	hdr(h, g, "X-XSS-Protection", "0");
	hdr(h, g, "X-Frame-Options", "SAMEORIGIN");
	hdr(h, g, "X-Content-Type-Options", "nosniff");
	hdr(h, g, "Server-Timing", "gfet4t7; dur=379");
	hdr(h, g, "Alt-Svc", "h3=\":443\"; ma=2592000,h3-29=\":443\"; ma=2592000");
}

/* Gemini's own JSON layout: compact, but `": "` after each key. */
static void gm_dump(struct buf *b, jv v)
{
	int first = 1;
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		buf_addc(b, '{');
		jv_object_foreach(v, k, x) {
			if (!first)
				buf_addc(b, ',');
			first = 0;
			add_json(b, k, 0);
			buf_adds(b, ": ");
			gm_dump(b, x);
		}
		buf_addc(b, '}');
		jv_free(v);
	} else if (jv_get_kind(v) == JV_KIND_ARRAY) {
		buf_addc(b, '[');
		jv_array_foreach(v, i, x) {
			if (i)
				buf_addc(b, ',');
			gm_dump(b, x);
		}
		buf_addc(b, ']');
		jv_free(v);
	} else {
		add_json(b, v, 0);
	}
}

/* Google's pretty layout (error bodies, :generateContent, no alt=sse). */
static void gm_pretty(struct buf *b, jv v)
{
	add_json(b, v, JV_PRINT_INDENT_FLAGS(2));
}

/* ---------- errors ---------- */

enum { GD_NONE, GD_RATE, GD_QUOTA, GD_KEY };

/* Bodies and statuses: WIRE-FORMATS.md §3.4 and recorded replies.
 * NULL message: built in gm_error. */
static const struct gm_err {
	const char *kind;
	int code;
	const char *status, *message;
	int details;
} gm_errs[] = {
	{"context_length", 400, "INVALID_ARGUMENT",
	 "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).", GD_NONE},
	{"auth", 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", GD_KEY},
	{"permission", 403, "PERMISSION_DENIED", "The caller does not have permission", GD_NONE},
	{"not_found", 404, "NOT_FOUND", NULL, GD_NONE},
	{"rate_limit", 429, "RESOURCE_EXHAUSTED", NULL, GD_RATE},
	{"quota", 429, "RESOURCE_EXHAUSTED", NULL, GD_QUOTA},
	{"server", 500, "INTERNAL",
	 "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", GD_NONE},
	{"unavailable", 503, "UNAVAILABLE", "The model is overloaded. Please try again later.", GD_NONE},
	{"overloaded", 503, "UNAVAILABLE", "The model is overloaded. Please try again later.", GD_NONE},
	{"bad_request", 400, "INVALID_ARGUMENT",
	 "* GenerateContentRequest.contents: contents is not specified\n", GD_NONE},
	{"bad_json", 400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unexpected token.", GD_NONE},
	{"bad_url", 404, "NOT_FOUND", "Method not found.", GD_NONE},
};

static const struct gm_err *gm_find(const char *kind)
{
	for (size_t i = 0; i < sizeof gm_errs / sizeof *gm_errs; i++)
		if (!strcmp(gm_errs[i].kind, kind))
			return &gm_errs[i];
	return NULL;
}

/* The details of a 429: which quota ran out and when to come back. */
static jv gm_quota_details(const struct ctx *c, int daily, long delay_ms)
{
	/* a protobuf Duration: "34s", or with 3 fraction digits "0.010s" */
	jv delay = delay_ms % 1000 ? jv_string_fmt("%ld.%03lds", delay_ms / 1000, delay_ms % 1000)
				   : jv_string_fmt("%lds", delay_ms / 1000);
	jv help = JV_OBJECT(S("@type"), S("type.googleapis.com/google.rpc.Help"),
		S("links"), JV_ARRAY(JV_OBJECT(S("description"), S("Learn more about Gemini API quotas"),
					       S("url"), S(GM_RATE_DOC))));
	jv viol = JV_OBJECT(
		S("quotaMetric"), S("generativelanguage.googleapis.com/generate_content_free_tier_requests"),
		S("quotaId"), S(daily ? "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
				      : "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"),
		S("quotaDimensions"), JV_OBJECT(S("location"), S("global"), S("model"), jv_copy(c->model)),
		S("quotaValue"), S(daily ? "20" : "10"));
	jv fail = JV_OBJECT(S("@type"), S("type.googleapis.com/google.rpc.QuotaFailure"),
			    S("violations"), JV_ARRAY(viol));
	jv retry = JV_OBJECT(S("@type"), S("type.googleapis.com/google.rpc.RetryInfo"),
			     S("retryDelay"), delay);
	return JV_ARRAY(help, fail, retry);
}

static int gm_error(struct buf *body, const struct ctx *c, const char *kind)
{
	const struct gm_err *e = gm_find(kind);
	struct buf msg = BUF_INIT(HEAD_MAX);
	jv details = jv_invalid();
	if (!e)
		e = gm_find("server");
	char s[32];
	long delay = c->g->retry_ms;
	if (e->details == GD_QUOTA)     /* the free-tier day ends at midnight Pacific */
		delay = 1000 * (86400 - (long)((c->created - 8 * 3600) % 86400));
	if (e->message)
		buf_adds(&msg, e->message);
	else if (e->details == GD_NONE)     /* not_found */
		buf_addf(&msg, "models/%s is not found for API version v1beta, or is not supported for %s. Call ListModels to see the list of available models and their supported methods.",
			 jv_string_value(c->model),
			 strstr(c->path, ":streamGenerateContent") ? "streamGenerateContent" : "generateContent");
	else
		buf_addf(&msg, "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: " GM_RATE_DOC ". To monitor your current usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: %s, model: %s\nPlease retry in %ss.",
			 e->details == GD_QUOTA ? "20" : "10", jv_string_value(c->model), secs(s, delay));
	if (e->details == GD_RATE || e->details == GD_QUOTA)
		details = gm_quota_details(c, e->details == GD_QUOTA, delay);
	else if (e->details == GD_KEY)
		details = JV_ARRAY(
			JV_OBJECT(S("@type"), S("type.googleapis.com/google.rpc.ErrorInfo"),
				  S("reason"), S("API_KEY_INVALID"), S("domain"), S("googleapis.com"),
				  S("metadata"), JV_OBJECT(S("service"), S("generativelanguage.googleapis.com"))),
			JV_OBJECT(S("@type"), S("type.googleapis.com/google.rpc.LocalizedMessage"),
				  S("locale"), S("en-US"), S("message"), S(e->message)));
	jv err = JV_OBJECT(S("code"), jv_number(e->code), S("message"), S(buf_str(&msg)),
			   S("status"), S(e->status));
	if (jv_is_valid(details))
		err = jv_object_set(err, S("details"), details);
	else
		jv_free(details);
	gm_pretty(body, JV_OBJECT(S("error"), err));
	buf_adds(body, "\n");
	buf_free(&msg);
	return e->code;
}

/* ---------- replies ---------- */

static jv gm_finish_reason(const char *finish)
{
	static const char *const map[][2] = {
		{"stop", "STOP"}, {"length", "MAX_TOKENS"}, {"filtered", "SAFETY"},
		{"content_filter", "SAFETY"}, {"safety", "SAFETY"},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcasecmp(finish, map[i][0]))
			return jv_string(map[i][1]);
	char *up = strdup(finish);
	if (!up)
		_exit(1);
	for (char *p = up; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	jv s = jv_string(up);
	free(up);
	return s;
}

/* Counts of zero are left out, as proto3 JSON does. */
static jv gm_usage(const struct ctx *c, long cand)
{
	long p = c->prompt_tokens, cached = c->g->cached, thoughts = c->g->reasoning;
	jv u = JV_OBJECT(S("promptTokenCount"), jv_number(p));
	if (cand)
		u = jv_object_set(u, S("candidatesTokenCount"), jv_number(cand));
	u = jv_object_set(u, S("totalTokenCount"), jv_number(p + cand + thoughts));
	if (cached)
		u = jv_object_set(u, S("cachedContentTokenCount"), jv_number(cached));
	u = jv_object_set(u, S("promptTokensDetails"), JV_ARRAY(JV_OBJECT(
		S("modality"), S("TEXT"), S("tokenCount"), jv_number(p))));
	if (cached)
		u = jv_object_set(u, S("cacheTokensDetails"), JV_ARRAY(JV_OBJECT(
			S("modality"), S("TEXT"), S("tokenCount"), jv_number(cached))));
	if (thoughts)
		u = jv_object_set(u, S("thoughtsTokenCount"), jv_number(thoughts));
	return u;
}

/* Completes response r (consumed) with the fields every response ends with. */
static jv gm_response(const struct ctx *c, jv r, long cand)
{
	if (c->usage)
		r = jv_object_set(r, S("usageMetadata"), gm_usage(c, cand));
	r = jv_object_set(r, S("modelVersion"), jv_copy(c->model));
	return jv_object_set(r, S("responseId"), S(c->id));
}

/* A response with one candidate holding text; final: with the finish reason. */
static jv gm_text(const struct ctx *c, const char *p, size_t n, long cand, int final)
{
	jv parts = JV_ARRAY(JV_OBJECT(S("text"), jv_string_sized(p, (int)n)));
	jv k = JV_OBJECT(S("content"), JV_OBJECT(S("parts"), parts, S("role"), S("model")));
	if (final)
		k = jv_object_set(k, S("finishReason"), gm_finish_reason(c->g->finish));
	k = jv_object_set(k, S("index"), jv_number(0));
	return gm_response(c, JV_OBJECT(S("candidates"), JV_ARRAY(k)), cand);
}

/* Appends response r (consumed) as the stream carries it: an SSE event, or
 * without alt=sse an element of one JSON array written as it goes. */
static void gm_add(struct buf *b, const struct ctx *c, jv r, int last)
{
	if (c->stream == GM_ARRAY) {
		gm_pretty(b, r);
		buf_adds(b, last ? "\n]" : "\n,\r\n");
	} else {
		buf_adds(b, "data: ");
		gm_dump(b, r);
		buf_adds(b, "\r\n\r\n");
	}
}

static void gm_emit(struct out *o, const struct ctx *c, jv r, int last)
{
	struct buf b = BUF_INIT(GEN_MAX);
	gm_add(&b, c, r, last);
	out_event(o, b.p, b.len);
	buf_free(&b);
}

static void gm_start(struct out *o, const struct ctx *c)
{
	if (c->stream == GM_ARRAY)
		out_event(o, "[", 1);
}

/* The last piece carries the finish reason and the final counts. */
static void gm_delta(struct buf *ev, const struct ctx *c, long i, const char *p, size_t n)
{
	int final = i == c->npieces - 1 && !c->g->no_done;
	gm_add(ev, c, gm_text(c, p, n, i + 1, final), final);
}

static void gm_finish(struct out *o, const struct ctx *c)
{
	if (!c->npieces && !c->g->no_done)  /* no text at all: still a finish */
		gm_emit(o, c, gm_text(c, "", 0, 0, 1), 1);
}

/* Google appends a bare error object, without `data:`, and closes. */
static void gm_mid_error(struct out *o, const struct ctx *c)
{
	struct buf b = BUF_INIT(GEN_MAX);
	gm_pretty(&b, JV_OBJECT(S("error"), JV_OBJECT(S("code"), jv_number(500),
		S("message"), S("Internal error encountered."), S("status"), S("INTERNAL"))));
	buf_adds(&b, c->stream == GM_ARRAY ? "\n]" : "\n");
	out_event(o, b.p, b.len);
	buf_free(&b);
}

static void gm_malformed(struct out *o, const struct ctx *c)
{
	static const char sse[] = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"te\r\n\r\n";
	static const char arr[] = "{\n  \"candidates\": [\n    {\n      \"con\n,\r\n";
	if (c->stream == GM_ARRAY)
		out_event(o, arr, sizeof arr - 1);
	else
		out_event(o, sse, sizeof sse - 1);
}

/* --blocked: the prompt itself was refused; no candidates at all. */
static jv gm_blocked_response(const struct ctx *c)
{
	jv fb = JV_OBJECT(S("blockReason"), gm_finish_reason(c->g->blocked));
	return gm_response(c, JV_OBJECT(S("promptFeedback"), fb), 0);
}

static void gm_blocked(struct out *o, const struct ctx *c)
{
	gm_emit(o, c, gm_blocked_response(c), 1);
}

static void gm_full(struct buf *body, const struct ctx *c, const char *text, size_t n)
{
	if (c->g->blocked)
		gm_pretty(body, gm_blocked_response(c));
	else
		gm_pretty(body, gm_text(c, text, n, c->completion_tokens - c->g->reasoning, 1));
	buf_adds(body, "\n");
}

const struct wire gemini_wire = {
	"gemini", "text/event-stream", "application/json; charset=UTF-8",
	"application/json; charset=UTF-8", gm_match, gm_prepare, gm_headers, gm_error,
	gm_start, gm_delta, gm_finish, gm_mid_error, gm_malformed, gm_full, gm_blocked,
};
