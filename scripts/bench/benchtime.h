/* benchtime: the clock and the order the bench programs time and rank
 * their runs with. */
#ifndef CHAT_BENCHTIME_H
#define CHAT_BENCHTIME_H
#include <time.h>

static inline double clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* qsort's order for doubles, smallest first */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}
#endif
