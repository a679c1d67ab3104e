/* fakeprov_gemini: the Gemini API wire format of the fake provider
 * (POST .../models/MODEL:streamGenerateContent?alt=sse and :generateContent),
 * as the Developer API sends it: one whole GenerateContentResponse per event,
 * CRLF framing, `": "`-spaced JSON, no end marker (WIRE-FORMATS.md §3);
 * and, with --upload-dir, the Files API's resumable uploads (at the end). */
#include "fakeprov.h"
#include "base64.h"
#include "jsonx.h"
#include "sha256.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
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

/* ---------- the request's own checks ----------
 * responseSchema is a proto message (an OpenAPI 3.0 subset), and the
 * service's JSON parser refuses the request, 400 INVALID_ARGUMENT with a
 * BadRequest field violation each, over a name the message lacks
 * (additionalProperties, $schema, $ref, $defs, const...), a list where one
 * type goes (["string", "null"]) and a type it does not know ("null"),
 * naming each by its proto path: properties[i].value for the i-th
 * property, items, any_of[i]. Bodies as users have reported them. */

static const char *const gm_schema_names[] = {
	"type", "format", "title", "description", "nullable", "enum", "maxItems", "max_items",
	"minItems", "min_items", "properties", "required", "minProperties", "min_properties",
	"maxProperties", "max_properties", "minLength", "min_length", "maxLength", "max_length",
	"pattern", "example", "anyOf", "any_of", "propertyOrdering", "property_ordering",
	"default", "items", "minimum", "maximum",
};

static int gm_schema_name(const char *k)
{
	for (size_t i = 0; i < sizeof gm_schema_names / sizeof *gm_schema_names; i++)
		if (!strcmp(gm_schema_names[i], k))
			return 1;
	return 0;
}

static void gm_fault(jv *faults, const char *field, jv description)
{
	*faults = jv_array_append(*faults, JV_OBJECT(S("field"), S(field), S("description"), description));
}

/* The Type enum, in any case; "null" is not one of its values. */
static void gm_schema_type(jv ty, const char *at, jv *faults)
{
	static const char *const types[] = { "TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN",
					     "ARRAY", "OBJECT" };
	char field[1100];
	if (jv_get_kind(ty) == JV_KIND_ARRAY) {
		gm_fault(faults, at, jv_string_fmt("Invalid JSON payload received. Unknown name \"type\" at '%s': "
						   "Proto field is not repeating, cannot start list.", at));
		return;
	}
	const char *v = jv_get_kind(ty) == JV_KIND_STRING ? jv_string_value(ty) : "";
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (!strcasecmp(types[i], v))
			return;
	snprintf(field, sizeof field, "%s.type", at);
	gm_fault(faults, field, jv_string_fmt("Invalid value at '%s' (type.googleapis.com/google.ai.generativelanguage"
					      ".v1beta.Type), \"%s\"", field, v));
}

/* node (borrowed) at proto path at: each fault appended to *faults. */
static void gm_schema_walk(jv node, const char *at, jv *faults, int depth)
{
	if (jv_get_kind(node) != JV_KIND_OBJECT || depth > 64)
		return;
	jv_object_foreach(node, k, v) {
		const char *key = jv_string_value(k);
		char sub[1024];
		int i = 0;
		if (!gm_schema_name(key))
			gm_fault(faults, at, jv_string_fmt("Invalid JSON payload received. Unknown name \"%s\" at '%s': "
							   "Cannot find field.", key, at));
		else if (!strcmp(key, "type"))
			gm_schema_type(v, at, faults);
		else if (!strcmp(key, "items")) {
			snprintf(sub, sizeof sub, "%s.items", at);
			gm_schema_walk(v, sub, faults, depth + 1);
		} else if (!strcmp(key, "properties") && jv_get_kind(v) == JV_KIND_OBJECT) {
			jv_object_foreach(v, pk, pv) {
				snprintf(sub, sizeof sub, "%s.properties[%d].value", at, i++);
				gm_schema_walk(pv, sub, faults, depth + 1);
				jv_free(pk);
				jv_free(pv);
			}
		} else if ((!strcmp(key, "anyOf") || !strcmp(key, "any_of")) && jv_get_kind(v) == JV_KIND_ARRAY) {
			jv_array_foreach(v, n, alt) {
				snprintf(sub, sizeof sub, "%s.any_of[%d]", at, n);
				gm_schema_walk(alt, sub, faults, depth + 1);
				jv_free(alt);
			}
		}
		jv_free(k);
		jv_free(v);
	}
}

