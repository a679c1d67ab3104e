#include "imagegen/imagegen.h"
#include "net/dryrun.h"
#include "base64.h"
#include "diag.h"
#include "net/http.h"
#include "net/retry.h"
#include "jsonx.h"
#include "randbytes.h"
#include "sig.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PER_IMAGE_MAX ((size_t)64 << 20)   /* base64 of one image, with room to spare */

enum imagegen_api imagegen_api_for(const struct provider *p, const char *model)
{
	if (p == &provider_gemini)
		return IG_GEMINI;
	if (p != &provider_openai)
		return IG_NONE;
	if (!strncmp(model, "dall-e-3", 8))
		return IG_DALLE3;
	if (!strncmp(model, "dall-e-2", 8))
		return IG_DALLE2;
	return IG_GPT_IMAGE;
}

int imagegen_max_per_request(enum imagegen_api api)
{
	return api == IG_GPT_IMAGE || api == IG_DALLE2 ? 10 : 1;
}

long imagegen_output_tokens(const char *quality, const char *size)
{
	/* low, medium, high for 1024x1024, 1024x1536, 1536x1024 */
	static const long t[3][3] = { { 272, 408, 400 }, { 1056, 1584, 1568 }, { 4160, 6240, 6208 } };
	int q = quality && !strcmp(quality, "low") ? 0 : quality && !strcmp(quality, "medium") ? 1 : 2;
	long w, h;
	if (!size || !strcmp(size, "auto") || !strcmp(size, "1024x1536"))
		return t[q][1];
	if (!strcmp(size, "1024x1024"))
		return t[q][0];
	if (!strcmp(size, "1536x1024"))
		return t[q][2];
	if (sscanf(size, "%ldx%ld", &w, &h) != 2 || w <= 0 || h <= 0 || w > 100000 || h > 100000)
		return t[q][1];
	/* rounded up: a guard must not come out under the bill */
	return (long)((w * h * t[q][0] + 1024L * 1024 - 1) / (1024L * 1024));
}

