#include "clock.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long clock_real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The wall clock, or $CHAT_NOW (whole seconds) so that tests see fixed times. */
static void wall(struct timespec *ts)
{
	const char *fixed = getenv("CHAT_NOW");
	clock_gettime(CLOCK_REALTIME, ts);
	if (fixed && *fixed) {
		ts->tv_sec = (time_t)strtoll(fixed, NULL, 10);
		ts->tv_nsec = 0;
	}
}

long long clock_now(void)
{
	struct timespec ts;
	wall(&ts);
	return (long long)ts.tv_sec;
}

/* Seconds since 1970 as a UTC date and time, YYYY-MM-DDTHH:MM:SS (the
 * year unpadded, as strftime's %Y has it), by arithmetic on the days of
 * the proleptic Gregorian calendar. Not gmtime_r and strftime: glibc's
 * read the zone file (/etc/localtime) on their first call, which a UTC
 * time never needs, and a prompt's spool record is written before its
 * reply's first byte. 0, or -1 for a time too far off or no room. */
static int format_utc(long long t, char *out, size_t cap)
{
	if (t < -(1LL << 50) || t > (1LL << 50))
		return -1;
	long long days = t / 86400, sod = t % 86400;
	if (sod < 0)
		sod += 86400, days--;
	/* days to a civil date, years counted from March so leap days end them */
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	long long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
	long long year = yoe + era * 400 + (month <= 2);
	int n = snprintf(out, cap, "%lld-%02lld-%02lldT%02lld:%02lld:%02lld", year, month, day, sod / 3600,
			 sod % 3600 / 60, sod % 60);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void clock_format(long long t, char *out, size_t cap)
{
	char base[64];
	if (format_utc(t, base, sizeof base) < 0 || snprintf(out, cap, "%sZ", base) >= (int)cap) {
		if (cap)
			out[0] = 0;
	}
}

long long clock_parse(const char *s)
{
	struct tm tm = { 0 };
	int n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	const char *p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long off = 0;
	if (*p == '+' || *p == '-') {
		int oh, om, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || p[6])
			return -1;
		off = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
	} else if ((*p != 'Z' && *p != 'z') || p[1]) {
		return -1;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	return t == (time_t)-1 ? -1 : (long long)t - off;
}

void clock_rfc3339(char *out, size_t cap)
{
	struct timespec ts;
	wall(&ts);
	char base[64];
	if (format_utc((long long)ts.tv_sec, base, sizeof base) < 0)
		base[0] = 0;
	snprintf(out, cap, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

int clock_valid_date(const char *d)
{
	static const char shape[] = "dddd-dd-dd";
	for (int i = 0; shape[i]; i++)
		if (!d[i] || (shape[i] == 'd' ? !isdigit((unsigned char)d[i]) : d[i] != shape[i]))
			return 0;
	int month = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return 0;
	return d[10] == 0 || d[10] == 'T';
}
