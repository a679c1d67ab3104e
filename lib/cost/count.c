#include "cost/count.h"
#include "config.h"
#include "diag.h"
#include "input.h"
#include "fdio.h"
#include "filetext.h"
#include "eachinput.h"
#include "jsonx.h"
#include "models.h"
#include "records.h"
#include "tokens/tokens.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct counting {
	const struct count_opts *o;
	struct config cfg;
	struct models models;
	const char *default_model;
	long total, total_request;
	double total_usd;
	int unpriced, estimate, counted;
	int status;
};

/* A model's table entry: by its name (after aliases), or the part after provider:. */
static const struct model_info *lookup(struct counting *c, const char *name)
{
	name = models_alias(&c->cfg, name);
	const struct model_info *mi = models_find(&c->models, name);
	const char *colon = strchr(name, ':');
	return mi || !colon ? mi : models_find(&c->models, colon + 1);
}

/* How a model's tokens are counted. 0, or EXIT_CONFIG after a message. */
static int counter_for(struct counting *c, const char *model, struct token_counter *tc)
{
	char why[256];
	if (tokens_for(tc, models_alias(&c->cfg, model), lookup(c, model), c->o->encoding, why, sizeof why) < 0) {
		error("%s", why);
		return EXIT_CONFIG;
	}
	return 0;
}

/* Print the count of one text of n tokens (with an optional system prompt)
 * for a model. */
static int report(struct counting *c, const struct token_counter *t, const char *model, const char *system, long n,
		  jv id, const char *source)
{
	const struct model_info *mi = lookup(c, model);
	long request = TOKENS_REPLY_PRIMING + TOKENS_PER_MESSAGE + n +
		       (system ? tokens_message(t, system, strlen(system)) : 0);
	double usd = mi && mi->in_usd >= 0 ? request * mi->in_usd / 1e6 : -1;
	/* a text that cannot be sent whole is worth knowing before it is sent */
	long window = mi && mi->context > 0 ? mi->context : 0;
	int over = window && request > window;
	if (over && !c->o->quiet)
		warn("%s: %ld tokens, over %s's %ld-token window: cut it with chat-split, or send it with --truncate",
		     source && *source ? source : "the input", request, model, window);
	c->total += n;
	c->total_request += request;
	c->counted++;
	c->estimate |= t->estimate;
	if (usd >= 0)
		c->total_usd += usd;
	else
		c->unpriced = 1;
	if (c->o->json) {
		jv rec = JV_OBJECT(jv_string("type"), jv_string("count"));
		if (jv_is_valid(id) && jv_get_kind(id) != JV_KIND_NULL)
			rec = jv_object_set(rec, jv_string("id"), jv_copy(id));
		if (source)
			rec = jv_object_set(rec, jv_string("source"), jv_string(source));
		rec = jv_object_set(rec, jv_string("model"), jv_string(model));
		rec = jv_object_set(rec, jv_string("encoding"), jv_string(t->encoding));
		rec = jv_object_set(rec, jv_string("estimate"), jv_bool(t->estimate));
		rec = jv_object_set(rec, jv_string("tokens"), jv_number((double)n));
		rec = jv_object_set(rec, jv_string("request_tokens"), jv_number((double)request));
		rec = jv_object_set(rec, jv_string("usd"), usd >= 0 ? jv_number(usd) : jv_null());
		rec = jv_object_set(rec, jv_string("context"), window ? jv_number((double)window) : jv_null());
		rec = jv_object_set(rec, jv_string("fits"), window ? jv_bool(!over) : jv_null());
		return jx_write_line(1, rec) < 0 ? -1 : 0;
	}
	char label[256] = "";
	if (source)
		scrub(label, sizeof label, source, strlen(source));
	else if (jv_get_kind(id) == JV_KIND_STRING)
		scrub(label, sizeof label, jv_string_value(id), (size_t)jv_string_length_bytes(jv_copy(id)));
	else
		jx_id_text(id, label, sizeof label);
	char cost[32] = "price-unknown";
	if (usd >= 0)
		snprintf(cost, sizeof cost, "$%.6f", usd);
	printf("%s%9ld  %13s  %s%s\n", t->estimate ? "~" : " ", n, cost, label, over ? "  (over the window)" : "");
	return ferror(stdout) ? -1 : 0;
}

