/* session: everything one program run needs before it can ask a model —
 * the config, the model and its provider, the key, the base URL — resolved
 * once from flags, environment and config, with the documented exit status
 * when something is missing. */
#ifndef CHAT_SESSION_H
#define CHAT_SESSION_H
#include "cli.h"
#include "config.h"
#include "net/exchange.h"
#include "history/histlog.h"
#include "models.h"

struct session {
	struct config cfg;
	const struct provider *prov;
	char model_name[256];      /* as the user named it, e.g. "openai:gpt-4o" */
	const char *model;         /* the provider's own name, inside model_name */
	char key[4096];
	char key_source[256];
	char base[2048];
	struct exchange_opts xo;
	const struct cli_opts *opts;
	struct histlog hist;
	struct models models;
	const struct model_info *mi;   /* the model's table entry, or NULL */
	long default_max_tokens;
	int warned_keys;
	int ollama_probed;             /* 0 not yet, 1 found, -1 none */
	struct ratelimit *rl;          /* shared rate limits, opened with the first model */
	int rl_tried;
	char ollama_model[256];
};

/* Load the config only. 0 or an exit status (78). */
int session_config(struct session *s, const struct cli_opts *o);
/* Resolve the model (NULL: flags, $CHAT_MODEL, config, default), its
 * provider, key and base URL. 0 or an exit status. */
int session_model(struct session *s, const char *model);
void session_close(struct session *s);
/* Copy the resolved model (provider, names, key, base URL, table entry,
 * exchange options) from src to dst, which keeps its own history handle. */
void session_copy_model(struct session *dst, const struct session *src);
/* session_model(s, name) done on a copy, which s takes only when the
 * model can be used: 0, or the exit status (said) with s as it was. */
int session_switch_model(struct session *s, const char *name);
#endif
