#include "ask/remote_models.h"
#include "diag.h"
#include "jsonx.h"
#include "fdio.h"
#include "net/http.h"
#include "net/retry.h"
#include "providers/endpoint.h"
#include "providers/model_list.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAGES 50           /* a provider paging forever is cut off */

/* One GET of a page: 0 with the body in c->err_body, or an exit status with
 * why, one line. */
static int get_page(struct session *s, const struct provider *p, const struct endpoint *ep, const char *page,
		    struct buf *body, char *why, size_t cap)
{
	struct buf url = BUF_INIT(16384);
	struct curl_slist *h = NULL;
	if (model_list_request(p, ep->base, ep->key, page, &url, &h) < 0) {
		snprintf(why, cap, "out of memory");
		curl_slist_free_all(h);
		buf_free(&url);
		return EXIT_SOFTWARE;
	}
	struct http_call c;
	memset(&c, 0, sizeof c);
	c.url = buf_str(&url);
	c.headers = h;
	c.get = 1;
	c.connect_timeout = s->opts->connect_timeout;
	c.idle_timeout = s->opts->idle_timeout;
	c.total_timeout = s->opts->timeout ? s->opts->timeout : 120;
	c.body_max = (size_t)16 << 20;
	buf_init(&c.err_body, c.body_max);
	buf_init(&c.head, 64 << 10);
	http_post(&c);
	int st = 0;
	if (c.code != CURLE_OK || c.stalled || c.aborted || c.status / 100 != 2) {
		struct chat_error e = { 0 };
		call_error(p, &c, ep->key_source, 0, &e);
		snprintf(why, cap, "%s", e.message);
		st = err_exit_status(e.code);
	} else {
		buf_add(body, c.err_body.p ? c.err_body.p : "", c.err_body.len);
	}
	http_call_free(&c);
	curl_slist_free_all(h);
	buf_free(&url);
	return st;
}

/* The names p lists, every page of them, into *names. 0 or an exit status with why. */
static int fetch(struct session *s, const struct provider *p, jv *names, char *why, size_t cap)
{
	struct endpoint ep;
	int st = provider_endpoint(p, &s->cfg, &ep, why, cap);
	if (st) {
		if (!why[0])
			snprintf(why, cap, "its key was refused");
		return st;
	}
	char page[1024] = "", next[1024];
	for (int n = 0; !st && n < MAX_PAGES; n++) {
		struct buf body = BUF_INIT((size_t)16 << 20);
		st = get_page(s, p, &ep, page, &body, why, cap);
		if (!st && model_list_page(p, buf_str(&body), body.len, names, next, sizeof next, why, cap) < 0)
			st = EXIT_UNAVAILABLE;
		buf_free(&body);
		if (st || !next[0] || !strcmp(next, page))
			break;
		snprintf(page, sizeof page, "%s", next);
	}
	explicit_bzero(ep.key, sizeof ep.key);
	return st;
}

static int listed(jv names, const char *name)
{
	for (int i = 0; i < jv_array_length(jv_copy(names)); i++) {
		jv n = jv_array_get(jv_copy(names), i);
		int eq = !strcmp(jv_string_value(n), name);
		jv_free(n);
		if (eq)
			return 1;
	}
	return 0;
}

static void line(struct buf *out, int json, const char *prov, const char *model, int is_listed, int in_table)
{
	if (json) {
		jx_dump_line(JV_OBJECT(jv_string("type"), jv_string("remote_model"), jv_string("provider"),
				       jv_string(prov), jv_string("model"), jv_string(model), jv_string("listed"),
				       jv_bool(is_listed), jv_string("in_table"), jv_bool(in_table)), out);
		return;
	}
	buf_addf(out, "%-10s %-44s %s\n", prov, model,
		 !in_table ? "not in the table: no price known" : !is_listed ? "in the table, no longer listed" : "");
}

/* p's list against the table's entries for p, into out. */
static void compare(const struct session *s, const struct provider *p, jv names, struct buf *out, int json)
{
	names = jv_sort(names, jv_copy(names));
	for (int i = 0; i < jv_array_length(jv_copy(names)); i++) {
		jv n = jv_array_get(jv_copy(names), i);
		const struct model_info *mi = models_find(&s->models, jv_string_value(n));
		line(out, json, p->name, jv_string_value(n), 1, mi && !strcmp(mi->provider, p->name));
		jv_free(n);
	}
	for (size_t i = 0; i < s->models.n; i++) {
		const struct model_info *mi = &s->models.v[i];
		if (!strcmp(mi->provider, p->name) && !listed(names, mi->name))
			line(out, json, p->name, mi->name, 0, 1);
	}
	jv_free(names);
}

int remote_models_print(struct session *s, const char *only, int json)
{
	const struct provider *one = NULL;
	if (only) {
		char known[1024];
		provider_known_names(known, sizeof known);
		if (!(one = provider_find(only))) {
			error("--remote: unknown provider '%s'; known: %s", only, known);
			return EXIT_USAGE;
		}
	}
	struct buf out = BUF_INIT((size_t)1 << 26);
	if (!json)
		buf_addf(&out, "%-10s %-44s %s\n", "PROVIDER", "MODEL", "NOTE");
	int asked = 0, failed = 0, first_st = 0;
	struct buf keyless = BUF_INIT(4096), local = BUF_INIT(4096);
	for (int pass = 0; pass < 2; pass++)
		for (const struct provider *const *pp = pass ? provider_compat_all() : provider_all; *pp; pp++) {
			const struct provider *p = *pp;
			if (one && p != one)
				continue;
			if (!one && (p->key_optional || !provider_keyed(p, &s->cfg))) {
				struct buf *b = p->key_optional ? &local : &keyless;
				buf_addf(b, "%s%s", b->len ? ", " : "", p->name);
				continue;
			}
			asked++;
			jv names = jv_array();
			char why[1200] = "";
			int st = fetch(s, p, &names, why, sizeof why);
			if (st) {
				error("%s: cannot list its models: %s", p->name, why);
				failed++;
				first_st = first_st ? first_st : st;
				jv_free(names);
				continue;
			}
			compare(s, p, names, &out, json);
		}
	if (keyless.len && !s->opts->quiet)
		warn("skipped, no key set up: %s", buf_str(&keyless));
	if (local.len && !s->opts->quiet)
		warn("skipped, local servers (name one to ask it): %s", buf_str(&local));
	buf_free(&keyless);
	buf_free(&local);
	int r = write_all(1, out.p ? out.p : "", out.len);
	buf_free(&out);
	if (r < 0 && errno != EPIPE)
		return error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT;
	if (!asked) {
		error("--remote: no provider has a key set up (chat-send --models --remote NAME asks one that needs none)");
		return EXIT_NOPERM;
	}
	return failed == asked ? first_st : failed ? 1 : 0;
}
