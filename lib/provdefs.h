/* provdefs: the named OpenAI-compatible providers (OpenRouter, Groq, local
 * servers...) as data: the shipped table share/chat/providers ($CHAT_PROVIDERS
 * overrides where it is found) with the config's [provider NAME] sections
 * laid over it. Core, so that every program (chat-cost --count too) knows
 * which "NAME:" prefixes are providers; providers/provider_compat.c turns
 * each entry into a struct provider speaking OpenAI's wire format. */
#ifndef CHAT_PROVDEFS_H
#define CHAT_PROVDEFS_H
#include <stddef.h>
#include "config.h"

struct provdef {
	char name[32];            /* what "NAME:model" uses: a-z, 0-9, '-', '_' */
	char base_url[1024];      /* the OpenAI-style base, ending before /chat/completions */
	char key_env[64];         /* the key's environment variable; "" for a server needing none */
	char max_field[32];       /* "max_tokens" or "max_completion_tokens" */
	char section[48];         /* its config section, "provider NAME" */
};

struct provdefs {
	struct provdef *v;
	size_t n;
	char path[4096];          /* the table read, for messages */
};

/* The table's text (name names it in messages): [NAME] sections of
 * base_url, key_env and max_tokens_field. 0, or -1 with why naming the
 * line. Entries add to or replace those already in d. */
int provdefs_parse(struct provdefs *d, const char *text, const char *name, char *why, size_t cap);
/* The config's [provider NAME] sections (those keys and key_file) over d:
 * a field replaces the table's, a new NAME needs base_url. 0, or -1 with why. */
int provdefs_overlay(struct provdefs *d, const struct config *cfg, char *why, size_t cap);
/* The shipped table (a missing one is empty), then the config. 0 or -1 with why. */
int provdefs_load(struct provdefs *d, const struct config *cfg, char *why, size_t cap);
void provdefs_free(struct provdefs *d);
/* The entry named by the first len bytes of name, or NULL. */
const struct provdef *provdefs_find(const struct provdefs *d, const char *name, size_t len);

/* The named providers after chat-send --models' table: aligned text, or
 * with json one provider record each. 0, or an exit status after a message. */
int provdefs_print(const struct provdefs *d, int json);

/* The process's table: provdefs_init loads it once from cfg (the programs
 * that route models call it after loading the config, so a bad entry is
 * an exit 78 there); provdefs_get loads it quietly with the user's config
 * on first use when nothing did. Never NULL. */
int provdefs_init(const struct config *cfg, char *why, size_t cap);
const struct provdefs *provdefs_get(void);
#endif
