/* clock: the two times the programs need — a monotonic millisecond count
 * for durations, and the wall clock as RFC 3339 UTC with milliseconds for
 * records and the history ($CHAT_NOW, unix seconds, fixes it for tests). */
#ifndef CHAT_CLOCK_H
#define CHAT_CLOCK_H
#include <stddef.h>

long now_ms(void);
void clock_rfc3339(char *out, size_t cap);
#endif