/* Is s one of the words in list (separated by spaces)? */
static int one_of(const char *s, const char *list)
{
	size_t n = strlen(s);
	for (const char *p = list; (p = strstr(p, s)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return n > 0;
	return 0;
}

/* "1536x1024" or "3:2" as w and h. 0 or -1. */
static int dims(const char *s, char sep, long *w, long *h)
{
	char *end;
	*w = strtol(s, &end, 10);
	if (end == s || *end != sep)
		return -1;
	const char *t = end + 1;
	*h = strtol(t, &end, 10);
	return end == t || *end || *w <= 0 || *h <= 0 || *w > 100000 || *h > 100000 ? -1 : 0;
}

/* The aspect ratios Gemini's image models take. */
#define GEMINI_RATIOS "1:1 2:3 3:2 3:4 4:3 4:5 5:4 9:16 16:9 21:9"

static int gemini_ratio(const char *size, char *ratio, size_t cap)
{
	long w, h;
	if (dims(size, 'x', &w, &h) < 0 && dims(size, ':', &w, &h) < 0)
		return -1;
	long a = w, b = h;
	while (b) {
		long t = a % b;
		a = b;
		b = t;
	}
	snprintf(ratio, cap, "%ld:%ld", w / a, h / a);
	return one_of(ratio, GEMINI_RATIOS) ? 0 : -1;
}

int imagegen_check(const struct imagegen_req *rq, char *ratio, size_t ratio_cap, char *why, size_t cap)
{
	static const struct {
		enum imagegen_api api;
		const char *name, *sizes, *qualities;
		long max_prompt;
	} t[] = {
		{ IG_GPT_IMAGE, "gpt-image", "1024x1024 1536x1024 1024x1536 auto", "low medium high auto", 32000 },
		{ IG_DALLE3, "dall-e-3", "1024x1024 1792x1024 1024x1792", "standard hd", 4000 },
		{ IG_DALLE2, "dall-e-2", "256x256 512x512 1024x1024", "standard", 1000 },
		{ IG_GEMINI, "Gemini", GEMINI_RATIOS, NULL, 0 },
	};
	size_t i = 0;
	while (i < sizeof t / sizeof *t && t[i].api != rq->api)
		i++;
	if (i == sizeof t / sizeof *t)
		return snprintf(why, cap, "%s makes no images", rq->model), EXIT_USAGE;
	if (ratio_cap)
		ratio[0] = 0;
	long chars = 0;
	for (const char *p = rq->prompt; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	if (t[i].max_prompt && chars > t[i].max_prompt)
		return snprintf(why, cap, "the prompt has %ld characters; %s takes at most %ld", chars, rq->model,
				t[i].max_prompt), EXIT_DATAERR;
	long w, h;
	/* gpt-image-2 takes any size whose sides are multiples of 16 */
	int free_size = rq->api == IG_GPT_IMAGE && !strncmp(rq->model, "gpt-image-2", 11) && rq->size &&
			dims(rq->size, 'x', &w, &h) == 0 && w % 16 == 0 && h % 16 == 0;
	if (rq->api == IG_GEMINI && rq->size && gemini_ratio(rq->size, ratio, ratio_cap) < 0)
		return snprintf(why, cap, "--size: %s takes an aspect ratio (WxH or W:H) of %s", rq->model, GEMINI_RATIOS), EXIT_USAGE;
	if (rq->api != IG_GEMINI && rq->size && !free_size && !one_of(rq->size, t[i].sizes))
		return snprintf(why, cap, "--size: %s takes %s", rq->model, t[i].sizes), EXIT_USAGE;
	if (rq->quality && !t[i].qualities)
		return snprintf(why, cap, "--quality: %s takes none", rq->model), EXIT_USAGE;
	if (rq->quality && !one_of(rq->quality, t[i].qualities))
		return snprintf(why, cap, "--quality: %s takes %s", rq->model, t[i].qualities), EXIT_USAGE;
	if (rq->style && rq->api != IG_DALLE3)
		return snprintf(why, cap, "--style is for dall-e-3 only"), EXIT_USAGE;
	if (rq->style && !one_of(rq->style, "vivid natural"))
		return snprintf(why, cap, "--style: dall-e-3 takes vivid or natural"), EXIT_USAGE;
	return 0;
}

/* ---------- requests ---------- */

/* A multipart/form-data body (RFC 7578), for an edit: text fields, then the
 * image as a file part. */
struct form {
	struct buf *body;
	char boundary[48];
};

static void form_field(struct form *f, const char *name, const char *value)
{
	buf_addf(f->body, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", f->boundary, name, value);
}

/* A boundary that is not inside the image's bytes. */
static void form_boundary(struct form *f, const struct buf *image)
{
	for (unsigned tries = 0;; tries++) {
		unsigned char r[12];
		randbytes(r, sizeof r, tries);
		int n = snprintf(f->boundary, sizeof f->boundary, "chat-image-");
		for (size_t i = 0; i < sizeof r; i++)
			n += snprintf(f->boundary + n, sizeof f->boundary - (size_t)n, "%02x", r[i]);
		if (!image->len || !memmem(image->p, image->len, f->boundary, strlen(f->boundary)) || tries > 8)
			return;
	}
}

static int openai_edit_body(const struct imagegen_req *rq, struct buf *body, char *ctype, size_t cap,
			    struct chat_error *err)
{
	struct buf img = BUF_INIT((size_t)1 << 30);
	if (base64_decode(rq->edit_b64, rq->edit_b64_len, &img) < 0) {
		buf_free(&img);
		err_set(err, ERR_BAD_INPUT, 0, "the input image's base64 is broken");
		return -1;
	}
	struct form f = { .body = body };
	form_boundary(&f, &img);
	char n[16];
	snprintf(n, sizeof n, "%d", rq->n);
	form_field(&f, "model", rq->model);
	form_field(&f, "prompt", rq->prompt);
	form_field(&f, "n", n);
	if (rq->size)
		form_field(&f, "size", rq->size);
	if (rq->quality)
		form_field(&f, "quality", rq->quality);
	if (rq->api == IG_GPT_IMAGE && rq->format)
		form_field(&f, "output_format", rq->format);
	if (rq->api != IG_GPT_IMAGE)
		form_field(&f, "response_format", "b64_json");
	/* gpt-image models take a list of images, image[]; dall-e-2 one, image */
	const char *ext = !strcmp(rq->edit_mime, "image/png") ? "png" : "jpg";
	buf_addf(body, "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"image.%s\"\r\n"
		 "Content-Type: %s\r\n\r\n", f.boundary, rq->api == IG_GPT_IMAGE ? "image[]" : "image", ext, rq->edit_mime);
	buf_add(body, img.p, img.len);
	int r = buf_addf(body, "\r\n--%s--\r\n", f.boundary);
	buf_free(&img);
	snprintf(ctype, cap, "multipart/form-data; boundary=%s", f.boundary);
	if (r < 0) {
		err_set(err, ERR_BAD_INPUT, 0, "the request is too large");
		return -1;
	}
	return 0;
}

static jv openai_json(const struct imagegen_req *rq)
{
	jv o = JV_OBJECT(jv_string("model"), jv_string(rq->model), jv_string("prompt"), jv_string(rq->prompt),
			 jv_string("n"), jv_number(rq->n));
	if (rq->size)
		o = jv_object_set(o, jv_string("size"), jv_string(rq->size));
	if (rq->quality)
		o = jv_object_set(o, jv_string("quality"), jv_string(rq->quality));
	if (rq->style)
		o = jv_object_set(o, jv_string("style"), jv_string(rq->style));
	/* gpt-image models always answer in base64 and refuse response_format */
	if (rq->api == IG_GPT_IMAGE && rq->format)
		o = jv_object_set(o, jv_string("output_format"), jv_string(rq->format));
	if (rq->api != IG_GPT_IMAGE)
		o = jv_object_set(o, jv_string("response_format"), jv_string("b64_json"));
	return o;
}

static jv gemini_json(const struct imagegen_req *rq, const char *ratio)
{
	jv parts = jv_array();
	if (rq->edit_b64)
		parts = jv_array_append(parts, JV_OBJECT(jv_string("inline_data"),
			JV_OBJECT(jv_string("mime_type"), jv_string(rq->edit_mime),
				  jv_string("data"), jv_string_sized(rq->edit_b64, (int)rq->edit_b64_len))));
	parts = jv_array_append(parts, JV_OBJECT(jv_string("text"), jv_string(rq->prompt)));
	jv gen = JV_OBJECT(jv_string("responseModalities"), JV_ARRAY(jv_string("TEXT"), jv_string("IMAGE")));
	if (ratio[0])
		gen = jv_object_set(gen, jv_string("imageConfig"), JV_OBJECT(jv_string("aspectRatio"), jv_string(ratio)));
	return JV_OBJECT(jv_string("contents"), JV_ARRAY(JV_OBJECT(jv_string("role"), jv_string("user"),
								   jv_string("parts"), parts)),
			 jv_string("generationConfig"), gen);
}

/* URL, headers and body of rq. 0, or -1 with err. */
static int build(const struct imagegen_conn *c, const struct imagegen_req *rq, struct buf *url,
		 struct curl_slist **h, struct buf *body, struct chat_error *err)
{
	char ctype[128] = "application/json", ratio[16] = "", why[256];
	if (imagegen_check(rq, ratio, sizeof ratio, why, sizeof why)) {
		err_set(err, ERR_BAD_INPUT, 0, "%s", why);
		return -1;
	}
	if (rq->api == IG_GEMINI) {
		for (const char *p = rq->model; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p)) {
				err_set(err, ERR_BAD_INPUT, 0, "'%s' is not a Gemini model name", rq->model);
				return -1;
			}
		provider_url(url, c->base, "/models/");
		buf_addf(url, "%s:generateContent", rq->model);
		provider_body(gemini_json(rq, ratio), body);
	} else if (rq->edit_b64) {
		provider_url(url, c->base, "/images/edits");
		if (openai_edit_body(rq, body, ctype, sizeof ctype, err) < 0)
			return -1;
	} else {
		provider_url(url, c->base, "/images/generations");
		provider_body(openai_json(rq), body);
	}
	int bad = rq->api == IG_GEMINI ? provider_header(h, "x-goog-api-key: %s", c->key)
				       : c->key && *c->key && provider_header(h, "Authorization: Bearer %s", c->key);
	if (bad || provider_header(h, "Content-Type: %s", ctype) || provider_header(h, "Accept: application/json") ||
	    provider_header(h, "Expect:")) {
		err_set(err, ERR_BAD_INPUT, 0, "out of memory building the request");
		return -1;
	}
	return 0;
}

/* ---------- replies ---------- */

static struct imagegen_image *add_image(struct imagegen_reply *r)
{
	struct imagegen_image *v = realloc(r->v, (r->n + 1) * sizeof *v);
	if (!v)
		return NULL;
	r->v = v;
	memset(&v[r->n], 0, sizeof *v);
	buf_init(&v[r->n].bytes, PER_IMAGE_MAX);
	return &v[r->n++];
}

/* base64 (borrowed jv string) into im->bytes, or a reason in im->bad. */
static void take_b64(struct imagegen_image *im, jv s)
{
	if (jv_get_kind(s) != JV_KIND_STRING)
		snprintf(im->bad, sizeof im->bad, "the reply's image has no data");
	else if (base64_decode(jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)), &im->bytes) < 0)
		snprintf(im->bad, sizeof im->bad, "the reply's image data is not valid base64");
}

static int refusal_code(const char *code, const char *type)
{
	return !strcmp(code, "content_policy_violation") || !strcmp(code, "moderation_blocked") ||
	       !strcmp(type, "image_generation_user_error");
}

/* OpenAI's ImagesResponse: data[] with b64_json (and revised_prompt from
 * dall-e-3), output_format, usage {input_tokens, output_tokens,
 * input_tokens_details {text_tokens, image_tokens}} (gpt-image). */
static void openai_reply(jv v, struct imagegen_reply *r)
{
	jv data = jx_get(v, "data");
	char fmt[16] = "png";
	jx_str(v, "output_format", fmt, sizeof fmt);
	int n = jv_get_kind(data) == JV_KIND_ARRAY ? jv_array_length(jv_copy(data)) : 0;
	for (int i = 0; i < n; i++) {
		jv item = jv_array_get(jv_copy(data), i);
		struct imagegen_image *im = add_image(r);
		if (!im) {
			jv_free(item);
			break;
		}
		snprintf(im->mime, sizeof im->mime, "image/%s", fmt);
		jv b64 = jx_get(item, "b64_json"), url = jx_get(item, "url"), rp = jx_get(item, "revised_prompt");
		if (jv_get_kind(b64) != JV_KIND_STRING && jv_get_kind(url) == JV_KIND_STRING)
			snprintf(im->bad, sizeof im->bad, "the reply links the image rather than carrying it");
		else
			take_b64(im, b64);
		if (jv_get_kind(rp) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(rp)) > 0)
			im->revised = strdup(jv_string_value(rp));
		jv_free(rp);
		jv_free(url);
		jv_free(b64);
		jv_free(item);
	}
	jv_free(data);
	jv u = jx_get(v, "usage"), d = jx_get(u, "input_tokens_details");
	if (jv_get_kind(u) == JV_KIND_OBJECT) {
		r->usage.input = (long)jx_num(u, "input_tokens", 0);
		r->usage.output = (long)jx_num(u, "output_tokens", 0);
		r->image_in = (long)jx_num(d, "image_tokens", 0);
		if (r->image_in > r->usage.input)
			r->image_in = r->usage.input;
		r->have_usage = 1;
	}
	jv_free(d);
	jv_free(u);
}