/* What the service finds wrong with the request's responseSchema. */
static jv gm_schema_faults(const struct ctx *c)
{
	jv faults = jv_array(), gen = jget(c->req, "generationConfig"), sc = jget(gen, "responseSchema");
	gm_schema_walk(sc, "generation_config.response_schema", &faults, 0);
	jv_free(sc);
	jv_free(gen);
	return faults;
}

static const char *gm_refuse(const struct ctx *c)
{
	return jv_array_length(gm_schema_faults(c)) ? "bad_schema" : NULL;
}

/* ---------- errors ---------- */

enum { GD_NONE, GD_RATE, GD_QUOTA, GD_KEY, GD_SCHEMA };

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
	{"bad_schema", 400, "INVALID_ARGUMENT", NULL, GD_SCHEMA},
	{"bad_media", 400, "INVALID_ARGUMENT", "Unsupported MIME type, or a part's data is not base64.", GD_NONE},
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
	if (e->details == GD_SCHEMA) {      /* every fault, one a line */
		details = gm_schema_faults(c);
		jv_array_foreach(details, i, f) {
			jv d = jget(f, "description");
			buf_addf(&msg, "%s%s", i ? "\n" : "", jv_string_value(d));
			jv_free(d);
			jv_free(f);
		}
		details = JV_ARRAY(JV_OBJECT(S("@type"), S("type.googleapis.com/google.rpc.BadRequest"),
					     S("fieldViolations"), details));
	} else if (e->message)
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

/* A response with one candidate holding text; final: with the finish
 * reason (and --tool-call's functionCall part, whole, as Gemini sends it). */
static jv gm_text(const struct ctx *c, const char *p, size_t n, long cand, int final)
{
	jv parts = JV_ARRAY(JV_OBJECT(S("text"), jv_string_sized(p, (int)n)));
	int last = final && !c->g->no_finish;
	if (last && c->g->tool_call) {
		char name[128];
		const char *args;
		tool_call_parts(c->g, name, sizeof name, &args);
		parts = jv_array_append(parts, JV_OBJECT(S("functionCall"),
			JV_OBJECT(S("name"), S(name), S("args"), jv_parse(args))));
	}
	jv k = JV_OBJECT(S("content"), JV_OBJECT(S("parts"), parts, S("role"), S("model")));
	if (last || c->g->finish_every)
		k = jv_object_set(k, S("finishReason"), gm_finish_reason(last ? c->g->finish : "stop"));
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
	int final = i == c->npieces - 1;
	gm_add(ev, c, gm_text(c, p, n, i + 1, final), final);
}

