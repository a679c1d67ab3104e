/* spool: exchanges the history could not take in time (another process
 * held it past $CHAT_DB_TIMEOUT, a PostgreSQL server out of reach), kept
 * beside it in "<db>.spool/" (for PostgreSQL, in this machine's data folder,
 * "postgresql-HASH.spool/" after the connection string without its
 * password), one JSON file each, written atomically (a temporary file,
 * fsync, rename), until a program that opens the history writes them in
 * (histlog_spool_replay). */
#ifndef CHAT_SPOOL_H
#define CHAT_SPOOL_H
#include <jv.h>
#include <stddef.h>

/* The spool folder of db. 0, or -1 when there is no folder for it. */
int spool_where(const char *db, char *out, size_t cap);
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
