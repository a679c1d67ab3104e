/* histio: the history as records — export conversations and their messages
 * as NDJSON (attachments too with media), import them back (importing the
 * same file twice changes nothing; histimport.c), and the destructive
 * edits: rm, rename, prune. */
#ifndef CHAT_HISTIO_H
#define CHAT_HISTIO_H
#include "history/store.h"

/* Write the conversation record and its message records to fd. 0, or an
 * exit status. */
int histio_export_one(struct store *s, const char *conv_id, int media, int fd);
/* Every conversation, oldest first. */
int histio_export_all(struct store *s, int media, int fd);
/* Read export records from fd. Returns 0, 65 when some lines were bad (the
 * rest are imported), or another exit status. Counts what was new. */
int histio_import(struct store *s, int fd, long *conversations, long *messages);
/* Remove conversations (with their messages and unshared media). */
int histio_remove(struct store *s, const char *conv_id);
int histio_rename(struct store *s, const char *conv_id, const char *name);
/* Remove conversations last updated before date; the count in *removed. */
int histio_prune(struct store *s, const char *before, long *removed, int dry_run);
#endif