/* Count one text held whole (a record's) and print it. */
static int count_one(struct counting *c, const char *model, const char *system, const char *text, size_t len,
		     jv id, const char *source)
{
	struct token_counter tc;
	int st = counter_for(c, model, &tc);
	return st ? st : report(c, &tc, model, system, tokens_count(&tc, text, len), id, source);
}

/* Count plain text as it is read, the bytes already read first: memory
 * stays at a chunk or two however large the input. 0, -1 (output failed),
 * or an exit status after a message. */
static int count_stream(struct counting *c, int fd, const char *name, const char *head, size_t head_len)
{
	const char *model = c->default_model;
	struct token_counter tc;
	int st = counter_for(c, model, &tc);
	if (st)
		return st;
	struct token_stream ts;
	tokens_stream_init(&ts, &tc);
	int bad = tokens_stream_add(&ts, head, head_len);
	char *chunk = malloc(TOKENS_CHUNK);
	ssize_t got = 0;
	while (!bad && chunk && (got = read(fd, chunk, TOKENS_CHUNK)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		bad = tokens_stream_add(&ts, chunk, (size_t)got);
	}
	int read_errno = got < 0 ? errno : 0;
	free(chunk);
	long n = tokens_stream_end(&ts);
	if (read_errno)
		return error("%s: %s", name, strerror(read_errno)), EXIT_NOINPUT;
	if (n < 0 || !chunk)
		return error("%s: out of memory counting tokens", name), EXIT_SOFTWARE;
	if (ts.forced) {
		/* a text with no safe place to cut in 16 MiB: said, and marked */
		tc.estimate = 1;
		if (!c->o->quiet)
			warn("%s: no place to cut the text safely in %zu MiB, so its count may be off by a few tokens",
			     name, TOKENS_FORCE >> 20);
	}
	return report(c, &tc, model, NULL, n, jv_invalid(), c->o->json || strcmp(name, "stdin") ? name : "");
}

/* One -f path: the blocks chat-send would add for it, counted. */
static int count_files(struct counting *c, const char *path)
{
	struct buf text = BUF_INIT(INPUT_MAX);
	char why[700];
	const char *one[1] = { path };
	int st = filetext_append(&text, one, 1, why, sizeof why);
	if (st)
		error("%s", why);
	else
		st = count_one(c, c->default_model, NULL, buf_str(&text), text.len, jv_invalid(), path);
	buf_free(&text);
	return st < 0 ? EXIT_CANTCREAT : st;
}

/* A record's "files" after its text, as chat-send -r adds them; NULL
 * without any, or on an error (said, and *st set). */
static char *record_text(jv rec, const char *text, size_t *len, int *st)
{
	jv list = jx_get(rec, "files");
	int n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;
	char *out = NULL;
	if (n > 0 && n <= 64) {
		const char *paths[64];
		jv held = jv_array();
		for (int i = 0; i < n; i++) {
			jv one = jv_array_get(jv_copy(list), i);
			paths[i] = jv_get_kind(one) == JV_KIND_STRING ? jv_string_value(one) : "";
			held = jv_array_append(held, one);
		}
		struct buf b = BUF_INIT(INPUT_MAX);
		char why[700];
		buf_add(&b, text, *len);
		if ((*st = filetext_append(&b, paths, n, why, sizeof why)))
			error("%s", why);
		else
			out = buf_detach(&b, len);
		buf_free(&b);
		jv_free(held);
	}
	jv_free(list);
	return out;
}

struct record_ctx {
	struct counting *c;
	long bad;
};

static int count_record(void *ctx, long lineno, jv rec, const char *why)
{
	struct record_ctx *r = ctx;
	if (!jv_is_valid(rec)) {
		r->bad++;
		return 0;
	}
	char type[16] = "", model[256];
	jv text = jx_get(rec, "text");
	if (jx_str(rec, "type", type, sizeof type) || strcmp(type, "prompt") || jv_get_kind(text) != JV_KIND_STRING) {
		warn("line %ld: not a prompt record with a text", lineno);
		r->bad++;
	} else {
		if (jx_str(rec, "model", model, sizeof model))
			snprintf(model, sizeof model, "%s", r->c->default_model);
		jv sys = jx_get(rec, "system");
		jv id = jx_get(rec, "id");
		size_t len = (size_t)jv_string_length_bytes(jv_copy(text));
		int st = 0;
		char *whole = record_text(rec, jv_string_value(text), &len, &st);
		if (!st)
			st = count_one(r->c, model, jv_get_kind(sys) == JV_KIND_STRING ? jv_string_value(sys) : NULL,
				       whole ? whole : jv_string_value(text), len, id, NULL);
		free(whole);
		jv_free(sys);
		jv_free(id);
		if (st) {
			jv_free(text);
			jv_free(rec);
			r->c->status = st < 0 ? EXIT_CANTCREAT : st;
			return 1;
		}
	}
	jv_free(text);
	jv_free(rec);
	return 0;
}

static int count_input_fd(void *ctx, int fd, const char *name)
{
	struct counting *c = ctx;
	struct line_reader lr;
	/* a record as long as chat-send takes one; text is not held at all */
	lr_init(&lr, fd, INPUT_MAX);
	const char *line;
	size_t len;
	int peek = lr_peek(&lr, &line, &len);
	int records = c->o->records || (!c->o->text_only && peek == 1 && looks_like_record(line, len));
	int st = 0;
	if (peek < 0 && peek != -2) {
		st = (error("%s: %s", name, strerror(errno)), EXIT_NOINPUT);
	} else if (records) {
		struct record_ctx r = { c, 0 };
		if (records_each(&lr, count_record, &r) < 0 && !c->status)
			st = (error("%s: %s", name, strerror(errno)), EXIT_NOINPUT);
		st = st ? st : c->status ? c->status : r.bad ? EXIT_DATAERR : 0;
	} else {
		/* the text as it streams, starting with what the peek read */
		st = count_stream(c, fd, name, lr.b.p ? lr.b.p + lr.pos : "", lr.b.len - lr.pos);
		if (st < 0)
			st = EXIT_CANTCREAT;
	}
	lr_free(&lr);
	return st;
}

int count_input(const struct count_opts *o, int nfiles, char **files)
{
	struct counting c = { .o = o };
	if (config_load(&c.cfg) < 0)
		return EXIT_CONFIG;
	if (models_load(&c.models, &c.cfg) < 0) {
		config_free(&c.cfg);
		return EXIT_CONFIG;
	}
	/* a count is wanted most for files too large to send: no cap but the prompt's own */
	filetext_settings.max_total = INPUT_MAX;
	c.default_model = o->model;
	if (!c.default_model || !*c.default_model)
		c.default_model = getenv("CHAT_MODEL");
	if (!c.default_model || !*c.default_model)
		c.default_model = config_get(&c.cfg, "", "model");
	if (!c.default_model || !*c.default_model)
		c.default_model = MODEL_DEFAULT;
	int status = 0;
	for (int i = 0; !status && i < o->nfiles; i++)
		status = count_files(&c, o->files[i]);
	if (!status && (nfiles || !o->nfiles))
		status = for_each_input(nfiles, files, count_input_fd, &c);
	if (!o->json && c.counted > 1 && status != EXIT_CANTCREAT) {
		char cost[32] = "price-unknown";
		if (!c.unpriced)
			snprintf(cost, sizeof cost, "$%.6f", c.total_usd);
		printf("%s%9ld  %13s  total\n", c.estimate ? "~" : " ", c.total, cost);
	}
	if (!o->json && c.estimate && isatty(1))
		warn("~: an estimate (o200k_base plus 10%%); counts are exact for models on o200k_base or cl100k_base");
	models_free(&c.models);
	config_free(&c.cfg);
	return status;
}
