/* datafile: where the files that come with the programs (the model table,
 * the tokenizer's rank tables) are found, in one order for all of them: where
 * an environment variable says, else share/chat beside the running program
 * (bin/../share/chat, which is both the source tree and PREFIX), else the
 * DATADIR that make install used. */
#ifndef CHAT_DATAFILE_H
#define CHAT_DATAFILE_H
#include <stddef.h>

/* What the environment variable holds when it is set and not empty. */
enum datafile_env {
	DATAFILE_ENV_DIR,       /* the folder to look in instead (CHAT_DATA) */
	DATAFILE_ENV_FILE,      /* the file itself, used as it is (CHAT_MODELS) */
};

/* Look in each folder in turn for the first readable one of names (a
 * NULL-terminated list, tried in its order), reading the variable env as
 * kind says. 0 with the file's path in out; -1 when none is readable, with
 * out holding the last path tried. where, when not NULL, gets the folders
 * looked in, as "A" or "A or B", for a message. */
int datafile_path(const char *env, enum datafile_env kind, const char *const names[], char *out, size_t cap,
		  char *where, size_t wcap);
#endif
