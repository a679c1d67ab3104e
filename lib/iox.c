#include "iox.h"
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all(int fd, struct buf *b)
{
	char tmp[65536];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (buf_add(b, tmp, (size_t)n) < 0)
			return -2;
	}
}

int close_stdout(void)
{
	int bad = ferror(stdout);
	if (fclose(stdout) != 0)
		bad = 1;
	return bad ? -1 : 0;
}
