#include "sse.h"
#include <string.h>

static const unsigned char BOM[3] = { 0xEF, 0xBB, 0xBF };

void sse_init(struct sse_parser *p, size_t max, sse_event_fn fn, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->on_event = fn;
	p->ctx = ctx;
	buf_init(&p->line, max);
	buf_init(&p->data, max);
	buf_init(&p->type, max);
	buf_init(&p->id, max);
	buf_init(&p->stray, 65536);
	p->retry = -1;
}

void sse_free(struct sse_parser *p)
{
	buf_free(&p->line);
	buf_free(&p->data);
	buf_free(&p->type);
	buf_free(&p->id);
	buf_free(&p->stray);
}

static int dispatch(struct sse_parser *p)
{
	int r = 0;
	if (p->has_data) {
		/* every data line appended a LF; the last one is not part of the data */
		size_t n = p->data.len ? p->data.len - 1 : 0;
		struct sse_event ev = {
			.type = p->type.len ? buf_str(&p->type) : "message",
			.data = buf_str(&p->data),
			.data_len = n,
			.id = buf_str(&p->id),
		};
		if (p->data.p)
			p->data.p[n] = 0;
		r = p->on_event(p->ctx, &ev);
	}
	buf_reset(&p->data);
	buf_reset(&p->type);
	p->has_data = 0;
	return r;
}

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int field(struct sse_parser *p, const char *line, size_t len)
{
	if (len == 0)
		return dispatch(p);
	if (line[0] == ':')
		return 0;
	const char *colon = memchr(line, ':', len);
	size_t nlen = colon ? (size_t)(colon - line) : len;
	const char *val = colon ? colon + 1 : line + len;
	size_t vlen = colon ? len - nlen - 1 : 0;
	if (vlen && val[0] == ' ') {
		val++;
		vlen--;
	}
	if (nlen == 4 && !memcmp(line, "data", 4)) {
		if (buf_add(&p->data, val, vlen) < 0 || buf_addc(&p->data, '\n') < 0)
			return p->overflow = 1, -1;
		p->has_data = 1;
	} else if (nlen == 5 && !memcmp(line, "event", 5)) {
		buf_reset(&p->type);
		if (buf_add(&p->type, val, vlen) < 0)
			return p->overflow = 1, -1;
	} else if (nlen == 2 && !memcmp(line, "id", 2)) {
		if (!memchr(val, 0, vlen)) {
			buf_reset(&p->id);
			if (buf_add(&p->id, val, vlen) < 0)
				return p->overflow = 1, -1;
		}
	} else if (nlen == 5 && !memcmp(line, "retry", 5)) {
		if (all_digits(val, vlen) && vlen < 18) {
			long ms = 0;
			for (size_t i = 0; i < vlen; i++)
				ms = ms * 10 + (val[i] - '0');
			p->retry = ms;
		}
	} else if (line[0] == '{' || p->stray.len) {
		/* not a field at all: keep it (bounded) in case it is a bare JSON error */
		if (buf_add(&p->stray, line, len) == 0)
			buf_addc(&p->stray, '\n');
	}
	return 0;
}

/* First CR or LF in s[0..n), or NULL. *cr is the first CR at or after s
 * (NULL: none up to s + n), found again only once s has passed it, so a
 * read without CRs is searched for one once, not once per line. */
static const char *line_end(const char *s, size_t n, const char **cr)
{
	if (*cr && *cr < s)
		*cr = memchr(s, '\r', n);
	const char *lf = memchr(s, '\n', n);
	return *cr && (!lf || *cr < lf) ? *cr : lf;
}

int sse_feed(struct sse_parser *p, const char *s, size_t n)
{
	int r;
	while (n && p->bom >= 0) {
		if ((unsigned char)*s == BOM[p->bom]) {
			s++, n--;
			if (++p->bom == 3)
				p->bom = -1;
		} else {
			/* not a BOM after all: the bytes matched so far are content */
			int had = p->bom;
			p->bom = -1;
			if (had && (r = sse_feed(p, (const char *)BOM, (size_t)had)))
				return r;
		}
	}
	if (n && p->pending_cr) {
		p->pending_cr = 0;
		if (*s == '\n')
			s++, n--;
	}
	const char *cr = n ? memchr(s, '\r', n) : NULL;
	while (n) {
		const char *e = line_end(s, n, &cr);
		if (!e) {
			if (buf_add(&p->line, s, n) < 0)
				return p->overflow = 1, -1;
			return 0;
		}
		size_t len = (size_t)(e - s);
		if (p->line.len) {
			if (buf_add(&p->line, s, len) < 0)
				return p->overflow = 1, -1;
			r = field(p, p->line.p, p->line.len);
			buf_reset(&p->line);
		} else if (len > p->line.max) {
			/* the cap a line spanning reads meets: no matter how it was read */
			return p->overflow = 1, -1;
		} else {
			r = field(p, s, len);
		}
		size_t skip = len + 1;
		if (*e == '\r') {
			if (skip < n && s[skip] == '\n')
				skip++;
			else if (skip == n)
				p->pending_cr = 1;
		}
		s += skip;
		n -= skip;
		if (r)
			return r;
	}
	return 0;
}

int sse_flush(struct sse_parser *p)
{
	int r = 0;
	if (p->line.len) {
		r = field(p, p->line.p, p->line.len);
		buf_reset(&p->line);
	}
	return r ? r : dispatch(p);
}

int sse_finish(struct sse_parser *p)
{
	int discarded = p->line.len || p->has_data || (p->bom > 0);
	buf_reset(&p->line);
	buf_reset(&p->data);
	buf_reset(&p->type);
	p->has_data = 0;
	p->pending_cr = 0;
	return discarded;
}
