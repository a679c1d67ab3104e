/* fdio: whole writes and bounded reads on file descriptors, retrying EINTR
 * and short writes, so callers see one clear success or errno. */
#ifndef CHAT_FDIO_H
#define CHAT_FDIO_H
#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

/* 0, or -1 with errno (EPIPE when the reader has gone away). */
int write_all(int fd, const void *data, size_t len);
/* Read fd to EOF into b. 0; -1 with errno on a read error; -2 when the
 * data would exceed b's cap (what fitted is kept). */
int read_all(int fd, struct buf *b);
/* write_all at an offset (pwrite). */
int pwrite_all(int fd, const void *data, size_t len, off_t at);
/* Exactly len bytes from offset at into out: 0, or -1 (an error, or the
 * file ends first). */
int pread_all(int fd, void *out, size_t len, off_t at);
/* Flush the directory holding path, so a name made or changed there
 * survives a crash. */
void fsync_dir_of(const char *path);
/* Check and close stdout at exit so a full disk is an error, not silent loss. */
int close_stdout(void);
/* mkdir -p: dir and each missing parent, made with mode (less the
 * umask). 0, or -1 with errno (ENOTDIR when dir is a file). */
#include <sys/types.h>
int mkdirs(const char *dir, mode_t mode);
/* The same for the folder file goes in (nothing when it has none). */
int mkdirs_for(const char *file, mode_t mode);

/* write_file_atomic's flags: refuse to replace a file that exists. */
enum { WFA_NO_REPLACE = 1 };
/* The step of write_file_atomic that failed, for the caller's message. */
enum { WFA_MAKE = -1, WFA_WRITE = -2, WFA_PLACE = -3, WFA_STOPPED = -4 };
/* Put data at path whole or not at all: a temporary file beside it, made
 * with mode (less the umask), written, fsynced, renamed over path and the
 * directory synced. With WFA_NO_REPLACE the rename fails with EEXIST
 * rather than replace a file, even one made meanwhile. A failure never
 * leaves the temporary file behind. 0, or the step that failed with errno
 * set: WFA_MAKE (no file can be made beside path), WFA_WRITE, WFA_PLACE
 * (the rename), WFA_STOPPED (a signal arrived before the rename, so
 * nothing was put in place). */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, int flags);
/* A new folder of the user's own, $TMPDIR/PREFIX-XXXXXX (else under /tmp),
 * its path in out: 0, or -1 with errno. */
int scratch_dir_make(const char *prefix, char *out, size_t cap);
/* Remove such a folder, the files in it and the folders beside a scratch
 * history (its spool). */
void scratch_dir_remove(const char *dir);
#endif
