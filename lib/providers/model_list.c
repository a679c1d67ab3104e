#include "providers/model_list.h"
#include "jsonx.h"
#include <stdio.h>
#include <string.h>

enum list_kind { LIST_OPENAI, LIST_ANTHROPIC, LIST_GEMINI };

static enum list_kind kind_of(const struct provider *p)
{
	return p == &provider_anthropic ? LIST_ANTHROPIC : p == &provider_gemini ? LIST_GEMINI : LIST_OPENAI;
}

int model_list_request(const struct provider *p, const char *base, const char *key, const char *page,
		       struct buf *url, struct curl_slist **headers)
{
	enum list_kind k = kind_of(p);
	char *esc = page && *page ? curl_easy_escape(NULL, page, 0) : NULL;
	if (page && *page && !esc)
		return -1;
	int r = 0;
	switch (k) {
	case LIST_ANTHROPIC:
		provider_url(url, base, "/v1/models?limit=1000");
		if (esc)
			buf_addf(url, "&after_id=%s", esc);
		r = provider_header(headers, "x-api-key: %s", key) ||
		    provider_header(headers, "anthropic-version: 2023-06-01");
		break;
	case LIST_GEMINI:
		provider_url(url, base, "/models?pageSize=1000");
		if (esc)
			buf_addf(url, "&pageToken=%s", esc);
		r = provider_header(headers, "x-goog-api-key: %s", key);
		break;
	case LIST_OPENAI:
		provider_url(url, base, "/models");
		r = key && *key && provider_header(headers, "Authorization: Bearer %s", key);
		break;
	}
	curl_free(esc);
	return r || provider_header(headers, "Accept: application/json") ? -1 : 0;
}

/* Does a Gemini model answer generateContent (or not say what it does)? */
static int gemini_generates(jv m)
{
	jv methods = jx_get(m, "supportedGenerationMethods");
	int yes = jv_get_kind(methods) != JV_KIND_ARRAY;
	for (int i = 0; !yes && i < jv_array_length(jv_copy(methods)); i++) {
		jv s = jv_array_get(jv_copy(methods), i);
		yes = jv_get_kind(s) == JV_KIND_STRING && !strcmp(jv_string_value(s), "generateContent");
		jv_free(s);
	}
	jv_free(methods);
	return yes;
}

int model_list_page(const struct provider *p, const char *body, size_t len, jv *names, char *next, size_t cap,
		    char *why, size_t why_cap)
{
	enum list_kind k = kind_of(p);
	next[0] = 0;
	jv v = jv_parse_sized(body, (int)len);
	jv list = jx_get(v, k == LIST_GEMINI ? "models" : "data");
	if (jv_get_kind(list) != JV_KIND_ARRAY) {
		char snippet[200];
		provider_snippet(body, len, snippet, sizeof snippet);
		snprintf(why, why_cap, "not a model list: %s", snippet);
		jv_free(list);
		jv_free(v);
		return -1;
	}
	int n = jv_array_length(jv_copy(list));
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(list), i);
		char id[256] = "";
		jx_str(m, k == LIST_GEMINI ? "name" : "id", id, sizeof id);
		const char *name = k == LIST_GEMINI && !strncmp(id, "models/", 7) ? id + 7 : id;
		if (*name && (k != LIST_GEMINI || gemini_generates(m)))
			*names = jv_array_append(*names, jv_string(name));
		jv_free(m);
	}
	if (k == LIST_ANTHROPIC && jv_equal(jx_get(v, "has_more"), jv_true()))
		jx_str(v, "last_id", next, cap);
	else if (k == LIST_GEMINI)
		jx_str(v, "nextPageToken", next, cap);
	jv_free(list);
	jv_free(v);
	return 0;
}
