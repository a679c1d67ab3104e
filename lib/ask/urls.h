/* urls: URLs given to -a and -f. -f's text comes through filetext's fetch
 * hook; -a's bytes become an attachment through chat-upload's code, or,
 * with --send-url and a provider that fetches image URLs itself (OpenAI,
 * Anthropic), go as the URL alone. */
#ifndef CHAT_ASK_URLS_H
#define CHAT_ASK_URLS_H
#include "attach.h"
#include "ask/session.h"

/* Set filetext's limit (--files-max, else the config's files_max, else
 * 1 MB) and its fetching (--allow-http, --fetch-timeout). 0, or 78 for a
 * bad files_max in the config. */
int ask_urls_setup(struct session *s);
/* -a URL: one attachment more in atts. 0 or an exit status, said on stderr. */
int ask_attach_url(struct session *s, struct attachments *atts, const char *url);
#endif
