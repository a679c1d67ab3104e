/* configedit: change one "key = value" line of the config's text and keep
 * every other line, comment and blank line as the user wrote them, in
 * their order; then put the file back whole or not at all. */
#ifndef CHAT_CONFIGEDIT_H
#define CHAT_CONFIGEDIT_H
#include "buf.h"

/* text with key = value in [section]: every key line of that section gets
 * the new value; with none, a line is added after the section's last
 * setting, and a missing section is added at the end. A value that would
 * not read back the same (spaces or quotes at its ends) is quoted. 0, or
 * -1 when value holds a line break or out is full. */
int config_edit_set(const char *text, const char *section, const char *key, const char *value,
		    struct buf *out);
/* text without the key lines of [section]; *removed says how many went. */
int config_edit_unset(const char *text, const char *section, const char *key, struct buf *out,
		      int *removed);
/* Read the config file at path (a missing one is ""), at most 1 MiB, as
 * config_load does. 0, or -1 with errno. */
int config_text_read(const char *path, struct buf *text);
/* Put text at path atomically, following a symbolic link (a config kept
 * in a dotfiles folder stays there) and keeping the file's mode (0644 for
 * a new one, its folders made 0700). 0, or -1 with errno. */
int config_text_write(const char *path, const char *text);
#endif
