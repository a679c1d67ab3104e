/* spool: exchanges the history could not take in time (another process
 * held it past $CHAT_DB_TIMEOUT, a PostgreSQL server out of reach), kept
 * beside it in "<db>.spool/" (for PostgreSQL, in this machine's data folder,
 * "postgresql-HASH.spool/" after the connection string without its
 * password), one JSON file each, written atomically (a temporary file,
 * fsync, rename), until a program that opens the history writes them in
 * (histlog_spool_replay); and the prompts of replies being shown whose
 * turn SQLite does not have yet, in slots (below). */
#ifndef CHAT_SPOOL_H
#define CHAT_SPOOL_H
#include <jv.h>
#include <stddef.h>

/* The spool folder of db. 0, or -1 when there is no folder for it. */
int spool_where(const char *db, char *out, size_t cap);
/* Save one exchange (v borrowed) for db. 0, or -1 after saying why. */
int spool_save(const char *db, jv v);
/* A prompt's pending record: the user turn, saved durably before the
 * reply's first byte is shown, in one of SPOOL_SLOTS slot files of the
 * spool ("slot-N", overwritten in place: one data sync) that its program
 * holds locked (flock) while it lives, so a replay leaves it alone; emptied
 * once the history holds the turn. A program that dies leaves its slot
 * unlocked and full, for the next replay. */
#define SPOOL_SLOTS 8
struct spool_pending {
	int fd;              /* the slot, locked; -1: none */
	char path[4400];
};
/* Save v (borrowed) in a free slot, as p. 0, or -1 with errno (EBUSY:
 * every slot is held); nothing is said. */
int spool_pending_save(const char *db, jv v, struct spool_pending *p);
/* Empty p's slot and let go of it. */
void spool_pending_drop(struct spool_pending *p);
/* Before a spooled file is written in: for a slot, its lock taken (a
 * descriptor for spool_remove), or -1 while its program still holds it;
 * INT_MAX for any other file. */
int spool_claim(const char *path);
/* A spooled file written in: removed, or for a slot, emptied (its claim
 * is the caller's to close). */
void spool_remove(const char *path, int claim);
/* The spooled files of db, oldest first, then the slots (names under the
 * spool folder):
 * their count, with *names a malloc'd array of malloc'd paths (free with
 * spool_names_free). 0 when there is none. */
size_t spool_list(const char *db, char ***names);
void spool_names_free(char **names, size_t n);
/* How many exchanges wait in db's spool (not counting the pending records
 * of programs still running). */
size_t spool_count(const char *db);
/* Read one spooled file, claimed (a slot is read through its claim's
 * descriptor, any other file opened by path): its object, or jv_invalid()
 * when it is damaged (or an empty slot). */
jv spool_read(const char *path, int claim);
#endif
