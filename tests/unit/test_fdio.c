/* write_file_atomic: a file is put in place whole or not at all, with the
 * mode asked for less the umask, replaced only when allowed, and no
 * temporary file outlives a failure.  write_all, pwrite_all and pread_all:
 * each write or read lands whole, in its place. */
#include "fdio.h"
#include "sig.h"
#include "tap.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/chat-test-fdio-XXXXXX";

/* The names in dir, sorted (readdir promises no order), joined by spaces. */
static const char *listing(void)
{
	static char out[1024];
	char names[16][256];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) && n < 16)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			snprintf(names[n++], sizeof names[0], "%s", e->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
	out[0] = 0;
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", names[i]);
	return out;
}

static const char *content(const char *path)
{
	static char out[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, out, sizeof out - 1);
	if (fd >= 0)
		close(fd);
	out[n < 0 ? 0 : n] = 0;
	return out;
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	char path[600], sub[600];
	snprintf(path, sizeof path, "%s/a.png", dir);
	umask(022);
	ok(write_file_atomic(path, "one", 3, 0666, WFA_NO_REPLACE) == 0, "a new file is written");
	is_str(content(path), "one", "... whole");
	ok(mode_of(path) == 0644, "... 0666 less the umask 022 is 0644 (got %04o)", mode_of(path));
	is_str(listing(), "a.png", "... and no temporary file is left");

	errno = 0;
	ok(write_file_atomic(path, "two", 3, 0666, WFA_NO_REPLACE) == WFA_PLACE && errno == EEXIST,
	   "WFA_NO_REPLACE: an existing file is refused with EEXIST");
	is_str(content(path), "one", "... and kept as it was");
	is_str(listing(), "a.png", "... the temporary file removed");

	umask(077);
	ok(write_file_atomic(path, "three", 5, 0644, 0) == 0, "without the flag it is replaced");
	is_str(content(path), "three", "... by the new bytes");
	ok(mode_of(path) == 0600, "... 0644 less the umask 077 is 0600 (got %04o)", mode_of(path));
	umask(022);

	snprintf(sub, sizeof sub, "%s/d", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof sub, "%s/d/x", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof sub, "%s/d", dir);
	ok(write_file_atomic(sub, "x", 1, 0644, 0) == WFA_PLACE, "a directory in the way: the rename fails");
	is_str(listing(), "a.png d", "... the temporary file removed");

	snprintf(sub, sizeof sub, "%s/none/b.png", dir);
	errno = 0;
	ok(write_file_atomic(sub, "x", 1, 0644, 0) == WFA_MAKE && errno == ENOENT, "no such directory: WFA_MAKE, ENOENT");

	sig_caught = SIGINT;
	snprintf(sub, sizeof sub, "%s/c.png", dir);
	ok(write_file_atomic(sub, "x", 1, 0644, 0) == WFA_STOPPED, "a signal caught: stopped before the rename");
	is_str(listing(), "a.png d", "... nothing put in place, nothing left behind");
	sig_caught = 0;

	/* write_all at the file's position, pwrite_all and pread_all at an offset */
	snprintf(sub, sizeof sub, "%s/rw", dir);
	int fd = open(sub, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && write_all(fd, "hello ", 6) == 0 && write_all(fd, "world", 5) == 0,
	   "write_all writes at the file's position, one call after another");
	ok(pwrite_all(fd, "W", 1, 6) == 0 && pwrite_all(fd, "!", 1, 11) == 0, "pwrite_all writes at an offset");
	ok(write_all(fd, "?", 1) == 0, "... and leaves the file's position where it was");
	is_str(content(sub), "hello World?", "the file holds every write in its place");
	char got[6] = { 0 };
	ok(pread_all(fd, got, 5, 6) == 0 && !memcmp(got, "World", 5), "pread_all reads at an offset");
	ok(pread_all(fd, got, 5, 10) < 0, "pread_all fails when the file ends first");
	errno = 0;
	ok(pwrite_all(fd, "x", 1, -1) < 0 && errno == EINVAL, "pwrite_all refuses a negative offset");
	close(fd);
	ok(write_all(fd, "x", 1) < 0 && errno == EBADF, "write_all fails on a closed descriptor");
	int pfd[2];
	ok(pipe(pfd) == 0 && write_all(pfd[1], "pipe", 4) == 0 && read(pfd[0], got, 4) == 4 && !memcmp(got, "pipe", 4),
	   "write_all writes to a pipe (which has no offset)");
	close(pfd[0]);
	close(pfd[1]);
	unlink(sub);

	snprintf(sub, sizeof sub, "%s/d/x", dir);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/d", dir);
	rmdir(sub);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
