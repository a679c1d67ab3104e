/* fakeprov_images: OpenAI's Images API in the fake provider
 * (POST .../images/generations as JSON, .../images/edits as
 * multipart/form-data), with the request checks the service makes for
 * each model family (WIRE-FORMATS.md §1.5: dall-e-3 takes n=1 only and
 * answers with a URL unless response_format is b64_json; gpt-image models
 * always answer in base64 and refuse response_format; each family has its
 * own sizes; a dall-e-2 edit takes only a square PNG with transparency under
 * 4 MB), the safety system's refusals (--refuse), and real images:
 * PNG or JPEG made with libpng and libjpeg-turbo at 1/64 of the size asked
 * for (--image-scale), so the tests stay fast, with pixels that follow from
 * the prompt, the request number and the image's place in the reply. The
 * Gemini image replies (fakeprov_gemini.c) use the same images. */
#include "fakeprov.h"
#include "base64.h"
#include "sha256.h"
#include <png.h>
#include <jpeglib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---------- the images ---------- */

static void png_put(png_structp p, png_bytep data, png_size_t n)
{
	buf_add(png_get_io_ptr(p), data, n);
}

static void png_flush_none(png_structp p)
{
	(void)p;
}

/* w x h RGB pixels: a gradient tinted by the seed, so every image differs. */
static unsigned char *pixels(int w, int h, unsigned long seed)
{
	unsigned char *px = malloc((size_t)w * (size_t)h * 3);
	if (!px)
		_exit(1);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			unsigned char *q = px + ((size_t)y * (size_t)w + (size_t)x) * 3;
			unsigned long z = (seed ^ ((unsigned long)y << 32 | (unsigned long)x)) * 0x9e3779b97f4a7c15UL;
			z ^= z >> 29;   /* a little noise in every pixel */
			q[0] = (unsigned char)((x * 255 / (w > 1 ? w - 1 : 1) ^ (seed & 0xff)) + (z & 0x1f));
			q[1] = (unsigned char)((y * 255 / (h > 1 ? h - 1 : 1) ^ ((seed >> 8) & 0xff)) + ((z >> 8) & 0x1f));
			q[2] = (unsigned char)((seed >> 16) + (z >> 16));
		}
	return px;
}

static void make_png(struct buf *out, int w, int h, const unsigned char *px)
{
	png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = p ? png_create_info_struct(p) : NULL;
	if (!p || !info || setjmp(png_jmpbuf(p)))
		_exit(1);
	png_set_write_fn(p, out, png_put, png_flush_none);
	png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(p, info);
	for (int y = 0; y < h; y++)
		png_write_row(p, (png_const_bytep)(px + (size_t)y * (size_t)w * 3));
	png_write_end(p, NULL);
	png_destroy_write_struct(&p, &info);
}

static void make_jpeg(struct buf *out, int w, int h, const unsigned char *px)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *mem = NULL;
	unsigned long len = 0;
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &len);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 90, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(px + (size_t)c.next_scanline * (size_t)w * 3);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	buf_add(out, mem, len);
	free(mem);
}

void image_make(struct buf *out, const char *format, int w, int h, unsigned long seed, const char *garbage)
{
	if (garbage && !strcmp(garbage, "text")) {
		buf_adds(out, "This is not an image: the fake provider was told to send garbage.\n");
		return;
	}
	unsigned char *px = pixels(w, h, seed);
	size_t start = out->len;
	if (format && !strcmp(format, "jpeg"))
		make_jpeg(out, w, h, px);
	else
		make_png(out, w, h, px);
	free(px);
	if (garbage) {      /* "truncated": the connection's worth of a file, cut */
		out->len = start + (out->len - start) / 2;
		out->p[out->len] = 0;
	}
}

