/* keystore: the key files chat-key keeps, one a provider, in
 * $XDG_CONFIG_HOME/chat/keys (else ~/.config/chat/keys), a folder only its
 * owner may enter, each file readable by its owner only. */
#ifndef CHAT_KEYSTORE_H
#define CHAT_KEYSTORE_H
#include <stddef.h>

/* The key file for a provider. 0; -1 when there is no home to keep it in
 * or the name cannot be a file's (empty, a '/', a leading dot, a control
 * character). */
int keystore_path(const char *provider, char *out, size_t cap);
/* Put key at path, whole or not at all (write_file_atomic), mode 0600 in
 * a folder made 0700. 0, or -1 with errno. */
int keystore_save(const char *path, const char *key);
#endif
