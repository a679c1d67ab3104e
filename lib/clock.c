#include "clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_rfc3339(char *out, size_t cap)
{
	const char *fixed = getenv("CHAT_NOW");
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (fixed && *fixed) {
		ts.tv_sec = (time_t)strtoll(fixed, NULL, 10);
		ts.tv_nsec = 0;
	}
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}