/* Why a Gemini candidate may end without an image because of its content. */
static int safety_reason(const char *reason)
{
	return one_of(reason, "SAFETY IMAGE_SAFETY PROHIBITED_CONTENT IMAGE_PROHIBITED_CONTENT BLOCKLIST SPII "
			      "RECITATION IMAGE_RECITATION");
}

/* A Gemini GenerateContentResponse: text and inlineData parts of the first
 * candidate, promptFeedback.blockReason for a refused prompt, usageMetadata. */
static void gemini_reply(jv v, struct imagegen_reply *r)
{
	jx_str(v, "modelVersion", r->model, sizeof r->model);
	jv u = jx_get(v, "usageMetadata");
	if (jv_get_kind(u) == JV_KIND_OBJECT) {
		r->usage.input = (long)jx_num(u, "promptTokenCount", 0);
		r->usage.reasoning = (long)jx_num(u, "thoughtsTokenCount", 0);
		r->usage.output = (long)jx_num(u, "candidatesTokenCount", 0) + r->usage.reasoning;
		r->have_usage = 1;
	}
	jv_free(u);
	jv cands = jx_get(v, "candidates"), fb = jx_get(v, "promptFeedback");
	char block[48] = "", reason[48] = "";
	jx_str(fb, "blockReason", block, sizeof block);
	jv_free(fb);
	jv c0 = jv_get_kind(cands) == JV_KIND_ARRAY && jv_array_length(jv_copy(cands)) > 0
		? jv_array_get(jv_copy(cands), 0) : jv_invalid();
	jv_free(cands);
	jx_str(c0, "finishReason", reason, sizeof reason);
	jv content = jx_get(c0, "content"), parts = jx_get(content, "parts");
	int n = jv_get_kind(parts) == JV_KIND_ARRAY ? jv_array_length(jv_copy(parts)) : 0;
	for (int i = 0; i < n; i++) {
		jv part = jv_array_get(jv_copy(parts), i), thought = jx_get(part, "thought"), text = jx_get(part, "text");
		jv inl = jx_get(part, "inlineData");
		if (!jv_is_valid(inl))
			inl = jx_get(part, "inline_data");
		if (jv_get_kind(thought) == JV_KIND_TRUE) {
			/* the model's drafts are not the answer */
		} else if (jv_get_kind(text) == JV_KIND_STRING) {
			buf_add(&r->text, jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)));
		} else if (jv_get_kind(inl) == JV_KIND_OBJECT) {
			struct imagegen_image *im = add_image(r);
			if (im) {
				if (jx_str(inl, "mimeType", im->mime, sizeof im->mime) < 0)
					jx_str(inl, "mime_type", im->mime, sizeof im->mime);
				jv d = jx_get(inl, "data");
				take_b64(im, d);
				jv_free(d);
			}
		}
		jv_free(inl);
		jv_free(text);
		jv_free(thought);
		jv_free(part);
	}
	jv_free(parts);
	jv_free(content);
	jv_free(c0);
	if (r->n)
		return;
	char said[200], why[80] = "";
	scrub(said, sizeof said, buf_str(&r->text), r->text.len);
	if (reason[0])
		snprintf(why, sizeof why, " (it stopped with %s)", reason);
	r->refused = block[0] || safety_reason(reason);
	if (block[0])
		err_set(&r->err, ERR_BAD_REQUEST, 0, "the provider refused the prompt: it was blocked (%s)", block);
	else if (r->refused)
		err_set(&r->err, ERR_BAD_REQUEST, 0, "the provider refused the prompt: it stopped with %s and made no image",
			reason);
	else
		err_set(&r->err, ERR_BAD_OUTPUT, 0, "the model made no image%s%s%s", why, said[0] ? "; it said: " : "", said);
}

