#include "jxparse.h"
#include <limits.h>

/* Renewed after this many texts or bytes: its line and column counts
 * (ints, kept only for error messages) never grow near their limit, and
 * a token buffer grown for one huge string is not kept for good. */
#define RENEW_TEXTS 65536
#define RENEW_BYTES ((size_t)1 << 28)

void jx_parser_free(struct jx_parser *jp)
{
	if (jp->p)
		jv_parser_free(jp->p);
	jp->p = NULL;
	jp->texts = jp->bytes = 0;
}

static jv fallback(struct jx_parser *jp, const char *s, size_t n)
{
	jx_parser_free(jp);
	jp->fallbacks++;
	return jv_parse_sized(s, (int)n);
}

static int only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

jv jx_parse(struct jx_parser *jp, const char *s, size_t n)
{
	/* jv_parse_sized strips a BOM at each text's start, a kept parser
	 * only at its first: a text that may start with one goes there */
	if (!n || n > INT_MAX || (unsigned char)s[0] == 0xEF)
		return fallback(jp, s, n);
	if (jp->texts >= RENEW_TEXTS || jp->bytes >= RENEW_BYTES)
		jx_parser_free(jp);
	if (!jp->p && !(jp->p = jv_parser_new(0)))
		return fallback(jp, s, n);
	jp->texts++;
	jp->bytes += n;
	/* partial: the parser then waits for more rather than ending, so it
	 * can take the next text. An object, array or string it returns
	 * ended at its last character, with nothing after it begun; a bare
	 * number or word ends only at the next character, which may begin
	 * another value (a quote), so those go to jv_parse_sized */
	jv_parser_set_buf(jp->p, s, (int)n, 1);
	jv v = jv_parser_next(jp->p);
	jv_kind k = jv_get_kind(v);
	size_t rest = (size_t)jv_parser_remaining(jp->p);
	if ((k != JV_KIND_OBJECT && k != JV_KIND_ARRAY && k != JV_KIND_STRING) || rest > n ||
	    !only_space(s + n - rest, rest)) {
		jv_free(v);
		return fallback(jp, s, n);
	}
	if (rest) {
		/* the white space after the value: read, so the buffer is done */
		jv more = jv_parser_next(jp->p);
		int clean = !jv_is_valid(more) && !jv_invalid_has_msg(jv_copy(more)) && !jv_parser_remaining(jp->p);
		jv_free(more);
		if (!clean) {
			jv_free(v);
			return fallback(jp, s, n);
		}
	}
	return v;
}