static void gm_finish(struct out *o, const struct ctx *c)
{
	if (!c->npieces)  /* no text at all: still a finish */
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

/* ---------- image models ----------
 * With generationConfig.responseModalities holding IMAGE (the image models,
 * gemini-2.5-flash-image), the reply's candidate has a text part (the
 * --text) and then the image as inlineData {mimeType, data}, always
 * lowerCamel; usage counts the image's 1290 tokens in candidatesTokensDetails
 * (WIRE-FORMATS.md §3.3). imageConfig.aspectRatio picks the size (the
 * service's own table, at 1/64 or --image-scale). --refuse ends the
 * candidate with IMAGE_SAFETY and no content; a --finish other than stop
 * gives the text alone, as a model that made no image does. */

int gm_wants_images(const struct ctx *c)
{
	jv gen = jget(c->req, "generationConfig"), mods = jget(gen, "responseModalities");
	int yes = 0;
	if (jv_get_kind(mods) == JV_KIND_ARRAY)
		jv_array_foreach(mods, i, m) {
			yes |= jv_get_kind(m) == JV_KIND_STRING && !strcasecmp(jv_string_value(m), "IMAGE");
			jv_free(m);
		}
	jv_free(mods);
	jv_free(gen);
	return yes;
}

/* The size of the aspect ratio asked for, as the service makes it. */
static void gm_image_size(const struct ctx *c, int *w, int *h)
{
	static const struct { const char *ratio; int w, h; } t[] = {
		{"1:1", 1024, 1024}, {"2:3", 832, 1248}, {"3:2", 1248, 832}, {"3:4", 864, 1184},
		{"4:3", 1184, 864}, {"4:5", 896, 1152}, {"5:4", 1152, 896}, {"9:16", 768, 1344},
		{"16:9", 1344, 768}, {"21:9", 1536, 672},
	};
	jv gen = jget(c->req, "generationConfig"), ic = jget(gen, "imageConfig"), r = jget(ic, "aspectRatio");
	long fw = 1024, fh = 1024;
	for (size_t i = 0; jv_get_kind(r) == JV_KIND_STRING && i < sizeof t / sizeof *t; i++)
		if (!strcmp(jv_string_value(r), t[i].ratio))
			fw = t[i].w, fh = t[i].h;
	image_scale(c, fw, fh, w, h);
	jv_free(r);
	jv_free(ic);
	jv_free(gen);
}

/* The prompt: the text of the last turn's parts. */
static jv gm_prompt(const struct ctx *c)
{
	jv contents = jget(c->req, "contents"), out = jv_string("");
	int n = jv_get_kind(contents) == JV_KIND_ARRAY ? jv_array_length(jv_copy(contents)) : 0;
	jv last = n ? jv_array_get(jv_copy(contents), n - 1) : jv_invalid(), parts = jget(last, "parts");
	if (jv_get_kind(parts) == JV_KIND_ARRAY)
		jv_array_foreach(parts, i, p) {
			jv t = jget(p, "text");
			if (jv_get_kind(t) == JV_KIND_STRING)
				out = jv_string_concat(out, jv_copy(t));
			jv_free(t);
			jv_free(p);
		}
	jv_free(parts);
	jv_free(last);
	jv_free(contents);
	return out;
}

static jv gm_image_response(const struct ctx *c, const char *text, size_t n)
{
	const struct group *g = c->g;
	int image = !g->refuse && !strcasecmp(g->finish, "stop");
	long img_tokens = image ? 1290 : 0, text_tokens = (long)(n / 4 ? n / 4 : 1);
	jv k = jv_object();
	if (!g->refuse) {
		jv parts = JV_ARRAY(JV_OBJECT(S("text"), jv_string_sized(text, (int)n)));
		if (image) {
			struct buf img = BUF_INIT(GEN_MAX), b64 = BUF_INIT(GEN_MAX);
			jv prompt = gm_prompt(c);
			int w, h;
			gm_image_size(c, &w, &h);
			image_make(&img, "png", w, h, image_seed(c, jv_string_value(prompt), 0), g->garbage);
			base64_encode(img.p, img.len, &b64);
			parts = jv_array_append(parts, JV_OBJECT(S("inlineData"), JV_OBJECT(S("mimeType"), S("image/png"),
				S("data"), jv_string_sized(b64.p, (int)b64.len))));
			jv_free(prompt);
			buf_free(&img);
			buf_free(&b64);
		}
		k = jv_object_set(k, S("content"), JV_OBJECT(S("parts"), parts, S("role"), S("model")));
	}
	k = jv_object_set(k, S("finishReason"), g->refuse ? S("IMAGE_SAFETY") : gm_finish_reason(g->finish));
	k = jv_object_set(k, S("index"), jv_number(0));
	jv r = JV_OBJECT(S("candidates"), JV_ARRAY(k));
	long p = c->prompt_tokens, cand = text_tokens + img_tokens;
	jv cd = JV_ARRAY(JV_OBJECT(S("modality"), S("TEXT"), S("tokenCount"), jv_number(text_tokens)));
	if (image)
		cd = jv_array_append(cd, JV_OBJECT(S("modality"), S("IMAGE"), S("tokenCount"), jv_number(img_tokens)));
	r = jv_object_set(r, S("usageMetadata"), JV_OBJECT(S("promptTokenCount"), jv_number(p),
		S("candidatesTokenCount"), jv_number(cand), S("totalTokenCount"), jv_number(p + cand),
		S("promptTokensDetails"), JV_ARRAY(JV_OBJECT(S("modality"), S("TEXT"), S("tokenCount"), jv_number(p))),
		S("candidatesTokensDetails"), cd));
	r = jv_object_set(r, S("modelVersion"), jv_copy(c->model));
	return jv_object_set(r, S("responseId"), S(c->id));
}

static void gm_full(struct buf *body, const struct ctx *c, const char *text, size_t n)
{
	if (c->g->blocked)
		gm_pretty(body, gm_blocked_response(c));
	else if (gm_wants_images(c))
		gm_pretty(body, gm_image_response(c, text, n));
	else
		gm_pretty(body, gm_text(c, text, n, c->completion_tokens - c->g->reasoning, 1));
	buf_adds(body, "\n");
}

const struct wire gemini_wire = {
	"gemini", "text/event-stream", "application/json; charset=UTF-8",
	"application/json; charset=UTF-8", gm_match, gm_prepare, gm_headers, gm_error,
	gm_start, gm_delta, gm_finish, gm_mid_error, gm_malformed, gm_full, gm_blocked, gm_refuse,
};

/* ---------- the Files API ----------
 * WIRE-FORMATS.md §3.5: a resumable upload session opened with
 * POST /upload/v1beta/files and "X-Goog-Upload-Command: start", whose URL
 * comes back in x-goog-upload-url; chunks POSTed to it with "upload" (and
 * "upload, finalize" for the last) at X-Goog-Upload-Offset; "query" says
 * how much arrived (x-goog-upload-size-received); the final reply carries
 * {"file": {...}}, and GET /v1beta/files/ID the bare File, PROCESSING for a
 * while, then ACTIVE (or FAILED). Header names come lower-case, as the
 * service sends them over HTTP/2; the 8 MiB granularity is what it asks
 * for. Bodies of the upload server's own refusals (wrong offset, a chunk
 * off the granularity, an unknown session: 404, as for an expired one) are
 * not on record, so they are plain text of our own. The state lives in
 * --upload-dir: ID.json and ID.bin (the bytes received) per session,
 * file-ID.json per file, so a test can check what arrived. */

struct files_cfg files_cfg = { NULL, 1, 0, 8388608 };

int files_match(const char *method, const char *route)
{
	size_t n = strlen(route);
	if (!strcmp(method, "POST") && !strncmp(route, "/upload/", 8) && n >= 6 && !strcmp(route + n - 6, "/files"))
		return 1;
	if (!strcmp(method, "GET") && strncmp(route, "/upload/", 8) && strstr(route, "/files/"))
		return 2;
	return 0;
}

static int safe_id(const char *s)
{
	return *s && strlen(s) < 100 && !s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")];
}

static void state_path(char *out, size_t cap, const char *id, const char *ext)
{
	snprintf(out, cap, "%s/%s%s", files_cfg.dir, id, ext);
}

static jv load_state(const char *path)
{
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

/* Written whole and renamed, so no reader sees half of it. */
static void save_state(const char *path, jv v)
{
	char tmp[4200];
	struct buf b = BUF_INIT(GEN_MAX);
	add_json(&b, v, 0);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len || close(fd) < 0 || rename(tmp, path) < 0)
		_exit(1);
	buf_free(&b);
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 ? -1 : (long long)st.st_size;
}

/* Google's timestamps have microseconds: "2025-11-24T16:00:00.412817Z". */
static void gtime(char *out, size_t cap, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(out, cap, "%Y-%m-%dT%H:%M:%S.412817Z", gmtime_r(&tt, &tm));
}

/* A reply from the upload server: its own headers, not the API's. */
static void up_reply(int fd, const struct ctx *c, int status, const char *uid, const char *extra,
		     const char *type, const char *body)
{
	struct buf h = BUF_INIT(GEN_MAX);
	buf_addf(&h, "X-GUploader-UploadID: %s\r\n", uid);
	if (extra)
		buf_adds(&h, extra);
	buf_adds(&h, "Server: UploadServer\r\n");
	send_reply(fd, c, status, type, 0, h.p, body, strlen(body));
	buf_free(&h);
}

static void up_refuse(int fd, const struct ctx *c, int status, const char *uid, const char *status_hdr, const char *msg)
{
	char extra[128] = "";
	if (status_hdr)
		snprintf(extra, sizeof extra, "x-goog-upload-status: %s\r\n", status_hdr);
	up_reply(fd, c, status, uid, extra, "text/plain; charset=utf-8", msg);
}

/* An API error in Google's JSON, e.g. 404 NOT_FOUND for a file not there. */
static void api_error(int fd, const struct ctx *c, int code, const char *status, const char *msg)
{
	struct buf b = BUF_INIT(GEN_MAX);
	gm_pretty(&b, JV_OBJECT(S("error"), JV_OBJECT(S("code"), jv_number(code), S("message"), S(msg),
						    S("status"), S(status))));
	buf_adds(&b, "\n");
	send_reply(fd, c, code, "application/json; charset=UTF-8", 1, NULL, b.p, b.len);
	buf_free(&b);
}

/* The connection dies under the client: a reset, no reply. */
static void reset_connection(int fd)
{
	struct linger l = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
	_exit(0);
}

static int append_bytes(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < b->len) {
		ssize_t w = write(fd, b->p + off, b->len - off);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

/* The SHA-256 of a file's bytes as Google's sha256Hash gives it: base64 of
 * the hexadecimal digest. */
static jv sha256_field(const char *path)
{
	struct sha256 s;
	unsigned char d[32], tmp[65536];
	char hex[65];
	ssize_t n;
	sha256_init(&s);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && (n = read(fd, tmp, sizeof tmp)) > 0)
		sha256_update(&s, tmp, (size_t)n);
	if (fd >= 0)
		close(fd);
	sha256_final(&s, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	struct buf b = BUF_INIT(256);
	base64_encode(hex, 64, &b);
	jv v = jv_string(buf_str(&b));
	buf_free(&b);
	return v;
}

/* A file id like Google's ("4if4o2bqvugf"), from the session's. */
static void file_id(char out[13], const char *uid)
{
	unsigned long long h = 1469598103934665603ULL;
	for (const char *p = uid; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (int i = 0; i < 12; i++, h /= 36)
		out[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[h % 36];
	out[12] = 0;
}

static void f_start(int fd, struct ctx *c, jv headers, const struct buf *body, const char *route)
{
	const char *proto = header_get(headers, "x-goog-upload-protocol");
	const char *len = header_get(headers, "x-goog-upload-header-content-length");
	const char *type = header_get(headers, "x-goog-upload-header-content-type");
	const char *host = header_get(headers, "host");
	char *end, uid[64], path[4200], url[1024], extra[4096];
	long long size = len ? strtoll(len, &end, 10) : -1;
	if (!proto || strcasecmp(proto, "resumable")) {
		api_error(fd, c, 400, "INVALID_ARGUMENT", "Request must use X-Goog-Upload-Protocol: resumable.");
		return;
	}
	if (!len || *end || size < 0) {
		api_error(fd, c, 400, "INVALID_ARGUMENT", "Invalid X-Goog-Upload-Header-Content-Length.");
		return;
	}
	jv req = jv_parse_sized(buf_str(body), (int)body->len), f = jget(req, "file");
	jv name = jget(f, "display_name");
	if (jv_get_kind(name) != JV_KIND_STRING) {
		jv_free(name);
		name = jget(f, "displayName");
	}
	if (jv_get_kind(name) != JV_KIND_STRING) {
		jv_free(name);
		name = jv_string("");
	}
	jv_free(f);
	jv_free(req);
	snprintf(uid, sizeof uid, "ABgVH8fake%06ldupload", c->n);
	/* "/upload/v1beta/files" -> "/v1beta" */
	jv api = jv_string_sized(route + 7, (int)(strlen(route) - 7 - 6));
	jv s = JV_OBJECT(S("size"), jv_number((double)size), S("mime"), S(type ? type : "application/octet-stream"),
			 S("display_name"), name, S("status"), S("active"), S("api"), api,
			 S("host"), S(host ? host : "127.0.0.1"));
	state_path(path, sizeof path, uid, ".json");
	save_state(path, s);
	state_path(path, sizeof path, uid, ".bin");
	int bfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (bfd < 0)
		_exit(1);
	close(bfd);
	snprintf(url, sizeof url, "http://%s%s?upload_id=%s&upload_protocol=resumable", host ? host : "127.0.0.1",
		 route, uid);
	snprintf(extra, sizeof extra,
		 "x-goog-upload-status: active\r\nx-goog-upload-url: %s\r\nx-goog-upload-control-url: %s\r\n"
		 "x-goog-upload-chunk-granularity: %ld\r\nx-goog-upload-header-content-length: %lld\r\n"
		 "x-goog-upload-header-content-type: %s\r\n",
		 url, url, files_cfg.granularity, size, type ? type : "application/octet-stream");
	up_reply(fd, c, 200, uid, extra, "text/plain; charset=utf-8", "");
}

/* The File a finished session made, stored beside the sessions. */
static jv new_file(const struct ctx *c, const char *uid, jv sess, const char *id)
{
	char path[4200], made[64], expiry[64], uri[1024];
	jv host = jget(sess, "host"), api = jget(sess, "api"), mime = jget(sess, "mime"), dn = jget(sess, "display_name");
	state_path(path, sizeof path, uid, ".bin");
	gtime(made, sizeof made, c->created);
	gtime(expiry, sizeof expiry, c->created + 48 * 3600);
	snprintf(uri, sizeof uri, "http://%s%s/files/%s", jv_string_value(host), jv_string_value(api), id);
	jv f = JV_OBJECT(S("name"), jv_string_fmt("files/%s", id), S("displayName"), dn, S("mimeType"), mime,
			 S("sizeBytes"), jv_string_fmt("%lld", file_size(path)), S("createTime"), S(made),
			 S("updateTime"), S(made), S("expirationTime"), S(expiry));
	/* JV_OBJECT takes nine pairs at most */
	f = jv_object_set(f, S("sha256Hash"), sha256_field(path));
	f = jv_object_set(f, S("uri"), S(uri));
	f = jv_object_set(f, S("state"), S("PROCESSING"));
	f = jv_object_set(f, S("source"), S("UPLOADED"));
	jv_free(host);
	jv_free(api);
	return f;
}

static void f_final_reply(int fd, const struct ctx *c, const char *uid, jv file, long long size)
{
	struct buf b = BUF_INIT(GEN_MAX);
	char extra[256];
	gm_pretty(&b, JV_OBJECT(S("file"), file));
	buf_adds(&b, "\n");
	snprintf(extra, sizeof extra, "x-goog-upload-status: final\r\nx-goog-upload-size-received: %lld\r\n", size);
	up_reply(fd, c, 200, uid, extra, "application/json; charset=UTF-8", buf_str(&b));
	buf_free(&b);
}

/* The session's File, from its file-ID.json. */
static jv session_file(jv sess)
{
	char path[4200];
	jv id = jget(sess, "file");
	if (jv_get_kind(id) != JV_KIND_STRING) {
		jv_free(id);
		return jv_invalid();
	}
	char name[128];
	snprintf(name, sizeof name, "file-%s", jv_string_value(id));
	jv_free(id);
	state_path(path, sizeof path, name, ".json");
	jv st = load_state(path);
	jv f = jget(st, "file");
	jv_free(st);
	return f;
}

static int has_command(const char *cmd, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = cmd; p && *p;) {
		p += strspn(p, " ,");
		size_t k = strcspn(p, " ,");
		if (k == n && !strncasecmp(p, word, n))
			return 1;
		p += k;
	}
	return 0;
}

static void f_session(int fd, struct ctx *c, jv headers, const struct buf *body, int truncated)
{
	char uid[128] = "", jpath[4200], bpath[4200], msg[256];
	const char *q = strstr(c->path, "upload_id=");
	if (q)
		snprintf(uid, sizeof uid, "%.*s", (int)strcspn(q + 10, "&"), q + 10);
	if (!safe_id(uid)) {
		up_refuse(fd, c, 400, "none", NULL, "Invalid upload_id.");
		return;
	}
	state_path(jpath, sizeof jpath, uid, ".json");
	state_path(bpath, sizeof bpath, uid, ".bin");
	jv sess = load_state(jpath);
	if (jv_is_valid(sess) && c->g->upload_expire) { /* --upload-expire: it timed out just now */
		unlink(jpath);
		unlink(bpath);
		jv_free(sess);
		sess = jv_invalid();
	}
	if (!jv_is_valid(sess)) {
		jv_free(sess);
		if (truncated)
			reset_connection(fd);
		up_refuse(fd, c, 404, uid, NULL, "Not Found");
		return;
	}
	const char *cmd = header_get(headers, "x-goog-upload-command");
	long long size = (long long)jx_num(sess, "size", 0), got = file_size(bpath);
	jv stv = jget(sess, "status");
	int final = jv_get_kind(stv) == JV_KIND_STRING && !strcmp(jv_string_value(stv), "final");
	jv_free(stv);
	if (has_command(cmd, "query") || (final && (has_command(cmd, "upload") || has_command(cmd, "finalize")))) {
		if (truncated)
			reset_connection(fd);
		if (final) {
			f_final_reply(fd, c, uid, session_file(sess), got);
		} else {
			snprintf(msg, sizeof msg, "x-goog-upload-status: active\r\nx-goog-upload-size-received: %lld\r\n", got);
			up_reply(fd, c, 200, uid, msg, "text/plain; charset=utf-8", "");
		}
		jv_free(sess);
		return;
	}
	int up = has_command(cmd, "upload"), fin = has_command(cmd, "finalize");
	const char *ofs = header_get(headers, "x-goog-upload-offset");
	char *end;
	long long off = ofs ? strtoll(ofs, &end, 10) : -1;
	if (!up && !fin) {
		up_refuse(fd, c, 400, uid, "active", "Unknown X-Goog-Upload-Command.");
	} else if (!ofs || *end || off != got) {
		if (truncated)
			reset_connection(fd);
		snprintf(msg, sizeof msg, "Invalid X-Goog-Upload-Offset: the session has %lld bytes.", got);
		up_refuse(fd, c, 400, uid, "active", msg);
	} else if (truncated) {
		append_bytes(bpath, body); /* what arrived before the line went dead is kept */
		reset_connection(fd);
	} else if (!fin && body->len % (size_t)files_cfg.granularity) {
		snprintf(msg, sizeof msg, "The upload chunk size must be a multiple of %ld bytes.", files_cfg.granularity);
		up_refuse(fd, c, 400, uid, "active", msg);
	} else if (got + (long long)body->len > size || (fin && got + (long long)body->len != size)) {
		snprintf(msg, sizeof msg, "The upload ends at %lld bytes, but X-Goog-Upload-Header-Content-Length was %lld.",
			 got + (long long)body->len, size);
		up_refuse(fd, c, 400, uid, "active", msg);
	} else if (append_bytes(bpath, body) < 0) {
		up_refuse(fd, c, 500, uid, "active", "Internal error.");
	} else if (!fin) {
		up_reply(fd, c, 200, uid, "x-goog-upload-status: active\r\n", "text/plain; charset=utf-8", "");
	} else {
		char id[13], name[32], fpath[4200];
		file_id(id, uid);
		jv f = new_file(c, uid, sess, id);
		snprintf(name, sizeof name, "file-%s", id);
		state_path(fpath, sizeof fpath, name, ".json");
		save_state(fpath, JV_OBJECT(S("file"), jv_copy(f), S("polls"), jv_number(0)));
		sess = jv_object_set(sess, S("status"), S("final"));
		sess = jv_object_set(sess, S("file"), S(id));
		save_state(jpath, jv_copy(sess));
		f_final_reply(fd, c, uid, f, size);
	}
	jv_free(sess);
}

static void f_get(int fd, struct ctx *c, const char *route)
{
	const char *id = strstr(route, "/files/") + 7;
	char name[160], path[4200], t[64];
	snprintf(name, sizeof name, "file-%s", id);
	jv st = safe_id(id) ? (state_path(path, sizeof path, name, ".json"), load_state(path)) : jv_invalid();
	jv f = jget(st, "file");
	if (jv_get_kind(f) != JV_KIND_OBJECT) {
		jv_free(f);
		jv_free(st);
		api_error(fd, c, 404, "NOT_FOUND", "Requested entity was not found.");
		return;
	}
	long polls = (long)jx_num(st, "polls", 0) + 1;
	jv_free(st);
	if (polls > files_cfg.polls) {
		jv mime = jget(f, "mimeType");
		int video = jv_get_kind(mime) == JV_KIND_STRING && !strncmp(jv_string_value(mime), "video/", 6);
		jv_free(mime);
		gtime(t, sizeof t, c->created + 3);
		f = jv_object_set(f, S("updateTime"), S(t));
		if (files_cfg.failed) {
			/* the reason's wording is ours: FAILED files are not on record */
			f = jv_object_set(f, S("state"), S("FAILED"));
			f = jv_object_set(f, S("error"), JV_OBJECT(S("code"), jv_number(3),
				S("message"), S("The video file could not be processed: no decodable video stream.")));
		} else {
			f = jv_object_set(f, S("state"), S("ACTIVE"));
			if (video)
				f = jv_object_set(f, S("videoMetadata"), JV_OBJECT(S("videoDuration"), S("13s")));
		}
	}
	save_state(path, JV_OBJECT(S("file"), jv_copy(f), S("polls"), jv_number((double)polls)));
	struct buf b = BUF_INIT(GEN_MAX);
	gm_pretty(&b, f);
	buf_adds(&b, "\n");
	send_reply(fd, c, 200, "application/json; charset=UTF-8", 1, NULL, b.p, b.len);
	buf_free(&b);
}

void files_serve(int fd, struct ctx *c, jv headers, const struct buf *body, int truncated)
{
	char *route = strndup(c->path, strcspn(c->path, "?"));
	if (!route)
		_exit(1);
	int kind = files_match(c->method, route);
	const char *cmd = header_get(headers, "x-goog-upload-command");
	if (kind == 2)
		f_get(fd, c, route);
	else if (!strstr(c->path, "upload_id=") && cmd && has_command(cmd, "start"))
		f_start(fd, c, headers, body, route);
	else if (strstr(c->path, "upload_id="))
		f_session(fd, c, headers, body, truncated);
	else
		api_error(fd, c, 400, "INVALID_ARGUMENT", "Uploads must use X-Goog-Upload-Protocol: resumable.");
	free(route);
}
