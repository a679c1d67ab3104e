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
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The database's real path, as its lock has it (so a symlinked CHAT_DB
 * spools where the history's own path replays from); for a history not
 * made yet, its folder's real path and its name. */
static void real_db(const char *db, char *out, size_t cap)
{
	char real[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(db, '/');
	if (realpath(db, real)) {
		snprintf(out, cap, "%s", real);
		return;
	}
	if (slash && slash != db && (size_t)(slash - db) < sizeof dir) {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - db), db);
		if (realpath(dir, real)) {
			snprintf(out, cap, "%s%s", real, slash);
			return;
		}
	}
	snprintf(out, cap, "%s", db);
}

int spool_where(const char *db, char *out, size_t cap)
{
	if (!path_is_conninfo(db)) {
		char real[PATH_MAX + 256];
		real_db(db, real, sizeof real);
		snprintf(out, cap, "%s.spool", real);
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
	fsync_dir_of(final); /* the rename itself survives a crash */
	return 0;
}

/* A slot file: a header (SLOT_MAGIC, the record's length and its FNV-1a
 * hash, 8 bytes each, little-endian) and the record; a header of zeros, or
 * one that does not match the record (a write cut short), is an empty
 * slot. Overwritten in place, so saving one costs one data sync (the
 * file's blocks are there from an earlier use), not a new file's. */
#define SLOT_PREFIX "slot-"
#define SLOT_MAGIC "chatpend"
#define SLOT_HEAD 24

static void le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static void slot_read(int fd, struct buf *b);

/* A slot holding a record: a program died before the history had it,
 * and it waits for a replay. */
static int slot_full(int fd)
{
	struct buf b = BUF_INIT((size_t)1 << 30);
	slot_read(fd, &b);
	int full = b.len > 0;
	buf_free(&b);
	return full;
}

int spool_pending_save(const char *db, jv v, struct spool_pending *p)
{
	char dir[4200];
	p->fd = -1;
	spool_dir(db, dir, sizeof dir);
	if (mkdirs(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	struct buf b = BUF_INIT((size_t)1 << 30);
	unsigned char head[SLOT_HEAD] = { 0 };
	if (buf_add(&b, (const char *)head, sizeof head) < 0 || jx_dump_line(jv_copy(v), &b) < 0) {
		buf_free(&b);
		errno = ENOMEM;
		return -1;
	}
	memcpy(b.p, SLOT_MAGIC, 8);
	le64((unsigned char *)b.p + 8, b.len - SLOT_HEAD);
	le64((unsigned char *)b.p + 16, fnv1a(b.p + SLOT_HEAD, b.len - SLOT_HEAD));
	int r = -1;
	errno = EBUSY;  /* every slot held by a running program */
	for (int k = 0; k < SPOOL_SLOTS && r < 0; k++) {
		snprintf(p->path, sizeof p->path, "%s/" SLOT_PREFIX "%d", dir, k);
		int fd = open(p->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			continue;
		struct stat st;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 || (st.st_size && slot_full(fd))) {
			close(fd);
			continue;
		}
		if (pwrite_all(fd, b.p, b.len, 0) < 0 || fdatasync(fd) < 0) {
			int e = errno;
			close(fd);
			errno = e;
			break;
		}
		if (!st.st_size)
			fsync_dir_of(p->path); /* a slot made now: its name must last too */
		p->fd = fd;
		r = 0;
	}
	buf_free(&b);
	return r;
}

/* A slot's header and record overwritten with zeros (the prompt's text
 * does not linger there), not synced: a record that outlives a crash
 * names rows the history has, and a replay of it adds nothing. A slot a
 * long prompt made large is cut back to nothing instead. */
#define SLOT_KEEP (1 << 20)
static void slot_empty(int fd)
{
	unsigned char head[SLOT_HEAD];
	static const char zeros[65536];
	struct stat st;
	if (fstat(fd, &st) < 0)
		return;
	if (st.st_size > SLOT_KEEP) {
		(void)!ftruncate(fd, 0);
		return;
	}
	uint64_t len = SLOT_HEAD;
	if (pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head && !memcmp(head, SLOT_MAGIC, 8))
		len += get_le64(head + 8);
	if (len > (uint64_t)st.st_size)
		len = (uint64_t)st.st_size;
	for (uint64_t at = 0; at < len; at += sizeof zeros) {
		size_t n = len - at < sizeof zeros ? (size_t)(len - at) : sizeof zeros;
		if (pwrite_all(fd, zeros, n, (off_t)at) < 0)
			break;
	}
}

void spool_pending_drop(struct spool_pending *p)
{
	if (p->fd < 0)
		return;
	slot_empty(p->fd);
	close(p->fd);
	p->fd = -1;
}

static int is_slot(const char *path)
{
	const char *base = strrchr(path, '/');
	return !strncmp(base ? base + 1 : path, SLOT_PREFIX, strlen(SLOT_PREFIX));
}

int spool_claim(const char *path)
{
	if (!is_slot(path))
		return INT_MAX;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void spool_remove(const char *path, int claim)
{
	if (claim == INT_MAX) {
		unlink(path);
	} else if (claim >= 0) {
		slot_empty(claim);
	}
}

/* The record a slot holds (its header checked) added to b; nothing for an
 * empty slot or a record cut short. */
static void slot_read(int fd, struct buf *b)
{
	unsigned char head[SLOT_HEAD];
	if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head || memcmp(head, SLOT_MAGIC, 8))
		return;
	uint64_t len = get_le64(head + 8);
	char *rec = len && len <= (1u << 30) ? buf_room(b, (size_t)len) : NULL;
	if (rec && pread_all(fd, rec, (size_t)len, SLOT_HEAD) == 0 && fnv1a(rec, (size_t)len) == get_le64(head + 16))
		buf_took(b, (size_t)len);
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
		if ((l < 6 || strcmp(e->d_name + l - 5, ".json")) && strncmp(e->d_name, SLOT_PREFIX, strlen(SLOT_PREFIX)))
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
	size_t n = spool_list(db, &names), waiting = 0;
	for (size_t i = 0; i < n; i++) {
		int fd = spool_claim(names[i]);
		if (fd == INT_MAX) {
			waiting++;
		} else if (fd >= 0) {
			jv v = spool_read(names[i], fd);
			waiting += jv_is_valid(v);
			jv_free(v);
			close(fd);
		}
	}
	spool_names_free(names, n);
	return waiting;
}

jv spool_read(const char *path, int claim)
{
	int own = claim == INT_MAX; /* a slot is read through its claim */
	int fd = own ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : claim;
	if (fd < 0)
		return jv_invalid();
	struct buf b = BUF_INIT((size_t)1 << 30);
	int r = 0;
	if (own) {
		r = read_all(fd, &b);
		close(fd);
	} else {
		slot_read(fd, &b);
	}
	jv v = r == 0 && b.len ? jv_parse_sized(b.p, (int)b.len) : jv_invalid();
	buf_free(&b);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}
