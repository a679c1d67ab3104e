#include "providers/provider.h"
#include "attach.h"
#include "diag.h"
#include "jsonx.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct provider *const provider_all[] = { &provider_openai, &provider_anthropic, &provider_gemini,
	&provider_ollama, NULL };

const struct provider *provider_find(const char *name)
{
	for (const struct provider *const *p = provider_all; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return provider_compat_find(name);
}

const char *provider_section(const struct provider *p)
{
	return p->section ? p->section : p->name;
}

void provider_known_names(char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	for (int pass = 0; pass < 2; pass++)
		for (const struct provider *const *p = pass ? provider_compat_all() : provider_all; *p; p++) {
			int w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", (*p)->name);
			if (w < 0 || (size_t)w >= cap - n)
				return;
			n += (size_t)w;
		}
}

const struct provider *provider_for_model(const char *name, const char **model)
{
	const char *colon = strchr(name, ':');
	if (colon) {
		char pname[32];
		size_t n = (size_t)(colon - name);
		if (n >= sizeof pname)
			return NULL;
		memcpy(pname, name, n);
		pname[n] = 0;
		*model = colon + 1;
		return provider_find(pname);
	}
	*model = name;
	static const struct {
		const char *prefix;
		const struct provider *p;
	} prefixes[] = {
		{ "gpt-", &provider_openai }, { "o1", &provider_openai }, { "o3", &provider_openai },
		{ "o4", &provider_openai }, { "chatgpt-", &provider_openai }, { "claude-", &provider_anthropic },
		{ "gemini-", &provider_gemini },
	};
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (!strncmp(name, prefixes[i].prefix, strlen(prefixes[i].prefix)))
			return prefixes[i].p;
	return NULL;
}

int provider_takes(const struct chat_request *rq, int audio, struct chat_error *err)
{
	for (size_t m = 0; m < rq->nmsgs; m++) {
		const struct attachment *atts;
		size_t n = chat_msg_atts(rq, m, &atts);
		for (size_t i = 0; i < n; i++) {
			const struct attachment *a = &atts[i];
			const char *kind = attach_kind(a->mime);
			if (a->uri && kind && strcmp(kind, "image")) {
				err_set(err, ERR_BAD_INPUT, 0, "a %s by uri (%.200s) can go only to a Gemini model: it is "
					"a Gemini Files API upload", !strcmp(kind, "pdf") ? "PDF" : kind, a->uri);
				return -1;
			}
			if (kind && !strcmp(kind, "video")) {
				err_set(err, ERR_BAD_INPUT, 0, "this provider takes no video: only Gemini models do");
				return -1;
			}
			if (kind && !strcmp(kind, "audio") && !audio) {
				err_set(err, ERR_BAD_INPUT, 0, "this provider takes no audio: Gemini models and OpenAI's "
					"audio models do");
				return -1;
			}
			if (kind && !strcmp(kind, "audio") && strcmp(a->mime, "audio/wav") && strcmp(a->mime, "audio/mp3")) {
				err_set(err, ERR_BAD_INPUT, 0, "OpenAI takes audio only as WAV or MP3, not %s: convert it first",
					a->mime);
				return -1;
			}
		}
	}
	return 0;
}

void provider_url(struct buf *url, const char *base, const char *path)
{
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	buf_add(url, base, bl);
	buf_adds(url, path);
}

/* Length of s without its trailing slashes. */
static size_t trimmed(const char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	return n;
}

/* Where the value comes from, first found wins: the provider's own
 * variable, Google's SDK variable (an origin, to which the SDK adds its
 * API version), OLLAMA_HOST, the config, the built-in default. *from
 * names the source for messages. */
static int base_source(const struct provider *p, const char *config_value, char *out, size_t cap, const char **from)
{
	const char *env = getenv(p->base_env);
	const char *google = p == &provider_gemini ? getenv("GOOGLE_GEMINI_BASE_URL") : NULL;
	const char *host = p == &provider_ollama ? getenv("OLLAMA_HOST") : NULL;
	int n;
	if (env && *env) {
		*from = p->base_env;
		n = snprintf(out, cap, "%s", env);
	} else if (google && *google) {
		*from = "GOOGLE_GEMINI_BASE_URL";
		n = snprintf(out, cap, "%.*s/v1beta", (int)trimmed(google), google);
	} else if (host && *host) {
		*from = "OLLAMA_HOST";
		n = snprintf(out, cap, "%s%.*s/v1", strstr(host, "://") ? "" : "http://", (int)trimmed(host), host);
	} else if (config_value && *config_value) {
		*from = "base_url";
		n = snprintf(out, cap, "%s", config_value);
	} else {
		*from = "the default";
		n = snprintf(out, cap, "%s", p->default_base);
	}
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Only web URLs: a file:// or any other scheme would hand libcurl a way
 * to read local files or talk other protocols with our key. 0, or -1 with
 * why. The password in user:password@ becomes a secret that no message
 * shows. */
static int base_check(const char *url, char *why, size_t cap)
{
	size_t skip = !strncasecmp(url, "https://", 8) ? 8 : !strncasecmp(url, "http://", 7) ? 7 : 0;
	if (!skip) {
		snprintf(why, cap, "'%s' is not an http:// or https:// URL", url);
		return -1;
	}
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
			snprintf(why, cap, "'%s' holds a space or a control character", url);
			return -1;
		}
	const char *host = url + skip;
	size_t alen = strcspn(host, "/?#");
	const char *at = NULL;
	for (const char *c = host; c < host + alen; c++)
		if (*c == '@')
			at = c;
	if (at) {
		size_t ulen = (size_t)(at - host);
		const char *colon = memchr(host, ':', ulen);
		/* the whole user:password, however short, and the password alone */
		if (colon)
			secret_add_min(host, ulen, 1);
		if (colon)
			secret_add_min(colon + 1, ulen - (size_t)(colon + 1 - host), SECRET_MIN);
		host = at + 1;
		alen -= ulen + 1;
	}
	if (!alen || *host == ':') {
		snprintf(why, cap, "'%s' names no host", url);
		return -1;
	}
	return 0;
}

int provider_base(const struct provider *p, const char *config_value, char *out, size_t cap, char *why, size_t why_cap)
{
	const char *from;
	char msg[300];
	if (base_source(p, config_value, out, cap, &from) < 0) {
		snprintf(why, why_cap, "%s: the base URL is longer than %zu bytes", from, cap - 1);
		return -1;
	}
	if (base_check(out, msg, sizeof msg) < 0) {
		if (!strcmp(from, "base_url"))
			snprintf(why, why_cap, "base_url in the [%s] section of the config: %s", provider_section(p), msg);
		else
			snprintf(why, why_cap, "%s: %s", from, msg);
		return -1;
	}
	if (p != &provider_anthropic)
		return 0;
	/* Anthropic's SDK takes the origin and puts /v1 in each path; a base
	 * that already ends in /v1 (our own older form) must not get two */
	size_t n = trimmed(out);
	if (n >= 3 && !strncmp(out + n - 3, "/v1", 3))
		n -= 3;
	out[n] = 0;
	out[trimmed(out)] = 0;
	return 0;
}

int provider_header(struct curl_slist **h, const char *fmt, ...)
{
	struct buf line = BUF_INIT(16384);
	va_list ap;
	va_start(ap, fmt);
	int r = buf_vaddf(&line, fmt, ap);
	va_end(ap);
	struct curl_slist *n = r ? NULL : curl_slist_append(*h, buf_str(&line));
	if (line.p)
		explicit_bzero(line.p, line.len);
	buf_free(&line);
	if (!n)
		return -1;
	*h = n;
	return 0;
}

int provider_json_headers(struct curl_slist **h)
{
	return provider_header(h, "Content-Type: application/json") || provider_header(h, "Accept: text/event-stream") ||
	       provider_header(h, "Expect:") ? -1 : 0;
}

void provider_body(jv o, struct buf *body)
{
	jv s = jv_dump_string(o, 0);
	buf_add(body, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
}

void provider_text(jv s, struct buf *arena, size_t *off, size_t *len)
{
	if (jv_get_kind(s) != JV_KIND_STRING)
		return;
	if (!*len)
		*off = arena->len;
	int n = jv_string_length_bytes(jv_copy(s));
	if (buf_add(arena, jv_string_value(s), (size_t)n) == 0)
		*len += (size_t)n;
}

void provider_snippet(const char *body, size_t len, char *out, size_t cap)
{
	size_t n = len < 160 ? len : 160;
	scrub(out, cap, body, n);
	if (!n)
		snprintf(out, cap, "no error details");
}

jv provider_turns(const struct chat_request *rq, turn_fn fn, void *ctx)
{
	jv list = jv_array();
	struct buf text = BUF_INIT((size_t)1 << 30);
	struct attachment *merged = NULL;
	size_t nmerged = 0;
	for (size_t i = 0; i < rq->nmsgs; i++) {
		if (text.len)
			buf_adds(&text, "\n\n");
		buf_adds(&text, rq->msgs[i].text);
		const struct attachment *a;
		size_t na = chat_msg_atts(rq, i, &a);
		if (na) {
			struct attachment *m = realloc(merged, (nmerged + na) * sizeof *m);
			if (m) {
				merged = m;
				memcpy(merged + nmerged, a, na * sizeof *m);
				nmerged += na;
			}
		}
		if (i + 1 < rq->nmsgs && !strcmp(rq->msgs[i + 1].role, rq->msgs[i].role))
			continue;
		list = jv_array_append(list, fn(rq->msgs[i].role, buf_str(&text), merged, nmerged, ctx));
		buf_reset(&text);
		nmerged = 0;
	}
	free(merged);
	buf_free(&text);
	return list;
}

void provider_error_body(long status, const char *body, size_t len, error_map_fn map, struct chat_error *err)
{
	jv v = jv_parse_sized(body, (int)len);
	jv e = jx_get(v, "error");
	if (jv_get_kind(e) == JV_KIND_OBJECT) {
		map(status, e, err);
	} else {
		char snippet[200];
		provider_snippet(body, len, snippet, sizeof snippet);
		jv probe = JV_OBJECT(jv_string("message"), jv_string(snippet));
		map(status, probe, err);
		jv_free(probe);
	}
	jv_free(e);
	jv_free(v);
}

jv provider_tool_fragment(long key, jv id, jv name, jv args)
{
	jv f = JV_OBJECT(jv_string("key"), jv_number((double)key));
	if (jv_get_kind(id) == JV_KIND_STRING)
		f = jv_object_set(f, jv_string("id"), jv_copy(id));
	if (jv_get_kind(name) == JV_KIND_STRING)
		f = jv_object_set(f, jv_string("name"), jv_copy(name));
	if (jv_get_kind(args) == JV_KIND_STRING)
		f = jv_object_set(f, jv_string("args"), jv_copy(args));
	return f;
}

void provider_tools(jv fragments, struct buf *arena, size_t *off, size_t *len)
{
	if (jv_get_kind(fragments) != JV_KIND_ARRAY || !jv_array_length(jv_copy(fragments))) {
		jv_free(fragments);
		return;
	}
	jv s = jv_dump_string(fragments, 0);
	int n = jv_string_length_bytes(jv_copy(s));
	*off = arena->len;
	if (buf_add(arena, jv_string_value(s), (size_t)n) == 0)
		*len = (size_t)n;
	jv_free(s);
}

jv provider_first_choice(jv arr)
{
	int n = jv_get_kind(arr) == JV_KIND_ARRAY ? jv_array_length(jv_copy(arr)) : 0;
	for (int i = 0; i < n; i++) {
		int last = i + 1 == n;
		jv c = jv_array_get(last ? arr : jv_copy(arr), i); /* the last look takes arr along */
		if (jv_get_kind(c) == JV_KIND_OBJECT && jx_num(c, "index", (double)i) == 0) {
			if (!last)
				jv_free(arr);
			return c;
		}
		jv_free(c);
	}
	if (!n)
		jv_free(arr);
	return jv_invalid();
}
