#include "media/pdf.h"
#include <string.h>

int pdf_sniff(const unsigned char *p, size_t n)
{
	size_t lim = n < 1024 ? n : 1024;
	return lim >= 5 && memmem(p, lim, "%PDF-", 5) != NULL;
}

int pdf_complete(const unsigned char *p, size_t n)
{
	size_t from = n > 1024 ? n - 1024 : 0;
	return memmem(p + from, n - from, "%%EOF", 5) != NULL;
}

/* The PDF syntax's own classes of bytes (ISO 32000-1, 7.2.2). */
static int is_space(unsigned char c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int is_delim(unsigned char c)
{
	return c && strchr("()<>[]{}/%", c) != NULL;
}

#define DEPTH 64            /* deeper containers are passed over, not looked into */
#define PAGES_CAP 100000000 /* a /Count past this is nonsense: held at it */

/* One open dictionary or array, and what a dictionary has said so far. */
struct level {
	int dict;
	char key[16];        /* the key whose value comes next ("" before the first) */
	int values;          /* tokens of that value seen */
	int pages, page, linearized;
	long count, n;       /* /Count and /N when they are plain numbers, else -1 */
};

struct scan {
	struct level st[DEPTH];
	int depth, hidden;   /* hidden: containers open past DEPTH */
	long most, objects, lin;
	int refs;            /* a /Pages node's /Count was a reference, not read */
};

/* A token directly in the innermost dictionary: a name, a number (num >= 0
 * is its value), or anything else (a keyword such as R, a string, a
 * container just closed). */
static void token(struct scan *s, const char *name, size_t nlen, long num, int is_r)
{
	if (s->hidden || !s->depth || !s->st[s->depth - 1].dict)
		return;
	struct level *l = &s->st[s->depth - 1];
	if (name && (!l->key[0] || l->values)) {
		size_t k = nlen < sizeof l->key - 1 ? nlen : sizeof l->key - 1;
		memcpy(l->key, name, k);
		l->key[k] = 0;
		l->values = 0;
		if (!strcmp(l->key, "Linearized"))
			l->linearized = 1;
		return;
	}
	if (name && !strcmp(l->key, "Type")) {
		if (nlen == 5 && !memcmp(name, "Pages", 5))
			l->pages = 1;
		else if (nlen == 4 && !memcmp(name, "Page", 4))
			l->page = 1;
	}
	long *slot = !strcmp(l->key, "Count") ? &l->count : !strcmp(l->key, "N") ? &l->n : NULL;
	if (slot && !l->values)
		*slot = num;            /* -1 unless a whole number */
	else if (slot && is_r)
		*slot = -2;             /* "12 0 R": a reference, not the number */
	l->values++;
}

static void open_level(struct scan *s, int dict)
{
	if (s->hidden || s->depth == DEPTH) {
		s->hidden++;
		return;
	}
	struct level *l = &s->st[s->depth++];
	memset(l, 0, sizeof *l);
	l->dict = dict;
	l->count = l->n = -1;
}

static void close_level(struct scan *s, int dict)
{
	if (s->hidden) {
		s->hidden--;
		return;
	}
	if (!s->depth || s->st[s->depth - 1].dict != dict)
		return; /* a stray closer: passed over */
	struct level *l = &s->st[--s->depth];
	if (dict && l->pages && l->count == -2)
		s->refs = 1;
	if (dict && l->pages && l->count > s->most)
		s->most = l->count;
	else if (dict && l->page && !l->pages)
		s->objects++;
	if (dict && l->linearized && l->n > 0)
		s->lin = l->n;
	token(s, NULL, 0, -1, 0); /* the container was a value in its parent */
}

/* Past a literal string's closing parenthesis: they nest, and a backslash
 * escapes the byte after it. */
static size_t skip_string(const unsigned char *p, size_t n, size_t i)
{
	long nest = 1;
	for (i++; i < n && nest; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '(')
			nest++;
		else if (p[i] == ')')
			nest--;
	}
	return i;
}

long pdf_pages(const unsigned char *p, size_t n)
{
	static struct scan zero;
	struct scan s = zero;
	s.most = -1;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (is_space(c)) {
			i++;
		} else if (c == '%') {
			while (i < n && p[i] != '\n' && p[i] != '\r')
				i++;
		} else if (c == '(') {
			i = skip_string(p, n, i);
			token(&s, NULL, 0, -1, 0);
		} else if (c == '<' && i + 1 < n && p[i + 1] == '<') {
			open_level(&s, 1);
			i += 2;
		} else if (c == '>' && i + 1 < n && p[i + 1] == '>') {
			close_level(&s, 1);
			i += 2;
		} else if (c == '<') {
			const unsigned char *e = memchr(p + i, '>', n - i);
			i = e ? (size_t)(e - p) + 1 : n;
			token(&s, NULL, 0, -1, 0);
		} else if (c == '[' || c == ']') {
			if (c == '[')
				open_level(&s, 0);
			else
				close_level(&s, 0);
			i++;
		} else if (c == '/') {
			size_t b = ++i;
			while (i < n && !is_space(p[i]) && !is_delim(p[i]))
				i++;
			token(&s, (const char *)p + b, i - b, -1, 0);
		} else if (is_delim(c)) {
			i++; /* a lone > or a brace: nothing to learn */
		} else {
			size_t b = i;
			while (i < n && !is_space(p[i]) && !is_delim(p[i]))
				i++;
			size_t len = i - b;
			const unsigned char *w = p + b;
			long num = 0;
			size_t d = w[0] == '+' ? 1 : 0;
			for (size_t k = d; k < len && num >= 0; k++) {
				num = w[k] >= '0' && w[k] <= '9' ? num * 10 + (w[k] - '0') : -1;
				if (num > PAGES_CAP)
					num = PAGES_CAP;   /* so the next digit cannot overflow either */
			}
			if (d == len)
				num = -1;
			if (len == 6 && !memcmp(w, "stream", 6)) {
				/* a stream's bytes are data, not syntax: on past its end */
				const unsigned char *e = memmem(p + i, n - i, "endstream", 9);
				i = e ? (size_t)(e - p) + 9 : n;
			} else if (len == 6 && !memcmp(w, "endobj", 6)) {
				s.depth = s.hidden = 0; /* an object left open ends here */
			} else {
				token(&s, NULL, 0, num, len == 1 && w[0] == 'R');
			}
		}
	}
	/* the root's count unread: a node below it says less than the whole */
	if (s.refs && s.objects > s.most)
		return s.objects;
	if (s.most >= 0)
		return s.most;
	if (s.objects)
		return s.objects;
	return s.lin > 0 ? s.lin : -1;
}
