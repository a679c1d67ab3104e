#include "records.h"
#include "diag.h"
#include "jsonx.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

void lr_init(struct line_reader *lr, int fd, size_t max_line)
{
	memset(lr, 0, sizeof *lr);
	lr->fd = fd;
	buf_init(&lr->b, max_line);
}

void lr_free(struct line_reader *lr) { buf_free(&lr->b); }

/* Make sure a whole line (or the rest of the input) is buffered from pos. */
static int fill_line(struct line_reader *lr, const char **nl)
{
	for (;;) {
		*nl = memchr(lr->b.p + lr->pos, '\n', lr->b.len - lr->pos);
		if (*nl || lr->eof)
			return 0;
		if (lr->pos) {
			buf_consume(&lr->b, lr->pos);
			lr->pos = 0;
		}
		char tmp[65536];
		ssize_t n = read(lr->fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			lr->eof = 1;
		else if (buf_add(&lr->b, tmp, (size_t)n) < 0)
			return -2;
		if (!lr->b.p)
			buf_adds(&lr->b, "");
	}
}

int lr_peek(struct line_reader *lr, const char **line, size_t *len)
{
	const char *nl;
	if (!lr->b.p)
		buf_adds(&lr->b, "");
	int r = fill_line(lr, &nl);
	if (r < 0)
		return r;
	size_t end = nl ? (size_t)(nl - lr->b.p) : lr->b.len;
	if (end == lr->pos && !nl)
		return 0;
	*line = lr->b.p + lr->pos;
	*len = end - lr->pos;
	return 1;
}

int lr_next(struct line_reader *lr, const char **line, size_t *len)
{
	int r = lr_peek(lr, line, len);
	if (r == 1) {
		lr->pos += *len + (lr->pos + *len < lr->b.len ? 1 : 0);
		lr->lineno++;
	}
	return r;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int records_each(struct line_reader *lr, record_fn fn, void *ctx)
{
	const char *line;
	size_t len;
	int r;
	while ((r = lr_next(lr, &line, &len)) != 0) {
		if (r == -1)
			return error("reading records: %s", strerror(errno));
		if (r == -2) {
			char why[64];
			snprintf(why, sizeof why, "line too long (over %zu bytes)", lr->b.max);
			warn("line %ld: %s", lr->lineno + 1, why);
			if ((r = fn(ctx, lr->lineno + 1, jv_invalid(), why)))
				return r;
			return -1; /* the rest of that line cannot be resynchronised safely */
		}
		if (blank(line, len))
			continue;
		jv v = jv_parse_sized(line, (int)len);
		char why[256] = "";
		if (!jv_is_valid(v)) {
			jv msg = jv_invalid_get_msg(v);
			const char *m = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "invalid JSON";
			snprintf(why, sizeof why, "invalid JSON: %s", m);
			jv_free(msg);
			v = jv_invalid();
		} else if (jv_get_kind(v) != JV_KIND_OBJECT) {
			snprintf(why, sizeof why, "a record must be a JSON object");
		} else {
			jv t = jx_get(v, "type");
			if (jv_get_kind(t) != JV_KIND_STRING)
				snprintf(why, sizeof why, "a record needs a string \"type\"");
			jv_free(t);
		}
		if (why[0]) {
			jv_free(v);
			v = jv_invalid();
			warn("line %ld: %s", lr->lineno, why);
			if ((r = fn(ctx, lr->lineno, v, why)))
				return r;
			continue;
		}
		if ((r = fn(ctx, lr->lineno, v, NULL)))
			return r;
	}
	return 0;
}

int looks_like_record(const char *line, size_t len)
{
	static const char *types[] = { "prompt", "attachment", "delta", "response", "error",
		"image", "conversation", "message", "cost", "job", NULL };
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] != '{')
		return 0;
	jv v = jv_parse_sized(line, (int)len);
	char t[32];
	int ok = jv_is_valid(v) && jx_str(v, "type", t, sizeof t) == 0;
	jv_free(v);
	if (!ok)
		return 0;
	for (const char **p = types; *p; p++)
		if (!strcmp(*p, t))
			return 1;
	return 0;
}
