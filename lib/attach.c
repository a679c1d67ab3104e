#include "attach.h"
#include "buf.h"
#include "diag.h"
#include "jsonx.h"
#include <stdlib.h>
#include <string.h>

const char *attach_kind(const char *mime)
{
	if (!strncmp(mime, "image/", 6))
		return "image";
	if (!strncmp(mime, "video/", 6))
		return "video";
	if (!strncmp(mime, "audio/", 6))
		return "audio";
	return !strcmp(mime, "application/pdf") ? "pdf" : NULL;
}

size_t attach_bytes(const struct attachment *a)
{
	if (!a->data)
		return 0;
	size_t n = a->data_len / 4 * 3;
	for (size_t i = a->data_len; i > 0 && a->data[i - 1] == '=' && n; i--)
		n--;
	return n;
}

void attachments_init(struct attachments *a)
{
	a->v = NULL;
	a->n = 0;
	a->held = jv_array();
}

void attachments_free(struct attachments *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
	jv_free(a->held);
	a->held = jv_invalid();
}

/* A string field of rec, pointing into rec (kept alive in held), or NULL. */
static const char *field(jv rec, const char *key, size_t *len)
{
	jv v = jx_get(rec, key);
	const char *s = NULL;
	if (jv_get_kind(v) == JV_KIND_STRING) {
		s = jv_string_value(v); /* rec holds a reference, so this stays valid */
		if (len)
			*len = (size_t)jv_string_length_bytes(jv_copy(v));
	}
	jv_free(v);
	return s;
}

int attachments_add(struct attachments *a, jv rec, char *why, size_t cap)
{
	if (jv_get_kind(rec) != JV_KIND_OBJECT) {
		snprintf(why, cap, "an attachment must be an object");
		return -1;
	}
	if (a->n >= ATTACH_MAX) {
		snprintf(why, cap, "more than %d attachments for one prompt", ATTACH_MAX);
		return -1;
	}
	a->held = jv_array_append(a->held, jv_copy(rec));
	jv kept = jv_array_get(jv_copy(a->held), jv_array_length(jv_copy(a->held)) - 1);
	struct attachment at = { 0 };
	at.mime = field(kept, "mime", NULL);
	at.data = field(kept, "data", &at.data_len);
	at.uri = field(kept, "uri", NULL);
	at.width = (int)jx_num(kept, "width", 0);
	at.height = (int)jx_num(kept, "height", 0);
	double pages = jx_num(kept, "pages", -1), dur = jx_num(kept, "duration_s", -1);
	at.pages = pages >= 0 && pages < 1e9 ? (long)pages : -1; /* a record's nonsense is "not known" */
	at.duration = dur >= 0 && dur < 1e9 ? dur : -1;
	const char *src = field(kept, "source", NULL);
	if (src && strcmp(src, "-")) {
		const char *slash = strrchr(src, '/');
		at.filename = slash ? (slash[1] ? slash + 1 : NULL) : src;
	}
	jv_free(kept); /* held keeps it alive */
	if (!at.mime || (!at.data && !at.uri)) {
		snprintf(why, cap, "an attachment needs \"mime\" and \"data\" (base64) or \"uri\"");
		return -1;
	}
	at.kind = attach_kind(at.mime);
	if (!at.kind) {
		snprintf(why, cap, "attachments must be images, PDFs, audio or video, not %s", at.mime);
		return -1;
	}
	for (size_t i = 0; at.data && i < at.data_len; i++) {
		char c = at.data[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		      c == '/' || c == '=')) {
			snprintf(why, cap, "an attachment's \"data\" is not base64");
			return -1;
		}
	}
	struct attachment *v = realloc(a->v, (a->n + 1) * sizeof *v);
	if (!v) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	a->v = v;
	a->v[a->n++] = at;
	return 0;
}

struct reader {
	struct attachments *a;
	int bad;
};

static int one(void *ctx, long lineno, jv rec, const char *why)
{
	struct reader *r = ctx;
	char msg[256] = "";
	char type[32] = "";
	if (!why) {
		jx_str(rec, "type", type, sizeof type);
		if (strcmp(type, "attachment"))
			snprintf(msg, sizeof msg, "a %s record: with prompt words, stdin may hold only attachments", type);
		else
			attachments_add(r->a, rec, msg, sizeof msg);
		if (msg[0]) {
			warn("line %ld: %s", lineno, msg);
			r->bad = 1;
		}
	} else {
		r->bad = 1;
	}
	jv_free(rec);
	return r->bad; /* stop at the first bad line: the request must not go out half-equipped */
}