/* A 2xx body. 0, or -1 with r->err. */
static int read_reply(const struct imagegen_req *rq, const struct http_call *c, struct imagegen_reply *r)
{
	if (c->body_over) {
		err_set(&r->err, ERR_BAD_OUTPUT, c->status, "the reply is larger than the %zu MiB allowed for %d image%s",
			c->err_body.max >> 20, rq->n, rq->n == 1 ? "" : "s");
		return -1;
	}
	jv v = jv_parse_sized(buf_str(&c->err_body), (int)c->err_body.len);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		char snippet[200];
		provider_snippet(buf_str(&c->err_body), c->err_body.len, snippet, sizeof snippet);
		err_set(&r->err, ERR_BAD_OUTPUT, c->status, "the reply is not a JSON object: %s", snippet);
		jv_free(v);
		return -1;
	}
	if (rq->api == IG_GEMINI)
		gemini_reply(v, r);
	else
		openai_reply(v, r);
	jv_free(v);
	if (!r->err.code && !r->n)
		err_set(&r->err, ERR_BAD_OUTPUT, c->status, "the reply holds no image");
	return r->err.code ? -1 : 0;
}

/* A failed call, with OpenAI's content-policy refusals told apart. The
 * key is noted where the error is said. */
static void call_failed(const struct imagegen_conn *cn, const struct http_call *c, struct imagegen_reply *r)
{
	call_error(cn->prov, c, NULL, c->got_body, &r->err);
	if (cn->prov != &provider_openai || c->code != CURLE_OK || c->status != 400)
		return;
	jv v = jv_parse_sized(buf_str(&c->err_body), (int)c->err_body.len);
	jv e = jx_get(v, "error");
	char code[64] = "", type[64] = "";
	jx_str(e, "code", code, sizeof code);
	jx_str(e, "type", type, sizeof type);
	if (refusal_code(code, type)) {
		char msg[sizeof r->err.message];
		snprintf(msg, sizeof msg, "%s", r->err.message);
		err_set(&r->err, ERR_BAD_REQUEST, c->status, "the provider refused the prompt (%s): %s", code, msg);
		r->refused = 1;
	}
	jv_free(e);
	jv_free(v);
}

