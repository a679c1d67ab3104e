/* paths: where the suite keeps its files, shared by the history and the
 * rate limits. */
#ifndef CHAT_PATHS_H
#define CHAT_PATHS_H
#include <stddef.h>

/* The history's path: the --db flag, else $CHAT_DB, else
 * $XDG_DATA_HOME/chat/history.db, else ~/.local/share/chat/history.db.
 * 0, or -1 said on stderr when there is no home to put it in. */
int path_history(const char *flag, char *out, size_t cap);
/* 1 when a history names a PostgreSQL database (a postgresql:// or
 * postgres:// URI, or libpq's keyword=value form), not a file. */
int path_is_conninfo(const char *where);
/* NAME in the suite's data folder ($XDG_DATA_HOME/chat, else
 * ~/.local/share/chat): 0, or -1 with neither set. */
int path_data_file(const char *name, char *out, size_t cap);
/* 1 when path's folder is on NFS, SMB, AFS, 9P and the like, where
 * SQLite's locks and WAL cannot be trusted. */
int path_on_network_fs(const char *path);
/* $CHAT_DB_TIMEOUT in ms (default 30 s): how long to wait for a file's
 * lock. 0, or -1 said on stderr when it is not a number of seconds. */
int path_lock_timeout_ms(long *ms);
#endif
