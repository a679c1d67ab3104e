/* remote_models: chat-send --models --remote [PROVIDER]: each provider's
 * own list of models, beside the model table. */
#ifndef CHAT_REMOTE_MODELS_H
#define CHAT_REMOTE_MODELS_H
#include "ask/session.h"

/* Ask only (a provider's name), or every provider with a key set up (the
 * others are skipped with a note), and print each listed model, marking
 * those the table does not price and the table's entries the provider no
 * longer lists; json: one remote_model record each. A provider that fails
 * gets one line and the others are still listed. 0 when every provider
 * asked answered; 1 when some failed; when all failed (or the one named),
 * its exit status; 64 for an unknown name; 77 when none has a key. */
int remote_models_print(struct session *s, const char *only, int json);
#endif
