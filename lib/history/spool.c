#include "history/spool.h"
#include "buf.h"
#include "clock.h"
#include "diag.h"
#include "fdio.h"
#include "jsonx.h"
#include "paths.h"
#include "pq_lib.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int spool_where(const char *db, char *out, size_t cap)
{
	if (!path_is_conninfo(db)) {
		snprintf(out, cap, "%s.spool", db);
		return 0;
	}
	/* the same database however it is written, password or not */
	char shown[4096];
	if (pq_display(db, shown, sizeof shown) < 0)
		snprintf(shown, sizeof shown, "%s", db);
	unsigned long long h = 14695981039346656037ull;
	for (const unsigned char *c = (const unsigned char *)shown; *c; c++)
		h = (h ^ *c) * 1099511628211ull;
	char name[64];
	snprintf(name, sizeof name, "postgresql-%016llx.spool", h);
	return path_data_file(name, out, cap);
}

static void spool_dir(const char *db, char *out, size_t cap)
{
	if (spool_where(db, out, cap) < 0)
		snprintf(out, cap, "%s.spool", "history");
}

int spool_save(const char *db, jv v)
{
	char dir[4200], tmp[4400], final[4400];
	spool_dir(db, dir, sizeof dir);
	if (mkdirs(dir, 0700) < 0 && errno != EEXIST)
		return error("history %s: cannot make the spool %s: %s", db, dir, strerror(errno));
	/* the name sorts by time, so replay keeps the order they ended in */
	snprintf(final, sizeof final, "%s/%013lld-%06ld-%08x.json", dir, clock_real_ms(), (long)getpid(),
		 (unsigned)rand());
	snprintf(tmp, sizeof tmp, "%s.tmp", final);
	struct buf b = BUF_INIT((size_t)1 << 30);
	jx_dump_line(jv_copy(v), &b);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int ok = fd >= 0 && write_all(fd, b.p, b.len) == 0 && fsync(fd) == 0;
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	buf_free(&b);
	if (!ok || rename(tmp, final) < 0) {
		int e = errno;
		unlink(tmp);
		return error("history %s: cannot spool the exchange: %s", db, strerror(e));
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* the rename itself survives a crash */
		close(dfd);
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t spool_list(const char *db, char ***names)
{
	char dir[4200];
	spool_dir(db, dir, sizeof dir);
	*names = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".json"))
			continue; /* ".", "..", and half-written temporary files */
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **m = realloc(*names, cap * sizeof *m);
			if (!m)
				break;
			*names = m;
		}
		char *path = malloc(strlen(dir) + l + 2);
		if (!path)
			break;
		sprintf(path, "%s/%s", dir, e->d_name);
		(*names)[n++] = path;
	}
	closedir(d);
	if (n)
		qsort(*names, n, sizeof **names, by_name);
	return n;
}

void spool_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

size_t spool_count(const char *db)
{
	char **names;
	size_t n = spool_list(db, &names);
	spool_names_free(names, n);
	return n;
}

jv spool_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return jv_invalid();
	struct buf b = BUF_INIT((size_t)1 << 30);
	int r = read_all(fd, &b);
	close(fd);
	jv v = r == 0 && b.len ? jv_parse_sized(b.p, (int)b.len) : jv_invalid();
	buf_free(&b);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}
