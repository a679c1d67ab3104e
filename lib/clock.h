/* clock: the two times the programs need — a monotonic millisecond count
 * for durations, and the wall clock as RFC 3339 UTC with milliseconds for
 * records and the history ($CHAT_NOW, unix seconds, fixes it for tests). */
#ifndef CHAT_CLOCK_H
#define CHAT_CLOCK_H
#include <stddef.h>

long now_ms(void);
/* The real wall clock in unix milliseconds, whatever $CHAT_NOW says: for
 * state shared between processes (rate-limit buckets, spool order). */
long long clock_real_ms(void);
void clock_rfc3339(char *out, size_t cap);
/* The wall clock in unix seconds ($CHAT_NOW when set). */
long long clock_now(void);
/* Unix seconds t as RFC 3339 UTC, "2025-11-26T16:00:00Z". */
void clock_format(long long t, char *out, size_t cap);
/* An RFC 3339 time ("2025-11-24T16:00:00.123456Z", or with an offset such
 * as "+05:30") as unix seconds, the fraction dropped; -1 when s is none. */
long long clock_parse(const char *s);
/* Does s start with a date as YYYY-MM-DD (month 1 to 12, day 1 to 31),
 * ending there or going on with a T and a time? */
int clock_valid_date(const char *s);
#endif
