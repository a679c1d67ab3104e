#include "tap.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int n, failed;

int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", cond ? "" : "not ", ++n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		failed++;
	fflush(stdout);
	return cond;
}

static void show(const char *label, const void *p, size_t len)
{
	printf("#   %s: \"", label);
	const unsigned char *s = p;
	for (size_t i = 0; i < len && i < 400; i++)
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			putchar(s[i]);
		else
			printf("\\x%02x", s[i]);
	printf("\"\n");
}

int is_mem(const void *got, size_t glen, const void *want, size_t wlen, const char *name)
{
	int c = glen == wlen && !memcmp(got, want, glen);
	if (!ok(c, "%s", name)) {
		show("got ", got, glen);
		show("want", want, wlen);
	}
	return c;
}

int is_str(const char *got, const char *want, const char *name)
{
	if (!got)
		got = "(null)";
	return is_mem(got, strlen(got), want, strlen(want), name);
}

void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++n, why);
}

int tap_done(void)
{
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}

const char *shared_dir(void)
{
	const char *d = getenv("CHAT_SHARED");
	if (d && *d)
		return access(d, R_OK) == 0 ? d : NULL;
	return access("../shared/corpus", R_OK) == 0 ? "../shared" : NULL;
}
