/* spool: exchanges the history could not take in time (another process
 * held it past $CHAT_DB_TIMEOUT), kept beside it in "<db>.spool/", one JSON
 * file each, written atomically (a temporary file, fsync, rename), until a
 * program that opens the history writes them in (histlog_spool_replay). */
#ifndef CHAT_SPOOL_H
#define CHAT_SPOOL_H
#include <jv.h>
#include <stddef.h>

/* Save one exchange (v borrowed) for db. 0, or -1 after saying why. */
int spool_save(const char *db, jv v);
/* The spooled files of db, oldest first (names under the spool folder):
 * their count, with *names a malloc'd array of malloc'd paths (free with
 * spool_names_free). 0 when there is none. */
size_t spool_list(const char *db, char ***names);
void spool_names_free(char **names, size_t n);
/* How many exchanges wait in db's spool. */
size_t spool_count(const char *db);
/* Read one spooled file: its object, or jv_invalid() when it is damaged. */
jv spool_read(const char *path);
#endif
