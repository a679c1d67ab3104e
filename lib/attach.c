#include "attach.h"
#include "buf.h"
#include "diag.h"
#include "jsonx.h"
#include <stdlib.h>
#include <string.h>

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
	jv_free(kept); /* held keeps it alive */
	if (!at.mime || (!at.data && !at.uri)) {
		snprintf(why, cap, "an attachment needs \"mime\" and \"data\" (base64) or \"uri\"");
		return -1;
	}
	at.kind = !strncmp(at.mime, "image/", 6) ? "image" : !strncmp(at.mime, "video/", 6) ? "video" : NULL;
	if (!at.kind) {
		snprintf(why, cap, "attachments must be images or video, not %s", at.mime);
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
	return 0;
}
