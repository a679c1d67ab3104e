#include "diag.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *progname = "chat";
int verbose;

void diag_init(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;
	progname = s ? s + 1 : (argv0 ? argv0 : "chat");
}

static void vmsg(const char *fmt, va_list ap)
{
	char line[2048];
	int n = snprintf(line, sizeof line, "%s: ", progname);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	size_t len = strlen(line);
	if (len + 1 < sizeof line)
		line[len++] = '\n';
	else
		line[len - 1] = '\n';
	fwrite(line, 1, len, stderr); /* one write so parallel writers never interleave */
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return -1;
}

void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(status);
}

void scrub(char *out, size_t cap, const char *in, size_t len)
{
	size_t o = 0;
	if (!cap)
		return;
	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[o] = 0;
}

void die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\nTry '%s --help' for more information.\n", progname, msg, arg ? ": " : "",
		arg ? arg : "", progname);
	exit(EXIT_USAGE);
}
