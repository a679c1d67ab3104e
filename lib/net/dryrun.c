#include "net/dryrun.h"
#include "buf.h"
#include "diag.h"
#include "net/http.h"
#include <math.h>
#include <string.h>

/* s[0..n) with secrets redacted, as a JSON string. */
static jv redacted(const char *s, size_t n)
{
	struct buf b = BUF_INIT((size_t)1 << 31);
	scrub_buf(&b, s, n, SCRUB_SECRETS | SCRUB_LINES);
	jv out = jv_string_sized(b.p ? b.p : "", (int)b.len);
	buf_free(&b);
	return out;
}

/* A URL's user:password@ goes too, even one too short to be registered. */
static jv url_text(const char *url)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	size_t alen = strcspn(host, "/?#");
	const char *at = NULL;
	for (const char *c = host; c < host + alen; c++)
		if (*c == '@')
			at = c;
	const char *colon = at ? memchr(host, ':', (size_t)(at - host)) : NULL;
	if (!colon)
		return redacted(url, strlen(url));
	struct buf b = BUF_INIT(1 << 20);
	buf_add(&b, url, (size_t)(colon + 1 - url));
	buf_add(&b, "[redacted]", 10);
	buf_add(&b, at, strlen(at));
	jv out = redacted(b.p ? b.p : "", b.len);
	buf_free(&b);
	return out;
}

static jv header_object(const struct curl_slist *h)
{
	jv o = jv_object();
	for (; h; h = h->next) {
		const char *line = h->data, *colon = strchr(line, ':');
		if (!colon)
			continue;
		const char *v = colon + 1;
		while (*v == ' ')
			v++;
		if (!*v)
			continue; /* "Name:" takes a header away: nothing is sent */
		jv name = jv_string_sized(line, (int)(colon - line));
		jv value;
		if (http_secret_header(line, (size_t)(colon - line))) {
			/* the scheme stays, the credential goes */
			const char *sp = strchr(v, ' ');
			value = sp ? jv_string_fmt("%.*s [redacted]", (int)(sp - v), v) : jv_string("[redacted]");
		} else {
			value = redacted(v, strlen(v));
		}
		o = jv_object_set(o, name, value);
	}
	return o;
}

static jv body_value(const char *body, size_t len)
{
	struct buf b = BUF_INIT((size_t)1 << 31);
	/* a multipart frame's CRLFs stay as they are sent; no secret holds one */
	for (size_t at = 0; at < len;) {
		const char *cr = memchr(body + at, '\r', len - at);
		size_t run = cr ? (size_t)(cr - (body + at)) : len - at;
		scrub_buf(&b, body + at, run, SCRUB_SECRETS | SCRUB_LINES);
		at += run;
		if (cr) {
			buf_add(&b, "\r", 1);
			at++;
		}
	}
	jv v = jv_parse_sized(b.p ? b.p : "", (int)b.len);
	if (!jv_is_valid(v)) {
		jv_free(v);
		v = jv_string_sized(b.p ? b.p : "", (int)b.len);
	}
	buf_free(&b);
	return v;
}

jv dryrun_record(const char *method, const char *url, const struct curl_slist *headers, const char *body,
		 size_t len, const char *key)
{
	if (key && *key)
		secret_add(key);
	jv rec = JV_OBJECT(jv_string("type"), jv_string("request"), jv_string("method"), jv_string(method),
			   jv_string("url"), url_text(url), jv_string("headers"), header_object(headers));
	if (body)
		rec = jv_object_set(rec, jv_string("body"), body_value(body, len));
	return rec;
}

jv dryrun_with(jv rec, jv id, double worst)
{
	if (jv_is_valid(id) && jv_get_kind(id) != JV_KIND_NULL)
		rec = jv_object_set(rec, jv_string("id"), jv_copy(id));
	if (worst >= 0)
		rec = jv_object_set(rec, jv_string("worst_cost_usd"), jv_number(round(worst * 1e10) / 1e10));
	return rec;
}