unsigned long image_seed(const struct ctx *c, const char *prompt, long i)
{
	unsigned long h = 1469598103934665603UL;
	for (const char *p = prompt ? prompt : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211UL;
	h ^= (unsigned long)c->n * 0x9e3779b97f4a7c15UL + (unsigned long)i * 0xbf58476d1ce4e5b9UL;
	h = (h ^ (h >> 31)) * 0x94d049bb133111ebUL;   /* every bit of the inputs reaches the low bytes */
	return h ^ (h >> 29);
}

/* ---------- multipart/form-data ---------- */

static const char *find(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(end - p) >= n ? memmem(p, (size_t)(end - p), s, n) : NULL;
}

/* The value of attribute name="..." in a Content-Disposition line. */
static jv disposition(const char *line, const char *end, const char *attr)
{
	char key[32];
	snprintf(key, sizeof key, "%s=\"", attr);
	for (const char *p = line; (p = find(p, end, key)); p++) {
		if (p > line && p[-1] != ' ' && p[-1] != ';')
			continue;   /* name= inside filename= */
		const char *v = p + strlen(key), *q = memchr(v, '"', (size_t)(end - v));
		return q ? jv_string_sized(v, (int)(q - v)) : jv_invalid();
	}
	return jv_invalid();
}

static jv add_field(jv o, jv name, jv value)
{
	jv old = jv_object_get(jv_copy(o), jv_copy(name));
	if (jv_get_kind(old) == JV_KIND_ARRAY)
		value = jv_array_append(old, value);
	else if (jv_is_valid(old))
		value = JV_ARRAY(old, value);
	else
		jv_free(old);
	return jv_object_set(o, name, value);
}

/* A file part that is a PNG gains "png": {width, height, color} from its
 * IHDR chunk, the colour type as the API names it ("RGBA", "RGB", "L",
 * "LA", "P"), which is what the Images API looks at in a dall-e-2 edit. */
static jv png_facts(jv part, const char *p, size_t n)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	const unsigned char *u = (const unsigned char *)p;
	if (n < 33 || memcmp(u, sig, 8) || memcmp(u + 12, "IHDR", 4))
		return part;
	unsigned long w = (unsigned long)u[16] << 24 | (unsigned long)u[17] << 16 | (unsigned long)u[18] << 8 | u[19];
	unsigned long h = (unsigned long)u[20] << 24 | (unsigned long)u[21] << 16 | (unsigned long)u[22] << 8 | u[23];
	int ct = u[25];
	const char *color = ct == 6 ? "RGBA" : ct == 2 ? "RGB" : ct == 0 ? "L" : ct == 4 ? "LA" : ct == 3 ? "P" : "?";
	return jv_object_set(part, S("png"), JV_OBJECT(S("width"), jv_number((double)w), S("height"), jv_number((double)h),
						      S("color"), S(color)));
}

jv form_parse(jv headers, const struct buf *body)
{
	const char *ct = header_get(headers, "content-type"), *b;
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) || !(b = strstr(ct, "boundary=")))
		return jv_invalid();
	char delim[256];
	b += 9;
	size_t bl = *b == '"' ? strcspn(b + 1, "\"") : strcspn(b, "; ");
	snprintf(delim, sizeof delim, "\r\n--%.*s", (int)bl, *b == '"' ? b + 1 : b);
	const char *p = buf_str(body), *end = p + body->len;
	/* the first delimiter may start the body, without the CR LF before it */
	if ((size_t)(end - p) < strlen(delim) - 2 || memcmp(p, delim + 2, strlen(delim) - 2))
		return jv_invalid();
	p += strlen(delim) - 2;
	jv o = jv_object();
	for (;;) {
		if (end - p >= 2 && !memcmp(p, "--", 2))
			return o;                   /* the closing delimiter */
		if (end - p < 2 || memcmp(p, "\r\n", 2))
			break;
		p += 2;
		const char *hend = find(p, end, "\r\n\r\n");
		const char *next = hend ? find(hend + 4, end, delim) : NULL;
		if (!next)
			break;
		jv name = jv_invalid(), file = jv_invalid(), type = jv_null();
		for (const char *l = p; l < hend;) {
			const char *le = find(l, hend + 2, "\r\n");
			if (!strncasecmp(l, "content-disposition:", 20)) {
				jv_free(name);
				jv_free(file);
				name = disposition(l, le, "name");
				file = disposition(l, le, "filename");
			} else if (!strncasecmp(l, "content-type:", 13)) {
				const char *v = l + 13;
				while (*v == ' ')
					v++;
				jv_free(type);
				type = jv_string_sized(v, (int)(le - v));
			}
			l = le + 2;
		}
		const char *v = hend + 4;
		size_t vl = (size_t)(next - v);
		if (jv_get_kind(name) != JV_KIND_STRING) {
			jv_free(name);
			jv_free(file);
			jv_free(type);
			break;
		}
		if (jv_is_valid(file)) {
			char hex[65];
			sha256_hex(v, vl, hex);
			o = add_field(o, name, png_facts(JV_OBJECT(S("filename"), file, S("content_type"), type,
								  S("bytes"), jv_number((double)vl), S("sha256"), S(hex)),
							v, vl));
		} else {
			jv_free(type);
			o = add_field(o, name, jv_string_sized(v, (int)vl));
		}
		p = next + strlen(delim);
	}
	jv_free(o);
	return jv_invalid();
}

