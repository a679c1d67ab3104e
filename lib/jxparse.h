/* jxparse: JSON texts parsed one after another by one libjq parser, kept
 * between them, instead of a new one (its struct, stack and token buffer
 * allocated and freed) for each text as jv_parse_sized does. The result is
 * always jv_parse_sized's: any text the kept parser does not take whole
 * (an error, a bare number, a leading BOM, text after the value) is
 * parsed again by jv_parse_sized, and the kept parser is dropped. One per
 * thread (jv reference counts are not atomic). */
#ifndef CHAT_JXPARSE_H
#define CHAT_JXPARSE_H
#include <jv.h>
#include <stddef.h>

struct jx_parser {
	struct jv_parser *p;  /* NULL: made on the next parse */
	size_t texts, bytes;  /* since it was made: it is renewed now and then */
	size_t fallbacks;     /* texts handed to jv_parse_sized (for the tests) */
};

/* s[0..n) as jv_parse_sized(s, n) would give it. */
jv jx_parse(struct jx_parser *jp, const char *s, size_t n);
void jx_parser_free(struct jx_parser *jp);
#endif
