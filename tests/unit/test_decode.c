/* The providers' event decoders as plain data: each case in
 * tests/data/decode/PROVIDER.txt is a triple — the event's type, its data,
 * and what the decoder must make of it — so a wire-format fact is one
 * three-line case, with no server and no network code. */
#include "tap.h"
#include "buf.h"
#include "jsonx.h"
#include "net/exchange.h"
#include "providers/provider.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_str(jv *o, const char *key, const char *s, size_t len)
{
	if (len)
		*o = jv_object_set(*o, jv_string(key), jv_string_sized(s, (int)len));
}

/* What the decoder said, with only the fields it set, as one object. */
static jv decoded(const struct provider_event *d, const struct buf *arena)
{
	jv o = jv_object();
	put_str(&o, "text", arena->p + d->text_off, d->text_len);
	put_str(&o, "model", arena->p + d->model_off, d->model_len);
	put_str(&o, "finish", d->finish, strlen(d->finish));
	if (d->usage_mask) {
		jv u = jv_object();
		static const struct {
			unsigned bit;
			const char *name;
			size_t off;
		} f[] = {
			{ USAGE_INPUT, "input", offsetof(struct usage, input) },
			{ USAGE_OUTPUT, "output", offsetof(struct usage, output) },
			{ USAGE_CACHED, "cached", offsetof(struct usage, cached) },
			{ USAGE_REASONING, "reasoning", offsetof(struct usage, reasoning) },
		};
		for (size_t i = 0; i < sizeof f / sizeof *f; i++)
			if (d->usage_mask & f[i].bit)
				u = jv_object_set(u, jv_string(f[i].name),
						  jv_number((double)*(const long *)((const char *)&d->usage + f[i].off)));
		o = jv_object_set(o, jv_string("usage"), u);
	}
	if (d->done)
		o = jv_object_set(o, jv_string("done"), jv_true());
	if (d->refusal)
		o = jv_object_set(o, jv_string("refusal"), jv_true());
	if (d->tools_len)
		o = jv_object_set(o, jv_string("tools"),
				  jv_parse_sized(arena->p + d->tools_off, (int)d->tools_len));
	if (d->err.code)
		o = jv_object_set(o, jv_string("error"), jv_string(err_code_name(d->err.code)));
	return o;
}

static char *field(char *line, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(line, name, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ')
		line++;
	line[strcspn(line, "\n")] = 0;
	return line;
}

/* Run every case of one file; the number run. */
static int run_file(const struct provider *p, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!ok(f != NULL, "%s opens", path))
		return 0;
	char line[8192], type[128] = "message", name[256] = "";
	char *data = NULL;
	int cases = 0, lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *v;
		if (line[0] == '#') {
			snprintf(name, sizeof name, "%s", line + 1 + (line[1] == ' '));
			name[strcspn(name, "\n")] = 0;
		} else if ((v = field(line, "event"))) {
			snprintf(type, sizeof type, "%s", v);
		} else if ((v = field(line, "data"))) {
			free(data);
			data = strdup(v);
		} else if ((v = field(line, "want"))) {
			struct sse_event ev = { .type = type, .data = data ? data : "", .data_len = data ? strlen(data) : 0,
						.id = "" };
			struct provider_event d;
			memset(&d, 0, sizeof d);
			d.usage_later = jv_invalid();
			struct buf arena = BUF_INIT(1 << 20);
			p->decode(&ev, jv_parse(ev.data), &d, &arena);
			/* a usage object left unread: read as evdecode reads the last one */
			if (jv_is_valid(d.usage_later))
				p->read_usage(d.usage_later, &d.usage, &d.usage_mask);
			jv got = decoded(&d, &arena), want = jv_parse(v);
			if (!jv_is_valid(want)) {
				ok(0, "%s:%d: want is JSON", path, lineno);
				jv_free(got);
				jv_free(want);
				buf_free(&arena);
				break;
			}
			int same = jv_equal(jv_copy(got), jv_copy(want));
			if (!ok(same, "%s: %s", p->name, name)) {
				jv g = jv_dump_string(jv_copy(got), JV_PRINT_SORTED);
				fprintf(stderr, "#   %s:%d\n#   got:  %s\n#   want: %s\n", path, lineno, jv_string_value(g), v);
				jv_free(g);
			}
			jv_free(got);
			jv_free(want);
			buf_free(&arena);
			free(data);
			data = NULL;
			snprintf(type, sizeof type, "message");
			cases++;
		} else if (line[0] != '\n') {
			ok(0, "%s:%d: a line that is no comment, event, data or want", path, lineno);
		}
	}
	free(data);
	fclose(f);
	return cases;
}