static void reset_reply(struct imagegen_reply *r)
{
	int attempts = r->attempts;
	imagegen_reply_free(r);
	memset(r, 0, sizeof *r);
	buf_init(&r->text, 1 << 20);
	r->attempts = attempts;
}

int imagegen_describe(const struct imagegen_conn *cn, const struct imagegen_req *rq, jv *rec, struct chat_error *err)
{
	struct buf url = BUF_INIT(8192), body = BUF_INIT((size_t)1 << 30);
	struct curl_slist *h = NULL;
	int r = build(cn, rq, &url, &h, &body, err);
	*rec = r < 0 ? jv_invalid() : dryrun_record("POST", buf_str(&url), h, buf_str(&body), body.len, cn->key);
	curl_slist_free_all(h);
	buf_free(&url);
	buf_free(&body);
	return r;
}

int imagegen_run(const struct imagegen_conn *cn, const struct imagegen_req *rq, struct imagegen_reply *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->text, 1 << 20);
	struct buf url = BUF_INIT(8192), body = BUF_INIT((size_t)1 << 30);
	struct curl_slist *h = NULL;
	const char *pname = cn->prov->name;
	long est = (long)strlen(rq->prompt) / 4 + 1;
	struct http_call c = { 0 };
	if (build(cn, rq, &url, &h, &body, &r->err) < 0)
		goto out;
	c = (struct http_call){ .url = buf_str(&url), .headers = h, .body = buf_str(&body), .body_len = body.len,
				.connect_timeout = cn->connect_timeout, .idle_timeout = cn->idle_timeout,
				.total_timeout = cn->total_timeout,
				.body_max = (size_t)(rq->n > 0 ? rq->n : 1) * PER_IMAGE_MAX + ((size_t)1 << 20) };
	struct retry_policy pol = { .retries = cn->retries, .rl = cn->rl, .provider = pname };
	for (int attempt = 0;; attempt++) {
		long w;
		while (!sig_caught && cn->rl && (w = ratelimit_take(cn->rl, pname, est)) > 0)
			http_sleep_ms(w);
		if (sig_caught)
			break;
		reset_reply(r);
		r->attempts = attempt + 1;
		http_post(&c);
		if (sig_caught || c.aborted)
			break;
		if (c.code != CURLE_OK || c.status < 200 || c.status >= 300)
			call_failed(cn, &c, r);
		else
			read_reply(rq, &c, r);
		retry_note_limits(&pol, &c, &r->err);
		if (!r->err.code)
			break;
		/* a reply of images is whole or nothing: none has gone out yet */
		long wait = retry_next(&pol, &r->err, c.should_retry, attempt, 0);
		if (wait < 0)
			break;
		if (verbose)
			warn("%s; retrying in %ld ms (attempt %d of %d)", r->err.message, wait, attempt + 2, cn->retries + 1);
		http_sleep_ms(wait);
	}
	if (sig_caught)
		err_set(&r->err, ERR_INTERRUPTED, 0, "interrupted");
out:
	http_call_free(&c);
	curl_slist_free_all(h);
	if (url.p)
		explicit_bzero(url.p, url.len);
	buf_free(&url);
	buf_free(&body);
	return r->err.code ? -1 : 0;
}

void imagegen_reply_free(struct imagegen_reply *r)
{
	for (size_t i = 0; i < r->n; i++) {
		buf_free(&r->v[i].bytes);
		free(r->v[i].revised);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
	buf_free(&r->text);
}
