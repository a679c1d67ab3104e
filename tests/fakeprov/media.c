/* media.c: each wire's attachment parts checked against the shapes the
 * providers' references give, so a request the service would refuse is
 * refused here too (400, kind "bad_media"), not answered as if fine:
 *   OpenAI Chat Completions: image_url {url}; file {filename, file_data: a
 *     data: URL of application/pdf}; input_audio {data: bare base64,
 *     format "wav" or "mp3"} (the openai SDK's ChatCompletionContentPart).
 *   Anthropic Messages: image and document blocks with source {type
 *     "base64", media_type (application/pdf for a document), data}; no
 *     audio block exists (the @anthropic-ai/sdk's DocumentBlockParam).
 *   Gemini: inline_data {mime_type, data} or file_data {mime_type,
 *     file_uri}, mime_type one the docs list for images, video, PDFs and
 *     audio (and audio/mp4, M4A's type). */
#include "fakeprov.h"
#include <string.h>

/* s consumed. */
static int is_base64(jv s)
{
	int ok = jv_get_kind(s) == JV_KIND_STRING;
	const char *p = ok ? jv_string_value(s) : "";
	int n = ok ? jv_string_length_bytes(jv_copy(s)) : 0;
	ok = ok && n && n % 4 == 0;
	for (int i = 0; ok && i < n; i++)
		ok = p[i] && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", p[i]);
	jv_free(s);
	return ok;
}

static int str_is(jv v, const char *s)
{
	return jv_get_kind(v) == JV_KIND_STRING && !strcmp(jv_string_value(v), s);
}

static int starts(jv v, const char *prefix)
{
	return jv_get_kind(v) == JV_KIND_STRING && !strncmp(jv_string_value(v), prefix, strlen(prefix));
}

/* v consumed; 1 when the part is well formed. */
static int oa_part(jv part)
{
	jv type = jget(part, "type");
	int ok = 1;
	if (str_is(type, "file")) {
		jv f = jget(part, "file"), name = jget(f, "filename"), data = jget(f, "file_data");
		const char *pre = "data:application/pdf;base64,";
		ok = jv_get_kind(name) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(name)) > 0 && starts(data, pre) &&
		     is_base64(jv_string(jv_string_value(data) + strlen(pre)));
		jv_free(f), jv_free(name), jv_free(data);
	} else if (str_is(type, "input_audio")) {
		jv a = jget(part, "input_audio"), data = jget(a, "data"), fmt = jget(a, "format");
		ok = is_base64(jv_copy(data)) && (str_is(fmt, "wav") || str_is(fmt, "mp3"));
		jv_free(a), jv_free(data), jv_free(fmt);
	} else {
		ok = str_is(type, "text") || str_is(type, "image_url");
	}
	jv_free(type);
	jv_free(part);
	return ok;
}

static int an_block(jv b)
{
	jv type = jget(b, "type"), src = jget(b, "source"), st = jget(src, "type"), mt = jget(src, "media_type"),
	   data = jget(src, "data");
	int ok = str_is(type, "text") || str_is(type, "tool_use") || str_is(type, "tool_result");
	if (str_is(type, "document"))
		ok = str_is(st, "base64") && str_is(mt, "application/pdf") && is_base64(jv_copy(data));
	else if (str_is(type, "image"))
		ok = (str_is(st, "base64") && starts(mt, "image/") && is_base64(jv_copy(data))) || str_is(st, "url");
	jv_free(type), jv_free(src), jv_free(st), jv_free(mt), jv_free(data), jv_free(b);
	return ok;
}

static int gm_mime_ok(jv m)
{
	static const char *const ok[] = { "image/png", "image/jpeg", "image/webp", "image/heic", "image/heif",
		"application/pdf", "audio/wav", "audio/mp3", "audio/aiff", "audio/aac", "audio/ogg", "audio/flac",
		"audio/mp4", NULL };
	if (starts(m, "video/"))
		return 1;
	for (int i = 0; ok[i]; i++)
		if (str_is(m, ok[i]))
			return 1;
	return 0;
}

static int gm_part(jv p)
{
	jv in = jget(p, "inline_data"), fd = jget(p, "file_data");
	int ok = 1;
	if (jv_get_kind(in) == JV_KIND_OBJECT) {
		jv m = jget(in, "mime_type"), d = jget(in, "data");
		ok = gm_mime_ok(m) && is_base64(d);
		jv_free(m);
	}
	if (jv_get_kind(fd) == JV_KIND_OBJECT) {
		jv m = jget(fd, "mime_type"), u = jget(fd, "file_uri");
		ok = ok && gm_mime_ok(m) && jv_get_kind(u) == JV_KIND_STRING;
		jv_free(m), jv_free(u);
	}
	jv_free(in), jv_free(fd), jv_free(p);
	return ok;
}

/* Every element of each list's array field (content or parts) through fn. */
static int each(jv list, const char *field, int (*fn)(jv))
{
	int ok = 1;
	if (jv_get_kind(list) == JV_KIND_ARRAY) {
		jv_array_foreach(list, i, m) {
			jv parts = jget(m, field);
			if (jv_get_kind(parts) == JV_KIND_ARRAY) {
				jv_array_foreach(parts, k, x)
					ok = fn(x) && ok;
			}
			jv_free(parts);
			jv_free(m);
		}
	}
	jv_free(list);
	return ok;
}

const char *media_fault(const struct ctx *c)
{
	const char *w = c->w->name;
	int ok = !strcmp(w, "openai") ? each(jget(c->req, "messages"), "content", oa_part)
	       : !strcmp(w, "anthropic") ? each(jget(c->req, "messages"), "content", an_block)
	       : !strcmp(w, "gemini") ? each(jget(c->req, "contents"), "parts", gm_part) : 1;
	return ok ? NULL : "bad_media";
}