/* ---- Gemini's usage through the batch decode ----
 * Every Gemini chunk repeats the running usage; the decoder leaves it unread
 * and evdecode reads only the last one of a batch, or the last one before an
 * error stops the reply. The reply must end with the usage it had when each
 * chunk was read on its own. */

static int keep_text(void *ctx, const char *t, size_t n) { return buf_add(ctx, t, n); }

static void gemini_chunk(struct buf *body, const char *text, int output)
{
	char ev[400];
	snprintf(ev, sizeof ev,
		 "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"%s\"}], \"role\": \"model\"}, "
		 "\"index\": 0}], \"usageMetadata\": {\"promptTokenCount\": 7, \"candidatesTokenCount\": %d}}\r\n\r\n",
		 text, output);
	buf_adds(body, ev);
}

/* The body fed in one read (one batch), on one thread or two; the reply. */
static void feed_gemini(const struct buf *body, int one_thread, struct chat_reply *reply, struct buf *text)
{
	memset(reply, 0, sizeof *reply);
	reply->tool_calls = jv_invalid();
	struct exchange_stream r = { .p = provider_find("gemini"), .reply = reply, .emit = keep_text, .ctx = text,
				     .max_reply = (size_t)1 << 30 };
	evdecode_init(&r.batch, r.p);
	r.batch.one_thread = one_thread;
	exchange_stream_open(&r);
	exchange_stream_feed(&r, body->p, body->len);
	sse_finish(&r.sse);
	sse_free(&r.sse);
	evdecode_free(&r.batch);
}

static void test_gemini_usage(void)
{
	for (int one = 0; one < 2; one++) {
		struct buf body = BUF_INIT(1 << 20), text = BUF_INIT(1 << 20);
		struct chat_reply reply;
		/* 40 chunks: over the batch size that is split between two threads */
		for (int i = 1; i <= 40; i++)
			gemini_chunk(&body, "x", i);
		feed_gemini(&body, one, &reply, &text);
		ok(text.len == 40 && reply.have_usage && reply.usage.input == 7 && reply.usage.output == 40,
		   "gemini (%s): 40 chunks in one read, the last chunk's usage (%ld in, %ld out)",
		   one ? "one thread" : "two threads", reply.usage.input, reply.usage.output);
		chat_reply_free(&reply);
		buf_reset(&body);
		buf_reset(&text);
		for (int i = 1; i <= 30; i++)
			gemini_chunk(&body, "y", i);
		buf_adds(&body, "data: {\"error\": {\"code\": 500, \"message\": \"boom\"}}\r\n\r\n");
		for (int i = 31; i <= 40; i++)
			gemini_chunk(&body, "z", i);
		feed_gemini(&body, one, &reply, &text);
		ok(text.len == 30 && reply.err.code == ERR_SERVER && reply.have_usage && reply.usage.output == 30,
		   "gemini (%s): an error after 30 chunks stops the reply with the 30th chunk's usage (%ld out, %zu bytes)",
		   one ? "one thread" : "two threads", reply.usage.output, text.len);
		chat_reply_free(&reply);
		buf_free(&body);
		buf_free(&text);
	}
}

int main(void)
{
	test_gemini_usage();
	static const char *const names[] = { "openai", "anthropic", "gemini" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char path[4096];
		snprintf(path, sizeof path, "tests/data/decode/%s.txt", names[i]);
		int n = run_file(provider_find(names[i]), path);
		ok(n >= 5, "%s: %d cases run", names[i], n);
	}
	return tap_done();
}
