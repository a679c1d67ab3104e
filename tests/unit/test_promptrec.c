/* prompt_record_parse: the one reading of a prompt record behind chat-send
 * -r and chat-batch submit, with the words each refusal has always had. */
#include "diag.h"
#include "promptrec.h"
#include "tap.h"
#include <stdio.h>
#include <string.h>

/* "ok" or the refusal, for a record given as JSON text. */
static const char *parse(const char *json)
{
	static char why[256];
	struct prompt_rec p;
	jv rec = jv_parse(json);
	if (prompt_record_parse(rec, &p, why, sizeof why) == 0)
		snprintf(why, sizeof why, "ok");
	prompt_record_free(&p);
	jv_free(rec);
	return why;
}

int main(void)
{
	diag_init("test_promptrec");
	is_str(parse("{\"type\":\"prompt\",\"text\":\"hi\"}"), "ok", "a plain prompt");
	is_str(parse("{\"type\":\"response\",\"text\":\"hi\"}"), "a response record is not a prompt", "another type");
	is_str(parse("{\"type\":\"response\",\"attachments\":5}"), "a response record is not a prompt",
	       "the type comes first, whatever else is wrong");
	is_str(parse("{\"type\":\"prompt\"}"), "a prompt record needs a non-empty \"text\"", "no text");
	is_str(parse("{\"type\":\"prompt\",\"text\":\"\"}"), "a prompt record needs a non-empty \"text\"", "empty text");
	is_str(parse("{\"type\":\"prompt\",\"text\":7}"), "a prompt record needs a non-empty \"text\"", "text not a string");
	is_str(parse("{\"type\":\"prompt\",\"text\":\"x\",\"attachments\":5}"), "\"attachments\" must be a list",
	       "attachments not a list");
	is_str(parse("{\"type\":\"prompt\",\"attachments\":{}}"), "\"attachments\" must be a list",
	       "a bad attachments list before the missing text");
	is_str(parse("{\"type\":\"prompt\",\"text\":\"x\",\"attachments\":null}"), "ok", "attachments null: none");
	ok(strcmp(parse("{\"type\":\"prompt\",\"text\":\"x\",\"attachments\":[{\"type\":\"attachment\"}]}"), "ok") != 0,
	   "a bad attachment is refused with the attachment's own words");
	ok(strstr(parse("{\"type\":\"prompt\",\"text\":\"a\\u0000b\"}"), "\"text\" holds a NUL byte") != NULL,
	   "a NUL in the text");
	ok(strstr(parse("{\"type\":\"prompt\",\"text\":\"x\",\"system\":\"a\\u0000\"}"), "\"system\" holds a NUL") != NULL,
	   "a NUL in the system prompt");

	struct prompt_rec p;
	char why[256];
	jv rec = jv_parse("{\"type\":\"prompt\",\"id\":42,\"text\":\"hi\",\"system\":\"be brief\","
			  "\"conversation\":\"c1\",\"model\":\"gpt-4o\"}");
	ok(prompt_record_parse(rec, &p, why, sizeof why) == 0 && jv_number_value(p.id) == 42 &&
	   !strcmp(jv_string_value(p.text), "hi") && !strcmp(prompt_rec_str(p.system), "be brief") &&
	   !strcmp(prompt_rec_str(p.conversation), "c1") && !strcmp(p.model, "gpt-4o") && p.atts.n == 0,
	   "every field read");
	prompt_record_free(&p);
	jv_free(rec);
	rec = jv_parse("{\"type\":\"prompt\",\"id\":\"r1\",\"system\":5}");
	ok(prompt_record_parse(rec, &p, why, sizeof why) < 0 && !strcmp(jv_string_value(p.id), "r1") &&
	   !prompt_rec_str(p.system) && !prompt_rec_str(p.conversation) && !p.model[0],
	   "a refused record keeps its id for the error record; fields not strings are NULL");
	prompt_record_free(&p);
	jv_free(rec);
	return tap_done();
}
