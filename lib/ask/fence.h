/* fence: CommonMark's fenced-code-block fences (0.31, "Fenced code
 * blocks"), recognised one line at a time. Shared by -x (extract) and the
 * Markdown renderer, so both agree on where code starts and ends. No I/O. */
#ifndef CHAT_FENCE_H
#define CHAT_FENCE_H
#include <stddef.h>

struct fence {
	char ch;                 /* '`' or '~' */
	size_t len, indent;
};

/* Is s[0..n) (no line ending) an opening fence? f is filled and *info is
 * where its info string starts, when it is. */
int fence_opens(const char *s, size_t n, struct fence *f, size_t *info);
/* Does s[0..n) (no line ending) close the block f opened? */
int fence_closes(const struct fence *f, const char *s, size_t n);
/* n without a line ending (\n, \r\n or \r) at the end. */
size_t fence_without_eol(const char *s, size_t n);
#endif
