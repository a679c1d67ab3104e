/* model_list: the providers' model-list endpoints as wire formats (no
 * network): the request for one page, and the model names a page holds.
 * OpenAI and every compatible server: GET {base}/models, one page.
 * Anthropic: GET /v1/models?limit=1000, paged by after_id while has_more.
 * Gemini: GET {base}/models?pageSize=1000, paged by nextPageToken; only the
 * models that generateContent. */
#ifndef CHAT_MODEL_LIST_H
#define CHAT_MODEL_LIST_H
#include <jv.h>
#include "buf.h"
#include "providers/provider.h"

/* url and headers for the page after the token page ("" or NULL: the
 * first). 0, or -1 when out of memory. */
int model_list_request(const struct provider *p, const char *base, const char *key, const char *page,
		       struct buf *url, struct curl_slist **headers);
/* The names a page's body lists, appended to *names (a jv array of
 * strings); next gets the next page's token, "" at the end. 0, or -1 with
 * why when the body is not the list the provider sends. */
int model_list_page(const struct provider *p, const char *body, size_t len, jv *names, char *next, size_t cap,
		    char *why, size_t why_cap);
#endif
