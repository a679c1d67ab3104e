/* A fence is 3 or more ` or ~ after at most 3 spaces; an info string
 * follows (with no ` after a backtick fence); the block ends at a fence of
 * the same character, at least as long, indented at most 3 spaces and
 * followed by nothing but spaces or tabs. */
#include "ask/fence.h"
#include <string.h>

static size_t leading_spaces(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

size_t fence_without_eol(const char *s, size_t n)
{
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	return n;
}

int fence_opens(const char *s, size_t n, struct fence *f, size_t *info)
{
	size_t i = leading_spaces(s, n);
	if (i > 3 || i == n || (s[i] != '`' && s[i] != '~'))
		return 0;
	char c = s[i];
	size_t j = i;
	while (j < n && s[j] == c)
		j++;
	if (j - i < 3)
		return 0;
	if (c == '`' && memchr(s + j, '`', n - j))
		return 0;
	f->ch = c, f->len = j - i, f->indent = i;
	*info = j;
	return 1;
}

int fence_closes(const struct fence *f, const char *s, size_t n)
{
	size_t i = leading_spaces(s, n);
	if (i > 3)
		return 0;
	size_t j = i;
	while (j < n && s[j] == f->ch)
		j++;
	if (j - i < f->len)
		return 0;
	for (; j < n; j++)
		if (s[j] != ' ' && s[j] != '\t')
			return 0;
	return 1;
}
