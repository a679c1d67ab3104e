/* The providers' event decoders as plain data: each case in
 * tests/data/decode/PROVIDER.txt is a triple — the event's type, its data,
 * and what the decoder must make of it — so a wire-format fact is one
 * three-line case, with no server and no network code. */
#include "tap.h"
#include "buf.h"
#include "jsonx.h"
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
			struct buf arena = BUF_INIT(1 << 20);
			p->decode(&ev, jv_parse(ev.data), &d, &arena);
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

int main(void)
{
	static const char *const names[] = { "openai", "anthropic", "gemini" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char path[4096];
		snprintf(path, sizeof path, "tests/data/decode/%s.txt", names[i]);
		int n = run_file(provider_find(names[i]), path);
		ok(n >= 5, "%s: %d cases run", names[i], n);
	}
	return tap_done();
}
