#include "randbytes.h"
#include <errno.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void randbytes(void *out, size_t n, unsigned long salt)
{
	unsigned char *p = out;
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 20) ^ (unsigned long)ts.tv_sec ^ salt;
	for (size_t i = 0; i < n; i++, x = x * 6364136223846793005UL + 1442695040888963407UL)
		p[i] = (unsigned char)(x >> 56);
}
