#include "fdio.h"
#include "sig.h"
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Write all of data, at offset at, or at the file's own position (which
 * pipes and terminals need) when at is negative. */
static int write_loop(int fd, const void *data, size_t len, off_t at)
{
	const char *p = data;
	while (len) {
		ssize_t n = at < 0 ? write(fd, p, len) : pwrite(fd, p, len, at);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		if (at >= 0)
			at += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_all(int fd, const void *data, size_t len)
{
	return write_loop(fd, data, len, -1);
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

int pwrite_all(int fd, const void *data, size_t len, off_t at)
{
	if (at < 0)
		return errno = EINVAL, -1;
	return write_loop(fd, data, len, at);
}

int pread_all(int fd, void *out, size_t len, off_t at)
{
	char *p = out;
	while (len) {
		ssize_t n = pread(fd, p, len, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;  /* an error, or the file ends first */
		p += n;
		at += n;
		len -= (size_t)n;
	}
	return 0;
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

void fsync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path == 0 ? 1 : slash - path) : 1, slash ? path : ".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Put tmp at path; without replace, never over a file, even one another
 * process makes meanwhile. */
static int place(const char *tmp, const char *path, int replace)
{
	if (replace)
		return rename(tmp, path);
	int r = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
	if (r < 0 && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP)) {
		/* a file system without it: link fails on an existing name too */
		r = link(tmp, path);
		if (r == 0)
			unlink(tmp);
	}
	return r;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, int flags)
{
	char tmp[4200];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	int dl = slash ? (int)(slash - path + 1) : 0;
	/* hidden, and in the same directory so the rename stays on one file system */
	if (strlen(base) < 200)
		snprintf(tmp, sizeof tmp, "%.*s.%s.tmp.XXXXXX", dl, path, base);
	else
		snprintf(tmp, sizeof tmp, "%.*s.chat.tmp.XXXXXX", dl, path);
	if (strlen(path) >= 4096) {
		errno = ENAMETOOLONG;
		return WFA_MAKE;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return WFA_MAKE;
	mode_t mask = umask(0);
	umask(mask);
	int bad = fchmod(fd, mode & ~mask) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0;
	int e = errno;
	if (close(fd) < 0 && !bad)
		bad = 1, e = errno;
	int st = bad ? WFA_WRITE : sig_caught ? WFA_STOPPED : 0;
	if (!st && place(tmp, path, !(flags & WFA_NO_REPLACE)) < 0)
		st = WFA_PLACE, e = errno;
	if (st) {
		unlink(tmp);
		errno = st == WFA_STOPPED ? EINTR : e;
		return st;
	}
	fsync_dir_of(path);
	return 0;
}

int scratch_dir_make(const char *prefix, char *out, size_t cap)
{
	const char *t = getenv("TMPDIR");
	int n = snprintf(out, cap, "%s/%s-XXXXXX", t && *t ? t : "/tmp", prefix);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(out) ? 0 : -1;
}

/* The folders a scratch history makes beside it (its spool) are one deep. */
static void remove_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4600];
	struct stat st;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (depth < 2 && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(path, depth + 1);
			else
				unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

void scratch_dir_remove(const char *dir)
{
	remove_tree(dir, 0);
}
