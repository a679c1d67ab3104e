/* The providers' model lists: GET .../models as OpenAI and the compatible
 * servers answer it (one page), Anthropic's GET /v1/models (pages of two,
 * by after_id, has_more and last_id) and Gemini's GET /v1beta/models (pages
 * of two by pageToken, each model with its supportedGenerationMethods). */
#include "fakeprov.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 2

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

int modellist_match(const char *method, const char *route, jv headers)
{
	if (strcmp(method, "GET") || !ends_with(route, "/models"))
		return 0;
	if (ends_with(route, "/v1beta/models"))
		return 3;
	return header_get(headers, "anthropic-version") ? 2 : 1;
}

/* The value of name=... in the path's query, or "". */
static void query_param(const char *path, const char *name, char *out, size_t cap)
{
	out[0] = 0;
	const char *q = strchr(path, '?');
	size_t nl = strlen(name);
	for (const char *p = q; p && *p; p = strchr(p + 1, '&'))
		if (!strncmp(p + 1, name, nl) && p[1 + nl] == '=') {
			snprintf(out, cap, "%.*s", (int)strcspn(p + 2 + nl, "&"), p + 2 + nl);
			return;
		}
}

void modellist_serve(int fd, const struct ctx *c, int kind, const char *list)
{
	static const char *const defaults[] = {
		"gpt-4o,gpt-4o-mini,gpt-new-model",
		"claude-sonnet-4-5,claude-haiku-4-5,claude-new-model",
		"gemini-2.5-flash,gemini-new-model,text-embedding-004",
	};
	char *names = strdup(list ? list : defaults[kind - 1]), *save = names, *name;
	jv all = jv_array();
	while (names && (name = strsep(&save, ",")))
		if (*name)
			all = jv_array_append(all, jv_string(name));
	free(names);
	int n = jv_array_length(jv_copy(all)), from = 0;
	char arg[256];
	if (kind == 2) {
		query_param(c->path, "after_id", arg, sizeof arg);
		for (int i = 0; arg[0] && i < n; i++) {
			jv s = jv_array_get(jv_copy(all), i);
			if (!strcmp(jv_string_value(s), arg))
				from = i + 1;
			jv_free(s);
		}
	} else if (kind == 3) {
		query_param(c->path, "pageToken", arg, sizeof arg);
		from = arg[0] ? atoi(arg + 4) : 0;      /* "page3" */
	}
	int to = kind == 1 ? n : (from + PAGE < n ? from + PAGE : n);
	jv data = jv_array();
	for (int i = from; i < to; i++) {
		jv s = jv_array_get(jv_copy(all), i);
		const char *m = jv_string_value(s);
		if (kind == 1)
			data = jv_array_append(data, JV_OBJECT(S("id"), S(m), S("object"), S("model"),
							       S("created"), jv_number(1700000000), S("owned_by"), S("fake")));
		else if (kind == 2)
			data = jv_array_append(data, JV_OBJECT(S("type"), S("model"), S("id"), S(m),
							       S("display_name"), S(m), S("created_at"), S("2025-09-29T00:00:00Z")));
		else {
			char full[300];
			snprintf(full, sizeof full, "models/%s", m);
			jv methods = strstr(m, "embedding") ? JV_ARRAY(S("embedContent"))
				     : JV_ARRAY(S("generateContent"), S("countTokens"));
			data = jv_array_append(data, JV_OBJECT(S("name"), S(full), S("displayName"), S(m),
							       S("supportedGenerationMethods"), methods));
		}
		jv_free(s);
	}
	jv body;
	if (kind == 1) {
		body = JV_OBJECT(S("object"), S("list"), S("data"), data);
	} else if (kind == 2) {
		jv first = from < to ? jv_array_get(jv_copy(all), from) : jv_null();
		jv last = from < to ? jv_array_get(jv_copy(all), to - 1) : jv_null();
		body = JV_OBJECT(S("data"), data, S("has_more"), jv_bool(to < n), S("first_id"), first, S("last_id"), last);
	} else {
		body = JV_OBJECT(S("models"), data);
		if (to < n) {
			char tok[32];
			snprintf(tok, sizeof tok, "page%d", to);
			body = jv_object_set(body, S("nextPageToken"), S(tok));
		}
	}
	jv_free(all);
	struct buf b = BUF_INIT(GEN_MAX);
	add_json(&b, body, 0);
	send_reply(fd, c, 200, "application/json", 0, NULL, buf_str(&b), b.len);
	buf_free(&b);
}
