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
 * Keys: description, model, system, prompt-jq, system-jq, id-jq, schema,
 * max-tokens, temperature, context, and "param NAME" (a default for -p NAME VALUE).
 * A value is the rest of the line, or the lines up to a line holding only
 * the word after "<<". */
#ifndef CHAT_TEMPLATE_H
#define CHAT_TEMPLATE_H
#include <stddef.h>

#define TEMPLATE_MAX_PARAMS 32

struct template {
	char name[128], path[4096];
	char *description, *model, *system, *prompt_jq, *system_jq, *id_jq, *schema;
	long max_tokens;          /* 0: not set */
	long context;             /* earlier turns sent; -1: not set */
	double temperature;       /* < 0: not set */
	struct {
		char *name, *value;
	} params[TEMPLATE_MAX_PARAMS];
	int nparams;
};

/* The templates folder. 0, or -1 when there is no home. */
int template_dir(char *out, size_t cap);
/* Load template name. 0, or an exit status with why filled: 64 no such
 * template (or a bad name), 78 an error in it ("PATH: line N: ..."). */
int template_load(const char *name, struct template *t, char *why, size_t cap);
void template_free(struct template *t);
/* Print each template's name and description, one a line. 0 or 73. */
int template_list(void);
#endif
