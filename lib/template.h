/* template: a saved way of asking — system prompt, prompt jq program, model,
 * options, schema and parameter defaults — in a small text file under
 * $XDG_CONFIG_HOME/chat/templates/NAME, loaded with -t NAME:
 *
 *     description = classify one log line
 *     model = gpt-4o-mini
 *     param level = warning
 *     prompt-jq = "Classify this \($level) line: \(.line)"
 *     system <<END
 *     You sort log lines into kinds.
 *     END
 *
 * Keys: description, model, system, prompt (used when no prompt words are
 * given), prompt-jq, system-jq, id-jq, schema, max-tokens, temperature,
 * context, "param NAME" (a default for -p NAME VALUE) and "file" (a path,
 * folder, pattern or URL as -f takes, one a line, as many as needed).
 * A value is the rest of the line, or the lines up to a line holding only
 * the word after "<<". */
#ifndef CHAT_TEMPLATE_H
#define CHAT_TEMPLATE_H
#include "buf.h"
#include <stddef.h>

#define TEMPLATE_MAX_PARAMS 32
#define TEMPLATE_MAX_FILES 32

struct template {
	char name[128], path[4096];
	char *description, *model, *system, *prompt_jq, *system_jq, *id_jq, *schema;
	char *prompt;             /* the prompt words' stand-in */
	long max_tokens;          /* 0: not set */
	long context;             /* earlier turns sent; -1: not set */
	double temperature;       /* < 0: not set */
	struct {
		char *name, *value;
	} params[TEMPLATE_MAX_PARAMS];
	int nparams;
	char *files[TEMPLATE_MAX_FILES];   /* "file = PATH" lines: -f's files, before the command line's */
	int nfiles;
};

/* The templates folder. 0, or -1 when there is no home. */
int template_dir(char *out, size_t cap);
/* Load template name. 0, or an exit status with why filled: 64 no such
 * template (or a bad name), 78 an error in it ("PATH: line N: ..."). */
int template_load(const char *name, struct template *t, char *why, size_t cap);
void template_free(struct template *t);
/* Print each template's name and description, one a line (with its path
 * after another tab when with_path), or with json a record each:
 * {"type":"template","name","path","description"} and "broken" when it
 * cannot be loaded. 0 or 73. */
int template_list(int json, int with_path);

/* Is name one --save may write: no slash, no leading dot or dash, no
 * control character, no trailing ~ (the listing skips those), under 128
 * bytes? */
int template_name_ok(const char *name);
/* Append t as template text to out, each value kept exactly as it will be
 * read back. 0, or -1 with why naming a value the format cannot hold
 * (spaces at the end of a line, a carriage return ending one, not UTF-8,
 * a param name that is not one word). */
int template_format(const struct template *t, struct buf *out, char *why, size_t cap);
/* Write t as the template name, atomically, mode 0600 (a replaced file
 * keeps its own). replace: overwrite one that exists. 0, or an exit status
 * with why filled: 64 a bad name, 65 a value the format cannot hold, 73 the
 * template exists (without replace) or cannot be written. path gets where
 * it went. */
int template_save(const struct template *t, const char *name, int replace, char *path, size_t pathcap,
		  char *why, size_t cap);
#endif
