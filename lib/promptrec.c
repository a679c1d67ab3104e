#include "promptrec.h"
#include "filetext.h"
#include "input.h"
#include "jsonx.h"
#include "textcheck.h"
#include <stdio.h>
#include <string.h>

/* The record's attachments into p->atts; the first problem in why. */
static void read_attachments(jv rec, struct prompt_rec *p, char *why, size_t cap)
{
	jv list = jx_get(rec, "attachments");
	int na = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;
	for (int i = 0; i < na && !why[0]; i++) {
		jv one = jv_array_get(jv_copy(list), i);
		attachments_add(&p->atts, one, why, cap);
		jv_free(one);
	}
	if (jv_is_valid(list) && jv_get_kind(list) != JV_KIND_ARRAY && jv_get_kind(list) != JV_KIND_NULL)
		snprintf(why, cap, "\"attachments\" must be a list");
	jv_free(list);
}

/* The record's "files" (paths, folders, patterns or URLs), their blocks
 * added after its text. */
static void read_files(jv rec, struct prompt_rec *p, char *why, size_t cap)
{
	jv list = jx_get(rec, "files");
	if (!jv_is_valid(list) || jv_get_kind(list) == JV_KIND_NULL) {
		jv_free(list);
		return;
	}
	int n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : -1;
	const char *paths[64];
	if (n < 0 || n > 64)
		snprintf(why, cap, "\"files\" must be a list of at most 64 paths");
	for (int i = 0; i < n && !why[0]; i++) {
		jv one = jv_array_get(jv_copy(list), i);
		if (jv_get_kind(one) != JV_KIND_STRING || text_check("a path in \"files\"", jv_string_value(one),
				(size_t)jv_string_length_bytes(jv_copy(one)), why, cap) < 0 ||
		    strlen(jv_string_value(one)) != (size_t)jv_string_length_bytes(jv_copy(one))) {
			if (!why[0])
				snprintf(why, cap, "\"files\" must be a list of paths (strings)");
		} else {
			paths[i] = jv_string_value(one); /* list holds it */
		}
		jv_free(one);
	}
	if (!why[0] && n > 0) {
		struct buf text = BUF_INIT(INPUT_MAX);
		if (jv_get_kind(p->text) == JV_KIND_STRING)
			buf_add(&text, jv_string_value(p->text), (size_t)jv_string_length_bytes(jv_copy(p->text)));
		if (filetext_append(&text, paths, n, why, cap) == 0) {
			jv_free(p->text);
			p->text = jv_string_sized(buf_str(&text), (int)text.len);
		}
		buf_free(&text);
	}
	jv_free(list);
}

int prompt_record_parse(jv rec, struct prompt_rec *p, char *why, size_t cap)
{
	char type[32] = "";
	why[0] = 0;
	p->id = jx_get(rec, "id");
	p->text = jx_get(rec, "text");
	p->system = jx_get(rec, "system");
	p->conversation = jx_get(rec, "conversation");
	p->model[0] = 0;
	jx_str(rec, "model", p->model, sizeof p->model);
	attachments_init(&p->atts);
	jx_str(rec, "type", type, sizeof type);
	read_attachments(rec, p, why, cap);
	/* the type is the first thing wrong, whatever else is */
	if (strcmp(type, "prompt"))
		snprintf(why, cap, "a %s record is not a prompt", type);
	else if (!why[0] && (jv_get_kind(p->text) != JV_KIND_STRING || !jv_string_length_bytes(jv_copy(p->text))))
		snprintf(why, cap, "a prompt record needs a non-empty \"text\"");
	else if (!why[0])
		prompt_record_check(rec, why, cap); /* a NUL would cut the text short */
	if (!why[0])
		read_files(rec, p, why, cap);
	return why[0] ? -1 : 0;
}

void prompt_record_free(struct prompt_rec *p)
{
	attachments_free(&p->atts);
	jv_free(p->id);
	jv_free(p->text);
	jv_free(p->system);
	jv_free(p->conversation);
	p->id = p->text = p->system = p->conversation = jv_invalid();
}

const char *prompt_rec_str(jv field)
{
	return jv_get_kind(field) == JV_KIND_STRING ? jv_string_value(field) : NULL;
}