int attachments_read(struct attachments *a, struct line_reader *lr)
{
	struct reader r = { .a = a };
	int rc = records_each(lr, one, &r);
	if (rc == -1 && !r.bad)
		return EXIT_NOINPUT;
	return r.bad ? EXIT_DATAERR : 0;
}

void attach_tally_add(struct attach_tally *t, const struct attachment *a)
{
	t->b64 += (double)a->data_len;
	if (!strcmp(a->kind, "pdf")) {
		t->pdf_bytes += (double)attach_bytes(a);
		if (a->pages > 0) {
			t->pages += a->pages;
			if (a->pages > t->most_pages)
				t->most_pages = a->pages;
		}
	}
	if (!strcmp(a->kind, "audio") && a->duration > 0)
		t->seconds += a->duration;
}

/* A provider's own limits on what one request carries, from its docs:
 * OpenAI's file inputs guide (100 pages and 32 MB of files a request),
 * Anthropic's PDF support page (100 pages, a 32 MB request), Gemini's
 * document and audio guides (1,000 pages a document, 9.5 hours of audio a
 * prompt, the Files API for a request over 20 MB: chat-upload's 20 MiB
 * inline limit, which a request's inline parts are held to together). */
int attach_tally_over(const struct attach_tally *t, const char *provider, const char *model_name, char *why,
		      size_t cap)
{
	const double MB = 1024.0 * 1024;
	int openai = !strcmp(provider, "openai"), anthropic = !strcmp(provider, "anthropic");
	int gemini = !strcmp(provider, "gemini");
	if ((openai || anthropic) && t->pages > 100)
		snprintf(why, cap, "%ld PDF pages in one request: %s takes at most 100", t->pages, model_name);
	else if (openai && t->pdf_bytes > 32 * MB)
		snprintf(why, cap, "%.1f MB of PDFs in one request: %s takes at most 32 MB", t->pdf_bytes / MB, model_name);
	else if (anthropic && t->b64 > 32 * MB)
		snprintf(why, cap, "%.1f MB of attachments (base64) in one request: %s takes at most 32 MB", t->b64 / MB,
			 model_name);
	else if (gemini && t->most_pages > 1000)
		snprintf(why, cap, "a PDF of %ld pages is over the 1,000 a Gemini model takes", t->most_pages);
	else if (gemini && t->seconds > 9.5 * 3600)
		snprintf(why, cap, "%.1f hours of audio in one request: a Gemini model takes at most 9.5", t->seconds / 3600);
	else if (gemini && t->b64 > 20 * MB)
		snprintf(why, cap, "%.1f MB of attachments (base64) inline in one request: a Gemini model takes at most 20 "
			 "(chat-upload --max-bytes lower sends the large ones by the Files API)", t->b64 / MB);
	else
		return 0;
	return 1;
}

static int provider_limits(const struct attachments *a, const char *model_name, const char *provider)
{
	struct attach_tally t = { 0 };
	for (size_t i = 0; i < a->n; i++) {
		const struct attachment *at = &a->v[i];
		attach_tally_add(&t, at);
		if (!strcmp(provider, "openai") && !strcmp(at->kind, "audio") && strcmp(at->mime, "audio/wav") &&
		    strcmp(at->mime, "audio/mp3")) {
			error("%s takes audio only as WAV or MP3, not %s: convert it first (ffmpeg -i IN OUT.mp3)",
			      model_name, at->mime);
			return EXIT_DATAERR;
		}
	}
	char why[256];
	if (attach_tally_over(&t, provider, model_name, why, sizeof why)) {
		error("%s", why);
		return EXIT_DATAERR;
	}
	return 0;
}

int attachments_check(const struct attachments *a, const char *model_name, const struct model_info *mi,
		      const struct models *table)
{
	if (!mi)
		return 0; /* not in the table: the provider will say */
	for (size_t i = 0; i < a->n; i++) {
		const char *kind = a->v[i].kind;
		if (model_accepts(mi, kind))
			continue;
		struct buf can = BUF_INIT(4096);
		for (size_t k = 0; k < table->n; k++)
			if (model_accepts(&table->v[k], kind))
				buf_addf(&can, "%s%s", can.len ? ", " : "", table->v[k].name);
		error("%s cannot take %s input; models that can: %s", model_name, kind, can.len ? buf_str(&can) : "none known");
		buf_free(&can);
		return EXIT_DATAERR;
	}
	return provider_limits(a, model_name, mi->provider);
}
