/* config: the plain "key = value" file with [section]s ($CHAT_CONFIG, else
 * $XDG_CONFIG_HOME/chat/config), and API key look-up from the environment or
 * from a key file that nobody but its owner can read. */
#ifndef CHAT_CONFIG_H
#define CHAT_CONFIG_H
#include <stddef.h>

struct config_entry {
	char *section, *key, *value;
};

struct config {
	struct config_entry *v;
	size_t n;
	char path[4096];
};

/* Load the config (a missing default file is fine). 0, or -1 after printing
 * "config: PATH: line N: why" (exit 78). */
int config_load(struct config *c);
int config_parse(struct config *c, const char *text, const char *name);
void config_free(struct config *c);
/* The value of key in section ("" for keys before any section), or NULL. */
const char *config_get(const struct config *c, const char *section, const char *key);

enum key_result { KEY_OK = 0, KEY_MISSING = -1, KEY_REFUSED = -2 };
/* Find the key for a provider: the environment variables in env (NULL-ended),
 * then the file named by "key_file" in the provider's config section.
 * On success the key is in out and source names where it came from (never
 * the key itself). KEY_REFUSED prints its own message; KEY_MISSING is said
 * by the caller (providers/endpoint.c: a local server needs none). */
int key_lookup(const struct config *c, const char *provider, const char *const *env,
	       char *out, size_t cap, char *source, size_t source_cap);
/* The key_file the provider's section names, "~/" taken as $HOME as
 * key_lookup takes it: 1 with the path in out, 0 when it names none. */
int key_file_path(const struct config *c, const char *provider, char *out, size_t cap);
/* A key as every program takes it: surrounding blanks and a line end
 * trimmed; 0, or -1 when it is empty or holds a control character. */
int key_clean(char *k);
/* Check a key file the way ssh checks private keys; read its first line. */
int key_file_read(const char *path, char *out, size_t cap);
/* s without the blanks around it (and a CR before its end), in place: the
 * config, templates and the provider table share this line syntax. */
char *config_trim(char *s);
#endif
