/* jx_parse: one kept parser gives, text after text, what jv_parse_sized
 * gives each text alone (values and error messages), whatever came before;
 * the usual text (one object) is taken by the kept parser itself. */
#include "diag.h"
#include "jx_same.h"
#include "jxparse.h"
#include "tap.h"
#include <stdio.h>
#include <string.h>

static int same(struct jx_parser *jp, const char *s, size_t n)
{
	return jx_same(jp, s, n, 1);
}

int main(void)
{
	diag_init("test_jxparse");
	/* each is parsed after the one before it by the same parser */
	static const char *const texts[] = {
		"{\"a\":1}",
		"{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],\"usage\":null}",
		"  {\"padded\": true}  \n",
		"{\"a\":1} {\"b\":2}",        /* two values: an error */
		"{\"a\":1}",                  /* and the parser after it still right */
		"{\"a\":1}5",                 /* a value, then more */
		"{\"a\":1} x",
		"{\"a\":",                    /* cut off */
		"{\"a\":1}",
		"[DONE]",
		"{\"a\":\"\\ud83d\"}",        /* a lone surrogate: jq refuses it */
		"{\"a\":\"\\ud83d\\ude00\"}",
		"42",                         /* a bare number ends only at the end */
		"true",
		"\"a string\"",
		"5\"",                       /* a number ended by a quote that begins a string */
		"\"s\"\"",
		"[1,2,3]",
		"",
		"   ",
		"\xEF\xBB\xBF{\"bom\":1}",    /* a BOM at the start of each text */
		"\xEF\xBB\xBF{\"bom\":2}",
		"\xEF\xBB{\"bad\":1}",
		"{\"a\":1}\x1e",
		"{\"a\":\"\xff\"}",           /* not UTF-8 */
		"{\"k\":1,\"k\":2}",          /* the last of a repeated key */
		"{\"deep\":[[[[{\"x\":[1,{\"y\":null}]}]]]]}",
		"{\"a\":1}\r\n\t ",
		"{\"a\":1}",
	};
	size_t nt = sizeof texts / sizeof *texts;
	struct jx_parser jp = { 0 };
	for (size_t i = 0; i < nt; i++)
		ok(same(&jp, texts[i], strlen(texts[i])), "text %zu as jv_parse_sized reads it", i);
	/* a NUL inside, and text read only up to its length */
	ok(same(&jp, "{\"a\":\"x\0y\"}", 11), "a NUL inside a string");
	ok(same(&jp, "{\"a\":1}{\"b\":2}", 7), "only the first n bytes");
	jx_parser_free(&jp);

	/* the usual text needs no second parser: a run of events counts none */
	struct jx_parser run = { 0 };
	const char *ev = "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"x\"}}  ";
	int all = 1;
	for (int i = 0; i < 200000; i++) {
		jv v = jx_parse(&run, ev, strlen(ev));
		all &= jv_get_kind(v) == JV_KIND_OBJECT;
		jv_free(v);
	}
	ok(all, "200,000 objects in a row, each whole");
	ok(run.fallbacks == 0, "none of them parsed twice (%zu were)", run.fallbacks);
	jv v = jx_parse(&run, "[DONE]", 6);
	ok(!jv_is_valid(v) && run.fallbacks == 1 && !run.p, "an error is parsed again alone, the parser dropped");
	jv_free(v);
	v = jx_parse(&run, "{\"after\":1}", 11);
	ok(jv_get_kind(v) == JV_KIND_OBJECT && run.p && run.fallbacks == 1, "and the next text gets a new one");
	jv_free(v);
	jx_parser_free(&run);
	jx_parser_free(&run); /* twice is harmless */
	return tap_done();
}
