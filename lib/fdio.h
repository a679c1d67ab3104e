/* fdio: whole writes and bounded reads on file descriptors, retrying EINTR
 * and short writes, so callers see one clear success or errno. */
#ifndef CHAT_FDIO_H
#define CHAT_FDIO_H
#include <stddef.h>
#include "buf.h"

/* 0, or -1 with errno (EPIPE when the reader has gone away). */
int write_all(int fd, const void *data, size_t len);
/* Read fd to EOF into b. 0; -1 with errno on a read error; -2 when the
 * data would exceed b's cap (what fitted is kept). */
int read_all(int fd, struct buf *b);
/* Check and close stdout at exit so a full disk is an error, not silent loss. */
int close_stdout(void);
/* mkdir -p: dir and each missing parent, made with mode (less the
 * umask). 0, or -1 with errno (ENOTDIR when dir is a file). */
#include <sys/types.h>
int mkdirs(const char *dir, mode_t mode);
/* The same for the folder file goes in (nothing when it has none). */
int mkdirs_for(const char *file, mode_t mode);
#endif
