/* chat: the shared nouns' few functions. */
#include "chat.h"
#include "provdefs.h"
#include <string.h>

void chat_reply_free(struct chat_reply *r)
{
	jv_free(r->tool_calls);
	memset(r, 0, sizeof *r);
}

size_t chat_msg_atts(const struct chat_request *rq, size_t i, const struct attachment **atts)
{
	if (i + 1 == rq->nmsgs) {
		*atts = rq->atts;
		return rq->natts;
	}
	*atts = rq->msgs[i].atts;
	if (rq->atts_from && &rq->msgs[i] < rq->atts_from)
		return 0;
	return rq->msgs[i].natts;
}

const char *const chat_provider_names[] = { "openai", "anthropic", "gemini", "ollama", NULL };

const char *chat_model_after_provider(const char *name)
{
	const char *colon = strchr(name, ':');
	if (!colon)
		return NULL;
	for (const char *const *p = chat_provider_names; *p; p++)
		if (strlen(*p) == (size_t)(colon - name) && !strncmp(name, *p, (size_t)(colon - name)))
			return colon + 1;
	/* the named ones of the provider table (OpenRouter, Groq, ...) */
	return provdefs_find(provdefs_get(), name, (size_t)(colon - name)) ? colon + 1 : NULL;
}