/* ---------- the Images API ---------- */

static int oi_match(const char *path)
{
	size_t n = strlen(path), g = strlen("/images/generations"), e = strlen("/images/edits");
	return (n >= g && !strcmp(path + n - g, "/images/generations")) || (n >= e && !strcmp(path + n - e, "/images/edits"));
}

static int is_edit(const struct ctx *c)
{
	return strstr(c->path, "/images/edits") != NULL;
}

static int dalle(const struct ctx *c)
{
	return !strncmp(jv_string_value(c->model), "dall-e", 6);
}

/* o[key] as a number, 0 when it is none. */
static double num_of(jv o, const char *key)
{
	jv v = jget(o, key);
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : 0;
	jv_free(v);
	return d;
}

static const char *field(const struct ctx *c, const char *key)
{
	jv v = jget(c->req, key);
	const char *s = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;
	jv_free(v);     /* the request still holds it */
	return s;
}

/* n as JSON sends it (a number) or a form does (a string); 1 when absent. */
static long count(const struct ctx *c)
{
	jv v = jget(c->req, "n");
	long n = jv_get_kind(v) == JV_KIND_NUMBER ? (long)jv_number_value(v)
		: jv_get_kind(v) == JV_KIND_STRING ? strtol(jv_string_value(v), NULL, 10) : 1;
	jv_free(v);
	return n;
}

static void oi_prepare(struct ctx *c)
{
	snprintf(c->id, sizeof c->id, "img-fake%ld", c->n);
	c->stream = 0;
	c->usage = 1;
	jv_free(c->model);
	/* the API's default model is dall-e-2 */
	c->model = c->g->model ? jv_string(c->g->model) : req_string(c, "model", "dall-e-2");
	const char *prompt = field(c, "prompt");
	c->prompt_tokens = prompt && strlen(prompt) / 4 ? (long)(strlen(prompt) / 4) : 1;
}

static void oi_headers(struct buf *h, const struct ctx *c, const char *errkind)
{
	openai_wire.headers(h, c, errkind);
}

static const char *const sizes_gpt = "1024x1024 1536x1024 1024x1536 auto", *const sizes_d3 = "1024x1024 1792x1024 1024x1792",
			   *const sizes_d2 = "256x256 512x512 1024x1024";

static const char *allowed_sizes(const struct ctx *c)
{
	const char *m = jv_string_value(c->model);
	return !strncmp(m, "dall-e-3", 8) ? sizes_d3 : !strncmp(m, "dall-e-2", 8) ? sizes_d2 : sizes_gpt;
}

