#include "ask/promptmap.h"
#include "diag.h"
#include "jsonx.h"
#include "records.h"
#include "textcheck.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int promptmap_init(struct promptmap *m, const char *prompt, const char *system, const char *id, jv vars,
		   char *why, size_t cap)
{
	memset(m, 0, sizeof *m);
	const char *src[3] = { prompt, system, id }, *flag[3] = { "--prompt-jq", "--system-jq", "--id-jq" };
	struct jqprog **dst[3] = { &m->prompt, &m->system, &m->id };
	for (int i = 0; i < 3; i++) {
		if (!src[i])
			continue;
		char msg[400];
		if (!(*dst[i] = jqprog_compile(src[i], vars, msg, sizeof msg))) {
			snprintf(why, cap, "%s: %s", flag[i], msg);
			promptmap_free(m);
			return EXIT_USAGE;
		}
	}
	return 0;
}

void promptmap_free(struct promptmap *m)
{
	jqprog_free(m->prompt);
	jqprog_free(m->system);
	jqprog_free(m->id);
	memset(m, 0, sizeof *m);
}

/* Run one program for a string; -1 with why. */
static int string_from(struct jqprog *p, jv rec, const char *flag, jv *out, char *why, size_t cap)
{
	char msg[400];
	jv v;
	if (jqprog_run(p, rec, &v, msg, sizeof msg) < 0) {
		snprintf(why, cap, "%s: %s", flag, msg);
		return -1;
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		const char *k = jv_kind_name(jv_get_kind(v));
		jv_free(v);
		snprintf(why, cap, "%s: the program gave %s %s, not a string", flag,
			 strchr("aeiou", k[0]) ? "an" : "a", k);
		return -1;
	}
	*out = v;
	return 0;
}

int promptmap_apply(struct promptmap *m, jv rec, jv *out, jv *id, char *why, size_t cap)
{
	*id = jv_null();
	if (m->id) {
		char msg[400];
		jv v;
		if (jqprog_run(m->id, rec, &v, msg, sizeof msg) == 0)
			*id = v;
		else {
			snprintf(why, cap, "--id-jq: %s", msg);
			jv_free(rec);
			return -1;
		}
	} else if (jv_get_kind(rec) == JV_KIND_OBJECT) {
		jv v = jx_get(rec, "id");
		if (jv_is_valid(v))
			*id = v;
	}
	jv text = jv_invalid(), system = jv_invalid();
	if (string_from(m->prompt, rec, "--prompt-jq", &text, why, cap) < 0 ||
	    (m->system && string_from(m->system, rec, "--system-jq", &system, why, cap) < 0)) {
		jv_free(text);
		jv_free(system);
		jv_free(rec);
		return -1;
	}
	jv p = JV_OBJECT(jv_string("type"), jv_string("prompt"));
	if (jv_get_kind(*id) != JV_KIND_NULL)
		p = jv_object_set(p, jv_string("id"), jv_copy(*id));
	p = jv_object_set(p, jv_string("text"), text);
	if (jv_is_valid(system))
		p = jv_object_set(p, jv_string("system"), system);
	jv_free(rec);
	*out = p;
	return 0;
}

struct one_ctx {
	jv rec;
	long count;
	int bad;
};

static int take_one(void *ctx, long lineno, jv rec, const char *why)
{
	struct one_ctx *c = ctx;
	if (!jv_is_valid(rec)) {
		c->bad = 1;
		return 1;
	}
	if (c->count++) {
		jv_free(rec);
		return 1;
	}
	c->rec = rec;
	return 0;
}

int promptmap_one(const char *prompt_jq, const char *system_jq, jv vars, struct line_reader *lr,
		  struct buf *prompt, char **system)
{
	struct promptmap m;
	char why[600];
	int r = promptmap_init(&m, prompt_jq, system_jq, NULL, vars, why, sizeof why);
	if (r) {
		error("%s", why);
		return r;
	}
	struct one_ctx c = { .rec = jv_invalid() };
	lr->any_json = 1;
	if (records_each(lr, take_one, &c) < 0 && !c.bad && c.count < 2) {
		promptmap_free(&m);
		return error("reading stdin: %s", strerror(errno)), EXIT_NOINPUT;
	}
	if (c.bad || c.count != 1) {
		jv_free(c.rec);
		promptmap_free(&m);
		if (!c.bad)
			error("--prompt-jq: stdin must hold exactly one record here (chat-send takes many), not %s",
			      c.count ? "more" : "none");
		return c.bad ? EXIT_DATAERR : EXIT_USAGE;
	}
	jv p, id;
	r = promptmap_apply(&m, c.rec, &p, &id, why, sizeof why);
	promptmap_free(&m);
	jv_free(id);
	if (r < 0) {
		error("%s", why);
		return EXIT_DATAERR;
	}
	if (prompt_record_check(p, why, sizeof why) < 0) {
		jv_free(p);
		error("--prompt-jq: %s", why);
		return EXIT_DATAERR;
	}
	jv text = jx_get(p, "text"), sys = jx_get(p, "system");
	buf_reset(prompt);
	r = buf_add(prompt, jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)));
	*system = jv_get_kind(sys) == JV_KIND_STRING ? strdup(jv_string_value(sys)) : NULL;
	jv_free(text);
	jv_free(sys);
	jv_free(p);
	if (r < 0) {
		error("the prompt is too large");
		return EXIT_DATAERR;
	}
	return 0;
}
