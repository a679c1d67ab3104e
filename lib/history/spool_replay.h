/* spool_replay: an exchange's way through the spool — the entry that keeps
 * it while the history is busy, the user turn's pending record in a slot,
 * and writing the entries back in (histlog_spool_replay, declared with the
 * rest of histlog). */
#ifndef CHAT_SPOOL_REPLAY_H
#define CHAT_SPOOL_REPLAY_H
#include <jv.h>
#include "history/histlog.h"
#include "history/histrow.h"

/* The exchange h is logging, as the spool keeps it: enough to write both
 * rows later (rows: whether the prompt's rows are already in the history). */
jv histlog_spool_entry(const struct histlog *h, const struct histrow_message *reply, int rows);
/* The user turn h is about to log, as a pending record in a slot of the
 * spool (its reply the placeholder the history's row holds). 0 once
 * durable, with h->pending held; -1 (nothing said) when no slot is free or
 * it cannot be written. */
int histlog_pending_save(struct histlog *h);
/* Empty and let go of h's slot, if it holds one. */
void histlog_pending_drop(struct histlog *h);
#endif
