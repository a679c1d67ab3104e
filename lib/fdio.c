#include "fdio.h"
#include <string.h>
#include <sys/stat.h>
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

int mkdirs(const char *dir, mode_t mode)
{
	char p[4096];
	size_t n = strlen(dir);
	if (n >= sizeof p)
		return errno = ENAMETOOLONG, -1;
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i])
			continue;
		char c = p[i];
		p[i] = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -1;
		p[i] = c;
	}
	struct stat sb;
	if (stat(dir, &sb) < 0)
		return -1;
	return S_ISDIR(sb.st_mode) ? 0 : (errno = ENOTDIR, -1);
}

int mkdirs_for(const char *file, mode_t mode)
{
	const char *slash = strrchr(file, '/');
	if (!slash || slash == file)
		return 0;
	char dir[4096];
	if ((size_t)(slash - file) >= sizeof dir)
		return errno = ENAMETOOLONG, -1;
	memcpy(dir, file, (size_t)(slash - file));
	dir[slash - file] = 0;
	return mkdirs(dir, mode);
}
