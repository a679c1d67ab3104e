/* filetext: text files given by name (-f, a prompt record's "files", a
 * template's "file" lines, chat's /file) turned into prompt text, each
 * under its name in a fenced block:
 *
 *     src/main.c:
 *     ```c
 *     ...the file's bytes...
 *     ```
 *
 * The fence is three backticks, or one more than the longest run of
 * backticks in the file; the word after it is the language, from the
 * file's name where it is obvious, else nothing. Blocks are separated by a
 * blank line. A folder stands for its text files (recursively, hidden
 * files and folders and node_modules, __pycache__ and CVS left out) and a
 * glob pattern for the names it matches, each in bytewise order of path;
 * binary files among those are left out with a note, while a binary file
 * named on its own is refused. The files of one prompt together are capped
 * (1 MB unless raised). */
#ifndef CHAT_FILETEXT_H
#define CHAT_FILETEXT_H
#include "buf.h"
#include <stddef.h>

#define FILETEXT_MAX_DEFAULT (1000u * 1000u)
#define FILETEXT_SNIFF 8192   /* the head looked at to tell text from binary */

/* Fetch url's body into out (its cap the most to fetch). 0, or an exit
 * status with why filled. */
typedef int (*filetext_fetch_fn)(const char *url, struct buf *out, char *why, size_t cap);

struct filetext_settings {
	size_t max_total;          /* bytes of file text for one prompt */
	filetext_fetch_fn fetch;   /* NULL: a URL is refused (chat-cost counts offline) */
	int quiet;                 /* no notes for binary files left out of a folder */
};
/* The process's settings, set once by the program from its flags and
 * config: max_total FILETEXT_MAX_DEFAULT and no fetching to start. */
extern struct filetext_settings filetext_settings;

/* Is s a URL that -f or -a fetches (http:// or https://)? */
int filetext_is_url(const char *s);
/* The fenced block language for a file name, or "" when not obvious. */
const char *filetext_lang(const char *name);
/* Append the blocks of paths (files, folders, glob patterns, URLs) to out,
 * after a blank line when out is not empty. 0, or an exit status with why
 * filled: 65 a binary file named on its own, a file that is not UTF-8 or
 * files over the cap, 66 a file missing or unreadable or a folder or
 * pattern with no text file; a fetch's own statuses. */
int filetext_append(struct buf *out, const char *const *paths, int n, char *why, size_t cap);
#endif
