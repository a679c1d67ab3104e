/* write_file_atomic: a file is put in place whole or not at all, with the
 * mode asked for less the umask, replaced only when allowed, and no
 * temporary file outlives a failure. */
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

	snprintf(sub, sizeof sub, "%s/d/x", dir);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/d", dir);
	rmdir(sub);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
