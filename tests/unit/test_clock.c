/* clock: UTC times written by arithmetic say what gmtime_r and strftime
 * say, over leap days, century years, the years before 1970 and long
 * after, and read back by clock_parse; the wall clock with milliseconds. */
#include "clock.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What the C library writes for t, or "" when it cannot. */
static void libc_format(long long t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	out[0] = 0;
	if (gmtime_r(&tt, &tm))
		strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int main(void)
{
	static const long long edges[] = {
		0, -1, 1, 86399, 86400, -86400, -86401,
		951782400,            /* 2000-02-29, a leap day of a century year */
		951868799, 951868800, /* its last second, and 1 March */
		4107542400LL,         /* 2100-03-01: 2100 has no 29 February */
		4107455999LL,
		-2203891200LL,        /* 1900-03-01: nor had 1900 */
		-62135596800LL,       /* 0001-01-01 */
		-62167219200LL,       /* year 0, a leap year */
		253402300799LL,       /* 9999-12-31T23:59:59 */
		253402300800LL,       /* 10000-01-01 */
		1767225599LL, 1767225600LL,
	};
	char got[64], want[64];
	int bad = 0;
	for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
		clock_format(edges[i], got, sizeof got);
		libc_format(edges[i], want, sizeof want);
		if (strcmp(got, want) && bad++ < 5)
			printf("# %lld: got %s, want %s\n", edges[i], got, want);
	}
	ok(!bad, "clock_format: the edges as the C library writes them (%d differ)", bad);
	/* every day from 1600 to 2400 at a second that moves, and random times */
	bad = 0;
	for (long long t = -11676096000LL; t < 13569465600LL; t += 86400 + 3607) {
		clock_format(t, got, sizeof got);
		libc_format(t, want, sizeof want);
		if (strcmp(got, want) && bad++ < 5)
			printf("# %lld: got %s, want %s\n", t, got, want);
	}
	srand(7);
	for (int i = 0; i < 200000; i++) {
		long long t = ((long long)rand() << 20 ^ rand()) % 400000000000LL - 200000000000LL;
		clock_format(t, got, sizeof got);
		libc_format(t, want, sizeof want);
		if (strcmp(got, want) && bad++ < 5)
			printf("# %lld: got %s, want %s\n", t, got, want);
	}
	ok(!bad, "clock_format: 480,000 times from the years -4300 to 8300 as the C library writes them (%d differ)", bad);
	bad = 0;
	for (long long t = 0; t < 4102444800LL; t += 7 * 86400 + 12345) {
		clock_format(t, got, sizeof got);
		bad += clock_parse(got) != t;
	}
	ok(!bad, "clock_parse reads clock_format's times back (%d differ)", bad);
	clock_format(1LL << 60, got, sizeof got);
	ok(!strcmp(got, ""), "a time past any calendar: nothing written");
	char tiny[8] = "xxxxxxx";
	clock_format(0, tiny, sizeof tiny);
	ok(!strcmp(tiny, ""), "no room: nothing written, not a cut time");

	setenv("CHAT_NOW", "1767225600", 1);
	clock_rfc3339(got, sizeof got);
	ok(!strcmp(got, "2026-01-01T00:00:00.000Z"), "the wall clock, fixed by $CHAT_NOW: %s", got);
	unsetenv("CHAT_NOW");
	clock_rfc3339(got, sizeof got);
	ok(strlen(got) == 24 && got[19] == '.' && got[23] == 'Z' && clock_parse(got) > 1700000000,
	   "the wall clock with milliseconds: %s", got);
	return tap_done();
}
