/* spool_replay: an exchange's way through the spool — the entry that keeps
 * it while the history is busy, and writing the entries back in
 * (histlog_spool_replay, declared with the rest of histlog). */
#ifndef CHAT_SPOOL_REPLAY_H
#define CHAT_SPOOL_REPLAY_H
#include <jv.h>
#include "history/histlog.h"
#include "history/histrow.h"

/* The exchange h is logging, as the spool keeps it: enough to write both
 * rows later (rows: whether the prompt's rows are already in the history). */
jv histlog_spool_entry(const struct histlog *h, const struct histrow_message *reply, int rows);
#endif