static int listed(const char *s, const char *list)
{
	size_t n = strlen(s);
	for (const char *p = list; n && (p = strstr(p, s)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 1;
	return 0;
}

/* A dall-e-2 edit's image ({content_type, bytes, png}, borrowed): "a
 * square PNG file less than 4MB" with an alpha channel (or grey), as the
 * API reference says and the service holds to; the kind of refusal, or
 * NULL when it will do. */
#define DALLE2_IMAGE_MAX (4L << 20)
static const char *dalle2_image(jv img)
{
	jv type = jget(img, "content_type"), png = jget(img, "png"), color = jget(png, "color");
	double bytes = 0;
	jv b = jget(img, "bytes");
	if (jv_get_kind(b) == JV_KIND_NUMBER)
		bytes = jv_number_value(b);
	jv_free(b);
	const char *bad = NULL, *ct = jv_get_kind(type) == JV_KIND_STRING ? jv_string_value(type) : "";
	const char *cs = jv_get_kind(color) == JV_KIND_STRING ? jv_string_value(color) : "";
	if (strcmp(ct, "image/png"))
		bad = "image_mimetype";
	else if (jv_get_kind(png) != JV_KIND_OBJECT || bytes >= DALLE2_IMAGE_MAX)
		bad = "image_png_4mb";
	else if (num_of(png, "width") != num_of(png, "height"))
		bad = "image_square";
	else if (strcmp(cs, "RGBA") && strcmp(cs, "LA") && strcmp(cs, "L"))
		bad = "image_mode";
	jv_free(color);
	jv_free(png);
	jv_free(type);
	return bad;
}

/* What the service says before it makes anything. */
static const char *oi_refuse(const struct ctx *c)
{
	const char *m = jv_string_value(c->model), *size = field(c, "size");
	if (c->g->refuse)
		return dalle(c) ? "content_policy" : "moderation_blocked";
	if (!field(c, "prompt"))
		return "image_prompt";
	if (!strncmp(m, "dall-e-3", 8) && count(c) != 1)
		return "image_n";
	if (count(c) < 1 || count(c) > 10)
		return "image_n";
	if (!dalle(c) && field(c, "response_format"))
		return "image_response_format";
	if (size && !listed(size, allowed_sizes(c)))
		return "image_size";
	if (is_edit(c) && !strncmp(m, "dall-e-3", 8))
		return "image_edit_model";
	if (is_edit(c)) {
		jv img = jget(c->req, dalle(c) ? "image" : "image[]");
		int ok = jv_get_kind(img) == JV_KIND_OBJECT || jv_get_kind(img) == JV_KIND_ARRAY;
		const char *bad = ok && dalle(c) ? dalle2_image(img) : NULL;
		jv_free(img);
		if (!ok)
			return "image_missing";
		return bad;
	}
	return NULL;
}

/* The bodies of the Images API's own refusals. Those of the safety system
 * and of a dall-e-2 edit's image (its mimetype, "must be a PNG and less than
 * 4 MB", its colour format) are as users have reported them, the square one
 * in the API reference's words; the others follow the API's usual
 * invalid_request_error form. */
static int oi_error(struct buf *body, const struct ctx *c, const char *kind)
{
	struct buf msg = BUF_INIT(HEAD_MAX);
	const char *type = "invalid_request_error", *code = NULL, *param = NULL;
	const char *size = field(c, "size");
	if (!strcmp(kind, "content_policy")) {
		code = "content_policy_violation";
		buf_adds(&msg, "Your request was rejected as a result of our safety system. Your prompt may contain text "
			 "that is not allowed by our safety system.");
	} else if (!strcmp(kind, "moderation_blocked")) {
		type = "image_generation_user_error";
		code = "moderation_blocked";
		buf_addf(&msg, "Your request was rejected by the safety system. If you believe this is an error, contact "
			 "us at help.openai.com and include the request ID %s.", c->reqid);
	} else if (!strcmp(kind, "image_n")) {
		param = "n";
		code = "invalid_value";
		if (!strncmp(jv_string_value(c->model), "dall-e-3", 8))
			buf_adds(&msg, "You must provide n=1 for this model.");
		else
			buf_addf(&msg, "Invalid value: %ld. Value must be between 1 and 10.", count(c));
	} else if (!strcmp(kind, "image_response_format")) {
		param = "response_format";
		code = "unknown_parameter";
		buf_adds(&msg, "Unknown parameter: 'response_format'.");
	} else if (!strcmp(kind, "image_size")) {
		param = "size";
		code = "invalid_value";
		buf_addf(&msg, "Invalid value: '%s'. Supported values are: %s.", size ? size : "", allowed_sizes(c));
	} else if (!strcmp(kind, "image_edit_model")) {
		param = "model";
		code = "invalid_value";
		buf_addf(&msg, "Invalid value: '%s'. Value must be 'dall-e-2' or 'gpt-image-1'.", jv_string_value(c->model));
	} else if (!strcmp(kind, "image_mimetype")) {
		jv img = jget(c->req, "image"), t = jget(img, "content_type");
		param = "image";
		code = "invalid_value";
		buf_addf(&msg, "Invalid file 'image': unsupported mimetype ('%s'). Supported file formats are 'image/png'.",
			 jv_get_kind(t) == JV_KIND_STRING ? jv_string_value(t) : "application/octet-stream");
		jv_free(t);
		jv_free(img);
	} else if (!strcmp(kind, "image_png_4mb")) {
		param = "image";
		buf_adds(&msg, "Uploaded image must be a PNG and less than 4 MB.");
	} else if (!strcmp(kind, "image_square")) {
		param = "image";
		buf_adds(&msg, "Uploaded image must be square.");
	} else if (!strcmp(kind, "image_mode")) {
		jv img = jget(c->req, "image"), png = jget(img, "png"), color = jget(png, "color");
		param = "image";
		buf_addf(&msg, "Invalid input image - format must be in ['RGBA', 'LA', 'L'], got %s.",
			 jv_get_kind(color) == JV_KIND_STRING ? jv_string_value(color) : "?");
		jv_free(color);
		jv_free(png);
		jv_free(img);
	} else if (!strcmp(kind, "image_missing") || !strcmp(kind, "image_prompt")) {
		param = !strcmp(kind, "image_prompt") ? "prompt" : "image";
		buf_addf(&msg, "Missing required parameter: '%s'.", param);
	} else {
		buf_free(&msg);
		return openai_wire.error(body, c, kind);
	}
	jv err = JV_OBJECT(S("message"), S(buf_str(&msg)), S("type"), S(type), S("param"), str_or_null(param),
			   S("code"), str_or_null(code));
	add_json(body, JV_OBJECT(S("error"), err), JV_PRINT_INDENT_FLAGS(4));
	buf_adds(body, "\n");
	buf_free(&msg);
	return 400;
}

void image_scale(const struct ctx *c, long w, long h, int *sw, int *sh)
{
	long k = c->g->image_scale > 0 ? c->g->image_scale : 64;
	*sw = w / k > 0 ? (int)(w / k) : 1;
	*sh = h / k > 0 ? (int)(h / k) : 1;
}

/* The size asked for ("1536x1024"; auto and none: 1024x1024), scaled down. */
static void scaled(const struct ctx *c, const char *size, int *w, int *h)
{
	long x = 1024, y = 1024;
	if (size && strchr(size, 'x')) {
		x = strtol(size, NULL, 10);
		y = strtol(strchr(size, 'x') + 1, NULL, 10);
	}
	image_scale(c, x > 0 && x <= 8192 ? x : 1024, y > 0 && y <= 8192 ? y : 1024, w, h);
}

/* Image tokens the gpt-image models bill for, by quality (auto: medium)
 * and size (auto: 1024x1024), as OpenAI publishes them. */
static long output_tokens(const char *quality, const char *size)
{
	static const long t[3][3] = { { 272, 408, 400 }, { 1056, 1584, 1568 }, { 4160, 6240, 6208 } };
	int q = quality && !strcmp(quality, "low") ? 0 : quality && !strcmp(quality, "high") ? 2 : 1;
	int s = size && !strcmp(size, "1024x1536") ? 1 : size && !strcmp(size, "1536x1024") ? 2 : 0;
	return t[q][s];
}

static void oi_full(struct buf *body, const struct ctx *c, const char *text, size_t n)
{
	(void)text;
	(void)n;
	const char *size = field(c, "size"), *quality = field(c, "quality"), *rf = field(c, "response_format");
	const char *fmt = field(c, "output_format"), *prompt = field(c, "prompt");
	int w, h;
	scaled(c, size, &w, &h);
	jv data = jv_array();
	for (long i = 0; i < count(c); i++) {
		struct buf img = BUF_INIT(GEN_MAX), b64 = BUF_INIT(GEN_MAX);
		image_make(&img, !dalle(c) && fmt && !strcmp(fmt, "jpeg") ? "jpeg" : "png", w, h, image_seed(c, prompt, i),
			   i == 0 ? c->g->garbage : NULL);
		base64_encode(img.p, img.len, &b64);
		jv item = jv_object();
		if (!strncmp(jv_string_value(c->model), "dall-e-3", 8))
			item = jv_object_set(item, S("revised_prompt"), jv_string_fmt("A detailed rendering of: %s", prompt));
		if (dalle(c) && (!rf || strcmp(rf, "b64_json")))
			item = jv_object_set(item, S("url"), jv_string_fmt(
				"https://oaidalleapiprodscus.blob.core.windows.net/private/org-fakeprov/user-fake/img-%ld-%ld.png"
				"?st=2026-01-01T00%%3A00%%3A00Z&se=2026-01-01T02%%3A00%%3A00Z&sp=r&sig=fake", c->n, i));
		else
			item = jv_object_set(item, S("b64_json"), jv_string_sized(b64.p, (int)b64.len));
		data = jv_array_append(data, item);
		buf_free(&img);
		buf_free(&b64);
	}
	jv o = JV_OBJECT(S("created"), jv_number((double)c->created));
	if (!dalle(c))
		o = jv_object_set(o, S("background"), S("opaque"));
	o = jv_object_set(o, S("data"), data);
	if (!dalle(c)) {
		long in_img = is_edit(c) ? 194 : 0, out = output_tokens(quality, size) * count(c);
		o = jv_object_set(o, S("output_format"), S(fmt ? fmt : "png"));
		o = jv_object_set(o, S("quality"), S(quality && strcmp(quality, "auto") ? quality : "medium"));
		o = jv_object_set(o, S("size"), S(size && strcmp(size, "auto") ? size : "1024x1024"));
		o = jv_object_set(o, S("usage"), JV_OBJECT(
			S("input_tokens"), jv_number(c->prompt_tokens + in_img),
			S("input_tokens_details"), JV_OBJECT(S("image_tokens"), jv_number(in_img),
							     S("text_tokens"), jv_number(c->prompt_tokens)),
			S("output_tokens"), jv_number(out),
			S("total_tokens"), jv_number(c->prompt_tokens + in_img + out)));
	}
	add_json(body, o, JV_PRINT_INDENT_FLAGS(2));
	buf_adds(body, "\n");
}

/* The Images API never streams here: these are never called. */
static void oi_none(struct out *o, const struct ctx *c)
{
	(void)o;
	(void)c;
}

static void oi_delta(struct buf *ev, const struct ctx *c, long i, const char *p, size_t n)
{
	(void)ev, (void)c, (void)i, (void)p, (void)n;
}

const struct wire images_wire = {
	"openai-images", "text/event-stream", "application/json", "application/json; charset=utf-8",
	oi_match, oi_prepare, oi_headers, oi_error, oi_none, oi_delta, oi_none, oi_none, oi_none, oi_full, NULL,
	oi_refuse,
};
